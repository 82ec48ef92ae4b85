package dev.cdcconnect.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/**
 * The futures the dead letter queue answers reports with: as the worker's producer completes them (at once when it
 * refuses a record before sending it, later when the broker answers).
 */
class DeadLetterQueueTest {

    private static final TopicPartition PARTITION = new TopicPartition("shop.customers", 0);

    private final List<CompletableFuture<Void>> futures = new ArrayList<>();

    private DeadLetterQueue queue(Duration acknowledgeTimeout) {
        return new DeadLetterQueue((record, error) -> futures.get((int) record.kafkaOffset() - 10), "EventStoreDB",
                acknowledgeTimeout);
    }

    private static SinkRecord record(long offset) {
        return new SinkRecord(PARTITION.topic(), PARTITION.partition(), null, null, null, "value", offset);
    }

    private static Map<TopicPartition, OffsetAndMetadata> upTo(long offset) {
        return Map.of(PARTITION, new OffsetAndMetadata(offset));
    }

    @Test
    void aRecordRefusedAtOnceFailsNamingItAndItsOffsetIsNeverCommitted() {
        futures.add(CompletableFuture.failedFuture(new RecordTooLargeException("The message is 2097252 bytes when "
                + "serialized which is larger than 1048576, the value of the max.request.size configuration.")));
        DeadLetterQueue queue = queue(Duration.ofMinutes(1));

        assertThatThrownBy(() -> queue.report(record(10), new DataException("event over append.max.bytes")))
                .isInstanceOf(ConnectException.class)
                .hasMessageContaining("topic shop.customers partition 0 offset 10")
                .hasMessageContaining("EventStoreDB (event over append.max.bytes)")
                .hasMessageContaining("RecordTooLargeException").hasMessageContaining("max.request.size");
        assertThat(queue.committable(upTo(25))).isEqualTo(upTo(10));
        assertThatThrownBy(queue::throwIfFailed).hasMessageContaining("offset 10");
    }

    @Test
    void offsetsWaitForTheAcknowledgementAndARefusalLaterFailsTheTask() {
        futures.add(new CompletableFuture<>());
        futures.add(new CompletableFuture<>());
        DeadLetterQueue queue = queue(Duration.ofMinutes(1));
        queue.report(record(10), new DataException("too big"));
        queue.report(record(11), new DataException("too big"));

        assertThat(queue.committable(upTo(20))).isEqualTo(upTo(10));
        futures.get(0).complete(null);
        assertThat(queue.committable(upTo(20))).isEqualTo(upTo(11));
        futures.get(1).completeExceptionally(new RecordTooLargeException("too large for the broker"));
        assertThat(queue.committable(upTo(20))).isEqualTo(upTo(11));
        assertThatThrownBy(queue::throwIfFailed).hasMessageContaining("offset 11")
                .hasMessageContaining("too large for the broker");
    }

    @Test
    void acknowledgedReportsLetOffsetsGoOnAndWaitingIsBounded() {
        futures.add(CompletableFuture.completedFuture(null));
        futures.add(new CompletableFuture<>());
        DeadLetterQueue queue = queue(Duration.ofMinutes(1));
        queue.report(record(10), new DataException("too big"));
        assertThat(queue.committable(upTo(20))).isEqualTo(upTo(20));

        queue.report(record(11), new DataException("too big"));
        assertThatThrownBy(() -> queue.awaitAcknowledged(Duration.ofMillis(200)))
                .hasMessageContaining("offset 11").hasMessageContaining("not acknowledged within 200 ms");
        assertThat(queue.committable(upTo(20))).isEqualTo(upTo(11));
    }

    @Test
    void aReportLeftUnacknowledgedTooLongFailsTheTask() throws Exception {
        futures.add(new CompletableFuture<>());
        DeadLetterQueue queue = queue(Duration.ofMillis(50));
        queue.report(record(10), new DataException("too big"));
        Thread.sleep(100);
        assertThatThrownBy(queue::throwIfFailed).hasMessageContaining("offset 10")
                .hasMessageContaining("not acknowledged within 50 ms");
    }

    @Test
    void withoutADeadLetterQueueTheRecordFailsTheTaskNamingItAndTheReason() {
        DeadLetterQueue queue = new DeadLetterQueue(null, "Cassandra", Duration.ofMinutes(1));
        assertThat(queue.isConfigured()).isFalse();
        assertThatThrownBy(() -> queue.report(record(41), new DataException("missing primary key column(s) [id]")))
                .hasMessage("Cannot write the record at topic shop.customers partition 0 offset 41 to Cassandra: "
                        + "missing primary key column(s) [id]. Set errors.tolerance=all and "
                        + "errors.deadletterqueue.topic.name to send such records to a dead letter queue instead.");
    }

    @Test
    void revokedPartitionsAreForgotten() {
        futures.add(new CompletableFuture<>());
        DeadLetterQueue queue = queue(Duration.ofMinutes(1));
        queue.report(record(10), new DataException("too big"));
        queue.forget(List.of(PARTITION));
        assertThat(queue.committable(upTo(20))).isEqualTo(upTo(20));
    }
}
