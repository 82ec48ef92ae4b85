package dev.cdcconnect.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cdcconnect.event.Envelopes;
import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import dev.cdcconnect.standin.eventstore.StoredEvent;
import io.kurrent.dbclient.EventData;
import io.kurrent.dbclient.KurrentDBClient;
import io.kurrent.dbclient.KurrentDBConnectionString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Delivery into streams: order, metadata, acknowledged offsets, exactly-once across restarts, conflicts. */
class DeliveryTaskTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private EventStoreStandIn server;
    private final List<SinkTaskRunner> runners = new ArrayList<>();

    static Stream<Arguments> flavorsAndShapes() {
        return Stream.of(Envelopes.Flavor.POSTGRES, Envelopes.Flavor.MYSQL).flatMap(f ->
                Stream.of(Customers.Shape.values()).map(s -> Arguments.of(f, s)));
    }

    @BeforeEach
    void startServer() {
        server = EventStoreStandIn.start();
    }

    @AfterEach
    void stopAll() {
        runners.forEach(SinkTaskRunner::close);
        server.close();
    }

    private SinkTaskRunner runner() {
        SinkTaskRunner runner = new SinkTaskRunner(server);
        runners.add(runner);
        return runner;
    }

    private static JsonNode json(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Long> offsets(List<StoredEvent> events) {
        return events.stream().map(e -> json(e.metadata()).get("kafka.offset").asLong()).toList();
    }

    /** Creates, two updates and a delete for each of {@code rows} customers, interleaved as a database would. */
    private static List<SinkRecord> history(Customers customers, int rows, long firstOffset) {
        List<SinkRecord> records = new ArrayList<>();
        long offset = firstOffset;
        for (int id = 1; id <= rows; id++) {
            records.add(customers.create(id, "c" + id + "@v0", offset++));
        }
        for (int version = 1; version <= 2; version++) {
            for (int id = 1; id <= rows; id++) {
                records.add(customers.update(id, "c" + id + "@v" + (version - 1), "c" + id + "@v" + version, offset++));
            }
        }
        for (int id = 1; id <= rows; id += 2) {
            records.add(customers.delete(id, "c" + id + "@v2", offset++));
        }
        return records;
    }

    @ParameterizedTest
    @MethodSource("flavorsAndShapes")
    void changesLandInTheirRowsStreamsInOrderWithTheirMetadata(Envelopes.Flavor flavor, Customers.Shape shape) {
        Customers customers = new Customers(flavor, shape);
        SinkTaskRunner runner = runner().start();
        List<SinkRecord> records = history(customers, 10, 100);

        runner.put(records.subList(0, 17));
        runner.put(records.subList(17, records.size()));
        runner.awaitAcknowledged(new TopicPartition(customers.topic(), 0), 100 + records.size() - 1);

        List<StoredEvent> first = server.events("customers-1");
        assertThat(first).extracting(StoredEvent::eventType).containsExactly("Created", "Updated", "Updated", "Deleted");
        assertThat(first).extracting(e -> json(e.data()).get("email").asText())
                .containsExactly("c1@v0", "c1@v1", "c1@v2", "c1@v2");
        assertThat(offsets(first)).containsExactly(100L, 110L, 120L, 130L);
        JsonNode metadata = json(first.get(0).metadata());
        assertThat(metadata.get("kafka.topic").asText()).isEqualTo(customers.topic());
        assertThat(metadata.get("source.table").asText()).isEqualTo("customers");
        assertThat(metadata.get(flavor == Envelopes.Flavor.POSTGRES ? "source.lsn" : "source.pos")).isNotNull();
        assertThat(first.get(0).isJson()).isTrue();
        assertThat(server.events("customers-2")).extracting(StoredEvent::eventType)
                .containsExactly("Created", "Updated", "Updated");
        assertThat(server.streams()).hasSize(10);
        assertThat(server.category("customers")).hasSize(records.size());
    }

    @Test
    void postgresTransactionsCanBeFollowedThroughTheCorrelationProjection() {
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.STRUCT);
        SinkTaskRunner runner = runner().start();
        customers.envelopes().txId(5001);
        SinkRecord a = customers.create(1, "a", 0);
        SinkRecord b = customers.create(2, "b", 1);
        customers.envelopes().txId(5002);
        SinkRecord c = customers.update(1, "a", "a2", 2);

        runner.put(a, b, c);
        runner.awaitAcknowledged(new TopicPartition(customers.topic(), 0), 2);

        assertThat(server.byCorrelationId("5001")).extracting(StoredEvent::stream)
                .containsExactlyInAnyOrder("customers-1", "customers-2");
        assertThat(server.byCorrelationId("5002")).extracting(StoredEvent::stream).containsExactly("customers-1");
    }

    @Test
    void preCommitOffersOnlyOffsetsWhoseAppendsWereAcknowledged() {
        Customers customers = new Customers(Envelopes.Flavor.MYSQL, Customers.Shape.MAP);
        TopicPartition partition = new TopicPartition(customers.topic(), 0);
        SinkTaskRunner runner = runner().start();
        runner.put(customers.create(1, "a", 40));
        runner.awaitAcknowledged(partition, 40);
        assertThat(runner.committable(partition)).hasValue(41);

        server.setAppendLatency(Duration.ofSeconds(2));
        runner.put(customers.create(2, "b", 41), customers.create(3, "c", 42));

        assertThat(runner.committable(partition)).hasValue(41);
        assertThat(runner.committable(new TopicPartition("other", 0))).isEmpty();
        runner.awaitAcknowledged(partition, 42);
        assertThat(runner.committable(partition)).hasValue(43);
    }

    @ParameterizedTest
    @MethodSource("flavorsAndShapes")
    void aRestartedTaskSkipsWhatTheStreamsHoldEvenAfterTheServerForgotItsIds(Envelopes.Flavor flavor,
                                                                             Customers.Shape shape) {
        Customers customers = new Customers(flavor, shape);
        TopicPartition partition = new TopicPartition(customers.topic(), 0);
        List<SinkRecord> records = history(customers, 20, 0);
        SinkTaskRunner first = runner().start();
        first.put(records.subList(0, 50));
        first.awaitAcknowledged(partition, 49);
        first.stop();
        server.restart();

        // The worker had committed up to offset 30: what follows is delivered again, then the rest.
        SinkTaskRunner second = runner().start();
        second.put(records.subList(30, 40));
        second.put(records.subList(40, records.size()));
        second.awaitAcknowledged(partition, records.size() - 1);

        assertThat(server.category("customers")).hasSize(records.size());
        assertThat(offsets(server.events("customers-1"))).containsExactly(0L, 20L, 40L, 60L);
        assertThat(offsets(server.events("customers-20"))).containsExactly(19L, 39L, 59L);
        assertThat(TaskMetrics.of("RecordsSkipped")).isEqualTo(20);
        assertThat(TaskMetrics.of("StreamRecoveries")).isEqualTo(20);
    }

    @Test
    void recordsDeliveredAgainFromTheStartOfTheirStreamsAreRecognisedByTheirIds() {
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.STRUCT);
        TopicPartition partition = new TopicPartition(customers.topic(), 0);
        List<SinkRecord> records = history(customers, 5, 0);
        SinkTaskRunner first = runner().start();
        first.put(records);
        first.awaitAcknowledged(partition, records.size() - 1);
        first.stop();
        server.restart();

        SinkTaskRunner second = runner().start();
        second.put(records);
        second.awaitAcknowledged(partition, records.size() - 1);

        assertThat(server.category("customers")).hasSize(records.size());
        assertThat(offsets(server.events("customers-1"))).containsExactly(0L, 5L, 10L, 15L);
    }

    @Test
    void atLeastOnceWritesAgainWhatTheServerNoLongerRemembers() {
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.MAP);
        TopicPartition partition = new TopicPartition(customers.topic(), 0);
        List<SinkRecord> records = List.of(customers.create(1, "a", 0), customers.update(1, "a", "b", 1));
        SinkTaskRunner first = runner().with(EventStoreSinkConfig.DELIVERY_GUARANTEE, "at-least-once").start();
        first.put(records);
        first.awaitAcknowledged(partition, 1);
        first.stop();

        SinkTaskRunner second = runner().with(EventStoreSinkConfig.DELIVERY_GUARANTEE, "at-least-once").start();
        second.put(records);
        second.awaitAcknowledged(partition, 1);
        assertThat(server.events("customers-1")).hasSize(2);
        second.stop();

        server.restart();
        SinkTaskRunner third = runner().with(EventStoreSinkConfig.DELIVERY_GUARANTEE, "at-least-once").start();
        third.put(records);
        third.awaitAcknowledged(partition, 1);
        assertThat(offsets(server.events("customers-1"))).containsExactly(0L, 1L, 0L, 1L);
    }

    @Test
    void aForeignWriterIsToleratedWithoutDuplicatesWhenResyncing() throws Exception {
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.STRUCT);
        TopicPartition partition = new TopicPartition(customers.topic(), 0);
        SinkTaskRunner runner = runner().start();
        runner.put(customers.create(1, "a", 0));
        runner.awaitAcknowledged(partition, 0);

        appendForeignEvent("customers-1");
        runner.put(customers.update(1, "a", "b", 1), customers.update(1, "b", "c", 2));
        runner.awaitAcknowledged(partition, 2);

        assertThat(server.events("customers-1")).extracting(StoredEvent::eventType)
                .containsExactly("Created", "AuditNote", "Updated", "Updated");
        assertThat(runner.task()).isNotNull();
    }

    @Test
    void aForeignWriterFailsTheTaskWhenConfiguredTo() throws Exception {
        Customers customers = new Customers(Envelopes.Flavor.MYSQL, Customers.Shape.STRUCT);
        TopicPartition partition = new TopicPartition(customers.topic(), 0);
        SinkTaskRunner runner = runner().with(EventStoreSinkConfig.WRONG_EXPECTED_VERSION, "fail").start();
        runner.put(customers.create(1, "a", 0));
        runner.awaitAcknowledged(partition, 0);

        appendForeignEvent("customers-1");
        runner.put(customers.update(1, "a", "b", 1));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThatThrownBy(() -> runner.put(List.of()))
                        .isInstanceOf(ConnectException.class)
                        .hasMessageContaining("stream 'customers-1'")
                        .hasMessageContaining("expected revision 0, actual revision 1")
                        .hasMessageContaining("wrong.expected.version.handling=fail"));
        assertThat(runner.committable(partition)).hasValue(1);
    }

    @Test
    void aStreamFedFromSeveralPartitionsKeepsEachPartitionsPositionAcrossRestarts() {
        Customers p0 = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.STRUCT).partition(0);
        Customers p1 = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.STRUCT).partition(1);
        List<SinkRecord> records = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            records.add((i % 3 == 0 ? p1 : p0).create(i, "x", i));
        }
        SinkTaskRunner first = runner().with(EventStoreSinkConfig.STREAM_NAME_TEMPLATE, "all-customers").start();
        first.put(records.subList(0, 20));
        first.awaitAcknowledged(new TopicPartition(p0.topic(), 0), 19);
        first.awaitAcknowledged(new TopicPartition(p0.topic(), 1), 18);
        first.stop();

        SinkTaskRunner second = runner().with(EventStoreSinkConfig.STREAM_NAME_TEMPLATE, "all-customers").start();
        second.put(records);
        second.awaitAcknowledged(new TopicPartition(p0.topic(), 0), 29);
        second.awaitAcknowledged(new TopicPartition(p0.topic(), 1), 27);

        assertThat(offsets(server.events("all-customers")))
                .containsExactlyElementsOf(Stream.iterate(0L, i -> i + 1).limit(30).toList());
    }

    private void appendForeignEvent(String stream) throws Exception {
        KurrentDBClient client = KurrentDBClient.create(KurrentDBConnectionString.parseOrThrow(server.connectionString()));
        try {
            client.appendToStream(stream, EventData.builderAsJson("AuditNote", "{\"by\":\"ops\"}".getBytes()).build())
                    .get();
        } finally {
            client.shutdown();
        }
    }
}
