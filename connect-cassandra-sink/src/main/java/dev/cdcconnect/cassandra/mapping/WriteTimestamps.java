package dev.cdcconnect.cassandra.mapping;

import dev.cdcconnect.event.ChangeEvent;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * The write timestamp ({@code USING TIMESTAMP}, microseconds) of a change, from its commit position in the
 * source database: the commit time ({@code source.ts_ms}) times 1000, plus the change's sequence within its
 * transaction (0 to 999). Cassandra keeps the cell with the highest timestamp, so a change replayed or
 * redelivered after a newer one never wins, and a row deleted stays deleted when an older insert arrives.
 *
 * <p>The sequence is {@code transaction.data_collection_order} when the source connector adds transaction
 * metadata ({@code provide.transaction.metadata=true}), which is stable across replays. Without it, it is the
 * change's offset distance from the first change of the same transaction ({@code txId}, GTID) that the
 * task saw in its topic-partition. Records that are not change events use the Kafka record timestamp (plus the offset's
 * last three digits), else the time they are written.
 */
public final class WriteTimestamps {

    private static final int MAX_SEQUENCE = 999;

    private record Current(String transactionId, long sourceTs, long firstOffset) {
    }

    private final Map<TopicPartition, Current> current = new HashMap<>();

    public long of(SinkRecord record, ChangeEvent event) {
        Long sourceTs = event == null ? null : event.source().tsMs();
        if (sourceTs != null) {
            return sourceTs * 1000 + sequence(record, event, sourceTs);
        }
        if (record.timestamp() != null && record.timestamp() >= 0) {
            return record.timestamp() * 1000 + Math.floorMod(record.kafkaOffset(), 1000L);
        }
        return System.currentTimeMillis() * 1000;
    }

    private int sequence(SinkRecord record, ChangeEvent event, long sourceTs) {
        if (event.transaction() != null && event.transaction().dataCollectionOrder() != null) {
            return (int) Math.max(0, Math.min(MAX_SEQUENCE, event.transaction().dataCollectionOrder()));
        }
        String transactionId = event.transactionId();
        if (transactionId == null) {
            return 0;
        }
        // A transaction's changes are contiguous in a partition: the offset distance from its first change
        // seen is its rank, the same when a record is delivered again.
        TopicPartition partition = new TopicPartition(record.topic(), record.kafkaPartition());
        Current last = current.get(partition);
        long offset = record.kafkaOffset();
        if (last == null || !last.transactionId().equals(transactionId) || last.sourceTs() != sourceTs
                || offset < last.firstOffset()) {
            last = new Current(transactionId, sourceTs, offset);
            current.put(partition, last);
        }
        return (int) Math.min(MAX_SEQUENCE, offset - last.firstOffset());
    }

    /** Forgets what was seen in partitions the task no longer owns. */
    public void forget(java.util.Collection<TopicPartition> partitions) {
        partitions.forEach(current::remove);
    }
}
