package dev.cdcconnect.infer.store;

import dev.cdcconnect.infer.schema.SchemaSnapshot;

import java.util.List;
import java.util.Map;

/** Where learned schemas outlive the task, so a restarted task never starts narrower than its sink has seen. */
public interface SchemaStore extends AutoCloseable {

    /**
     * Every stored schema of one side ("key" or "value"), by topic. A topic may have several (written by
     * several tasks); the learned schema is the union of them.
     */
    Map<String, List<SchemaSnapshot>> load(String side);

    /** Stores a topic's schema; returns once it is durable. */
    void save(String side, String topic, SchemaSnapshot snapshot);

    @Override
    void close();
}
