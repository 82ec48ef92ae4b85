package dev.cdcconnect.eventstore.stream;

import dev.cdcconnect.eventstore.event.ChangeRecord;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.TopicPartition;

/**
 * The stream of the delete event each partition delivered last, for the tombstone that follows it. A tombstone has
 * no source block, so the stream its row's events are in (named from {@code source.table}, which Debezium keeps
 * while it sanitizes the topic name) is known only from the delete before it. Debezium sends the tombstone right
 * after its delete, in the same partition; the writer does not commit a partition's offset past a delete until the
 * record after it is handled, so a task that starts on the partition meets the delete again before its tombstone.
 * One entry per partition: any later record of the partition replaces it.
 */
public final class DeleteStreams {

    private record Delete(long offset, Object key, String stream) {
    }

    private final Map<TopicPartition, Delete> last = new HashMap<>();

    /**
     * Takes what the partition's previous record left: the stream of its delete event when the record is a tombstone
     * of the same key right after it, else null. Called for every record, in partition order, before it is mapped.
     */
    public String take(ChangeRecord record) {
        Delete delete = last.remove(record.partition());
        if (delete == null || !record.isTombstone() || record.offset() <= delete.offset()
                || !Objects.equals(delete.key(), record.key())) {
            return null;
        }
        return delete.stream();
    }

    /** Remembers the stream of a delete event, for the tombstone that may come next in its partition. */
    public void remember(ChangeRecord record, String stream) {
        last.put(record.partition(), new Delete(record.offset(), record.key(), stream));
    }

    /** Forgets partitions the task no longer owns. */
    public void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(last::remove);
    }
}
