package dev.cdcconnect.it.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.testkit.connect.DebeziumSources;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.MariaDbServer;
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
 * Seed 002's own source with the sink: a real MariaDB table, Debezium's MariaDB connector and the EventStoreDB sink
 * in the embedded 2-worker cluster; each change lands in its row's stream with its binlog file, position and GTID.
 */
class MariaDbToEventStoreIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final String SOURCE = "es-maria-source";
    private static final String SINK = "es-maria-sink";
    private static final String TOPIC = "esmaria.es_shop.customers";

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static Database shop;
    private static EventStoreStandIn eventStore;

    @BeforeAll
    static void start() {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        eventStore = EventStoreStandIn.start();
        shop = MariaDbServer.shared().createDatabase("es_shop");
        shop.execute(
                "CREATE TABLE customers (id INT PRIMARY KEY, first_name VARCHAR(64) NOT NULL, email VARCHAR(128))",
                "INSERT INTO customers VALUES (1000, 'Anne', 'anne@example.com')");
    }

    @AfterAll
    static void stop() {
        rest.delete(SINK);
        rest.delete(SOURCE);
        eventStore.close();
    }

    @Test
    void changesBecomeEventsOfTheRowsStreamsWithTheirBinlogPosition() {
        rest.createOrUpdate(SOURCE,
                DebeziumSources.mariadb(shop, "esmaria", 184061, connect.bootstrapServers()).build());
        rest.createOrUpdate(SINK, EventStoreSinks.config(eventStore, TOPIC, 1));
        rest.awaitRunning(SOURCE, 1, TIMEOUT);
        rest.awaitRunning(SINK, 1, TIMEOUT);

        awaitEvents("customers-1000", 1);
        assertThat(eventStore.events("customers-1000").get(0).eventType()).isEqualTo("Snapshotted");

        shop.inTransaction(
                "INSERT INTO customers VALUES (1001, 'Sally', 'sally@example.com')",
                "INSERT INTO customers VALUES (1002, 'George', 'george@example.com')");
        shop.execute(
                "UPDATE customers SET email = 'sally@walker.example' WHERE id = 1001",
                "DELETE FROM customers WHERE id = 1002",
                "UPDATE customers SET email = 'anne@new.example' WHERE id = 1000");

        awaitEvents("customers-1000", 2);
        awaitEvents("customers-1001", 2);
        awaitEvents("customers-1002", 2);

        List<StoredEvent> anne = eventStore.events("customers-1000");
        List<StoredEvent> sally = eventStore.events("customers-1001");
        List<StoredEvent> george = eventStore.events("customers-1002");
        assertThat(eventStore.streams()).containsExactlyInAnyOrder("customers-1000", "customers-1001", "customers-1002");
        assertThat(anne).extracting(StoredEvent::eventType).containsExactly("Snapshotted", "Updated");
        assertThat(sally).extracting(StoredEvent::eventType).containsExactly("Created", "Updated");
        assertThat(george).extracting(StoredEvent::eventType).containsExactly("Created", "Deleted");
        assertThat(anne.get(1).dataAsString())
                .isEqualTo("{\"id\":1000,\"first_name\":\"Anne\",\"email\":\"anne@new.example\"}");
        assertThat(sally.get(1).dataAsString())
                .isEqualTo("{\"id\":1001,\"first_name\":\"Sally\",\"email\":\"sally@walker.example\"}");
        assertThat(george.get(1).dataAsString())
                .isEqualTo("{\"id\":1002,\"first_name\":\"George\",\"email\":\"george@example.com\"}");

        Map<Long, ConsumerRecord<byte[], byte[]>> records = new HashMap<>();
        // snapshot read, 2 inserts, an update, a delete and its tombstone, an update
        for (ConsumerRecord<byte[], byte[]> record : connect.consume(TOPIC, 7, TIMEOUT)) {
            records.put(record.offset(), record);
        }
        assertThat(records).hasSize(7);
        for (StoredEvent event : eventStore.category("customers")) {
            JsonNode metadata = CustomerChanges.json(event.metadata());
            ConsumerRecord<byte[], byte[]> record = records.get(metadata.path("kafka.offset").asLong(-1));
            assertThat(record).as("the Kafka record of %s", event).isNotNull();
            JsonNode source = CustomerChanges.json(record.value()).path("payload").path("source");
            assertThat(metadata.path("kafka.topic").asText()).isEqualTo(TOPIC);
            assertThat(metadata.path("kafka.partition").asInt(-1)).isZero();
            assertThat(metadata.path("kafka.timestamp").asLong()).isEqualTo(record.timestamp());
            assertThat(metadata.path("source.connector").asText()).isEqualTo("mariadb");
            assertThat(metadata.path("source.db").asText()).isEqualTo("es_shop");
            assertThat(metadata.path("source.table").asText()).isEqualTo("customers");
            assertThat(metadata.path("source.file").asText()).isEqualTo(source.path("file").asText()).startsWith("binlog.");
            assertThat(metadata.path("source.pos").asLong()).isEqualTo(source.path("pos").asLong());
            assertThat(metadata.path("source.server_id").asLong()).isEqualTo(source.path("server_id").asLong());
            if (!"Snapshotted".equals(event.eventType())) {
                assertThat(metadata.path("source.pos").asLong()).isPositive();
                // MariaDB gives every transaction a GTID: the sink makes it the correlation id.
                assertThat(metadata.path("source.gtid").asText()).isEqualTo(source.path("gtid").asText()).isNotEmpty();
                assertThat(metadata.path("$correlationId").asText()).isEqualTo(source.path("gtid").asText());
            }
        }

        // The two inserts were one transaction: one correlation id, grouped by $by_correlation_id.
        String transaction = correlationId(sally.get(0));
        assertThat(correlationId(george.get(0))).isEqualTo(transaction);
        assertThat(eventStore.byCorrelationId(transaction)).extracting(StoredEvent::stream)
                .containsExactlyInAnyOrder("customers-1001", "customers-1002");
        assertThat(correlationId(sally.get(1))).isNotEqualTo(transaction);
        for (List<StoredEvent> stream : List.of(anne, sally, george)) {
            assertThat(stream).extracting(e -> CustomerChanges.json(e.metadata()).path("kafka.offset").asLong())
                    .isSorted().doesNotHaveDuplicates();
        }
    }

    private static void awaitEvents(String stream, int count) {
        await(count + " events in " + stream).atMost(TIMEOUT).pollInterval(Duration.ofMillis(300)).until(() -> {
            EventStoreSinks.failIfATaskFailed(rest, SINK);
            return eventStore.events(stream).size() >= count;
        });
    }

    private static String correlationId(StoredEvent event) {
        return CustomerChanges.json(event.metadata()).path("$correlationId").asText();
    }
}
