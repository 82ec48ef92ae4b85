package dev.cdcconnect.it.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cdcconnect.it.eventstore.EventStoreSinks;
import dev.cdcconnect.it.recipes.Recipe;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import dev.cdcconnect.standin.eventstore.StoredEvent;
import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.MariaDbServer;
import dev.cdcconnect.testkit.registry.SchemaRegistryServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seed 002 in Avro, as the bundle ships it ({@code etc/avro/002-mysql-source.json} and
 * {@code etc/avro/002-eventstore.json}, what the compose demo's Avro switch deploys): Debezium's MySQL source
 * (MariaDB here, with Debezium's MariaDB connector class) writes the inventory's changes in Avro through a real
 * schema registry, and the EventStoreDB sink reads them back through the registry into one stream per row,
 * {@code avro<table>-<id>}. The same changes also run through seed 002's JSON examples
 * ({@code etc/002-mysql-source.json}, {@code etc/002-eventstore.json}, the worker's JSON converter), under names
 * and topics of their own: every stream must hold the same events, types and data byte for byte, decimals, dates,
 * times and timestamps included, and a column added mid-run must flow through without a restart.
 */
class MySqlAvroToEventStoreRecipeIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Recipe SOURCE = Recipe.load("avro/002-mysql-source.json");
    private static final Recipe SINK = Recipe.load("avro/002-eventstore.json");
    private static final Recipe JSON_SOURCE = Recipe.load("002-mysql-source.json");
    private static final Recipe JSON_SINK = Recipe.load("002-eventstore.json");
    /**
     * The JSON run's connector names, topic prefix and binlog client id: its own, so that neither run nor the
     * JSON recipe's run elsewhere in the suite resumes from the other's offsets and schema history.
     */
    private static final String JSON_SOURCE_NAME = JSON_SOURCE.name() + "-beside-avro";
    private static final String JSON_SINK_NAME = JSON_SINK.name() + "-beside-avro";
    private static final String JSON_PREFIX = "jsondbserver1";
    private static final String PREFIX = SOURCE.config().get("topic.prefix");
    private static final String STREAM_PREFIX = "avro";

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static SchemaRegistryServer registry;
    private static Database inventory;
    private static EventStoreStandIn avroStore;
    private static EventStoreStandIn jsonStore;

    @BeforeAll
    static void start() {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        registry = SchemaRegistryServer.shared();
        avroStore = EventStoreStandIn.start();
        jsonStore = EventStoreStandIn.start();
        inventory = MariaDbServer.shared().createDatabase(SOURCE.config().get("database.include.list"));
        inventory.execute(
                "CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, email VARCHAR(200),"
                        + " city VARCHAR(100))",
                // the demo's orders (docker/sql/mysql.sql), with more of MySQL's temporal and numeric types
                "CREATE TABLE orders (id BIGINT PRIMARY KEY, user_id INT NOT NULL, product VARCHAR(100) NOT NULL,"
                        + " quantity INT NOT NULL, amount DECIMAL(10,2) NOT NULL, status VARCHAR(20) NOT NULL,"
                        + " created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), ship_date DATE,"
                        + " packed_at DATETIME(6), pickup TIME(6), weight DOUBLE, gift BOOLEAN NOT NULL DEFAULT FALSE,"
                        + " label BLOB)",
                "INSERT INTO users VALUES (1, 'Sally Thomas', 'sally.thomas@example.com', 'Lisbon'),"
                        + " (2, 'George Bailey', NULL, 'Porto')",
                "INSERT INTO orders VALUES (1, 1, 'Kettle', 1, 24.90, 'new', '2024-03-01 10:11:12.345', '2024-03-04',"
                        + " '2024-03-02 08:30:15.123456', '08:30:15.5', 1.25, TRUE, x'00ff10')");
    }

    @AfterAll
    static void stop() {
        for (String connector : List.of(SINK.name(), JSON_SINK_NAME, SOURCE.name(), JSON_SOURCE_NAME)) {
            rest.delete(connector);
        }
        avroStore.close();
        jsonStore.close();
    }

    @Test
    void avroChangesBecomeTheEventsTheJsonRecipeWritesOneStreamPerRow() {
        Map<String, String> source = SOURCE.configWith(withRegistry(SOURCE,
                SOURCE.onMariaDb(inventory, connect.bootstrapServers())));
        Map<String, String> sink = SINK.configWith(withRegistry(SINK,
                Map.of("eventstore.connection.string", avroStore.connectionString())));
        assertThat(SOURCE.validate(rest, source)).as("etc/avro/002-mysql-source.json validates").isEmpty();
        assertThat(SINK.validate(rest, sink)).as("etc/avro/002-eventstore.json validates").isEmpty();
        Map<String, String> jsonSource = AvroConverters.with(JSON_SOURCE.configWith(withJsonTopics(
                JSON_SOURCE.onMariaDb(inventory, connect.bootstrapServers()))), AvroConverters.json());
        Map<String, String> jsonSink = AvroConverters.with(JSON_SINK.configWith(Map.of(
                "eventstore.connection.string", jsonStore.connectionString(),
                "topics.regex", JSON_PREFIX + "\\.inventory\\..*",
                "errors.deadletterqueue.topic.name", JSON_SINK.config().get("errors.deadletterqueue.topic.name")
                        + "-beside-avro")), AvroConverters.json());

        rest.createOrUpdate(SOURCE.name(), source);
        rest.createOrUpdate(JSON_SOURCE_NAME, jsonSource);
        rest.awaitRunning(SOURCE.name(), 1, TIMEOUT);
        rest.awaitRunning(JSON_SOURCE_NAME, 1, TIMEOUT);
        // the sinks subscribe by pattern: to the topics that exist when they start
        for (String prefix : List.of(PREFIX, JSON_PREFIX)) {
            connect.awaitRecords(prefix + ".inventory.users", 2, TIMEOUT);
            connect.awaitRecords(prefix + ".inventory.orders", 1, TIMEOUT);
        }
        rest.createOrUpdate(SINK.name(), sink);
        rest.createOrUpdate(JSON_SINK_NAME, jsonSink);
        int tasks = Integer.parseInt(SINK.config().get("tasks.max"));
        rest.awaitRunning(SINK.name(), tasks, TIMEOUT);
        rest.awaitRunning(JSON_SINK_NAME, tasks, TIMEOUT);
        awaitEvents("orders-1", 1);

        inventory.inTransaction(
                "INSERT INTO orders (id, user_id, product, quantity, amount, status, created_at, ship_date, packed_at,"
                        + " pickup, weight, gift, label) VALUES (2, 2, 'Teapot', 2, 1234567.89, 'new',"
                        + " '1999-12-31 23:59:59.999', NULL, '1969-07-20 20:17:40', '23:59:59.999999', NULL, FALSE,"
                        + " NULL)",
                "UPDATE users SET email = 'gbailey@example.com' WHERE id = 2");
        inventory.execute("UPDATE orders SET status = 'shipped', ship_date = '2024-02-29' WHERE id = 1",
                "DELETE FROM orders WHERE id = 2");
        // A column added while everything runs: a new Avro schema version, read by the sink without a restart.
        inventory.execute("ALTER TABLE orders ADD COLUMN coupon VARCHAR(20)",
                "INSERT INTO orders (id, user_id, product, quantity, amount, status, coupon)"
                        + " VALUES (3, 1, 'Cup', 4, 3.50, 'new', 'WELCOME')");

        Map<String, List<String>> expected = new LinkedHashMap<>();
        expected.put("users-1", List.of("Snapshotted"));
        expected.put("users-2", List.of("Snapshotted", "Updated"));
        expected.put("orders-1", List.of("Snapshotted", "Updated"));
        expected.put("orders-2", List.of("Created", "Deleted"));
        expected.put("orders-3", List.of("Created"));
        expected.forEach((stream, types) -> awaitEvents(stream, types.size()));

        // One stream per row in each run, with the same events.
        assertThat(jsonStore.streams()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        assertThat(avroStore.streams()).containsExactlyInAnyOrderElementsOf(
                expected.keySet().stream().map(s -> STREAM_PREFIX + s).toList());
        expected.forEach((stream, types) -> {
            List<StoredEvent> fromJson = jsonStore.events(stream);
            List<StoredEvent> fromAvro = avroStore.events(STREAM_PREFIX + stream);
            assertThat(fromJson).extracting(StoredEvent::eventType).as(stream).containsExactlyElementsOf(types);
            assertThat(fromAvro).extracting(StoredEvent::eventType).as(STREAM_PREFIX + stream)
                    .containsExactlyElementsOf(types);
            for (int i = 0; i < types.size(); i++) {
                assertThat(fromAvro.get(i).dataAsString()).as("event %s of %s", i, STREAM_PREFIX + stream)
                        .isEqualTo(fromJson.get(i).dataAsString());
            }
        });

        // What both runs agree on is the values MySQL has, in the JSON forms of their logical types.
        JsonNode kettle = data("orders-1", 0);
        assertThat(kettle.path("amount").decimalValue()).isEqualByComparingTo("24.90");
        assertThat(kettle.path("ship_date").asText()).isEqualTo("2024-03-04");
        assertThat(kettle.path("packed_at").asText()).isEqualTo("2024-03-02T08:30:15.123456");
        assertThat(Instant.parse(kettle.path("created_at").asText())).as("created_at, a TIMESTAMP: an instant")
                .isEqualTo(epochInstant("SELECT UNIX_TIMESTAMP(created_at) AS t FROM orders WHERE id = 1"));
        assertThat(kettle.path("weight").asDouble()).isEqualTo(1.25);
        assertThat(data("orders-1", 1).path("ship_date").asText()).isEqualTo("2024-02-29");
        assertThat(data("orders-1", 1).path("status").asText()).isEqualTo("shipped");
        JsonNode teapot = data("orders-2", 0);
        assertThat(teapot.path("amount").decimalValue()).isEqualByComparingTo("1234567.89");
        assertThat(teapot.path("packed_at").asText()).isEqualTo("1969-07-20T20:17:40");
        assertThat(teapot.path("ship_date").isNull()).isTrue();
        assertThat(data("orders-2", 1).path("product").asText()).as("a delete's event holds the deleted row")
                .isEqualTo("Teapot");
        assertThat(data("orders-1", 1).has("coupon")).isFalse();
        assertThat(data("orders-3", 0).path("coupon").asText()).isEqualTo("WELCOME");
        assertThat(data("users-2", 1).path("email").asText()).isEqualTo("gbailey@example.com");

        // The order placed and the email changed in one transaction share their correlation id.
        String transaction = correlationId("orders-2", 0);
        assertThat(transaction).isNotEmpty();
        assertThat(correlationId("users-2", 1)).isEqualTo(transaction);
        assertThat(correlationId("orders-1", 1)).isNotEqualTo(transaction);

        // Through the registry: topic-name subjects, a second value version for the column added, Confluent's
        // framing; and nothing went to the dead letter queue.
        String orders = PREFIX + ".inventory.orders";
        assertThat(registry.subjects()).contains(orders + "-key", orders + "-value", PREFIX + ".inventory.users-value");
        assertThat(registry.versions(orders + "-value")).hasSize(2);
        for (ConsumerRecord<byte[], byte[]> record : connect.consume(orders, 5, TIMEOUT)) {
            if (record.value() != null) {
                assertThat(record.value()[0]).isZero();
                int id = ByteBuffer.wrap(record.value(), 1, 4).getInt();
                assertThat(registry.schemaById(id).path("name").asText()).endsWith("Envelope");
            }
        }
        assertThat(connect.records(SINK.config().get("errors.deadletterqueue.topic.name")))
                .as("records in the Avro sink's dead letter queue").isZero();
    }

    /** Waits until the stream of this name in each run holds this many events. */
    private static void awaitEvents(String stream, int count) {
        await(count + " events in " + stream + " of each run").atMost(TIMEOUT).pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    EventStoreSinks.failIfATaskFailed(rest, SINK.name());
                    EventStoreSinks.failIfATaskFailed(rest, JSON_SINK_NAME);
                    return avroStore.events(STREAM_PREFIX + stream).size() >= count
                            && jsonStore.events(stream).size() >= count;
                });
    }

    /** The data of an event of the Avro run. */
    private static JsonNode data(String stream, int index) {
        return json(avroStore.events(STREAM_PREFIX + stream).get(index).dataAsString());
    }

    private static String correlationId(String stream, int index) {
        return json(avroStore.events(STREAM_PREFIX + stream).get(index).metadataAsString()).path("$correlationId")
                .asText();
    }

    private static Instant epochInstant(String sql) {
        BigDecimal seconds = new BigDecimal(inventory.query(sql).get(0).get("t").toString());
        return Instant.ofEpochSecond(seconds.longValue(), seconds.remainder(BigDecimal.ONE).movePointRight(9)
                .longValue());
    }

    /** The JSON run's own topics, schema history and binlog client, beside the Avro run's. */
    private static Map<String, String> withJsonTopics(Map<String, String> config) {
        Map<String, String> json = new LinkedHashMap<>(config);
        json.put("topic.prefix", JSON_PREFIX);
        json.put("schema.history.internal.kafka.topic", JSON_PREFIX + ".schema-history");
        json.put("database.server.id", "184058");
        return json;
    }

    /** The overrides plus this run's registry in every converter setting of the recipe that names one. */
    private static Map<String, String> withRegistry(Recipe recipe, Map<String, String> overrides) {
        Map<String, String> config = new LinkedHashMap<>(overrides);
        recipe.config().keySet().stream().filter(key -> key.endsWith("converter.apicurio.registry.url"))
                .forEach(key -> config.put(key, registry.apicurioApiUrl()));
        return config;
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
