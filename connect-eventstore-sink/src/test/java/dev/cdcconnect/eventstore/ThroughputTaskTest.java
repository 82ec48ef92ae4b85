package dev.cdcconnect.eventstore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cdcconnect.event.Envelopes;
import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import dev.cdcconnect.standin.eventstore.ServerVersion;
import dev.cdcconnect.standin.eventstore.StoredEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Batching per stream, size limits, concurrency across streams, multi-stream append and its fallback. */
class ThroughputTaskTest {

    private EventStoreStandIn server;
    private SinkTaskRunner runner;

    @AfterEach
    void stop() {
        if (runner != null) {
            runner.close();
        }
        server.close();
    }

    private static List<SinkRecord> updatesOfOneRow(Customers customers, int count, String padding) {
        List<SinkRecord> records = new ArrayList<>();
        records.add(customers.create(1, "v0" + padding, 0));
        for (int i = 1; i < count; i++) {
            records.add(customers.update(1, "v" + (i - 1) + padding, "v" + i + padding, i));
        }
        return records;
    }

    private static List<Long> offsets(List<StoredEvent> events) {
        return events.stream().map(e -> {
            String meta = e.metadataAsString();
            int at = meta.indexOf("\"kafka.offset\":") + "\"kafka.offset\":".length();
            int end = meta.indexOf(',', at);
            return Long.parseLong(meta.substring(at, end).replace("\"", ""));
        }).toList();
    }

    @ParameterizedTest
    @EnumSource(Customers.Shape.class)
    void eventsOfOneStreamWaitingForAnAppendGoTogetherInTheNext(Customers.Shape shape) {
        server = EventStoreStandIn.start();
        server.setAppendLatency(Duration.ofMillis(300));
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, shape);
        runner = new SinkTaskRunner(server).start();
        List<SinkRecord> records = updatesOfOneRow(customers, 100, "");

        runner.put(records.subList(0, 1));
        for (int i = 1; i < 100; i += 11) {
            runner.put(records.subList(i, Math.min(i + 11, 100)));
        }
        runner.awaitAcknowledged(new TopicPartition(customers.topic(), 0), 99);

