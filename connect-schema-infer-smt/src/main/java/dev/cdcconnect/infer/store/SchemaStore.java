package dev.cdcconnect.infer.store;

import dev.cdcconnect.infer.schema.SchemaSnapshot;

import java.util.List;

/**
 * Where learned schemas outlive the task and are shared by the tasks of a connector: an ordered log of the
 * schemas every task stored, so that all of them fold the same records in the same order into the same schema.
 */
public interface SchemaStore extends AutoCloseable {

    /**
     * One stored record of a side.
     *
     * @param snapshot the schema stored for the topic, or null for a tombstone: what was stored before is void
     */
    record Entry(String topic, SchemaSnapshot snapshot) {
    }

    /**
     * The records of one side ("key" or "value") stored since the previous call (from the beginning on the first),
     * in store order, up to the end of the store as of this call.
     */
    List<Entry> read(String side);

    /** Stores a topic's schema; returns once it is durable. */
    void save(String side, String topic, SchemaSnapshot snapshot);

    @Override
    void close();
}
