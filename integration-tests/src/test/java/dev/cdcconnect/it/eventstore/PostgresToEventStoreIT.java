package dev.cdcconnect.it.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.testkit.connect.DebeziumSources;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.PostgresServer;
import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import dev.cdcconnect.standin.eventstore.StoredEvent;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The seed pipeline with the sink: a real Postgres table, Debezium's Postgres source and the EventStoreDB sink,
 * both loaded from plugin.path into the embedded 2-worker cluster; every change of a customer row becomes an event
 * of its {@code customers-<id>} stream, in commit order, with where it came from in its metadata.
 */
class PostgresToEventStoreIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final String SOURCE = "es-pg-source";
    private static final String SINK = "es-pg-sink";
    private static final String TOPIC = "espg.public.customers";

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static Database inventory;
    private static EventStoreStandIn eventStore;

    @BeforeAll
    static void start() {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        eventStore = EventStoreStandIn.start();
        inventory = PostgresServer.shared().createDatabase("es_inventory");
        inventory.execute(
                "CREATE TABLE customers (id INT PRIMARY KEY, first_name TEXT NOT NULL, email TEXT)",
                // Updates and deletes then carry the whole row before the change.
                "ALTER TABLE customers REPLICA IDENTITY FULL",
                "INSERT INTO customers VALUES (1, 'Sally', 'sally@example.com')");
    }

    @AfterAll
    static void stop() {
        rest.delete(SINK);
        rest.delete(SOURCE);
        eventStore.close();
    }

    @Test
    void insertsUpdatesAndDeletesBecomeEventsOfTheRowsStreamsInCommitOrderWithTheirOrigin() {
        rest.createOrUpdate(SOURCE, DebeziumSources.postgres(inventory, "espg")
                .slot("es_pg_slot").publication("es_pg_pub")
                .tables("public.customers")
                .build());
        rest.createOrUpdate(SINK, EventStoreSinks.config(eventStore, TOPIC, 1));
        rest.awaitRunning(SOURCE, 1, TIMEOUT);
        rest.awaitRunning(SINK, 1, TIMEOUT);

        // The snapshot read of the existing row shows the snapshot is done: later changes are streamed.
        awaitEvents("customers-1", 1);
        assertThat(eventStore.events("customers-1").get(0).eventType()).isEqualTo("Snapshotted");

        inventory.inTransaction(
                "INSERT INTO customers VALUES (2, 'George', 'george@example.com'), (3, 'Edward', 'ed@example.com')",
                "UPDATE customers SET email = 'sally@walker.example' WHERE id = 1");
        inventory.execute(
                "UPDATE customers SET email = 'george@wash.example' WHERE id = 2",
                "DELETE FROM customers WHERE id = 3");

        awaitEvents("customers-1", 2);
        awaitEvents("customers-2", 2);
        awaitEvents("customers-3", 2);

        List<StoredEvent> sally = eventStore.events("customers-1");
        List<StoredEvent> george = eventStore.events("customers-2");
        List<StoredEvent> edward = eventStore.events("customers-3");
        assertThat(eventStore.streams()).containsExactlyInAnyOrder("customers-1", "customers-2", "customers-3");
        assertThat(types(sally)).containsExactly("Snapshotted", "Updated");
        assertThat(types(george)).containsExactly("Created", "Updated");
        // The delete's tombstone is ignored by default: no event for it.
        assertThat(types(edward)).containsExactly("Created", "Deleted");

        assertThat(data(sally.get(0))).isEqualTo("{\"id\":1,\"first_name\":\"Sally\",\"email\":\"sally@example.com\"}");
        assertThat(data(sally.get(1))).isEqualTo("{\"id\":1,\"first_name\":\"Sally\",\"email\":\"sally@walker.example\"}");
        assertThat(data(george.get(0))).isEqualTo("{\"id\":2,\"first_name\":\"George\",\"email\":\"george@example.com\"}");
        assertThat(data(george.get(1))).isEqualTo("{\"id\":2,\"first_name\":\"George\",\"email\":\"george@wash.example\"}");
        assertThat(data(edward.get(0))).isEqualTo("{\"id\":3,\"first_name\":\"Edward\",\"email\":\"ed@example.com\"}");
        // A delete carries the row removed.
        assertThat(data(edward.get(1))).isEqualTo("{\"id\":3,\"first_name\":\"Edward\",\"email\":\"ed@example.com\"}");
        for (StoredEvent event : eventStore.category("customers")) {
            assertThat(event.isJson()).as("%s is JSON", event).isTrue();
        }

        // Each event's metadata names the Kafka record and the source change it comes from.
        Map<Long, ConsumerRecord<byte[], byte[]>> records = new HashMap<>();
        // snapshot read, 2 inserts and an update, an update, a delete and its tombstone
        for (ConsumerRecord<byte[], byte[]> record : connect.consume(TOPIC, 7, TIMEOUT)) {
            records.put(record.offset(), record);
        }
        assertThat(records).hasSize(7);
        for (StoredEvent event : eventStore.category("customers")) {
            JsonNode metadata = CustomerChanges.json(event.metadata());
            long offset = metadata.path("kafka.offset").asLong(-1);
            ConsumerRecord<byte[], byte[]> record = records.get(offset);
            assertThat(record).as("Kafka record at offset %s of %s", offset, event).isNotNull();
            JsonNode source = CustomerChanges.json(record.value()).path("payload").path("source");
            assertThat(metadata.path("kafka.topic").asText()).isEqualTo(TOPIC);
            assertThat(metadata.path("kafka.partition").asInt(-1)).isZero();
            assertThat(metadata.path("kafka.timestamp").asLong()).isEqualTo(record.timestamp());
            assertThat(metadata.path("source.connector").asText()).isEqualTo("postgresql");
            assertThat(metadata.path("source.db").asText()).isEqualTo("es_inventory");
            assertThat(metadata.path("source.schema").asText()).isEqualTo("public");
            assertThat(metadata.path("source.table").asText()).isEqualTo("customers");
            assertThat(metadata.path("source.txId").asLong()).isEqualTo(source.path("txId").asLong()).isPositive();
            assertThat(metadata.path("source.lsn").asLong()).isEqualTo(source.path("lsn").asLong()).isPositive();
            assertThat(metadata.path("source.ts_ms").asLong()).isEqualTo(source.path("ts_ms").asLong());
            if ("Snapshotted".equals(event.eventType())) {
                // No database transaction of the source made a snapshot read: no correlation id.
                assertThat(metadata.has("$correlationId")).as("%s", event).isFalse();
            } else {
                assertThat(metadata.path("$correlationId").asText()).isEqualTo(source.path("txId").asText());
            }
        }

        // Commit order within each stream: Kafka offsets and log positions only grow.
        for (List<StoredEvent> stream : List.of(sally, george, edward)) {
            assertThat(longs(stream, "kafka.offset")).isSorted().doesNotHaveDuplicates();
            assertThat(longs(stream, "source.lsn")).isSorted();
        }

        // The changes of one transaction share its id as $correlationId, which $by_correlation_id groups by.
        String firstTransaction = correlationId(george.get(0));
        assertThat(correlationId(edward.get(0))).isEqualTo(firstTransaction);
        assertThat(correlationId(sally.get(1))).isEqualTo(firstTransaction);
        assertThat(eventStore.byCorrelationId(firstTransaction)).extracting(StoredEvent::stream)
                .containsExactlyInAnyOrder("customers-1", "customers-2", "customers-3");
        assertThat(correlationId(george.get(1))).isNotEqualTo(firstTransaction);
        assertThat(correlationId(edward.get(1))).isNotIn(firstTransaction, correlationId(george.get(1)));
        assertThat(rest.status(SINK).orElseThrow().path("tasks").get(0).path("state").asText()).isEqualTo("RUNNING");
    }

    private static void awaitEvents(String stream, int count) {
        await(count + " events in " + stream).atMost(TIMEOUT).pollInterval(Duration.ofMillis(300)).until(() -> {
            EventStoreSinks.failIfATaskFailed(rest, SINK);
            return eventStore.events(stream).size() >= count;
        });
    }

    private static List<String> types(List<StoredEvent> events) {
        return events.stream().map(StoredEvent::eventType).toList();
    }

    private static String data(StoredEvent event) {
        return event.dataAsString();
    }

    private static List<Long> longs(List<StoredEvent> events, String field) {
        return events.stream().map(e -> CustomerChanges.json(e.metadata()).path(field).asLong()).toList();
    }

    private static String correlationId(StoredEvent event) {
        return CustomerChanges.json(event.metadata()).path("$correlationId").asText();
    }
}
