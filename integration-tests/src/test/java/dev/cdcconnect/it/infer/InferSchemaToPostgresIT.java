package dev.cdcconnect.it.infer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.PostgresServer;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Seed 001's pipeline without ksqlDB or hand-declared columns: schemaless JSON orders, as its generator
 * writes them, go through InferSchema into Debezium's JDBC sink, which creates and evolves a real Postgres table.
 */
class InferSchemaToPostgresIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = "infer-orders";
    private static final String STORE_TOPIC = "infer-orders-schemas";
    private static final String SINK = "infer-orders-sink";
    private static final String TABLE = "orders";

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static Database target;

    /** The latest document of each order, as the table must show it after upserts. */
    private final Map<Long, Map<String, Object>> latest = new TreeMap<>();

    @BeforeAll
    static void start() {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        target = PostgresServer.shared().createDatabase("infer_target");
        connect.createTopic(TOPIC, 1);
    }

    @AfterAll
    static void stop() {
        rest.delete(SINK);
    }

    @Test
    void schemalessOrdersLandInAnEvolvingTableAcrossARestart() throws Exception {
        Random random = new Random(1);
        try (KafkaProducer<byte[], byte[]> producer = connect.producer(Map.of())) {
            // Orders already waiting in the topic when the connector starts
            for (long id = 1; id <= 30; id++) {
                send(producer, order(random, id, false, false));
            }
            producer.flush();
            rest.createOrUpdate(SINK, sinkConfig());
            rest.awaitRunning(SINK, 1, TIMEOUT);
            awaitRows();
            Map<String, String> created = columnTypes();
            assertThat(created).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                    Map.entry("order_id", "bigint"), Map.entry("user_id", "bigint"), Map.entry("store_id", "bigint"),
                    Map.entry("quantity", "bigint"), Map.entry("amount", "numeric(10,2)"),
                    Map.entry("weight", "double precision"),
                    Map.entry("ordered_at", "timestamp without time zone"), Map.entry("customer_name", "text"),
                    Map.entry("customer_address_city", "text"), Map.entry("customer_address_zip", "text"),
                    Map.entry("items", "text"), Map.entry("coupon", "text"), Map.entry("note", "text")));
            assertThat(primaryKey()).containsExactly("order_id");

            // A new field, amounts and weights that turn fractional, an upsert; the connector restarts mid-stream
            for (long id = 31; id <= 60; id++) {
                send(producer, order(random, id, true, false));
            }
            send(producer, update(5));
            producer.flush();
            // seed (1), first orders (2), gift_wrap (3): the widest schema the table has seen before the restart
            int versionBeforeRestart = awaitStoredVersionAtLeast(3);
            rest.restart(SINK, true, false);
            rest.awaitRunning(SINK, 1, TIMEOUT);

            // After the restart: narrower documents again (integers only) and one more new field
            for (long id = 61; id <= 80; id++) {
                send(producer, order(random, id, false, true));
            }
            send(producer, update(31));
            producer.flush();
            awaitRows();

            Map<String, String> after = columnTypes();
            Map<String, String> expected = new TreeMap<>(created);
            expected.put("gift_wrap", "boolean");
            expected.put("channel", "text");
            assertThat(after).as("columns after the restart: added, none narrowed").isEqualTo(expected);
            rest.awaitRunning(SINK, 1, TIMEOUT);

            List<JsonNode> stored = storedSchemas();
            List<Integer> versions = stored.stream().map(s -> s.path("version").asInt()).toList();
            assertThat(versions).as("stored schema versions").isSorted().last().isEqualTo(versionBeforeRestart + 1);
            JsonNode last = stored.get(stored.size() - 1).path("root").path("fields");
            Map<String, String> storedTypes = new TreeMap<>();
            last.forEach(f -> storedTypes.put(f.path("name").asText(), f.path("type").asText()));
            assertThat(storedTypes).containsEntry("weight", "float64").containsEntry("gift_wrap", "boolean")
                    .containsEntry("channel", "string").containsEntry("quantity", "int64")
                    // hinted fields are stored in place, with the inferred type closest to their hint
                    .containsEntry("amount", "float64").containsEntry("ordered_at", "timestamp");
        }
    }

    @Test
    void badTypeHintIsReportedByConfigValidation() {
        Map<String, String> config = sinkConfig();
        config.put("transforms.infer.type.hints", "amount:decimal(10,2),id:integer");
        ConnectRestClient.Validation validation = rest.validate(config.get("connector.class"), config);
        assertThat(validation.errors()).containsKey("transforms.infer.type.hints");
        assertThat(validation.errors().get("transforms.infer.type.hints")).singleElement().asString()
                .contains("id:integer").contains("unknown type 'integer'");
    }

    private Map<String, String> sinkConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("connector.class", "io.debezium.connector.jdbc.JdbcSinkConnector");
        config.put("tasks.max", "1");
        config.put("topics", TOPIC);
        config.put("connection.url", target.jdbcUrl());
        config.put("connection.username", target.user());
        config.put("connection.password", target.password());
        config.put("insert.mode", "upsert");
        config.put("primary.key.mode", "record_key");
        config.put("primary.key.fields", "order_id");
        config.put("schema.evolution", "basic");
        config.put("collection.name.format", TABLE);
        config.put("consumer.override.auto.offset.reset", "earliest");
        config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        config.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        config.put("value.converter.schemas.enable", "false");
        config.put("transforms", "infer");
        config.put("transforms.infer.type", "dev.cdcconnect.infer.InferSchema$Value");
        config.put("transforms.infer.key.fields", "order_id");
        config.put("transforms.infer.type.hints", "amount:decimal(10,2),ordered_at:timestamp");
        // Debezium's JDBC sink adds columns but never changes a column's type: a field known to turn fractional
        // is seeded so its column is created wide enough
        config.put("transforms.infer.schema.seed", TOPIC + ":weight:float64");
        config.put("transforms.infer.schema.store.topic", STORE_TOPIC);
        config.put("transforms.infer.schema.store.bootstrap.servers", connect.bootstrapServers());
        return config;
    }

    /** An order the way seed 001's generator writes one: nested customer, items, optional coupon and note. */
    private Map<String, Object> order(Random random, long id, boolean later, boolean afterRestart) {
        Map<String, Object> order = new LinkedHashMap<>();
        order.put("order_id", id);
        order.put("user_id", 1 + random.nextInt(20));
        order.put("store_id", 1 + random.nextInt(5));
        order.put("quantity", 1 + random.nextInt(4));
        // integers at first; fractions later (the JSON text shows 12, then 12.5)
        order.put("amount", later ? (Object) BigDecimal.valueOf(1000 + random.nextInt(9000), 2)
                : (Object) (10 + random.nextInt(90)));
        order.put("weight", later ? (Object) (1 + random.nextInt(40) / 8.0) : (Object) (1 + random.nextInt(5)));
        order.put("ordered_at", "2024-05-%02dT%02d:%02d:00Z".formatted(1 + id % 28, id % 24, id % 60));
        order.put("customer", Map.of("name", "customer-" + random.nextInt(100),
                "address", Map.of("city", List.of("Oslo", "Lyon", "Pune").get(random.nextInt(3)),
                        "zip", "%04d".formatted(random.nextInt(10000)))));
        order.put("items", List.of(Map.of("sku", "SKU-" + random.nextInt(50), "qty", 1 + random.nextInt(3))));
        if (id % 3 == 0) {
            order.put("coupon", "SAVE" + (5 * (1 + random.nextInt(3))));
        }
        if (id % 4 == 0) {
            order.put("note", id % 8 == 0 ? null : "leave at the door");
        }
        if (later) {
            order.put("gift_wrap", random.nextBoolean());
        }
        if (afterRestart) {
            order.put("channel", List.of("web", "store").get(random.nextInt(2)));
        }
        return order;
    }

    private Map<String, Object> update(long id) {
        Map<String, Object> order = new LinkedHashMap<>(latest.get(id));
        order.put("quantity", 9);
        order.put("note", "changed by the customer");
        return order;
    }

    private void send(KafkaProducer<byte[], byte[]> producer, Map<String, Object> order) throws Exception {
        latest.put(((Number) order.get("order_id")).longValue(), order);
        producer.send(new ProducerRecord<>(TOPIC, null, JSON.writeValueAsBytes(order)));
    }

    /** Waits until the table holds exactly the latest document of every order, as columns show it. */
    private void awaitRows() {
        await("every order in table " + TABLE).atMost(TIMEOUT).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    assertThat(target.tableExists(TABLE)).as("table created").isTrue();
                    List<Map<String, Object>> rows = target.query("SELECT * FROM " + TABLE + " ORDER BY order_id");
                    assertThat(rows).hasSize(latest.size());
                    int i = 0;
                    for (Map<String, Object> order : latest.values()) {
                        assertRow(rows.get(i++), order);
                    }
                });
    }

    private static void assertRow(Map<String, Object> row, Map<String, Object> order) throws Exception {
        String what = "row of order " + order.get("order_id");
        for (String field : List.of("order_id", "user_id", "store_id", "quantity")) {
            assertThat(row.get(field)).as(what + " " + field).isEqualTo(((Number) order.get(field)).longValue());
        }
        assertThat((BigDecimal) row.get("amount")).as(what + " amount")
                .isEqualByComparingTo(new BigDecimal(order.get("amount").toString()));
        assertThat(row.get("weight")).as(what + " weight").isEqualTo(((Number) order.get("weight")).doubleValue());
        assertThat(((Timestamp) row.get("ordered_at")).toLocalDateTime()).as(what + " ordered_at")
                .isEqualTo(LocalDateTime.ofInstant(Instant.parse((String) order.get("ordered_at")), ZoneOffset.UTC));
        Map<?, ?> customer = (Map<?, ?>) order.get("customer");
        Map<?, ?> address = (Map<?, ?>) customer.get("address");
        assertThat(row.get("customer_name")).as(what).isEqualTo(customer.get("name"));
        assertThat(row.get("customer_address_city")).as(what).isEqualTo(address.get("city"));
        assertThat(row.get("customer_address_zip")).as(what).isEqualTo(address.get("zip"));
        assertThat(JSON.readTree(String.valueOf(row.get("items")))).as(what + " items")
                .isEqualTo(JSON.valueToTree(order.get("items")));
        for (String optional : List.of("coupon", "note", "gift_wrap", "channel")) {
            if (row.containsKey(optional)) {
                assertThat(row.get(optional)).as(what + " " + optional).isEqualTo(order.get(optional));
            }
        }
    }

    private List<String> primaryKey() {
        return target.query("SELECT a.attname AS name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
                + " AND a.attnum = ANY(i.indkey) WHERE i.indrelid = ?::regclass AND i.indisprimary", TABLE)
                .stream().map(r -> (String) r.get("name")).toList();
    }

    /** The learned value schemas of the topic, in the order the transform stored them. */
    private static List<JsonNode> storedSchemas() {
        int written = connect.endOffsets(STORE_TOPIC).values().stream().mapToInt(Long::intValue).sum();
        List<ConsumerRecord<byte[], byte[]>> records = connect.consume(STORE_TOPIC, written, Duration.ofSeconds(10));
        return records.stream()
                .filter(r -> ("value:" + TOPIC).equals(new String(r.key(), StandardCharsets.UTF_8)))
                .map(r -> {
                    try {
                        return JSON.readTree(r.value());
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }).toList();
    }

    private static int awaitStoredVersionAtLeast(int version) {
        int[] seen = new int[1];
        await("a stored schema of version " + version).atMost(TIMEOUT).pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    List<JsonNode> stored = storedSchemas();
                    seen[0] = stored.isEmpty() ? 0 : stored.get(stored.size() - 1).path("version").asInt();
                    return seen[0] >= version;
                });
        return seen[0];
    }

    private Map<String, String> columnTypes() {
        Map<String, String> types = new TreeMap<>();
        for (Map<String, Object> row : target.query("SELECT column_name, data_type, numeric_precision, numeric_scale"
                + " FROM information_schema.columns WHERE table_name = ?", TABLE)) {
            String type = (String) row.get("data_type");
            if ("numeric".equals(type)) {
                type += "(" + row.get("numeric_precision") + "," + row.get("numeric_scale") + ")";
            }
            types.put((String) row.get("column_name"), type);
        }
        return types;
    }
}
