package dev.cdcconnect.eventstore.write;

import dev.cdcconnect.event.SourcePosition;
import io.kurrent.dbclient.StreamState;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * What the writer knows about a stream: the revision to expect on the next append, and for each
 * topic-partition the offset of the last record the stream holds from it, so a record at or before that offset
 * is not written again, and the source position of that record's change, so a change the source connector
 * delivers again in a later record is not written again either.
 */
final class StreamProgress {

    /**
     * The last record a stream holds from a partition.
     *
     * @param source the source position of its change, or null when it has none
     */
    record Last(long offset, SourcePosition source) {
    }

    /** The expected state of the next append: a revision, no stream, or {@code any} for at-least-once. */
    StreamState expected;
    /** Last record written per topic-partition, for the partitions in {@link #known}. */
    final Map<TopicPartition, Last> written = new HashMap<>();
    /** Partitions whose last written offset is known (absent from {@link #written}: none written). */
    final Set<TopicPartition> known = new HashSet<>();
    /** The stream was deleted for good: nothing can be appended to it again. */
    boolean tombstoned;
    /**
     * Assumed to be a new stream, not read: the first append expects no stream, which the server only accepts if
     * the stream is empty or already holds exactly these events, so nothing can be written twice. Until a read
     * confirms the stream's state, {@link #written} holds only what this writer wrote, for every partition.
     */
    boolean assumedNew;

    StreamProgress(StreamState expected) {
        this.expected = expected;
    }

    /** Progress of a stream not read yet, appended to as a new stream. */
    static StreamProgress assumeNew() {
        StreamProgress progress = new StreamProgress(StreamState.noStream());
        progress.assumedNew = true;
        return progress;
    }

    /** Whether the last written offset of the partition is known (possibly: none written). */
    boolean knows(TopicPartition partition) {
        return assumedNew || known.contains(partition);
    }

    /** Whether the stream already holds the record at this position. */
    boolean holds(TopicPartition partition, long offset) {
        Last last = written.get(partition);
        return last != null && offset <= last.offset();
    }

    /** The source position of the change of the last record the stream holds from the partition, or null. */
    SourcePosition lastSource(TopicPartition partition) {
        Last last = written.get(partition);
        return last == null ? null : last.source();
    }

    void wrote(TopicPartition partition, long offset, SourcePosition source) {
        written.merge(partition, new Last(offset, source), StreamProgress::later);
        known.add(partition);
    }

    private static Last later(Last a, Last b) {
        return b.offset() >= a.offset() ? b : a;
    }

    /** Takes over what a fresh read of the stream found, keeping positions this writer knows already. */
    void merge(StreamProgress read) {
        expected = read.expected;
        tombstoned = read.tombstoned;
        read.written.forEach((partition, last) -> written.merge(partition, last, StreamProgress::later));
        known.addAll(read.known);
    }
}
