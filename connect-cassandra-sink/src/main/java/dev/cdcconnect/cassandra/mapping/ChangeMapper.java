package dev.cdcconnect.cassandra.mapping;

import dev.cdcconnect.event.ChangeEvent;
import dev.cdcconnect.event.Fields;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Turns a record into a {@link Change}: Debezium envelopes (create, update and snapshot read upsert
 * {@code after}; delete deletes by key), rows flattened by {@code ExtractNewRecordState} (their {@code __}
 * metadata fields are not written), and plain records (upserted as they are). Tombstones, truncates and
 * logical decoding messages change nothing.
 */
public final class ChangeMapper {

    private static final String FLATTENED_PREFIX = "__";

    private final TableNames tableNames;
    private final ColumnMapping columnMapping;
    private final StructMode structMode;
    private final WriteTimestamps timestamps = new WriteTimestamps();

    public ChangeMapper(TableNames tableNames, ColumnMapping columnMapping, StructMode structMode) {
        this.tableNames = tableNames;
        this.columnMapping = columnMapping;
        this.structMode = structMode;
    }

    public WriteTimestamps timestamps() {
        return timestamps;
    }

    /**
     * The change a record makes, or empty when it makes none.
     *
     * @throws IllegalArgumentException when the record cannot be written (the message says why)
     */
    public Optional<Change> map(SinkRecord record) {
        Object value = record.value();
        if (value == null) {
            return Optional.empty();
        }
        Optional<ChangeEvent> read = ChangeEvent.read(value, record.headers());
        Map<String, String> explicit = columnMapping.forTopic(record.topic());
        if (read.isEmpty()) {
            if (!Fields.isContainer(value)) {
                throw new IllegalArgumentException("the value is neither a change event nor a struct or map but a "
                        + value.getClass().getSimpleName());
            }
            TableRef table = tableNames.resolve(record.topic(), null);
            return Optional.of(new Change(record, table, Change.Kind.UPSERT, key(record, explicit),
                    columns(value, explicit, false), timestamps.of(record, null)));
        }
        ChangeEvent event = read.get();
        Change.Kind kind = switch (event.op()) {
            case CREATE, UPDATE, READ -> Change.Kind.UPSERT;
            case DELETE -> Change.Kind.DELETE;
            case TRUNCATE, MESSAGE -> null;
        };
        if (kind == null) {
            return Optional.empty();
        }
        Object row = kind == Change.Kind.UPSERT ? event.after() : event.row();
        if (kind == Change.Kind.UPSERT && row == null) {
            throw new IllegalArgumentException("the " + event.op().name().toLowerCase(Locale.ROOT)
                    + " event has no 'after' row");
        }
        TableRef table = tableNames.resolve(record.topic(), event.source());
        Map<String, ColumnValue> columns = row == null ? new LinkedHashMap<>() : columns(row, explicit, event.isFlattened());
        return Optional.of(new Change(record, table, kind, key(record, explicit), columns,
                timestamps.of(record, event)));
    }

    private static Map<String, ColumnValue> key(SinkRecord record, Map<String, String> explicit) {
        Object key = record.key();
        // Not Map.of(): a key of one value is stored under the null column name, which it cannot look up.
        Map<String, ColumnValue> columns = new LinkedHashMap<>();
        if (key == null) {
            return columns;
        }
        if (key instanceof Struct struct) {
            for (Field f : struct.schema().fields()) {
                columns.put(column(explicit, f.name(), ""), new ColumnValue(struct.get(f), f.schema(), f.name()));
            }
        } else if (key instanceof Map<?, ?> map) {
            map.forEach((k, v) -> columns.put(column(explicit, String.valueOf(k), ""),
                    new ColumnValue(v, null, String.valueOf(k))));
        } else {
            columns.put(null, new ColumnValue(key, record.keySchema(), "the record key"));
        }
        return columns;
    }

    private Map<String, ColumnValue> columns(Object row, Map<String, String> explicit, boolean flattened) {
        Map<String, ColumnValue> columns = new LinkedHashMap<>();
        walk(row, "", "", explicit, flattened, columns, true);
        return columns;
    }

    private void walk(Object container, String pathPrefix, String columnPrefix, Map<String, String> explicit,
                      boolean flattened, Map<String, ColumnValue> out, boolean writeUnmapped) {
        if (container instanceof Struct struct) {
            for (Field f : struct.schema().fields()) {
                visit(f.name(), struct.get(f), f.schema(), pathPrefix, columnPrefix, explicit, flattened, out,
                        writeUnmapped);
            }
        } else if (container instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                visit(String.valueOf(e.getKey()), e.getValue(), null, pathPrefix, columnPrefix, explicit, flattened,
                        out, writeUnmapped);
            }
        }
    }

    private void visit(String name, Object value, Schema schema, String pathPrefix, String columnPrefix,
                       Map<String, String> explicit, boolean flattened, Map<String, ColumnValue> out,
                       boolean writeUnmapped) {
        if (flattened && pathPrefix.isEmpty() && name.startsWith(FLATTENED_PREFIX)) {
            return;
        }
        String path = pathPrefix.isEmpty() ? name : pathPrefix + "." + name;
        String mapped = explicit.get(path);
        if (mapped != null) {
            put(out, mapped, new ColumnValue(value, schema, path));
            return;
        }
        if (isNestedRow(value, schema)) {
            boolean flatten = structMode == StructMode.FLATTEN;
            boolean mappedBelow = explicit.keySet().stream().anyMatch(p -> p.startsWith(path + "."));
            if (flatten || mappedBelow) {
                if (value == null) {
                    // A missing lookup (left join) clears the flattened columns, as a null field would.
                    nullColumns(schema, path, columnPrefix + name + "_", explicit, out, writeUnmapped && flatten);
                } else {
                    walk(value, path, columnPrefix + name + "_", explicit, flattened, out, writeUnmapped && flatten);
                }
                if (flatten) {
                    return;
                }
            }
        }
        if (writeUnmapped) {
            put(out, columnPrefix + name, new ColumnValue(value, schema, path));
        }
    }

    private void nullColumns(Schema schema, String path, String columnPrefix, Map<String, String> explicit,
                             Map<String, ColumnValue> out, boolean writeUnmapped) {
        if (schema == null) {
            return;
        }
        for (Field f : schema.fields()) {
            visit(f.name(), null, f.schema(), path, columnPrefix, explicit, false, out, writeUnmapped);
        }
    }

    private static void put(Map<String, ColumnValue> out, String column, ColumnValue value) {
        String name = column.toLowerCase(Locale.ROOT);
        ColumnValue previous = out.put(name, value);
        if (previous != null) {
            throw new IllegalArgumentException("fields " + previous.field() + " and " + value.field()
                    + " both go to column " + name + "; map one elsewhere with column.mapping");
        }
    }

    /** A nested row: a struct that is not one of Debezium's value types (variable-scale decimal, geometry...). */
    private static boolean isNestedRow(Object value, Schema schema) {
        if (schema != null) {
            return schema.type() == Schema.Type.STRUCT && (schema.name() == null || !schema.name().startsWith("io.debezium."));
        }
        return value instanceof Map;
    }

    private static String column(Map<String, String> explicit, String field, String prefix) {
        String mapped = explicit.get(field);
        return (mapped != null ? mapped : prefix + field).toLowerCase(Locale.ROOT);
    }
}
