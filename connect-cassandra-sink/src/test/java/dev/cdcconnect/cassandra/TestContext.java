package dev.cdcconnect.cassandra;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;

/** The part of a Connect worker a sink task talks to: records what the task asked of it. */
final class TestContext implements SinkTaskContext {

    record Reported(SinkRecord record, Throwable error) {
    }

    /** Written by the task's thread or its writer's timer. */
    final List<Reported> reported = new CopyOnWriteArrayList<>();
    final boolean deadLetterQueue;
    long timeoutMs = -1;

    /** What the dead letter queue answers every report with, when it refuses them. */
    final Throwable refusal;

    TestContext(boolean deadLetterQueue) {
        this.deadLetterQueue = deadLetterQueue;
        this.refusal = null;
    }

    /** A dead letter queue whose producer refuses every record, as Kafka's producer does one over its size limit. */
    TestContext(Throwable refusal) {
        this.deadLetterQueue = true;
        this.refusal = refusal;
    }

    @Override
    public Map<String, String> configs() {
        return Map.of();
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
        return Set.of();
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

    static Collection<TopicPartition> partitions(String topic) {
        return List.of(new TopicPartition(topic, 0));
    }
}
