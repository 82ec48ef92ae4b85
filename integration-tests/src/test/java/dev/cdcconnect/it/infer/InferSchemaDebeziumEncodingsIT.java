package dev.cdcconnect.it.infer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.testkit.connect.DebeziumSources;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.PostgresServer;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.transforms.Transformation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Debezium's schemaless JSON (JsonConverter, schemas.enable=false) of a Postgres table with microsecond
 * timestamps and a decimal, through InferSchema: detection keeps every digit, the hints that read Debezium's
 * encodings write them exactly into Postgres through Debezium's JDBC sink, and the hints that cannot read them
 * refuse clearly rather than misread them.
 */
class InferSchemaDebeziumEncodingsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String SOURCE = "infer-dbz-source";
    private static final String SINK = "infer-dbz-sink";
    private static final String TOPIC = "inferdbz.public.payments";

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static Database source;
    private static Database target;

    @BeforeAll
    static void start() {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        PostgresServer postgres = PostgresServer.shared();
        source = postgres.createDatabase("infer_dbz_source");
        target = postgres.createDatabase("infer_dbz_target");
        source.execute(
                "CREATE TABLE payments (id INT PRIMARY KEY, paid_at TIMESTAMPTZ, booked_at TIMESTAMP(6),"
                        + " amount NUMERIC(10,2), day DATE)",
                "INSERT INTO payments VALUES"
                        + " (1, '2024-03-01 13:45:30.123456+00', '2024-03-01 13:45:30.123456', 123.45, '2024-03-01'),"
                        + " (2, '1999-12-31 23:59:59.999999+00', '1999-12-31 23:59:59.000001', -0.01, '1999-12-31')");
        Map<String, String> config = new LinkedHashMap<>(DebeziumSources.postgres(source, "inferdbz")
                .slot("infer_dbz_slot").publication("infer_dbz_pub").tables("public.payments").build());
        config.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
        config.put("key.converter.schemas.enable", "false");
        config.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        config.put("value.converter.schemas.enable", "false");
        rest.createOrUpdate(SOURCE, config);
        rest.awaitRunning(SOURCE, 1, TIMEOUT);
        connect.awaitRecords(TOPIC, 2, TIMEOUT);
    }

    @AfterAll
    static void stop() {
        rest.delete(SINK);
        rest.delete(SOURCE);
    }

    @Test
    void debeziumHintsWriteMicrosecondsAndDecimalsExactlyIntoPostgres() {
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
        config.put("collection.name.format", "payments_copy");
        config.put("consumer.override.auto.offset.reset", "earliest");
        config.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
        config.put("key.converter.schemas.enable", "false");
        config.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        config.put("value.converter.schemas.enable", "false");
        // the row state only (Kafka's ExtractField works on schemaless values), then its schema
        config.put("transforms", "after,infer");
        config.put("transforms.after.type", "org.apache.kafka.connect.transforms.ExtractField$Value");
        config.put("transforms.after.field", "after");
        config.put("transforms.infer.type", "dev.cdcconnect.infer.InferSchema$Value");
        config.put("transforms.infer.key.fields", "id");
        config.put("transforms.infer.iso8601.detect", "true");
        config.put("transforms.infer.type.hints", "paid_at:timestamp(micros),booked_at:timestamp(micros),"
                + "amount:decimal(10,2,base64),day:date");
        rest.createOrUpdate(SINK, config);
        rest.awaitRunning(SINK, 1, TIMEOUT);

        String query = "SELECT id, to_char(paid_at, 'YYYY-MM-DD HH24:MI:SS.US') AS paid_at,"
                + " to_char(booked_at, 'YYYY-MM-DD HH24:MI:SS.US') AS booked_at, amount, day::text AS day"
                + " FROM payments_copy ORDER BY id";
        await("both payments copied").atMost(TIMEOUT).pollInterval(Duration.ofMillis(300)).ignoreExceptions()
                .until(() -> target.tableExists("payments_copy") && target.query(query).size() == 2);
        List<Map<String, Object>> rows = target.query(query);
        assertThat(rows.get(0)).containsEntry("paid_at", "2024-03-01 13:45:30.123456")
                .containsEntry("booked_at", "2024-03-01 13:45:30.123456").containsEntry("day", "2024-03-01");
        assertThat((BigDecimal) rows.get(0).get("amount")).isEqualTo(new BigDecimal("123.45"));
        assertThat(rows.get(1)).containsEntry("paid_at", "1999-12-31 23:59:59.999999")
                .containsEntry("booked_at", "1999-12-31 23:59:59.000001").containsEntry("day", "1999-12-31");
        assertThat((BigDecimal) rows.get(1).get("amount")).isEqualTo(new BigDecimal("-0.01"));
        assertThat(target.columnTypes("payments_copy")).containsEntry("paid_at", "timestamp")
                .containsEntry("booked_at", "timestamp").containsEntry("amount", "numeric")
                .containsEntry("day", "date");
    }

    @Test
    void detectionKeepsEveryDigitAndHintsThatCannotReadAnEncodingRefuseIt() {
        List<SinkRecord> events = events();
        Transformation<SinkRecord> detect = InstalledInferSchema.value(Map.of("iso8601.detect", "true"));
        Struct first = (Struct) detect.apply(events.get(0)).value();
        // Debezium writes a timestamptz as ZonedTimestamp text with microseconds: it stays text, every digit kept
        assertThat(first.schema().field("after_paid_at").schema().type()).isEqualTo(Schema.Type.STRING);
        assertThat(first.get("after_paid_at")).isEqualTo("2024-03-01T13:45:30.123456Z");
        detect.close();

        for (Map.Entry<String, String> misread : Map.of(
                "after.booked_at:timestamp", "use timestamp(micros)",
                "after.paid_at:timestamp", "use timestamp(micros)",
                "after.amount:decimal(10,2)", "use decimal(10,2,base64)").entrySet()) {
            Transformation<SinkRecord> hinted = InstalledInferSchema.value(Map.of("type.hints", misread.getKey()));
            assertThatThrownBy(() -> hinted.apply(events.get(0))).as(misread.getKey())
                    .isInstanceOf(DataException.class).hasMessageContaining(misread.getValue());
            hinted.close();
        }
    }

    private static List<SinkRecord> events() {
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of("schemas.enable", "false"), false);
        List<ConsumerRecord<byte[], byte[]>> records = connect.consume(TOPIC, 2, TIMEOUT);
        return records.stream().map(r -> new SinkRecord(TOPIC, r.partition(), null, null, null,
                converter.toConnectData(TOPIC, r.value()).value(), r.offset())).toList();
    }
}
