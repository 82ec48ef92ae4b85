package dev.cdcconnect.eventstore.write;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The records the writer holds from when it takes them in until they are done: their bytes, against
 * {@code buffer.max.bytes}; the offset tracker of each partition they come from; how many of each partition are in
 * calls now in flight; and those that failed for good, on their way to the dead letter queue. The bytes and the
 * records in flight are guarded by the writer's lock; the trackers and the failed records may be used from any
 * thread.
 */
final class Buffer {

    /** A record that can never be written, and why. */
    record Failed(Pending pending, Throwable reason) {
    }

    private final Map<TopicPartition, OffsetTracker> trackers = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Failed> failed = new ConcurrentLinkedQueue<>();
    /** Records in calls now in flight, per partition: a revoked partition's are awaited before it is let go. */
    private final Map<TopicPartition, Integer> flying = new HashMap<>();
    private long bytes;

    /** The partition's offset tracker, created when the partition sends its first record. */
    OffsetTracker tracker(TopicPartition partition) {
        return trackers.computeIfAbsent(partition, p -> new OffsetTracker());
    }

    /** For each of the given partitions that sent records, the offset up to which all are done. */
    Map<TopicPartition, OffsetAndMetadata> committable(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : partitions) {
            OffsetTracker tracker = trackers.get(partition);
            if (tracker != null) {
                tracker.committable().ifPresent(offset -> offsets.put(partition, new OffsetAndMetadata(offset)));
            }
        }
        return offsets;
    }

    /** Lets go of the partitions: their records still held are stale from now on. */
    void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(trackers::remove);
    }

    /** Whether the record's partition was let go since the record came (a new owner writes it). */
    boolean isStale(Pending pending) {
        return trackers.get(pending.partition) != pending.tracker;
    }

    void add(Pending pending) {
        bytes += pending.size;
    }

    /** A stale record taken off its queue: not done, its partition's new owner writes it. */
    void drop(Pending pending) {
        bytes -= pending.size;
    }

    /** A record written, or skipped because its stream holds it already: its offset may be committed. */
    void done(Pending pending) {
        bytes -= pending.size;
        pending.slot.done();
    }

    /** A record that can never be written: it goes to the dead letter queue ({@link #nextFailed}). */
    void failed(Pending pending, Throwable reason) {
        bytes -= pending.size;
        failed.add(new Failed(pending, reason));
    }

    /** The next record that failed for good, or null. */
    Failed nextFailed() {
        return failed.poll();
    }

    long bytes() {
        return bytes;
    }

    /** The records of a call about to be made. */
    void takeOff(List<Pending> batch) {
        for (Pending pending : batch) {
            flying.merge(pending.partition, 1, Integer::sum);
        }
    }

    /** The records of a call that ended. */
    void land(List<Pending> batch) {
        for (Pending pending : batch) {
            flying.computeIfPresent(pending.partition, (p, n) -> n == 1 ? null : n - 1);
        }
    }

    /** Whether records of any of the partitions are in calls now in flight. */
    boolean flying(Collection<TopicPartition> partitions) {
        return partitions.stream().anyMatch(flying::containsKey);
    }
}
