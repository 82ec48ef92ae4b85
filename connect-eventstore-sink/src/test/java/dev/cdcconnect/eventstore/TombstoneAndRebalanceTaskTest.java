package dev.cdcconnect.eventstore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cdcconnect.event.Envelopes;
import dev.cdcconnect.standin.eventstore.StoredEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Kafka tombstones as markers or stream deletions; partitions moving to another task. */
class TombstoneAndRebalanceTaskTest {

    @RegisterExtension
    final StandInTasks tasks = new StandInTasks();

    private SinkTaskRunner runner(String tombstones) {
        return tasks.runner(EventStoreSinkConfig.TOMBSTONE_HANDLING, tombstones).withDeadLetterQueue().start();
    }

    @ParameterizedTest
    @EnumSource(Customers.Shape.class)
    void tombstonesAreIgnoredByDefault(Customers.Shape shape) {
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, shape);
        SinkTaskRunner runner = runner("ignore");

        runner.put(customers.create(1, "a", 0), customers.delete(1, "a", 1), customers.tombstone(1, 2));
        runner.awaitAcknowledged(new TopicPartition(customers.topic(), 0), 2);

        assertThat(tasks.server().events("customers-1")).extracting(StoredEvent::eventType).containsExactly("Created", "Deleted");
    }

    @ParameterizedTest
    @EnumSource(Customers.Shape.class)
    void tombstonesCanAppendAMarkerEvent(Customers.Shape shape) {
        Customers customers = new Customers(Envelopes.Flavor.MYSQL, shape);
        SinkTaskRunner runner = runner("marker");

        runner.put(customers.create(1, "a", 0), customers.delete(1, "a", 1), customers.tombstone(1, 2));
        runner.awaitAcknowledged(new TopicPartition(customers.topic(), 0), 2);

        List<StoredEvent> events = tasks.server().events("customers-1");
        assertThat(events).extracting(StoredEvent::eventType).containsExactly("Created", "Deleted", "Tombstoned");
        assertThat(events.get(2).dataAsString()).isEqualTo("{\"id\":1}");
    }

    @Test
    void tombstonesCanSoftDeleteTheStreamWhichARowWithTheSameKeyRecreates() {
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.STRUCT);
        SinkTaskRunner runner = runner("delete");

        runner.put(customers.create(1, "a", 0), customers.delete(1, "a", 1), customers.tombstone(1, 2));
        runner.awaitAcknowledged(new TopicPartition(customers.topic(), 0), 2);
        assertThat(tasks.server().isSoftDeleted("customers-1")).isTrue();
        assertThat(tasks.server().events("customers-1")).isEmpty();

        runner.put(customers.create(1, "again", 3));
        runner.awaitAcknowledged(new TopicPartition(customers.topic(), 0), 3);
        assertThat(tasks.server().events("customers-1")).extracting(e -> e.dataAsString())
                .containsExactly("{\"id\":1,\"email\":\"again\"}");
        assertThat(TaskMetrics.of("StreamsDeleted")).isEqualTo(1);
    }

    @Test
    void tombstonesCanTombstoneTheStreamAfterWhichItsRecordsGoToTheDeadLetterQueue() {
        Customers customers = new Customers(Envelopes.Flavor.MYSQL, Customers.Shape.MAP);
        SinkTaskRunner runner = runner("tombstone");

        runner.put(customers.create(1, "a", 0), customers.delete(1, "a", 1), customers.tombstone(1, 2),
                customers.create(1, "again", 3), customers.create(2, "b", 4));
        runner.awaitAcknowledged(new TopicPartition(customers.topic(), 0), 4);

        assertThat(tasks.server().isTombstoned("customers-1")).isTrue();
        assertThat(tasks.server().events("customers-2")).hasSize(1);
        assertThat(runner.context().reported()).singleElement().satisfies(d -> {
            assertThat(d.record().kafkaOffset()).isEqualTo(3);
            assertThat(d.error().getMessage()).contains("stream 'customers-1' is deleted");
        });
    }

    @Test
    void revokedPartitionsAreLeftToTheirNewOwnerWhichWritesTheRestOnce() {
        tasks.server().setAppendLatency(Duration.ofMillis(300));
        Customers p0 = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.STRUCT).partition(0);
        Customers p1 = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.STRUCT).partition(1);
        TopicPartition tp0 = new TopicPartition(p0.topic(), 0);
        TopicPartition tp1 = new TopicPartition(p1.topic(), 1);
        List<SinkRecord> records = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            records.add(p0.create(i * 2, "a", i));
            records.add(p1.update(1, "v" + i, "v" + (i + 1), i));
        }
        SinkTaskRunner first = runner("ignore");
        first.put(records.subList(0, 40));
        first.put(records.subList(40, 80));
        first.task().close(List.of(tp1));

        // The first put's records of partition 1 were in flight and are written; the second put's are dropped.
        assertThat(tasks.server().events("customers-1")).hasSize(20);
        assertThat(first.committable(tp1)).isEmpty();
        first.awaitAcknowledged(tp0, 39);
        assertThat(tasks.server().events("customers-1")).hasSize(20);

        SinkTaskRunner second = runner("ignore");
        second.put(records.stream().filter(r -> r.kafkaPartition() == 1).toList());
        second.awaitAcknowledged(tp1, 39);

        assertThat(tasks.server().events("customers-1")).extracting(e -> e.dataAsString())
                .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, 40)
                        .mapToObj(v -> "{\"id\":1,\"email\":\"v" + v + "\"}").toList());
        assertThat(tasks.server().category("customers")).hasSize(80);
    }
}
