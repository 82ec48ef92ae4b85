package dev.cdcconnect.eventstore;

import static org.awaitility.Awaitility.await;

import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import dev.cdcconnect.testkit.connect.TestSinkTaskContext;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Runs an {@link EventStoreSinkTask} as a worker would, against an EventStoreDB stand-in: start with a
 * configuration, put batches, ask for committable offsets, revoke partitions, stop.
 */
final class SinkTaskRunner implements AutoCloseable {

    private final EventStoreStandIn server;
    private final Map<String, String> config = new HashMap<>();
    private boolean deadLetterQueue;
    private EventStoreSinkTask task;
    private TestSinkTaskContext context;

    SinkTaskRunner(EventStoreStandIn server) {
        this.server = server;
        config.put("name", "eventstore-sink-test");
        config.put(EventStoreSinkConfig.CONNECTION_STRING, server.connectionString());
        config.put(EventStoreSinkConfig.RETRY_BACKOFF_MS, "50");
        config.put(EventStoreSinkConfig.RETRY_BACKOFF_MAX_MS, "500");
    }

    SinkTaskRunner with(String key, String value) {
        config.put(key, value);
        return this;
    }

    SinkTaskRunner withDeadLetterQueue() {
        this.deadLetterQueue = true;
        return this;
    }

    SinkTaskRunner start() {
        context = new TestSinkTaskContext(config, deadLetterQueue, Set.of());
        task = new EventStoreSinkTask();
        task.initialize(context);
        task.start(config);
        return this;
    }

    EventStoreSinkTask task() {
        return task;
    }

    TestSinkTaskContext context() {
        return context;
    }

    void put(Collection<SinkRecord> records) {
        task.put(List.copyOf(records));
    }

    void put(SinkRecord... records) {
        put(List.of(records));
    }

    /** The offset the task lets the worker commit for the partition, if any. */
    OptionalLong committable(TopicPartition partition) {
        Map<TopicPartition, OffsetAndMetadata> offsets =
                task.preCommit(Map.of(partition, new OffsetAndMetadata(0)));
        OffsetAndMetadata offset = offsets.get(partition);
        return offset == null ? OptionalLong.empty() : OptionalLong.of(offset.offset());
    }

    /** Waits until every record of the partition up to {@code lastOffset} is acknowledged. */
    void awaitAcknowledged(TopicPartition partition, long lastOffset) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            task.put(List.of());
            OptionalLong committable = committable(partition);
            return committable.isPresent() && committable.getAsLong() > lastOffset;
        });
    }

    void stop() {
        if (task != null) {
            task.stop();
            task = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    EventStoreStandIn server() {
        return server;
    }
}
