package dev.cdcconnect.eventstore;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;

/**
 * A sink task context for task tests: it keeps what the task asked of the worker (timeouts) and, when a dead
 * letter queue is wanted, the records reported to it with their errors.
 */
final class TestTaskContext implements SinkTaskContext {

    /** A record sent to the dead letter queue. */
    record DeadLetter(SinkRecord record, Throwable error) {
    }

    private final Map<String, String> configs;
    private final boolean deadLetterQueue;
    private final List<DeadLetter> deadLetters = Collections.synchronizedList(new ArrayList<>());
    private final Set<TopicPartition> assignment = new HashSet<>();
    private volatile long timeoutMs = -1;

    TestTaskContext(Map<String, String> configs, boolean deadLetterQueue) {
        this.configs = new HashMap<>(configs);
        this.deadLetterQueue = deadLetterQueue;
    }

    List<DeadLetter> deadLetters() {
        synchronized (deadLetters) {
            return List.copyOf(deadLetters);
        }
    }

    long timeoutMs() {
        return timeoutMs;
    }

    @Override
    public Map<String, String> configs() {
        return configs;
    }

    @Override
    public void offset(Map<TopicPartition, Long> offsets) {
    }

    @Override
    public void offset(TopicPartition tp, long offset) {
    }

    @Override
    public void timeout(long timeoutMs) {
        this.timeoutMs = timeoutMs;
    }

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
        return new ErrantRecordReporter() {
            @Override
            public Future<Void> report(SinkRecord record, Throwable error) {
                deadLetters.add(new DeadLetter(record, error));
                return CompletableFuture.completedFuture(null);
            }
        };
    }
}
