package dev.cdcconnect.delta;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;

/** The part of a Connect worker a sink task talks to: records what the task asked of it. */
final class TestContext implements SinkTaskContext {

    record Reported(SinkRecord record, Throwable error) {
    }

    final List<Reported> reported = new ArrayList<>();
    final Map<TopicPartition, Long> rewound = new HashMap<>();
    final Set<TopicPartition> assignment = new HashSet<>();
    final boolean deadLetterQueue;
    long timeoutMs = -1;

    /** What the dead letter queue answers a report with: null for an acknowledgement. */
    final Throwable refusal;

    TestContext(boolean deadLetterQueue, TopicPartition... assigned) {
        this(deadLetterQueue, null, assigned);
    }

    /** A worker whose dead letter queue refuses every record with {@code refusal}. */
    TestContext(Throwable refusal, TopicPartition... assigned) {
        this(true, refusal, assigned);
    }

    private TestContext(boolean deadLetterQueue, Throwable refusal, TopicPartition... assigned) {
        this.deadLetterQueue = deadLetterQueue;
        this.refusal = refusal;
        assignment.addAll(List.of(assigned));
    }

    @Override
    public Map<String, String> configs() {
        return Map.of();
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
}
