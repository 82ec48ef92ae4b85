package dev.cdcconnect.eventstore.stream;

import dev.cdcconnect.event.values.JsonValues;
import dev.cdcconnect.eventstore.event.ChangeRecord;
import dev.cdcconnect.eventstore.event.RecordConversionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

/**
 * Names the stream a record's event goes to, from a template such as {@code ${table}-${key}}.
 *
 * <p>Placeholders: {@code ${topic}}, {@code ${database}}, {@code ${schema}}, {@code ${table}}, {@code ${key}}
 * (the whole record key; a composite key's field values joined with {@code -} in field-name order, so records
 * with and without a schema get the same name) and {@code ${key.<field>}} (one key field). A template without
 * placeholders is a fixed stream name.
 *
 * <p>Values are escaped so a name keeps its meaning: {@code %} and control characters become {@code %XX};
 * in the part before the template's first literal {@code -} (the category, for the {@code $ce-} category
 * projection) a {@code -} inside a value becomes {@code %2D}; a name never starts with {@code $}
 * (EventStoreDB's system streams), a leading {@code $} becomes {@code %24}.
 */
public final class StreamNames {

    /** Placeholders a stream name template may use; {@code key.} stands for {@code key.<field>}. */
    public static final List<String> PLACEHOLDERS = List.of("topic", "database", "schema", "table", "key", "key.");

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** Placeholders the template for records without a key may use. */
    public static final List<String> KEYLESS_PLACEHOLDERS = List.of("topic", "database", "schema", "table");

    private final Template template;
    private final Template keyless;
    private final JsonValues json;

    public StreamNames(Template template, JsonValues json) {
        this(template, null, json);
    }

    /**
     * @param keyless the template for records without a key when {@code template} needs one, or null when such
     *                records cannot be written
     */
    public StreamNames(Template template, Template keyless, JsonValues json) {
        this.template = template;
        this.keyless = keyless;
        this.json = json;
    }

    /** Parses and checks a template; the message of the exception says what is wrong. */
    public static Template parseTemplate(String text) {
        Template template = Template.parse(text, PLACEHOLDERS);
        if (template.parts().get(0) instanceof Template.Literal literal && literal.text().startsWith("$")) {
            throw new IllegalArgumentException("a stream name must not start with '$': such streams are "
                    + "EventStoreDB system streams");
        }
        return template;
    }

    /**
     * Parses the template for records without a key; empty or blank text gives null (no such stream: those
     * records cannot be written).
     */
    public static Template parseKeylessTemplate(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        Template template = Template.parse(text.trim(), KEYLESS_PLACEHOLDERS);
        if (template.parts().get(0) instanceof Template.Literal literal && literal.text().startsWith("$")) {
            throw new IllegalArgumentException("a stream name must not start with '$': such streams are "
                    + "EventStoreDB system streams");
        }
        return template;
    }

    public Template template() {
        return template;
    }

    /**
     * The stream for a record. A change or plain record without a key, when the template needs one, goes to the
     * keyless template's stream (one per table by default): changes of tables without a primary key and truncate
     * events have no key. Tombstones never do: a tombstone without a key names no row.
     *
     * @throws RecordConversionException when the template needs a value the record lacks (a key, a database)
     */
    public String streamFor(ChangeRecord record) {
        Template chosen = keyless != null && record.key() == null && !record.isTombstone() && usesKey(template)
                ? keyless : template;
        String name = chosen.render(placeholder -> escape(value(record, placeholder.name()),
                placeholder.beforeFirstDash()));
        if (name.isEmpty()) {
            throw new RecordConversionException("cannot name the stream: template " + chosen
                    + " gives an empty name for this record");
        }
        if (name.startsWith("$")) {
            name = "%24" + name.substring(1);
        }
        return name;
    }

