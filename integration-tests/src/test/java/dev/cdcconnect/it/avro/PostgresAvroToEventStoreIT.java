package dev.cdcconnect.it.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cdcconnect.it.eventstore.EventStoreSinks;
import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.testkit.connect.DebeziumSources;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.PostgresServer;
import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import dev.cdcconnect.standin.eventstore.StoredEvent;
import dev.cdcconnect.testkit.registry.SchemaRegistryServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seed 003's format with the EventStoreDB sink: Debezium's Postgres source writes Avro through a real schema
 * registry and the sink reads it back through the registry. The same changes also run through a second pipeline
 * with the worker's JSON converter: each stream's events must be the same, byte for byte of their JSON, logical
 * types (decimals, dates, times, timestamps, UUIDs) included, and a column added mid-run must flow through both
 * without a restart.
 */
class PostgresAvroToEventStoreIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static SchemaRegistryServer registry;
    private static Database shop;
    private static EventStoreStandIn avroStore;
    private static EventStoreStandIn jsonStore;

    @BeforeAll
    static void start() {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        registry = SchemaRegistryServer.shared();
        avroStore = EventStoreStandIn.start();
        jsonStore = EventStoreStandIn.start();
        shop = PostgresServer.shared().createDatabase("avro_es_shop");
        shop.execute("""
                CREATE TABLE products (
                  id INT PRIMARY KEY,
                  name TEXT NOT NULL,
                  description TEXT,
                  price NUMERIC(10, 2) NOT NULL,
                  weight DOUBLE PRECISION,
                  stock SMALLINT,
                  views BIGINT,
                  active BOOLEAN NOT NULL,
                  launched DATE,
                  opens TIME,
                  created TIMESTAMP,
                  changed TIMESTAMPTZ,
                  sku UUID,
                  picture BYTEA)""",
                "ALTER TABLE products REPLICA IDENTITY FULL",
                """
                INSERT INTO products VALUES (1, 'Kettle', NULL, 24.90, 1.25, 12, 9000000000, true, '2021-03-04',
                  '08:30:15', '2021-03-04 10:11:12.345678', '2021-03-04 10:11:12.5+02', 'a3bb189e-8bf9-3888-9912-ace4e6543002',
                  '\\x00ff10')""");
    }

    @AfterAll
    static void stop() {
        for (String connector : List.of("avro-es-sink", "avro-es-source", "json-es-sink", "json-es-source")) {
            rest.delete(connector);
        }
        avroStore.close();
        jsonStore.close();
    }

    @Test
    void avroChangesBecomeTheSameEventsAsJsonChangesAndAnAddedColumnFlowsThrough() throws Exception {
        rest.createOrUpdate("avro-es-source", AvroConverters.with(DebeziumSources.postgres(shop, "avroes")
                .slot("avro_es_slot").publication("avro_es_pub").tables("public.products").build(),
                AvroConverters.avro(registry)));
        rest.createOrUpdate("json-es-source", AvroConverters.with(DebeziumSources.postgres(shop, "jsones")
                .slot("json_es_slot").publication("json_es_pub").tables("public.products").build(),
                AvroConverters.json()));
        rest.createOrUpdate("avro-es-sink", AvroConverters.with(
                EventStoreSinks.config(avroStore, "avroes.public.products", 1), AvroConverters.avro(registry)));
        rest.createOrUpdate("json-es-sink", AvroConverters.with(
                EventStoreSinks.config(jsonStore, "jsones.public.products", 1), AvroConverters.json()));
        for (String connector : List.of("avro-es-source", "json-es-source", "avro-es-sink", "json-es-sink")) {
            rest.awaitRunning(connector, 1, TIMEOUT);
        }
        awaitEvents(avroStore, "avro-es-sink", "products-1", 1);
        awaitEvents(jsonStore, "json-es-sink", "products-1", 1);

        shop.inTransaction(
                """
                INSERT INTO products VALUES (2, 'Teapot', 'Blue, 1 l', 1234567.89, NULL, -3, -1, false, '1999-12-31',
                  '23:59:59.999999', '1970-01-01 00:00:00', '2038-01-19 03:14:08Z', NULL, NULL)""",
                "UPDATE products SET price = 19.99, changed = '2024-02-29 12:00:00.000001+00' WHERE id = 1");
        shop.execute("DELETE FROM products WHERE id = 2");
        // A column added while everything runs: a new schema version, read by the sink without a restart.
        shop.execute("ALTER TABLE products ADD COLUMN discount NUMERIC(5, 3)",
                "UPDATE products SET discount = 0.125 WHERE id = 1",
                "INSERT INTO products (id, name, price, active, discount) VALUES (3, 'Cup', 3.50, true, NULL)");

        awaitEvents(avroStore, "avro-es-sink", "products-1", 3);
        awaitEvents(avroStore, "avro-es-sink", "products-2", 2);
        awaitEvents(avroStore, "avro-es-sink", "products-3", 1);
        awaitEvents(jsonStore, "json-es-sink", "products-1", 3);
        awaitEvents(jsonStore, "json-es-sink", "products-2", 2);
        awaitEvents(jsonStore, "json-es-sink", "products-3", 1);

        assertThat(avroStore.streams()).containsExactlyInAnyOrderElementsOf(jsonStore.streams());
        for (String stream : jsonStore.streams()) {
            List<StoredEvent> expected = jsonStore.events(stream);
            List<StoredEvent> actual = avroStore.events(stream);
            assertThat(actual).extracting(StoredEvent::eventType)
                    .containsExactlyElementsOf(expected.stream().map(StoredEvent::eventType).toList());
            for (int i = 0; i < expected.size(); i++) {
                assertThat(actual.get(i).dataAsString()).as("event %s of %s", i, stream)
                        .isEqualTo(expected.get(i).dataAsString());
            }
        }
        // What both runs agree on is the logical types' JSON forms, not their Avro or JSON encodings.
        JsonNode snapshot = json(avroStore.events("products-1").get(0).dataAsString());
        assertThat(snapshot.path("price").decimalValue()).isEqualByComparingTo("24.90");
        assertThat(snapshot.path("launched").asText()).isEqualTo("2021-03-04");
        assertThat(snapshot.path("created").asText()).isEqualTo("2021-03-04T10:11:12.345678");
        assertThat(snapshot.path("sku").asText()).isEqualTo("a3bb189e-8bf9-3888-9912-ace4e6543002");
        assertThat(snapshot.path("stock").asInt()).isEqualTo(12);
        assertThat(snapshot.path("views").asLong()).isEqualTo(9000000000L);
        JsonNode updated = json(avroStore.events("products-1").get(1).dataAsString());
        assertThat(updated.path("name").asText()).isEqualTo("Kettle");
        assertThat(updated.has("discount")).isFalse();
        JsonNode discounted = json(avroStore.events("products-1").get(2).dataAsString());
        assertThat(discounted.has("discount")).isTrue();
        assertThat(avroStore.events("products-3").get(0).dataAsString()).contains("\"name\":\"Cup\"");

        // The Avro records went through the registry: topic-name subjects, a second value version for the column
        // added, Confluent's framing (a zero byte, then the 4-byte schema id).
        assertThat(registry.subjects()).contains("avroes.public.products-key", "avroes.public.products-value");
        assertThat(registry.versions("avroes.public.products-value")).hasSize(2);
        assertThat(registry.latestSchema("avroes.public.products-value").toString())
                .contains("\"discount\"", "\"logicalType\":\"decimal\"", "io.debezium.time.MicroTimestamp");
        for (ConsumerRecord<byte[], byte[]> record : connect.consume("avroes.public.products", 4, TIMEOUT)) {
            if (record.value() != null) {
                assertThat(record.value()[0]).isZero();
                int id = ByteBuffer.wrap(record.value(), 1, 4).getInt();
                assertThat(registry.schemaById(id).path("name").asText())
                        .as("the schema of id %s, as a Confluent deserializer looks it up", id)
                        .endsWith("Envelope");
            }
        }
    }

    private static void awaitEvents(EventStoreStandIn store, String sink, String stream, int count) {
        await(count + " events in " + stream + " written by " + sink).atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(300)).until(() -> {
                    EventStoreSinks.failIfATaskFailed(rest, sink);
                    return store.events(stream).size() >= count;
                });
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
