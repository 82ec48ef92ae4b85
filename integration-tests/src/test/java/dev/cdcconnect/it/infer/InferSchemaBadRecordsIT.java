package dev.cdcconnect.it.infer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.PostgresServer;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * With default settings, no value reaches Postgres changed through InferSchema and Debezium's JDBC sink (which
 * never alters a column's type): a record the table's columns cannot hold as it is goes to the dead letter
 * queue naming its field and value, the published schema and the table stay as they were, later valid records
 * keep landing, and an operator can change a field's type in the table and in the schema store.
 */
class InferSchemaBadRecordsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = "infer-bad-orders";
    private static final String STORE_TOPIC = "infer-bad-orders-schemas";
    private static final String DLQ = "infer-bad-orders-dlq";
    private static final String SINK = "infer-bad-orders-sink";
    private static final String TABLE = "bad_orders";

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static Database target;

    @BeforeAll
    static void start() {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        target = PostgresServer.shared().createDatabase("infer_bad_target");
        connect.createTopic(TOPIC, 1);
    }

    @AfterAll
    static void stop() {
        rest.delete(SINK);
    }

    @Test
    void recordsTheTableCannotHoldGoToTheDeadLetterQueueAndNoValueIsChanged() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = connect.producer(Map.of())) {
            send(producer, "{\"order_id\":1,\"qty\":42,\"ref\":7,\"gift\":true,\"note\":\"first\",\"weight\":1.5}");
            producer.flush();
            rest.createOrUpdate(SINK, sinkConfig());
            rest.awaitRunning(SINK, 1, TIMEOUT);
            awaitRowCount(1);
            Map<String, String> created = target.columnTypes(TABLE);

            // each would need a column to change type, or makes the table too wide; offsets 1 to 6
            List<String> bad = List.of(
                    "{\"order_id\":2,\"qty\":42.5}",
                    "{\"order_id\":3,\"ref\":\"A-7\"}",
                    "{\"order_id\":99001,\"gift\":\"yes\"}",
                    "{\"order_id\":5,\"note\":12}",
                    "{\"order_id\":6,\"weight\":9007199254740993}",
                    wide(7, 2000));
            for (String json : bad) {
                send(producer, json);
            }
            // a field absent for 1,000 records, then present; a nested object appearing later
            for (int id = 100; id < 1100; id++) {
                send(producer, "{\"order_id\":" + id + ",\"qty\":" + id + ",\"gift\":false}");
            }
            send(producer, "{\"order_id\":2000,\"qty\":3,\"late\":\"now here\",\"meta\":{\"channel\":\"web\"}}");
            producer.flush();

            awaitRowCount(1 + 1000 + 1);
            List<ConsumerRecord<byte[], byte[]>> deadLetters = connect.consume(DLQ, bad.size(), TIMEOUT);
            Map<Long, String> reasons = new TreeMap<>();
            for (ConsumerRecord<byte[], byte[]> deadLetter : deadLetters) {
                Map<String, String> headers = headers(deadLetter);
                assertThat(headers.get("__connect.errors.topic")).isEqualTo(TOPIC);
                reasons.put(Long.parseLong(headers.get("__connect.errors.offset")),
                        headers.get("__connect.errors.exception.message"));
            }
            assertThat(reasons).containsOnlyKeys(1L, 2L, 3L, 4L, 5L, 6L);
            assertThat(reasons.get(1L)).contains("offset 1", "field 'qty' is int64", "42.5");
            assertThat(reasons.get(2L)).contains("field 'ref' is int64", "\"A-7\" is a string");
            assertThat(reasons.get(3L)).contains("topic " + TOPIC + " partition 0 offset 3",
                    "field 'gift' is boolean", "\"yes\" is a string");
            assertThat(reasons.get(4L)).contains("field 'note' is string", "12 is an int64");
            assertThat(reasons.get(5L)).contains("field 'weight' is float64", "9007199254740993");
            assertThat(reasons.get(6L)).contains("2006 fields, more than max.fields=1000");

            // the table kept its columns (two added, none changed) and every value is exactly as sent
            Map<String, String> expected = new TreeMap<>(created);
            expected.put("late", "text");
            expected.put("meta_channel", "text");
            assertThat(new TreeMap<>(target.columnTypes(TABLE))).isEqualTo(expected);
            assertThat(target.query("SELECT qty, ref, gift, note, weight FROM " + TABLE + " WHERE order_id = 1"))
                    .containsExactly(row("qty", 42L, "ref", 7L, "gift", true, "note", "first", "weight", 1.5));
            assertThat(target.query("SELECT count(*) AS n FROM " + TABLE + " WHERE order_id BETWEEN 2 AND 7"
                    + " OR order_id = 99001")).containsExactly(Map.of("n", 0L));
            assertThat(target.query("SELECT qty, late, meta_channel FROM " + TABLE + " WHERE order_id = 2000"))
                    .containsExactly(row("qty", 3L, "late", "now here", "meta_channel", "web"));
            assertThat(target.query("SELECT count(*) AS n FROM " + TABLE + " WHERE order_id BETWEEN 100 AND 1099"
                    + " AND qty = order_id AND gift = false AND late IS NULL")).containsExactly(Map.of("n", 1000L));
            rest.awaitRunning(SINK, 1, TIMEOUT);

            // The operator decides gift is text from now on: the column first, then the stored schema
            target.execute("ALTER TABLE " + TABLE + " ALTER COLUMN gift TYPE text");
            String edited = storedSchema().replace("{\"name\":\"gift\",\"type\":\"boolean\"}",
                    "{\"name\":\"gift\",\"type\":\"string\"}").replaceFirst("\"version\":(\\d+)", "\"version\":100");
            assertThat(edited).contains("{\"name\":\"gift\",\"type\":\"string\"}");
            try (KafkaProducer<byte[], byte[]> store = connect.producer(Map.of())) {
                byte[] key = ("value:" + TOPIC).getBytes(StandardCharsets.UTF_8);
                store.send(new ProducerRecord<>(STORE_TOPIC, key, null)).get();
                store.send(new ProducerRecord<>(STORE_TOPIC, key, edited.getBytes(StandardCharsets.UTF_8))).get();
            }
            rest.restart(SINK, true, false);
            rest.awaitRunning(SINK, 1, TIMEOUT);
            send(producer, "{\"order_id\":99001,\"gift\":\"yes\"}");
            producer.flush();
            await("the re-sent gift order").atMost(TIMEOUT).pollInterval(Duration.ofMillis(300)).until(() ->
                    target.query("SELECT gift FROM " + TABLE + " WHERE order_id = 99001")
                            .equals(List.of(Map.of("gift", "yes"))));
            assertThat(target.query("SELECT gift FROM " + TABLE + " WHERE order_id = 1"))
                    .containsExactly(Map.of("gift", "true"));
        }
    }

    private static Map<String, Object> row(Object... keyValues) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            row.put((String) keyValues[i], keyValues[i + 1]);
        }
        return row;
    }

    private static String wide(long id, int fields) {
        StringBuilder b = new StringBuilder("{\"order_id\":").append(id);
        for (int i = 0; i < fields; i++) {
            b.append(",\"f").append(i).append("\":").append(i);
        }
        return b.append('}').toString();
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
        config.put("schema.evolution", "basic");
        config.put("collection.name.format", TABLE);
        config.put("consumer.override.auto.offset.reset", "earliest");
        config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        config.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        config.put("value.converter.schemas.enable", "false");
        config.put("errors.tolerance", "all");
        config.put("errors.deadletterqueue.topic.name", DLQ);
        config.put("errors.deadletterqueue.topic.replication.factor", "1");
        config.put("errors.deadletterqueue.context.headers.enable", "true");
        config.put("transforms", "infer");
        config.put("transforms.infer.type", "dev.cdcconnect.infer.InferSchema$Value");
        config.put("transforms.infer.key.fields", "order_id");
        config.put("transforms.infer.schema.store.topic", STORE_TOPIC);
        config.put("transforms.infer.schema.store.bootstrap.servers", connect.bootstrapServers());
        return config;
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String json) throws Exception {
        JSON.readTree(json); // the test sends valid JSON only
        producer.send(new ProducerRecord<>(TOPIC, null, json.getBytes(StandardCharsets.UTF_8)));
    }

    private static void awaitRowCount(long count) {
        await(count + " rows in " + TABLE).atMost(TIMEOUT).pollInterval(Duration.ofMillis(300)).until(() ->
                target.tableExists(TABLE) && ((Number) target.query("SELECT count(*) AS n FROM " + TABLE).get(0)
                        .get("n")).longValue() >= count);
    }

    /** The last schema stored for the topic, as JSON text. */
    private static String storedSchema() {
        int written = (int) connect.records(STORE_TOPIC);
        String last = null;
        for (ConsumerRecord<byte[], byte[]> r : connect.consume(STORE_TOPIC, written, Duration.ofSeconds(10))) {
            if (("value:" + TOPIC).equals(new String(r.key(), StandardCharsets.UTF_8)) && r.value() != null) {
                last = new String(r.value(), StandardCharsets.UTF_8);
            }
        }
        assertThat(last).as("a stored schema of " + TOPIC).isNotNull();
        return last;
    }

    private static Map<String, String> headers(ConsumerRecord<byte[], byte[]> record) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8));
        }
        return headers;
    }
}
