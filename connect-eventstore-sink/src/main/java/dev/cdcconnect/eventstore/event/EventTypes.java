package dev.cdcconnect.eventstore.event;

import dev.cdcconnect.event.Operation;
import dev.cdcconnect.eventstore.stream.Template;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Chooses an event's type from what happened to the row. Each kind of record has a readable default
 * ({@code Created}, {@code Updated}, ...), a mapping can rename it for all tables ({@code update=CustomerChanged})
 * or for one table ({@code customers.update=CustomerChanged}), and a template can qualify it with source names
 * ({@code ${table}.${type}} gives {@code customers.Created}). A table-specific mapping is used as it is, without
 * the template.
 */
public final class EventTypes {

    /** What a record is, for the choice of its event type. */
    public enum Kind {
        CREATE("Created"),
        UPDATE("Updated"),
        DELETE("Deleted"),
        /** A row read by a snapshot. */
        READ("Snapshotted"),
        TRUNCATE("Truncated"),
        /** A logical decoding message. */
        MESSAGE("MessageLogged"),
        /** The marker appended for a Kafka tombstone when tombstones are handled as markers. */
        TOMBSTONE("Tombstoned"),
        /** A plain record that is not a change event. */
        RECORD("Recorded");

        private final String defaultType;

        Kind(String defaultType) {
            this.defaultType = defaultType;
        }

        /** The name used in the mapping, e.g. {@code update}. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        public String defaultType() {
            return defaultType;
        }

        public static Kind of(Operation op) {
            return switch (op) {
                case CREATE -> CREATE;
                case UPDATE -> UPDATE;
                case DELETE -> DELETE;
                case READ -> READ;
                case TRUNCATE -> TRUNCATE;
                case MESSAGE -> MESSAGE;
            };
        }
    }

    /** Placeholders the event type template may use. */
    public static final List<String> PLACEHOLDERS = List.of("type", "table", "schema", "database", "topic");

    /** A parsed mapping entry: {@code kind=Type} or {@code table.kind=Type}. */
    public record Mapping(String table, Kind kind, String type) {
    }

    private final Map<Kind, String> byKind = new LinkedHashMap<>();
    private final Map<String, String> byTableAndKind = new LinkedHashMap<>();
    private final Template template;
    private final boolean plainTemplate;

    public EventTypes(List<Mapping> mappings, Template template) {
        for (Kind kind : Kind.values()) {
            byKind.put(kind, kind.defaultType());
        }
        for (Mapping mapping : mappings) {
            if (mapping.table() == null) {
                byKind.put(mapping.kind(), mapping.type());
            } else {
                byTableAndKind.put(mapping.table() + '\u0000' + mapping.kind().key(), mapping.type());
            }
        }
        this.template = template;
        this.plainTemplate = template.parts().size() == 1
                && template.parts().get(0) instanceof Template.Placeholder p && p.name().equals("type");
    }

    public static Template parseTemplate(String text) {
        return Template.parse(text, PLACEHOLDERS);
    }

    /**
     * Parses mapping entries such as {@code update=CustomerChanged} or {@code customers.delete=CustomerRemoved}.
     *
     * @throws IllegalArgumentException naming the bad entry and what is allowed
     */
    public static List<Mapping> parseMappings(List<String> entries) {
        return entries.stream().map(String::trim).filter(e -> !e.isEmpty()).map(EventTypes::parseMapping)
                .collect(Collectors.toList());
    }

    private static Mapping parseMapping(String entry) {
        int eq = entry.indexOf('=');
        if (eq <= 0 || eq == entry.length() - 1) {
            throw new IllegalArgumentException("entry '" + entry + "' is not of the form <kind>=<Type> or "
                    + "<table>.<kind>=<Type>");
        }
        String left = entry.substring(0, eq).trim();
        String type = entry.substring(eq + 1).trim();
        if (type.isEmpty()) {
            throw new IllegalArgumentException("entry '" + entry + "' has an empty event type");
        }
        int dot = left.lastIndexOf('.');
        String table = dot < 0 ? null : left.substring(0, dot);
        String kindName = dot < 0 ? left : left.substring(dot + 1);
        Kind kind = Arrays.stream(Kind.values()).filter(k -> k.key().equals(kindName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("entry '" + entry + "': unknown kind '" + kindName
                        + "'; allowed: " + Arrays.stream(Kind.values()).map(Kind::key)
                        .collect(Collectors.joining(", "))));
        if (table != null && table.isEmpty()) {
            throw new IllegalArgumentException("entry '" + entry + "' has an empty table name");
        }
        return new Mapping(table, kind, type);
    }

    /** The event type for a record of the given kind. */
    public String typeFor(ChangeRecord record, Kind kind) {
        if (!byTableAndKind.isEmpty()) {
            String specific = byTableAndKind.get(record.table() + '\u0000' + kind.key());
            if (specific != null) {
                return specific;
            }
        }
        String type = byKind.get(kind);
        if (plainTemplate) {
            return type;
        }
        return template.render(placeholder -> {
            String value = switch (placeholder.name()) {
                case "type" -> type;
                case "table" -> record.table();
                case "schema" -> record.schema();
                case "database" -> record.database();
                default -> record.topic();
            };
            if (value == null) {
                throw new RecordConversionException("cannot name the event type: template " + template
                        + " needs ${" + placeholder.name() + "} but the record has none");
            }
            return value;
        });
    }
}
