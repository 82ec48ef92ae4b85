package dev.cdcconnect.cassandra.mapping;

import dev.cdcconnect.event.ChangeEvent;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * The write timestamp ({@code USING TIMESTAMP}, microseconds) of a change, from its commit position in the
 * source database: the commit time ({@code source.ts_ms}) times 1000, plus the change's sequence among the
 * changes of its topic-partition committed in the same millisecond (0 to 999). Cassandra keeps the cell with the
 * highest timestamp, so a change replayed or redelivered after a newer one never wins, and a row deleted stays
 * deleted when an older insert arrives.
 *
 * <p>A row's changes all go to one partition, in commit order: the changes of a transaction, and of
 * transactions committed in the same millisecond, are contiguous there, so a change's offset distance from the
 * first change of its millisecond orders it after every earlier change of the same row. That distance is the
 * same on every delivery only if delivery starts at that first change: so offsets are not committed past the
 * first change of a millisecond whose changes may still go on ({@link #openRunStart}), and a restart delivers
 * them again from there. Records that are not change events use the Kafka record timestamp (plus the offset's
 * last three digits), else the time they are written.
 */
public final class WriteTimestamps {

    private static final int MAX_SEQUENCE = 999;

    /** The latest run of changes committed in one millisecond seen in a partition. */
    private static final class Run {
        private final long sourceTs;
        private final long firstOffset;
        private long lastOffset;

        private Run(long sourceTs, long firstOffset) {
            this.sourceTs = sourceTs;
            this.firstOffset = firstOffset;
            this.lastOffset = firstOffset;
        }
    }

    private final Map<TopicPartition, Run> current = new HashMap<>();

    public long of(SinkRecord record, ChangeEvent event) {
        TopicPartition partition = new TopicPartition(record.originalTopic(), record.originalKafkaPartition());
        Long sourceTs = event == null ? null : event.source().tsMs();
        if (sourceTs != null) {
            return sourceTs * 1000 + sequence(partition, record.originalKafkaOffset(), sourceTs);
        }
        current.remove(partition);
        if (record.timestamp() != null && record.timestamp() >= 0) {
            return record.timestamp() * 1000 + Math.floorMod(record.kafkaOffset(), 1000L);
        }
        return System.currentTimeMillis() * 1000;
    }

    private int sequence(TopicPartition partition, long offset, long sourceTs) {
        Run run = current.get(partition);
        if (run == null || run.sourceTs != sourceTs || offset < run.firstOffset) {
            run = new Run(sourceTs, offset);
            current.put(partition, run);
        }
        run.lastOffset = Math.max(run.lastOffset, offset);
        return (int) Math.min(MAX_SEQUENCE, offset - run.firstOffset);
    }

    /**
     * The offset of the first change of the partition's latest run, while more of its changes may follow and
     * their sequence still counts from it; empty when there is no such run, or when its sequence has reached
     * the cap, where counting from the start no longer orders anything.
     */
    public OptionalLong openRunStart(TopicPartition partition) {
        Run run = current.get(partition);
        return run == null || run.lastOffset - run.firstOffset >= MAX_SEQUENCE
                ? OptionalLong.empty() : OptionalLong.of(run.firstOffset);
    }

    /** Forgets what was seen in partitions the task no longer owns. */
    public void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(current::remove);
    }
}