    /**
     * The stream a tombstone acts on: the stream of the delete event just before it in its partition, for the
     * same key, when there was one ({@code deleteStream}); else the template's stream when the template needs
     * nothing of the change event's source block, which a tombstone lacks.
     *
     * @param deleteStream the stream of the delete event the tombstone follows, or null
     * @throws RecordConversionException when the stream cannot be known: the template takes ${table},
     *                                   ${database} or ${schema} from the source block and no delete of the key
     *                                   came just before the tombstone
     */
    public String tombstoneStreamFor(ChangeRecord record, String deleteStream) {
        if (deleteStream != null) {
            return deleteStream;
        }
        for (String name : List.of("table", "database", "schema")) {
            if (template.uses(name)) {
                throw new RecordConversionException("cannot name the stream of this tombstone: template " + template
                        + " takes ${" + name + "} from the change event's source block, which a tombstone does not "
                        + "carry, and the record before it in its partition is not a delete of the same key (a "
                        + "tombstone goes to the stream of the delete event it follows)");
            }
        }
        return streamFor(record);
    }

    private static boolean usesKey(Template template) {
        return template.parts().stream().anyMatch(p -> p instanceof Template.Placeholder ph
                && (ph.name().equals("key") || ph.name().startsWith("key.")));
    }

    private String value(ChangeRecord record, String name) {
        String value = switch (name) {
            case "topic" -> record.topic();
            case "table" -> record.table();
            case "database" -> record.database();
            case "schema" -> record.schema();
            case "key" -> keyText(record);
            default -> keyFieldText(record, name.substring("key.".length()));
        };
        if (value == null) {
            throw new RecordConversionException(missing(record, name));
        }
        return value;
    }

    private static String missing(ChangeRecord record, String name) {
        String what = record.isTombstone() ? "a tombstone" : record.change().isPresent() ? "a change event" : "a record";
        String reason = switch (name) {
            case "key" -> "the record has no key";
            case "database", "schema" -> what + " without a source " + name;
            default -> name.startsWith("key.") ? "the record key has no field '" + name.substring(4) + "'"
                    : "no value for ${" + name + "}";
        };
        return "cannot name the stream: the template needs ${" + name + "} but " + reason;
    }

    private String keyText(ChangeRecord record) {
        Object key = record.key();
        if (key == null) {
            return null;
        }
        if (key instanceof Struct struct) {
            List<Field> fields = struct.schema().fields();
            if (fields.size() == 1) {
                Object value = struct.get(fields.get(0));
                return value == null ? null : json.toText(value, fields.get(0).schema());
            }
            Map<String, String> sorted = new TreeMap<>();
            for (Field field : fields) {
                Object value = struct.get(field);
                if (value != null) {
                    sorted.put(field.name(), json.toText(value, field.schema()));
                }
            }
            return sorted.isEmpty() ? null : String.join("-", sorted.values());
        }
        if (key instanceof Map<?, ?> map) {
            Map<String, String> sorted = new TreeMap<>();
            map.forEach((k, v) -> {
                if (v != null) {
                    sorted.put(String.valueOf(k), json.toText(v, null));
                }
            });
            return sorted.isEmpty() ? null : String.join("-", sorted.values());
        }
        return json.toText(key, record.keySchema());
    }

    private String keyFieldText(ChangeRecord record, String path) {
        Object value = record.keyField(path);
        return value == null ? null : json.toText(value, fieldSchema(record.keySchema(), path));
    }

    private static Schema fieldSchema(Schema schema, String path) {
        Schema current = schema;
        List<String> steps = new ArrayList<>(List.of(path.split("\\.")));
        for (String step : steps) {
            if (current == null || current.type() != Schema.Type.STRUCT || current.field(step) == null) {
                return null;
            }
            current = current.field(step).schema();
        }
        return current;
    }

    /** Escapes one placeholder value; see the class comment for the rules. */
    static String escape(String value, boolean inCategory) {
        StringBuilder out = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean escape = c == '%' || c < 0x20 || c == 0x7f || (inCategory && c == '-');
            if (escape) {
                if (out == null) {
                    out = new StringBuilder(value.length() + 8).append(value, 0, i);
                }
                out.append('%').append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? value : out.toString();
    }
}
