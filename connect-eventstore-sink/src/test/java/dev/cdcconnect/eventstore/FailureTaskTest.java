package dev.cdcconnect.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cdcconnect.event.Envelopes;
import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import dev.cdcconnect.standin.eventstore.StoredEvent;
import io.kurrent.dbclient.KurrentDBClient;
import io.kurrent.dbclient.KurrentDBConnectionString;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Transient failures are retried, unwritable records go to the dead letter queue, nothing is lost or doubled. */
class FailureTaskTest {

    private EventStoreStandIn server;
    private final List<SinkTaskRunner> runners = new ArrayList<>();

    static Stream<Arguments> flavorsAndShapes() {
        return Stream.of(Envelopes.Flavor.POSTGRES, Envelopes.Flavor.MYSQL).flatMap(f ->
                Stream.of(Customers.Shape.values()).map(s -> Arguments.of(f, s)));
    }

    @AfterEach
    void stopAll() {
        runners.forEach(SinkTaskRunner::close);
        if (server != null) {
            server.close();
        }
    }

    private SinkTaskRunner runner(EventStoreStandIn on) {
        SinkTaskRunner runner = new SinkTaskRunner(on);
        runners.add(runner);
        return runner;
    }

    private static List<SinkRecord> creates(Customers customers, int from, int count) {
        List<SinkRecord> records = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            records.add(customers.create(i % 10, "v" + i, i));
        }
        return records;
    }

    private static List<Long> offsets(List<StoredEvent> events) {
        return events.stream().map(e -> {
            String meta = e.metadataAsString();
            int at = meta.indexOf("\"kafka.offset\":") + "\"kafka.offset\":".length();
            return Long.parseLong(meta.substring(at, meta.indexOf(',', at)).replace("\"", ""));
        }).toList();
    }

    /** Every record once, in offset order, in its stream: what the tests below expect after each failure. */
    private void assertEachRecordOnceInOrder(int count) {
        for (int id = 0; id < 10; id++) {
            List<Long> expected = new ArrayList<>();
            for (long offset = id; offset < count; offset += 10) {
                expected.add(offset);
            }
            assertThat(offsets(server.events("customers-" + id))).as("customers-" + id).isEqualTo(expected);
        }
    }

    /** Delivers a batch as the worker does: again and again while put() answers RetriableException. */
    private static void deliver(SinkTaskRunner runner, List<SinkRecord> batch) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreException(RetriableException.class)
                .until(() -> {
                    runner.put(batch);
                    return true;
                });
    }

    @ParameterizedTest
    @MethodSource("flavorsAndShapes")
    void aBusyServerIsRetriedWithoutTheWorkerNoticing(Envelopes.Flavor flavor, Customers.Shape shape) {
        server = EventStoreStandIn.start();
        Customers customers = new Customers(flavor, shape);
        SinkTaskRunner runner = runner(server).with(EventStoreSinkConfig.RETRY_MAX_ATTEMPTS, "20").start();
        server.busyFor(Duration.ofMillis(1500));

        runner.put(creates(customers, 0, 40));
        runner.awaitAcknowledged(new TopicPartition(customers.topic(), 0), 39);

        assertEachRecordOnceInOrder(40);
        assertThat(TaskMetrics.of("Retries")).isPositive();
    }

    @Test
    void notLeaderRepliesAreRetried() {
        server = EventStoreStandIn.start();
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.STRUCT);
        SinkTaskRunner runner = runner(server).start();
        server.notLeaderForCalls(5);

        runner.put(creates(customers, 0, 30));
        runner.awaitAcknowledged(new TopicPartition(customers.topic(), 0), 29);

        assertEachRecordOnceInOrder(30);
        assertThat(TaskMetrics.of("Retries")).isPositive();
    }

    @ParameterizedTest
    @EnumSource(names = {"EXACTLY_ONCE", "AT_LEAST_ONCE"}, value = dev.cdcconnect.eventstore.write.DeliveryGuarantee.class)
    void anAppendThatTimedOutAfterBeingWrittenIsNotWrittenTwice(dev.cdcconnect.eventstore.write.DeliveryGuarantee guarantee) {
        server = EventStoreStandIn.start();
        Customers customers = new Customers(Envelopes.Flavor.MYSQL, Customers.Shape.MAP);
        SinkTaskRunner runner = runner(server).with(EventStoreSinkConfig.DELIVERY_GUARANTEE, guarantee.configName()).start();
        runner.put(creates(customers, 0, 10));
        runner.awaitAcknowledged(new TopicPartition(customers.topic(), 0), 9);
        server.timeoutNextAppends(3, true);

        runner.put(creates(customers, 10, 20));
        runner.awaitAcknowledged(new TopicPartition(customers.topic(), 0), 29);

        assertEachRecordOnceInOrder(30);
    }

    static Stream<Arguments> appendPathsAndGuarantees() {
        return Stream.of(true, false).flatMap(multiStream -> Stream.of(
                        dev.cdcconnect.eventstore.write.DeliveryGuarantee.EXACTLY_ONCE,
                        dev.cdcconnect.eventstore.write.DeliveryGuarantee.AT_LEAST_ONCE)
                .map(guarantee -> Arguments.of(multiStream, guarantee)));
    }

    /**
     * The stand-in ends the append without a reply after storing its events: the real client never completes that
     * call, and no deadline of its own fires. The writer gives the call up, replaces the client and appends again;
     * the stream holds every record once.
     */
    @ParameterizedTest
    @MethodSource("appendPathsAndGuarantees")
    void anAppendTheClientLeavesUnansweredIsRetriedOnANewClientAndWrittenOnce(
            boolean multiStream, dev.cdcconnect.eventstore.write.DeliveryGuarantee guarantee) {
        server = EventStoreStandIn.start();
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.STRUCT);
        TopicPartition partition = new TopicPartition(customers.topic(), 0);
        SinkTaskRunner runner = runner(server)
                .with(EventStoreSinkConfig.DEADLINE_MS, "300")
                .with(EventStoreSinkConfig.APPEND_MULTI_STREAM, Boolean.toString(multiStream))
                .with(EventStoreSinkConfig.DELIVERY_GUARANTEE, guarantee.configName()).start();
        runner.put(creates(customers, 0, 10));
        runner.awaitAcknowledged(partition, 9);
        long recreations = TaskMetrics.of("ClientRecreations");
        // The next append (with multi-stream appends on: one call for the ten streams) is stored, never answered.
        server.leaveNextAppendsUnanswered(1, true);

        runner.put(creates(customers, 10, 20));
        runner.awaitAcknowledged(partition, 29);

        assertEachRecordOnceInOrder(30);
        assertThat(TaskMetrics.of("ClientRecreations")).as("client replaced").isGreaterThan(recreations);
    }

    @ParameterizedTest
    @EnumSource(Customers.Shape.class)
    void anUnavailableServerMakesPutRetriableUntilItIsBackThenEverythingIsWrittenOnce(Customers.Shape shape) {
        server = EventStoreStandIn.start();
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, shape);
        TopicPartition partition = new TopicPartition(customers.topic(), 0);
        SinkTaskRunner runner = runner(server).with(EventStoreSinkConfig.RETRY_MAX_ATTEMPTS, "2").start();
        runner.put(creates(customers, 0, 20));
        runner.awaitAcknowledged(partition, 19);

        server.unavailableFor(Duration.ofMinutes(2));
        runner.put(creates(customers, 20, 20));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThatThrownBy(() -> runner.put(List.of()))
                        .isInstanceOf(RetriableException.class)
                        .hasMessageContaining("EventStoreDB cannot be used"));
        assertThat(runner.context().timeoutMs()).isEqualTo(500);
        assertThat(runner.committable(partition)).hasValue(20);
        server.clearFaults();

        deliver(runner, creates(customers, 40, 20));
        runner.awaitAcknowledged(partition, 59);

        assertEachRecordOnceInOrder(60);
        assertThat(TaskMetrics.of("ClientRecreations")).isPositive();
    }

    @Test
    void aServerRestartedWhileRecordsAreRedeliveredGetsEachRecordOnce() {
        server = EventStoreStandIn.start();
        server.setAppendLatency(Duration.ofMillis(20));
        Customers customers = new Customers(Envelopes.Flavor.MYSQL, Customers.Shape.STRUCT);
        TopicPartition partition = new TopicPartition(customers.topic(), 0);
        SinkTaskRunner first = runner(server).with(EventStoreSinkConfig.APPEND_CONCURRENCY, "2").start();
        first.put(creates(customers, 0, 100));
        await().atMost(Duration.ofSeconds(10)).until(() -> server.allEvents().size() >= 30);
        first.stop();

        SinkTaskRunner second = runner(server).with(EventStoreSinkConfig.APPEND_CONCURRENCY, "2").start();
        second.put(creates(customers, 0, 50));
        server.restart();
        deliver(second, creates(customers, 50, 50));
        second.awaitAcknowledged(partition, 99);

        assertEachRecordOnceInOrder(100);
    }

    @Test
    void eachKindOfUnwritableRecordGoesToTheDeadLetterQueueAndTheRestIsWritten() throws Exception {
        server = EventStoreStandIn.start(EventStoreStandIn.Options.defaults().withMaxEventSize(4096));
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.STRUCT);
        TopicPartition partition = new TopicPartition(customers.topic(), 0);
        tombstoneStream("customers-66");
        SinkTaskRunner runner = runner(server).withDeadLetterQueue()
                .with(EventStoreSinkConfig.APPEND_MAX_BYTES, "65536").start();
        SinkRecord tooBigForTheSink = customers.create(61, "x".repeat(70_000), 1);
        SinkRecord tooBigForTheServer = customers.create(62, "y".repeat(5_000), 2);
        SinkRecord unknownOp = new SinkRecord(customers.topic(), 0, Schema.STRING_SCHEMA, "k", null,
                Map.of("op", "x", "source", Map.of("table", "customers")), 3);
        SinkRecord notJson = new SinkRecord(customers.topic(), 0, Schema.STRING_SCHEMA, "k", null,
                Map.of("x", new Object()), 4);
        SinkRecord deletedStream = customers.create(66, "z", 5);

        runner.put(customers.create(1, "a", 0), tooBigForTheSink, tooBigForTheServer, unknownOp, notJson, deletedStream,
                customers.update(1, "a", "b", 6), customers.create(62, "small", 7));
        runner.awaitAcknowledged(partition, 7);

        assertThat(server.events("customers-1")).extracting(StoredEvent::eventType).containsExactly("Created", "Updated");
        assertThat(server.events("customers-62")).hasSize(1);
        assertThat(runner.context().reported()).extracting(d -> d.record().kafkaOffset())
                .containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L);
        assertThat(runner.context().reported()).allSatisfy(d -> assertThat(d.error().getMessage()).isNotBlank());
        assertThat(reason(runner, 1)).contains("over the limit of 65536 bytes");
        assertThat(reason(runner, 2)).contains("EventStoreDB refused the event").contains("Maximum Append Event Size");
        assertThat(reason(runner, 3)).contains("a Debezium change event with op 'x', which this sink does not know");
        assertThat(reason(runner, 4)).contains("cannot write the record as JSON");
        assertThat(reason(runner, 5)).contains("stream 'customers-66' is deleted");
        assertThat(TaskMetrics.of("RecordsDeadLettered")).isEqualTo(5);
    }

    private static String reason(SinkTaskRunner runner, long offset) {
        return runner.context().reported().stream().filter(d -> d.record().kafkaOffset() == offset).findFirst()
                .orElseThrow().error().getMessage();
    }

    @Test
    void withoutADeadLetterQueueAnUnwritableRecordFailsTheTaskNamingIt() {
        server = EventStoreStandIn.start();
        Customers customers = new Customers(Envelopes.Flavor.MYSQL, Customers.Shape.MAP);
        SinkTaskRunner runner = runner(server).start();
        SinkRecord unknownOp = new SinkRecord(customers.topic(), 0, null, Map.of("id", 1), null,
                Map.of("op", "x", "source", Map.of("table", "customers")), 8);

        assertThatThrownBy(() -> runner.put(customers.create(1, "a", 7), unknownOp))
                .isInstanceOf(ConnectException.class)
                .hasMessageContaining("topic " + customers.topic() + " partition 0 offset 8")
                .hasMessageContaining("a Debezium change event with op 'x', which this sink does not know")
                .hasMessageContaining("errors.deadletterqueue.topic.name");
    }

    @Test
    void withoutADeadLetterQueueAnAppendRefusedForGoodFailsTheNextPut() throws Exception {
        server = EventStoreStandIn.start();
        tombstoneStream("customers-3");
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.MAP);
        SinkTaskRunner runner = runner(server).start();

        runner.put(customers.create(3, "a", 12));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThatThrownBy(() -> runner.put(List.of()))
                        .isInstanceOf(ConnectException.class)
                        .hasMessageContaining("partition 0 offset 12")
                        .hasMessageContaining("stream 'customers-3' is deleted"));
        assertThat(runner.committable(new TopicPartition(customers.topic(), 0))).isEmpty();
    }

    private void tombstoneStream(String stream) throws Exception {
        KurrentDBClient client = KurrentDBClient.create(KurrentDBConnectionString.parseOrThrow(server.connectionString()));
        try {
            client.tombstoneStream(stream).get();
        } finally {
            client.shutdown();
        }
    }
}
