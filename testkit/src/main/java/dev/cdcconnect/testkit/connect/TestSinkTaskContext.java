package dev.cdcconnect.testkit.connect;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;

/**
 * The part of a Connect worker a sink task talks to, for tests and benchmarks that drive a task themselves: the
 * connector's settings, the partitions assigned, and what the task asked of the worker (offset rewinds, a retry
 * timeout) and, with a dead letter queue, the records it reported. Pauses, resumes and commit requests are taken
 * and ignored. The task's own threads may call it.
 */
public final class TestSinkTaskContext implements SinkTaskContext {

    /** A record the task reported to the dead letter queue, with the error it gave. */
    public record Reported(SinkRecord record, Throwable error) {
    }

    private final Map<String, String> configs;
    private final Set<TopicPartition> assignment = ConcurrentHashMap.newKeySet();
    private final boolean deadLetterQueue;
    /** What the dead letter queue answers every report with; null to acknowledge them. */
    private final Throwable refusal;
    private final List<Reported> reported = new CopyOnWriteArrayList<>();
    private final Map<TopicPartition, Long> rewound = new ConcurrentHashMap<>();
    private volatile long timeoutMs = -1;

    private TestSinkTaskContext(Map<String, String> configs, boolean deadLetterQueue, Throwable refusal,
                                Iterable<TopicPartition> assigned) {
        this.configs = Collections.unmodifiableMap(new HashMap<>(configs));
        this.deadLetterQueue = deadLetterQueue;
        this.refusal = refusal;
        assigned.forEach(assignment::add);
    }

    /** A worker without settings, with or without a dead letter queue that takes every record. */
    public TestSinkTaskContext(boolean deadLetterQueue, TopicPartition... assigned) {
        this(Map.of(), deadLetterQueue, null, List.of(assigned));
    }

    /**
     * A worker whose dead letter queue refuses every record with {@code refusal}, as Kafka's producer does one over
     * its size limit.
     */
    public TestSinkTaskContext(Throwable refusal, TopicPartition... assigned) {
        this(Map.of(), true, refusal, List.of(assigned));
    }

    /** A worker with the connector's settings and partitions assigned. */
    public TestSinkTaskContext(Map<String, String> configs, boolean deadLetterQueue, Set<TopicPartition> assigned) {
        this(configs, deadLetterQueue, null, assigned);
    }

    /** The records reported to the dead letter queue so far, oldest first. */
    public List<Reported> reported() {
        return List.copyOf(reported);
    }

    /**
     * The offsets the task asked the worker to rewind to, by partition; a test may remove what it has acted on.
     */
    public Map<TopicPartition, Long> rewound() {
        return rewound;
    }

    /** The last retry timeout the task set, or -1. */
    public long timeoutMs() {
        return timeoutMs;
    }

    @Override
    public Map<String, String> configs() {
        return configs;
    }

    @Override
    public void offset(Map<TopicPartition, Long> offsets) {
        rewound.putAll(offsets);
    }

    @Override
    public void offset(TopicPartition tp, long offset) {
        rewound.put(tp, offset);
    }

    @Override
    public void timeout(long timeoutMs) {
        this.timeoutMs = timeoutMs;
    }

    /** The partitions assigned; {@code SinkTask.open} takes it, and a test may change it. */
    @Override
    public Set<TopicPartition> assignment() {
        return assignment;
    }

    @Override
    public void pause(TopicPartition... partitions) {
    }

    @Override
    public void resume(TopicPartition... partitions) {
    }

    @Override
    public void requestCommit() {
    }

    @Override
    public ErrantRecordReporter errantRecordReporter() {
        if (!deadLetterQueue) {
            return null;
        }
        return (record, error) -> {
            reported.add(new Reported(record, error));
            return refusal == null ? CompletableFuture.completedFuture(null) : CompletableFuture.failedFuture(refusal);
        };
    }

    /** None: the sinks are built against a Connect API older than plugin metrics. */
    @Override
    public PluginMetrics pluginMetrics() {
        return null;
    }
}
