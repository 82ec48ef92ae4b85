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
    /** Column plans per row schema: the same schema instance comes with every record of a table. */
    private final Map<Schema, List<DeltaTypes.Plan>> plans = new IdentityHashMap<>();
    /**
     * Columns and types of the rows of one row schema, change-log columns included: the same list instances for
     * every such row, so a table maps them to its columns once.
     */
    private final Map<Schema, Layout> layouts = new IdentityHashMap<>();

    private record Layout(List<String> columns, List<DataType> types) {
    }
    /** Table names by topic and source table: filling the template (regular expressions) costs per record. */
    private final Map<TableKey, String> tables = new HashMap<>();

    private record TableKey(String topic, String database, String schema, String table) {
    }

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
        List<String> columns = new ArrayList<>();
        List<DataType> types = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        SourceInfo source = null;
        Integer sourceDate = null;
        Object[] meta = new Object[ChangeLogColumns.NAMES.size()];
        Schema rowSchema = null;
        if (read.isPresent()) {
            ChangeEvent event = read.get();
            if (event.op() == Operation.MESSAGE) {
                return Optional.empty();
            }
            source = event.source();
            Object row = event.op() == Operation.DELETE ? event.before() : event.row();
            if (row != null) {
                addRow(row, event.isFlattened(), columns, types, values);
                rowSchema = row instanceof Struct struct && !event.isFlattened() ? struct.schema() : null;
            }
            meta[0] = event.op().code();
            if (source.tsMs() != null) {
                meta[1] = DeltaTypes.micros(source.tsMs());
                sourceDate = DeltaTypes.epochDay(source.tsMs());
            }
            meta[2] = event.tsMs() == null ? null : DeltaTypes.micros(event.tsMs());
            meta[3] = event.transactionId();
            meta[4] = source.lsn();
            meta[5] = source.file();
            meta[6] = source.pos();
            meta[7] = source.row();
        } else if (value instanceof Struct || value instanceof Map) {
            addRow(value, false, columns, types, values);
            rowSchema = value instanceof Struct struct ? struct.schema() : null;
        } else {
            throw new DataException("the value is a " + value.getClass().getSimpleName()
                    + ", not a change event or a row (Struct or Map)");
        }
        meta[8] = partition.topic();
        meta[9] = partition.partition();
        meta[10] = offset;
        values.addAll(java.util.Arrays.asList(meta));
        Layout layout = rowSchema == null ? null : layouts.get(rowSchema);
        if (layout == null) {
            columns.addAll(ChangeLogColumns.NAMES);
            types.addAll(ChangeLogColumns.TYPES);
            layout = new Layout(List.copyOf(columns), List.copyOf(types));
            if (rowSchema != null) {
                layouts.put(rowSchema, layout);
            }
        }
        SourceInfo from = source;
        String table = tables.computeIfAbsent(source == null ? new TableKey(record.topic(), null, null, null)
                        : new TableKey(record.topic(), source.database(), source.schema(), source.table()),
                key -> tableNames.resolve(key.topic(), from));
        return Optional.of(new ChangeRow(table, partition, offset, record, layout.columns(), layout.types(),
                values.toArray(), sourceDate));
    }

    private void addRow(Object row, boolean flattened, List<String> columns, List<DataType> types,
                        List<Object> values) {
        if (row instanceof Struct struct) {
            List<DeltaTypes.Plan> rowPlans = plans.computeIfAbsent(struct.schema(), ChangeRows::planStruct);
            for (DeltaTypes.Plan plan : rowPlans) {
                if (flattened && plan.column().startsWith("__")) {
                    continue;
                }
                Object v = struct.get(plan.column());
                columns.add(plan.column());
                types.add(plan.type());
                values.add(v == null ? null : convert(plan, v));
            }
        } else if (row instanceof Map<?, ?> map) {
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
        } else {
            throw new DataException("the row is a " + row.getClass().getSimpleName() + ", not a Struct or Map");
        }
    }

    private static Object convert(DeltaTypes.Plan plan, Object value) {
        try {
            return plan.converter().convert(value);
        } catch (ClassCastException | ArithmeticException | NumberFormatException | DataException e) {
            throw new DataException("column " + plan.column() + ": cannot convert " + value.getClass().getSimpleName()
                    + " to " + plan.type() + ": " + e.getMessage(), e);
        }
    }

    private static List<DeltaTypes.Plan> planStruct(Schema schema) {
        List<DeltaTypes.Plan> out = new ArrayList<>();
        for (Field field : schema.fields()) {
            if (field.name().startsWith(ChangeLogColumns.PREFIX)) {
                throw new DataException("field " + field.name() + " clashes with the sink's own "
                        + ChangeLogColumns.PREFIX + "* columns");
            }
            out.add(DeltaTypes.plan(field.name(), field.schema()));
        }
        return List.copyOf(out);
    }
}
