package dev.cdcconnect.eventstore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cdcconnect.standin.eventstore.StoredEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Changes Debezium's Postgres source delivers again after its task moves: the same change (same source position)
 * in a new Kafka record, at a later offset. On records captured from the connector (table {@code LİNKS}, topic
 * {@code eslk.public.L_NKS}): 0 snapshot read of row 1, 1-2 inserts of rows 2 and 3, 3 delete of row 2, 4 its
 * tombstone, 5 update of row 3, 6 insert of row 4.
 */
class RedeliveredChangesTaskTest {

    private static final String TABLE = "L\u0130NKS";
    private static final String TOPIC = "eslk.public.L_NKS";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

    @RegisterExtension
    final StandInTasks tasks = new StandInTasks();

    private SinkTaskRunner runner(String... settings) {
        return tasks.runner(settings).start();
    }

    /** The captured streamed changes 1 to 6 delivered again, as new records at offsets 7 to 12. */
    private static List<SinkRecord> deliveredAgain(List<SinkRecord> captured) {
        List<SinkRecord> again = new ArrayList<>();
        for (SinkRecord record : captured.subList(1, 7)) {
            again.add(at(record, record.kafkaOffset() + 6));
        }
        return again;
    }

    private static SinkRecord at(SinkRecord record, long offset) {
        return new SinkRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(),
                record.valueSchema(), record.value(), offset);
    }

    private void assertEachChangeOnce() {
        assertThat(tasks.server().events(TABLE + "-1")).extracting(StoredEvent::eventType).containsExactly("Snapshotted");
        assertThat(tasks.server().events(TABLE + "-2")).extracting(StoredEvent::eventType).containsExactly("Created", "Deleted");
        assertThat(tasks.server().events(TABLE + "-3")).extracting(StoredEvent::eventType).containsExactly("Created", "Updated");
        assertThat(tasks.server().events(TABLE + "-4")).extracting(StoredEvent::eventType).containsExactly("Created");
    }

    @ParameterizedTest(name = "in one put: {0}")
    @ValueSource(booleans = {true, false})
    void aChangeDeliveredAgainAtALaterOffsetIsWrittenOnceAndItsOffsetCommitted(boolean onePut) {
        List<SinkRecord> captured = Captured.records(TOPIC);
        SinkTaskRunner runner = runner();
        List<SinkRecord> all = new ArrayList<>(captured);
        all.addAll(deliveredAgain(captured));

        if (onePut) {
            runner.put(all);
        } else {
            runner.put(captured);
            runner.awaitAcknowledged(PARTITION, 6);
            runner.put(all.subList(7, 13));
        }
        runner.awaitAcknowledged(PARTITION, 12);

        assertEachChangeOnce();
        assertThat(runner.committable(PARTITION)).hasValue(13);
        // The tombstone's copy is ignored as tombstones are; the five changes' copies are skipped.
        assertThat(TaskMetrics.of("ChangesRedelivered")).isEqualTo(5);
    }

    @ParameterizedTest(name = "append.multi.stream={0}")
    @ValueSource(strings = {"true", "false"})
    void aChangeDeliveredAgainToANewTaskIsRecognisedFromTheStreamsLastEvent(String multiStream) {
        List<SinkRecord> captured = Captured.records(TOPIC);
        SinkTaskRunner first = runner("append.multi.stream", multiStream);
        first.put(captured);
        first.awaitAcknowledged(PARTITION, 6);
        first.stop();

        // A new task knows nothing of the streams: it reads each one's last event, and the source position there.
        SinkTaskRunner second = runner("append.multi.stream", multiStream);
        second.put(deliveredAgain(captured));
        second.awaitAcknowledged(PARTITION, 12);

        assertEachChangeOnce();
        assertThat(second.committable(PARTITION)).hasValue(13);
        assertThat(TaskMetrics.of("ChangesRedelivered")).isEqualTo(5);
    }

    @Test
    void withAtLeastOnceDeliveryAChangeDeliveredAgainIsWrittenAgain() {
        List<SinkRecord> captured = Captured.records(TOPIC);
        SinkTaskRunner runner = runner("delivery.guarantee", "at-least-once");
        runner.put(captured);
        runner.put(deliveredAgain(captured));
        runner.awaitAcknowledged(PARTITION, 12);

        assertThat(tasks.server().events(TABLE + "-3")).extracting(StoredEvent::eventType)
                .containsExactly("Created", "Updated", "Created", "Updated");
    }

    /**
     * A change streamed after the snapshot whose transaction began before it has a lower LSN than the snapshot's
     * reads (and, as the first transaction Debezium streams after its snapshot, no commit LSN): it is still written,
     * also by a task that finds the snapshot read as the stream's last event.
     */
    @ParameterizedTest(name = "task restarted in between: {0}")
    @ValueSource(booleans = {false, true})
    void aChangeStreamedAfterASnapshotReadOfItsRowIsWrittenEvenWithALowerLsn(boolean restart) {
        List<SinkRecord> captured = Captured.records(TOPIC);
        SinkRecord snapshotRead = captured.get(0);
        SinkRecord streamed = streamedUpdateOfRow1(captured.get(5), 26220400L, 7);
        assertThat(((Map<?, ?>) ((Map<?, ?>) snapshotRead.value()).get("source")).get("lsn")).isEqualTo(26220416);

        SinkTaskRunner runner = runner();
        runner.put(snapshotRead);
        runner.awaitAcknowledged(PARTITION, 0);
        if (restart) {
            runner.stop();
            runner = runner();
        }
        runner.put(streamed, streamedUpdateOfRow1(captured.get(5), 26220400L, 8));
        runner.awaitAcknowledged(PARTITION, 8);

        assertThat(tasks.server().events(TABLE + "-1")).extracting(StoredEvent::eventType)
                .containsExactly("Snapshotted", "Updated");
        assertThat(TaskMetrics.of("ChangesRedelivered")).isEqualTo(1);
    }

    /** The captured update of row 3, made an update of row 1 at another LSN, without a commit LSN. */
    @SuppressWarnings("unchecked")
    private static SinkRecord streamedUpdateOfRow1(SinkRecord update, long lsn, long offset) {
        Map<String, Object> value = new LinkedHashMap<>((Map<String, Object>) update.value());
        Map<String, Object> after = new LinkedHashMap<>((Map<String, Object>) value.get("after"));
        after.put("id", 1);
        value.put("after", after);
        value.put("before", null);
        Map<String, Object> source = new LinkedHashMap<>((Map<String, Object>) value.get("source"));
        source.put("lsn", lsn);
        source.put("sequence", "[null,\"" + lsn + "\"]");
        value.put("source", source);
        return new SinkRecord(update.topic(), 0, null, new LinkedHashMap<>(Map.of("id", 1)), null, value, offset);
    }
}
