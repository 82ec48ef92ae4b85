package dev.cdcconnect.it.infer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
import org.apache.kafka.common.header.Header;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.transforms.Transformation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tasks of one connector agree on a topic's schema through the schema store: with tasks.max=3 on a
 * 6-partition topic whose partitions disagree on a field's type, one type is published and kept by every task,
 * the records of the other type go to the dead letter queue, and the fields each task added reach the table.
 */
class InferSchemaTasksAgreeIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = "infer-split-orders";
    private static final String STORE_TOPIC = "infer-split-orders-schemas";
    private static final String DLQ = "infer-split-orders-dlq";
    private static final String SINK = "infer-split-orders-sink";
    private static final String TABLE = "split_orders";
    private static final int ROUNDS = 50;

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static Database target;

    @BeforeAll
    static void start() {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        target = PostgresServer.shared().createDatabase("infer_split_target");
        connect.createTopic(TOPIC, 6);
    }

    @AfterAll
    static void stop() {
        rest.delete(SINK);
    }

    @Test
    void threeTasksPublishOneTypePerFieldAndEveryFieldReachesTheTable() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = connect.producer(Map.of())) {
            // in even rounds, partitions 0-2 say v is a number, 3-5 that it is text; each partition also has a
            // field of its own, in every round
            for (int round = 0; round < ROUNDS; round++) {
                for (int p = 0; p < 6; p++) {
                    long id = round * 6L + p;
                    String v = round % 2 == 1 ? "" : ",\"v\":" + (p < 3 ? Long.toString(id) : "\"t" + id + "\"");
                    String json = "{\"id\":" + id + ",\"p\":" + p + v + ",\"f" + p + "\":" + round + "}";
                    producer.send(new ProducerRecord<>(TOPIC, p, null, json.getBytes(StandardCharsets.UTF_8)));
                }
            }
        }
        rest.createOrUpdate(SINK, sinkConfig());
        rest.awaitRunning(SINK, 3, TIMEOUT);

        long total = ROUNDS * 6L;
        await("every record in the table or the dead letter queue").atMost(TIMEOUT).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> target.tableExists(TABLE) && rows() + connect.records(DLQ) >= total);
        Map<String, String> columns = target.columnTypes(TABLE);
        assertThat(columns).containsOnlyKeys("id", "p", "v", "f0", "f1", "f2", "f3", "f4", "f5");
        String vType = columns.get("v");
        assertThat(vType).isIn("int8", "text");
        boolean numbers = vType.equals("int8");

        // every row holds its own v, of the published type; every record of the other type is a dead letter
        long conflicting = 3L * ROUNDS / 2;
        List<Map<String, Object>> rows = target.query("SELECT id, p, v FROM " + TABLE + " ORDER BY id");
        assertThat(rows).hasSize((int) (total - conflicting));
        assertThat(rows).allSatisfy(row -> {
            long id = (Long) row.get("id");
            boolean even = (id / 6) % 2 == 0;
            boolean winning = ((Number) row.get("p")).intValue() < 3 == numbers;
            assertThat(!even || winning).as("row %s", id).isTrue();
            assertThat(row.get("v")).as("row %s", id).isEqualTo(!even ? null : numbers ? (Object) id : "t" + id);
        });
        List<ConsumerRecord<byte[], byte[]>> deadLetters = connect.consume(DLQ, (int) conflicting, TIMEOUT);
        assertThat(deadLetters).hasSize((int) conflicting).allSatisfy(deadLetter -> {
            assertThat(header(deadLetter, "__connect.errors.exception.message"))
                    .contains("field 'v' is " + (numbers ? "int64" : "string") + " in the published schema");
            int partition = Integer.parseInt(header(deadLetter, "__connect.errors.partition"));
            assertThat(partition < 3).isEqualTo(!numbers);
        });
        // the last stored schema, which compaction keeps, holds every field at its published type
        JsonNode last = lastStored();
        Map<String, String> storedTypes = new LinkedHashMap<>();
        last.path("root").path("fields").forEach(f -> storedTypes.put(f.path("name").asText(), f.path("type").asText()));
        assertThat(storedTypes).containsOnlyKeys("id", "p", "v", "f0", "f1", "f2", "f3", "f4", "f5")
                .containsEntry("v", numbers ? "int64" : "string");
        rest.awaitRunning(SINK, 3, TIMEOUT);
    }

    @Test
    void aChangeStoredByOneTaskReachesAnotherWithinTheRefreshIntervalAndIsNeverContradicted() {
        String topic = "infer-two-tasks";
        Map<String, String> props = new HashMap<>();
        props.put("schema.store.topic", "infer-two-tasks-schemas");
        props.put("schema.store.bootstrap.servers", connect.bootstrapServers());
        props.put("schema.store.refresh.ms", "1000");
        Map<String, String> neverRefreshed = new HashMap<>(props);
        neverRefreshed.put("schema.store.refresh.ms", "3600000");
        Transformation<SinkRecord> first = InstalledInferSchema.value(props);
        Transformation<SinkRecord> second = InstalledInferSchema.value(props);
        Transformation<SinkRecord> stale = InstalledInferSchema.value(neverRefreshed);
        try {
            assertThat(first.apply(record(topic, 0, "{\"id\":1}")).valueSchema().version()).isEqualTo(1);
            assertThat(second.apply(record(topic, 1, "{\"id\":2}")).valueSchema().version()).isEqualTo(1);
            assertThat(stale.apply(record(topic, 2, "{\"id\":3}")).valueSchema().version()).isEqualTo(1);

            Schema changed = first.apply(record(topic, 3, "{\"id\":4,\"extra\":\"x\"}")).valueSchema();
            long stored = System.nanoTime();
            assertThat(changed.version()).isEqualTo(2);
            await("the second task sees the field the first one added").atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> second.apply(record(topic, 4, "{\"id\":5}")).valueSchema().field("extra") != null);
            long millis = (System.nanoTime() - stored) / 1_000_000;
            assertThat(millis).as("ms until the change reached the second task").isLessThan(1000 + 500);
            assertThat(second.apply(record(topic, 5, "{\"id\":6}")).valueSchema()).isEqualTo(changed);

            // a task that has not refreshed still never publishes another type for a field stored by another
            assertThatThrownBy(() -> stale.apply(record(topic, 6, "{\"id\":7,\"extra\":7}")))
                    .isInstanceOf(DataException.class)
                    .hasMessageContaining("field 'extra' is string in the published schema");
            assertThat(stale.apply(record(topic, 7, "{\"id\":8,\"extra\":\"y\"}")).valueSchema()).isEqualTo(changed);
        } finally {
            first.close();
            second.close();
            stale.close();
        }
    }

    private static SinkRecord record(String topic, long offset, String json) {
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of("schemas.enable", "false"), false);
        Object value = converter.toConnectData(topic, json.getBytes(StandardCharsets.UTF_8)).value();
        return new SinkRecord(topic, 0, null, null, null, value, offset);
    }

    private static long rows() {
        return ((Number) target.query("SELECT count(*) AS n FROM " + TABLE).get(0).get("n")).longValue();
    }

    private static JsonNode lastStored() {
        JsonNode last = null;
        int written = (int) connect.records(STORE_TOPIC);
        for (ConsumerRecord<byte[], byte[]> r : connect.consume(STORE_TOPIC, written, Duration.ofSeconds(10))) {
            if (("value:" + TOPIC).equals(new String(r.key(), StandardCharsets.UTF_8)) && r.value() != null) {
                try {
                    last = JSON.readTree(r.value());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        assertThat(last).isNotNull();
        return last;
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        for (Header header : record.headers()) {
            if (header.key().equals(name)) {
                return new String(header.value(), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private Map<String, String> sinkConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("connector.class", "io.debezium.connector.jdbc.JdbcSinkConnector");
        config.put("tasks.max", "3");
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
        config.put("transforms.infer.key.fields", "id");
        config.put("transforms.infer.schema.store.topic", STORE_TOPIC);
        config.put("transforms.infer.schema.store.bootstrap.servers", connect.bootstrapServers());
        return config;
    }
}