        assertThat(offsets(server.events("customers-1"))).hasSize(100).isSorted();
        assertThat(server.totalAppends()).isLessThanOrEqualTo(3);
    }

    @Test
    void appendsStayUnderTheMaxAppendSize() {
        server = EventStoreStandIn.start();
        server.setAppendLatency(Duration.ofMillis(200));
        Customers customers = new Customers(Envelopes.Flavor.MYSQL, Customers.Shape.STRUCT);
        runner = new SinkTaskRunner(server).with(EventStoreSinkConfig.APPEND_MAX_BYTES, String.valueOf(8 * 1024)).start();
        List<SinkRecord> records = updatesOfOneRow(customers, 60, "x".repeat(400));

        runner.put(records.subList(0, 1));
        runner.put(records.subList(1, 60));
        runner.awaitAcknowledged(new TopicPartition(customers.topic(), 0), 59);

        List<StoredEvent> events = server.events("customers-1");
        assertThat(offsets(events)).hasSize(60).isSorted();
        long bytes = events.stream()
                .mapToLong(e -> e.data().length + e.metadata().length + 2L * e.eventType().length()).sum();
        assertThat(bytes).isGreaterThan(5 * 8192);
        assertThat(server.totalAppends()).isGreaterThanOrEqualTo((bytes + 8191) / 8192).isLessThan(30);
    }

    @Test
    void aServerWithASmallerAppendLimitIsMetBySplittingAppends() {
        server = EventStoreStandIn.start(EventStoreStandIn.Options.defaults().withMaxAppendSize(8 * 1024));
        server.setAppendLatency(Duration.ofMillis(200));
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.MAP);
        runner = new SinkTaskRunner(server).start();
        List<SinkRecord> records = updatesOfOneRow(customers, 60, "x".repeat(400));

        runner.put(records.subList(0, 1));
        runner.put(records.subList(1, 60));
        runner.awaitAcknowledged(new TopicPartition(customers.topic(), 0), 59);

        assertThat(offsets(server.events("customers-1"))).hasSize(60).isSorted();
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 3, 8})
    void streamsAreAppendedConcurrentlyUpToTheBound(int concurrency) throws Exception {
        server = EventStoreStandIn.start();
        server.setAppendLatency(Duration.ofMillis(300));
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.STRUCT);
        List<SinkRecord> records = new ArrayList<>();
        for (int id = 0; id < 8; id++) {
            records.add(customers.create(id, "x", id));
        }
        runner = new SinkTaskRunner(server).with(EventStoreSinkConfig.APPEND_CONCURRENCY, String.valueOf(concurrency))
                .with(EventStoreSinkConfig.APPEND_MULTI_STREAM, "false")
                .with(EventStoreSinkConfig.DELIVERY_GUARANTEE, "at-least-once").start();
        java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean watching = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread watcher = new Thread(() -> {
            while (watching.get()) {
                most.accumulateAndGet(((Number) TaskMetrics.attribute("eventstore-sink-test", "0", "InFlight")).intValue(),
                        Math::max);
                Thread.onSpinWait();
            }
        });
        watcher.start();

        runner.put(records);
        runner.awaitAcknowledged(new TopicPartition(customers.topic(), 0), 7);
        watching.set(false);
        watcher.join();

        assertThat(most.get()).isEqualTo(concurrency);
        assertThat(server.streams()).hasSize(8);
    }

    @Test
    void multiStreamAppendIsUsedByDefaultWhenTheServerOffersIt() {
        server = EventStoreStandIn.start();
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.MAP);
        List<SinkRecord> records = new ArrayList<>();
        for (int id = 0; id < 100; id++) {
            records.add(customers.create(id, "x", id));
        }
        runner = new SinkTaskRunner(server).start();

        runner.put(records);
        runner.awaitAcknowledged(new TopicPartition(customers.topic(), 0), 99);

        assertThat(server.category("customers")).hasSize(100);
        assertThat(TaskMetrics.of("MultiStreamAppends")).isPositive();
        assertThat(TaskMetrics.of("Appends")).isLessThan(100);
        assertThat(server.events("customers-7").get(0).metadataAsString()).contains("\"kafka.offset\":\"7\"");
    }

    @Test
    void streamsReadyWhileTheMultiStreamAppendsAreInFlightGoTogetherInTheNextOne() {
        server = EventStoreStandIn.start();
        server.setAppendLatency(Duration.ofMillis(300));
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.STRUCT);
        runner = new SinkTaskRunner(server).with(EventStoreSinkConfig.APPEND_MULTI_STREAM_CONCURRENCY, "2").start();

        // Ten puts of ten new rows each, one after another while the first appends wait 300 ms for the server: two
        // multi-stream appends go out at once, the rows of the other eight puts wait and share the next.
        for (int put = 0; put < 10; put++) {
            List<SinkRecord> records = new ArrayList<>();
            for (int id = put * 10; id < put * 10 + 10; id++) {
                records.add(customers.create(id, "x", id));
            }
            runner.put(records);
        }
        runner.awaitAcknowledged(new TopicPartition(customers.topic(), 0), 99);

        assertThat(server.category("customers")).hasSize(100);
        assertThat(TaskMetrics.of("MultiStreamAppends")).isEqualTo(3);
        assertThat(TaskMetrics.of("Appends")).as("appends, multi-stream ones included").isEqualTo(3);
    }

    @Test
    void aStreamNoMultiStreamAppendCanTakeDoesNotWaitForTheMultiStreamAppendsInFlight() {
        server = EventStoreStandIn.start();
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.STRUCT);
        runner = new SinkTaskRunner(server).with(EventStoreSinkConfig.APPEND_MULTI_STREAM_CONCURRENCY, "1")
                .with(EventStoreSinkConfig.TOMBSTONE_HANDLING, "delete").start();
        TopicPartition deleted = new TopicPartition(customers.topic(), 1);
        customers.partition(1);
        runner.put(customers.create(100, "x", 0), customers.delete(100, "x", 1));
        // A delete's offset is committable only with the tombstone that follows it: wait for its event instead.
        runner.awaitAcknowledged(deleted, 0);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> server.events("customers-100").size() == 2);
        server.setAppendLatency(Duration.ofSeconds(2));

        // A multi-stream append of ten new rows takes the one slot for 2 s; the deletion of the deleted row's stream
        // (its tombstone) is a call of its own and goes at once.
        customers.partition(0);
        List<SinkRecord> records = new ArrayList<>();
        for (int id = 0; id < 10; id++) {
            records.add(customers.create(id, "x", id));
        }
        runner.put(records);
        customers.partition(1);
        runner.put(customers.tombstone(100, 2));

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                .until(() -> TaskMetrics.of("StreamsDeleted") == 1);
        assertThat(TaskMetrics.of("MultiStreamAppends")).as("multi-stream appends answered by then").isZero();
        runner.awaitAcknowledged(new TopicPartition(customers.topic(), 0), 9);
        runner.awaitAcknowledged(deleted, 2);
        assertThat(server.isSoftDeleted("customers-100")).isTrue();
        for (int id = 0; id < 10; id++) {
            assertThat(server.events("customers-" + id)).hasSize(1);
        }
    }

    @Test
    void multiStreamAppendWritesManyStreamsPerCallAndRestartsWithoutDuplicates() {
        server = EventStoreStandIn.start();
        server.setAppendLatency(Duration.ofMillis(100));
        Customers customers = new Customers(Envelopes.Flavor.MYSQL, Customers.Shape.MAP);
        List<SinkRecord> records = new ArrayList<>();
        for (int id = 0; id < 200; id++) {
            records.add(customers.create(id, "x", id));
        }
        for (int id = 0; id < 200; id++) {
            records.add(customers.update(id, "x", "y", 200 + id));
        }
        TopicPartition partition = new TopicPartition(customers.topic(), 0);
        runner = new SinkTaskRunner(server).with(EventStoreSinkConfig.APPEND_MULTI_STREAM, "true")
                .with(EventStoreSinkConfig.APPEND_CONCURRENCY, "4").start();
        runner.put(records.subList(0, 300));
        runner.awaitAcknowledged(partition, 299);
        assertThat(TaskMetrics.of("MultiStreamAppends")).isPositive();
        runner.close();

        // Delivered again from offset 100: creates of rows 100 to 199, then every update.
        runner = new SinkTaskRunner(server).with(EventStoreSinkConfig.APPEND_MULTI_STREAM, "true").start();
        runner.put(records.subList(100, 400));
        runner.awaitAcknowledged(partition, 399);

        assertThat(server.category("customers")).hasSize(400);
        assertThat(offsets(server.events("customers-7"))).containsExactly(7L, 207L);
        assertThat(offsets(server.events("customers-150"))).containsExactly(150L, 350L);
        assertThat(server.events("customers-7").get(0).metadataAsString()).contains("\"kafka.offset\":\"7\"");
        assertThat(TaskMetrics.of("RecordsSkipped")).isEqualTo(200);
        assertThat(server.totalAppends()).isLessThan(150);
    }

    @Test
    void multiStreamAppendFallsBackToStreamByStreamOnServersWithoutIt() {
        server = EventStoreStandIn.start(EventStoreStandIn.Options.defaults().withServerVersion(ServerVersion.V24_10));
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.STRUCT);
        List<SinkRecord> records = new ArrayList<>();
        for (int id = 0; id < 50; id++) {
            records.add(customers.create(id, "x", id));
        }
        runner = new SinkTaskRunner(server).with(EventStoreSinkConfig.APPEND_MULTI_STREAM, "true").start();

        runner.put(records);
        runner.awaitAcknowledged(new TopicPartition(customers.topic(), 0), 49);

        assertThat(server.category("customers")).hasSize(50);
        assertThat(TaskMetrics.of("MultiStreamAppends")).isZero();
        assertThat(TaskMetrics.of("Appends")).isEqualTo(50);
        // Stream by stream, metadata keeps its numbers.
        assertThat(server.events("customers-7").get(0).metadataAsString()).contains("\"kafka.offset\":7,");
    }

    @Test
    void eventStoreDb20_6WithoutServerFeaturesIsWrittenStreamByStream() {
        server = EventStoreStandIn.start(EventStoreStandIn.Options.defaults().withServerVersion(ServerVersion.V20_6));
        Customers customers = new Customers(Envelopes.Flavor.MYSQL, Customers.Shape.STRUCT);
        runner = new SinkTaskRunner(server).with(EventStoreSinkConfig.APPEND_MULTI_STREAM, "true").start();

        runner.put(customers.create(1, "a", 0), customers.create(2, "b", 1), customers.update(1, "a", "c", 2));
        runner.awaitAcknowledged(new TopicPartition(customers.topic(), 0), 2);

        assertThat(server.events("customers-1")).extracting(StoredEvent::eventType).containsExactly("Created", "Updated");
        assertThat(TaskMetrics.of("MultiStreamAppends")).isZero();
    }
}
