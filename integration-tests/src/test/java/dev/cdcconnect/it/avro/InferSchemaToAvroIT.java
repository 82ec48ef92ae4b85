package dev.cdcconnect.it.avro;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cdcconnect.it.eventstore.EventStoreSinks;
import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.testkit.connect.DebeziumSources;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.PostgresServer;
import dev.cdcconnect.testkit.registry.SchemaRegistryServer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * InferSchema's output registered as Avro, which makes schemaless JSON readable by any Avro consumer (what seed
 * 001's ksqlDB re-serialisation gave users): JSON documents stored as text in Postgres are captured by Debezium,
 * reduced to the document's JSON text (ExtractNewRecordState, ExtractField), given a schema by InferSchema and
 * written in Avro through a real schema registry. With {@code type.conflicts=widen}, the value subject gets one
 * version per widening and none for a document narrower than what was seen before.
 */
class InferSchemaToAvroIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final String SOURCE = "infer-avro-source";
    private static final String TOPIC = "inferavro.public.documents";
    private static final String SUBJECT = TOPIC + "-value";

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static SchemaRegistryServer registry;
    private static Database db;

    @BeforeAll
    static void start() {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        registry = SchemaRegistryServer.shared();
        db = PostgresServer.shared().createDatabase("infer_avro");
        db.execute("CREATE TABLE documents (id INT PRIMARY KEY, doc TEXT NOT NULL)",
                "INSERT INTO documents VALUES (1, '{\"order_id\": 1, \"amount\": 12, \"city\": \"Oslo\"}')");
    }

    @AfterAll
    static void stop() {
        rest.delete(SOURCE);
    }

    @Test
    void oneSubjectVersionPerWideningAndNoneForANarrowerDocument() {
        Map<String, String> config = new LinkedHashMap<>(DebeziumSources.postgres(db, "inferavro")
                .slot("infer_avro_slot").publication("infer_avro_pub").tables("public.documents").build());
        config.putAll(AvroConverters.avro(registry));
        config.put("transforms", "row,doc,infer");
        config.put("transforms.row.type", "io.debezium.transforms.ExtractNewRecordState");
        config.put("transforms.doc.type", "org.apache.kafka.connect.transforms.ExtractField$Value");
        config.put("transforms.doc.field", "doc");
        config.put("transforms.infer.type", "dev.cdcconnect.infer.InferSchema$Value");
        // Avro readers resolve long to double: a widened field is a compatible new version, not a conflict.
        config.put("transforms.infer.type.conflicts", "widen");
        rest.createOrUpdate(SOURCE, config);
        rest.awaitRunning(SOURCE, 1, TIMEOUT);
        awaitRecords(1);
        assertThat(registry.versions(SUBJECT)).containsExactly(1);

        // The same shape: no new version.
        db.execute("INSERT INTO documents VALUES (2, '{\"order_id\": 2, \"amount\": 30, \"city\": \"Lyon\"}')");
        awaitRecords(2);
        assertThat(registry.versions(SUBJECT)).containsExactly(1);

        // A widening: amount turns fractional (INT64 to FLOAT64).
        db.execute("INSERT INTO documents VALUES (3, '{\"order_id\": 3, \"amount\": 12.5, \"city\": \"Pune\"}')");
        awaitRecords(3);
        assertThat(registry.versions(SUBJECT)).containsExactly(1, 2);

        // Narrower documents (an integer amount again, a field missing): the widest schema stays, no new version.
        db.execute("INSERT INTO documents VALUES (4, '{\"order_id\": 4, \"amount\": 7}')");
        awaitRecords(4);
        assertThat(registry.versions(SUBJECT)).containsExactly(1, 2);

        // A widening: a new field.
        db.execute("INSERT INTO documents VALUES (5, '{\"order_id\": 5, \"amount\": 8, \"gift\": true}')");
        awaitRecords(5);
        assertThat(registry.versions(SUBJECT)).containsExactly(1, 2, 3);

        Map<String, String> first = fieldTypes(registry.schema(SUBJECT, 1));
        Map<String, String> last = fieldTypes(registry.schema(SUBJECT, 3));
        assertThat(first).containsEntry("amount", "long").containsKeys("order_id", "city");
        assertThat(last).containsEntry("amount", "double").containsEntry("gift", "boolean")
                .containsKeys("order_id", "city");
        assertThat(List.copyOf(last.keySet())).as("fields keep the order they were first seen in")
                .containsExactly("order_id", "amount", "city", "gift");
    }

    private static void awaitRecords(long count) {
        EventStoreSinks.failIfATaskFailed(rest, SOURCE);
        connect.awaitRecords(TOPIC, count, TIMEOUT);
    }

    /** Each field's Avro type, the non-null branch of an optional union. */
    private static Map<String, String> fieldTypes(JsonNode avroSchema) {
        Map<String, String> types = new LinkedHashMap<>();
        for (JsonNode field : avroSchema.path("fields")) {
            JsonNode type = field.path("type");
            if (type.isArray()) {
                for (JsonNode branch : type) {
                    if (!"null".equals(branch.asText())) {
                        type = branch;
                    }
                }
            }
            types.put(field.path("name").asText(), type.isObject() ? type.path("type").asText() : type.asText());
        }
        return types;
    }
}
