package dev.cdcconnect.it.infer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
 * Records of the JSON orders pipeline (StringConverter keys, InferSchema with key.fields, Debezium's JDBC sink
 * upserting and deleting on the record key) carrying every kind of key a producer can send: each row is keyed by
 * its order_id whatever the record's key was, tombstones delete the row their key names, and a tombstone whose
 * key names no row goes to the dead letter queue; the task keeps running.
 */
class InferSchemaKeysIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String TOPIC = "infer-keyed-orders";
    private static final String DLQ = "infer-keyed-orders-dlq";
    private static final String SINK = "infer-keyed-orders-sink";
    private static final String TABLE = "keyed_orders";

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static Database target;

    @BeforeAll
    static void start() {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        target = PostgresServer.shared().createDatabase("infer_keys_target");
        connect.createTopic(TOPIC, 1);
    }

    @AfterAll
    static void stop() {
        rest.delete(SINK);
    }

    @Test
    void everyKeyFormReachesTheSinkAsTheOrderIdAndTombstonesDeleteTheirRow() throws Exception {
        rest.createOrUpdate(SINK, sinkConfig());
        rest.awaitRunning(SINK, 1, TIMEOUT);
        try (KafkaProducer<byte[], byte[]> producer = connect.producer(Map.of())) {
            send(producer, null, "{\"order_id\":1,\"qty\":1}");
            send(producer, text("abc"), "{\"order_id\":2,\"qty\":2}");
            send(producer, text("99001"), "{\"order_id\":99001,\"qty\":3}");
            send(producer, text("{\"order_id\":4}"), "{\"order_id\":4,\"qty\":4}");
            send(producer, new byte[] {(byte) 0xff, 0, 7}, "{\"order_id\":5,\"qty\":5}");
            send(producer, text("[1,2]"), "{\"order_id\":6,\"qty\":6}");
            send(producer, text(""), "{\"order_id\":8,\"qty\":8}");
            producer.flush();
            awaitRows(List.of(1L, 2L, 4L, 5L, 6L, 8L, 99001L));

            send(producer, text("99001"), null);            // offset 7: deletes 99001
            send(producer, text("{\"order_id\":4}"), null);  // offset 8: deletes 4
            send(producer, text("abc"), null);              // offset 9: names no order: dead letter
            send(producer, null, null);                     // offset 10: no key at all: dead letter
            send(producer, null, "{\"order_id\":7,\"qty\":7}");
            producer.flush();
            awaitRows(List.of(1L, 2L, 5L, 6L, 7L, 8L));
        }
        Map<Long, String> reasons = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> deadLetter : connect.consume(DLQ, 2, TIMEOUT)) {
            Map<String, String> headers = new LinkedHashMap<>();
            for (Header header : deadLetter.headers()) {
                headers.put(header.key(), header.value() == null ? null
                        : new String(header.value(), StandardCharsets.UTF_8));
            }
            reasons.put(Long.parseLong(headers.get("__connect.errors.offset")),
                    headers.get("__connect.errors.exception.message"));
        }
        assertThat(reasons).containsOnlyKeys(9L, 10L);
        assertThat(reasons.get(9L)).contains("tombstone at topic " + TOPIC + " partition 0 offset 9",
                "key field 'order_id' is int64", "\"abc\"");
        assertThat(reasons.get(10L)).contains("without a key names no row to delete");
        assertThat(target.query("SELECT order_id, qty FROM " + TABLE + " WHERE order_id = 2"))
                .containsExactly(Map.of("order_id", 2L, "qty", 2L));
        rest.awaitRunning(SINK, 1, TIMEOUT);
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
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
        config.put("delete.enabled", "true");
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
        return config;
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, byte[] key, String json) throws Exception {
        producer.send(new ProducerRecord<>(TOPIC, key, json == null ? null : json.getBytes(StandardCharsets.UTF_8)));
    }

    private static void awaitRows(List<Long> ids) {
        await("rows " + ids + " in " + TABLE).atMost(TIMEOUT).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            assertThat(target.tableExists(TABLE)).isTrue();
            assertThat(target.query("SELECT order_id FROM " + TABLE + " ORDER BY order_id").stream()
                    .map(r -> (Long) r.get("order_id")).toList()).isEqualTo(ids);
        });
    }
}
