package dev.cdcconnect.delta.changelog;

import io.delta.kernel.types.DataType;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * One row of the change log, before it meets its table: the columns the record has (row columns, then the
 * {@code _cdc_*} columns), their types and converted values.
 *
 * @param table      the table's folder name under the root
 * @param partition  the topic-partition the record was consumed from (before any transform renamed its topic)
 * @param offset     the record's offset in that partition
 * @param record     the record, for the dead letter queue
 * @param columns    column names
 * @param types      column types, parallel to {@code columns}
 * @param values     values as the Parquet writer takes them, parallel to {@code columns}
 * @param sourceDate UTC date of the source commit, days since the epoch, or null when the record tells none
 */
public record ChangeRow(String table, TopicPartition partition, long offset, SinkRecord record,
                        List<String> columns, List<DataType> types, Object[] values, Integer sourceDate) {
}
