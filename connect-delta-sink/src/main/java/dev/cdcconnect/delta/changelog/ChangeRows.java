package dev.cdcconnect.delta.changelog;

import dev.cdcconnect.delta.table.TableNames;
import dev.cdcconnect.event.ChangeEvent;
import dev.cdcconnect.event.Operation;
import dev.cdcconnect.event.SourceInfo;
import io.delta.kernel.types.DataType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Turns a record into a change-log row: a Debezium change event (envelope or flattened, Struct or Map) gives the
 * row's columns from {@code after} (or {@code before} for a delete) and the {@code _cdc_*} columns from the
 * event; any other record with a Struct or Map value is one row as it is, with only the Kafka columns set.
 */
public final class ChangeRows {

    private final TableNames tableNames;
    /**
     * How the rows of one Struct schema become values, per schema instance (the same instance comes with every
     * record of a table): flattened rows leave out their {@code __*} fields, so they have shapes of their own.
     */
    private final Map<Schema, Shape> shapes = new IdentityHashMap<>();
    private final Map<Schema, Shape> flattenedShapes = new IdentityHashMap<>();
    /** Table names by topic and source table: filling the template (regular expressions) costs per record. */
    private final Map<TableKey, String> tables = new HashMap<>();

    /**
     * The fields of a Struct schema that become columns, their plans, and the row's columns and types with the
     * change-log columns after them: the same list instances for every such row, so a table maps them to its
     * columns once.
     */
    private record Shape(Field[] fields, DeltaTypes.Plan[] plans, List<String> columns, List<DataType> types) {
    }

    private record TableKey(String topic, String database, String schema, String table) {
    }

    /** Columns and types of rows without fields: only the change-log columns. */
    private static final Shape EMPTY = new Shape(new Field[0], new DeltaTypes.Plan[0], ChangeLogColumns.NAMES,
            ChangeLogColumns.TYPES);

    public ChangeRows(TableNames tableNames) {
        this.tableNames = tableNames;
    }

    /**
     * The row for a record; empty for what is not a change (a tombstone, a logical decoding message).
     *
     * @throws DataException when a value cannot be converted (the record is then reported)
     */
    public Optional<ChangeRow> map(SinkRecord record) {
        Object value = record.value();
        if (value == null) {
            return Optional.empty();
        }
        TopicPartition partition = new TopicPartition(record.originalTopic(), record.originalKafkaPartition());
        long offset = record.originalKafkaOffset();
        Optional<ChangeEvent> read = ChangeEvent.read(value, record.headers());
        Object row;
        boolean flattened;
        ChangeEvent event = null;
        if (read.isPresent()) {
            event = read.get();
            if (event.op() == Operation.MESSAGE) {
                return Optional.empty();
            }
            row = event.op() == Operation.DELETE ? event.before() : event.row();
            flattened = event.isFlattened();
        } else if (value instanceof Struct || value instanceof Map) {
            row = value;
            flattened = false;
        } else {
            throw new DataException("the value is a " + value.getClass().getSimpleName()
                    + ", not a change event or a row (Struct or Map)");
        }
        Object[] values;
        List<String> columns;
        List<DataType> types;
        int meta;
        if (row == null) {
            values = new Object[ChangeLogColumns.NAMES.size()];
            columns = EMPTY.columns();
            types = EMPTY.types();
            meta = 0;
        } else if (row instanceof Struct struct) {
            Shape shape = shape(struct.schema(), flattened);
            values = new Object[shape.columns().size()];
            Field[] fields = shape.fields();
            DeltaTypes.Plan[] plans = shape.plans();
            for (int i = 0; i < fields.length; i++) {
                Object v = struct.get(fields[i]);
                values[i] = v == null ? null : convert(plans[i], v);
            }
            columns = shape.columns();
            types = shape.types();
            meta = fields.length;
        } else if (row instanceof Map<?, ?> map) {
            columns = new ArrayList<>(map.size() + ChangeLogColumns.NAMES.size());
            types = new ArrayList<>(map.size() + ChangeLogColumns.NAMES.size());
            List<Object> mapValues = new ArrayList<>(map.size());
            addMap(map, flattened, columns, types, mapValues);
            columns.addAll(ChangeLogColumns.NAMES);
            types.addAll(ChangeLogColumns.TYPES);
            values = new Object[columns.size()];
            meta = mapValues.size();
            for (int i = 0; i < meta; i++) {
                values[i] = mapValues.get(i);
            }
        } else {
            throw new DataException("the row is a " + row.getClass().getSimpleName() + ", not a Struct or Map");
        }
        SourceInfo source = null;
        Integer sourceDate = null;
        if (event != null) {
            source = event.source();
            values[meta] = event.op().code();
            if (source.tsMs() != null) {
                values[meta + 1] = DeltaTypes.micros(source.tsMs());
                sourceDate = DeltaTypes.epochDay(source.tsMs());
            }
            values[meta + 2] = event.tsMs() == null ? null : DeltaTypes.micros(event.tsMs());
            values[meta + 3] = event.transactionId();
            values[meta + 4] = source.lsn();
            values[meta + 5] = source.file();
            values[meta + 6] = source.pos();
            values[meta + 7] = source.row();
        }
        values[meta + 8] = partition.topic();
        values[meta + 9] = partition.partition();
        values[meta + 10] = offset;
        SourceInfo from = source;
        String table = tables.computeIfAbsent(source == null ? new TableKey(record.topic(), null, null, null)
                        : new TableKey(record.topic(), source.database(), source.schema(), source.table()),
                key -> tableNames.resolve(key.topic(), from));
        return Optional.of(new ChangeRow(table, partition, offset, record, columns, types, values, sourceDate));
    }

