package dev.cdcconnect.eventstore.event;

import dev.cdcconnect.event.SourcePosition;
import io.kurrent.dbclient.EventData;

/** What one sink record becomes in EventStoreDB. */
public sealed interface MappedRecord {

    /**
     * An event appended to a stream.
     *
     * @param size        the size EventStoreDB counts for the event: data, metadata and twice the type
     * @param holdsCommit the partition's offset must not be committed past this record until the record after it
     *                    is handled: a delete event, whose stream the tombstone after it needs, also in a task
     *                    that starts between the two
     * @param source      the change's position in the source database's log, or null when it has none (plain
     *                    records, tombstone markers, snapshot reads)
     */
    record Append(String stream, EventData event, int size, boolean holdsCommit, SourcePosition source)
            implements MappedRecord {
    }

    /** The stream is deleted: softly (it can be written again) or for good ({@code hard}). */
    record DeleteStream(String stream, boolean hard) implements MappedRecord {
    }

    /** Nothing is written (a tombstone, when tombstones are ignored). */
    record Ignore() implements MappedRecord {
    }
}
