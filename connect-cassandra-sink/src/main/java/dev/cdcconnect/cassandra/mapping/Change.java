package dev.cdcconnect.cassandra.mapping;

import java.util.Map;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * What one record does to one table: an upsert of a row's columns, or a delete of a row by key, carrying the
 * write timestamp that orders it against every other change of that row.
 *
 * @param key       key columns from the record key; a key that is a single value (not a struct or map) is
 *                  under the column name {@code null}, meaning the table's one primary key column
 * @param columns   columns from the row: for an upsert, the row to write; for a delete, the removed row
 *                  (used for key columns the record key does not carry)
 * @param timestamp write timestamp, microseconds
 */
public record Change(SinkRecord record, TableRef table, Kind kind, Map<String, ColumnValue> key,
                     Map<String, ColumnValue> columns, long timestamp) {

    public enum Kind { UPSERT, DELETE }

    /** topic-partition@offset, for messages. */
    public String position() {
        return record.topic() + "-" + record.kafkaPartition() + "@" + record.kafkaOffset();
    }
}