    private Shape shape(Schema schema, boolean flattened) {
        Map<Schema, Shape> cache = flattened ? flattenedShapes : shapes;
        Shape shape = cache.get(schema);
        if (shape == null) {
            shape = planStruct(schema, flattened);
            cache.put(schema, shape);
        }
        return shape;
    }

    private static void addMap(Map<?, ?> map, boolean flattened, List<String> columns, List<DataType> types,
                               List<Object> values) {
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String name = String.valueOf(entry.getKey());
            if (flattened && name.startsWith("__")) {
                continue;
            }
            DeltaTypes.Plan plan = DeltaTypes.planFor(name, entry.getValue());
            if (plan == null) {
                // A null of unknown type: the same as an absent field.
                continue;
            }
            columns.add(name);
            types.add(plan.type());
            values.add(convert(plan, entry.getValue()));
        }
    }

    private static Object convert(DeltaTypes.Plan plan, Object value) {
        try {
            return plan.converter().convert(value);
        } catch (ClassCastException | ArithmeticException | NumberFormatException | DataException e) {
            throw new DataException("column " + plan.column() + ": cannot convert " + value.getClass().getSimpleName()
                    + " to " + plan.type() + ": " + e.getMessage(), e);
        } catch (java.io.UncheckedIOException e) {
            // A struct, map or list that cannot be JSON text, such as one nested deeper than JSON writers allow.
            throw new DataException("column " + plan.column() + ": cannot write " + value.getClass().getSimpleName()
                    + " as JSON text: " + e.getCause().getMessage(), e);
        }
    }

    private static Shape planStruct(Schema schema, boolean flattened) {
        List<Field> fields = new ArrayList<>();
        List<DeltaTypes.Plan> plans = new ArrayList<>();
        for (Field field : schema.fields()) {
            if (field.name().startsWith(ChangeLogColumns.PREFIX)) {
                throw new DataException("field " + field.name() + " clashes with the sink's own "
                        + ChangeLogColumns.PREFIX + "* columns");
            }
            DeltaTypes.Plan plan = DeltaTypes.plan(field.name(), field.schema());
            if (flattened && field.name().startsWith("__")) {
                continue;
            }
            fields.add(field);
            plans.add(plan);
        }
        List<String> columns = new ArrayList<>();
        List<DataType> types = new ArrayList<>();
        plans.forEach(plan -> {
            columns.add(plan.column());
            types.add(plan.type());
        });
        columns.addAll(ChangeLogColumns.NAMES);
        types.addAll(ChangeLogColumns.TYPES);
        return new Shape(fields.toArray(new Field[0]), plans.toArray(new DeltaTypes.Plan[0]), List.copyOf(columns),
                List.copyOf(types));
    }
}
