package dev.cdcconnect.it.eventstore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import io.kurrent.dbclient.EventData;
import io.kurrent.dbclient.KurrentDBClient;
import io.kurrent.dbclient.KurrentDBConnectionString;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One batch holds, among good changes, one record of each kind the sink can never write: an event over the
 * maximum append size, a change for a stream deleted for good, a value that cannot be written as JSON, and a Debezium
 * envelope with an operation the sink does not know. Each goes to the dead letter queue with the worker's error headers; the
 * rest of the batch is written, in order, and the task keeps running.
 */
class PoisonRecordsIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final String SINK = "es-poison-sink";
    private static final String TOPIC = "bulk.poison.customers";
    private static final String DLQ = "bulk.poison.dlq";
    private static final String DELETED_STREAM = CustomerChanges.stream(13);

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static EventStoreStandIn eventStore;

    @BeforeAll
    static void start() throws Exception {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        eventStore = EventStoreStandIn.start();
        connect.createTopic(TOPIC, 1);
        // Another application wrote customers-13 and deleted it for good.
        KurrentDBClient client = KurrentDBClient.create(KurrentDBConnectionString.parseOrThrow(eventStore.connectionString()));
        try {
            client.appendToStream(DELETED_STREAM,
                    EventData.builderAsJson("Imported", "{}".getBytes(StandardCharsets.UTF_8)).build()).get();
            client.tombstoneStream(DELETED_STREAM).get();
        } finally {
            client.shutdown().get();
        }
    }

    @AfterAll
    static void stop() {
        rest.delete(SINK);
        eventStore.close();
    }

    @Test
    void eachRecordThatCanNeverBeWrittenGoesToTheDeadLetterQueueAndTheRestOfTheBatchIsWritten() throws Exception {
        Map<String, Future<RecordMetadata>> poison = new LinkedHashMap<>();
        try (CustomerChanges changes = new CustomerChanges(connect, TOPIC)) {
            for (int id = 1; id <= 10; id++) {
                changes.create(id);
            }
            poison.put("too big", changes.sendRaw(changes.key(11),
                    changes.value("c", 11, null, "x".repeat(8_000) + "@example.com")));
            changes.create(12);
            poison.put("deleted stream", changes.sendRaw(changes.key(13), changes.value("c", 13, null, "c13@example.com")));
            poison.put("not convertible", changes.sendRaw(changes.key(14), valueWithATextDate(14)));
            changes.update(12);
            poison.put("unknown op", changes.sendRaw(changes.key(15), changes.value("x", 15, null, "c15@example.com")));
            for (int id = 1; id <= 10; id++) {
                changes.update(id);
            }
            changes.create(16);
            changes.flush();
            Map<Long, String> poisonOffsets = new HashMap<>();
            for (Map.Entry<String, Future<RecordMetadata>> entry : poison.entrySet()) {
                poisonOffsets.put(entry.getValue().get().offset(), entry.getKey());
            }

            // All in the topic before the sink starts: they come in one batch.
            Map<String, String> config = EventStoreSinks.config(eventStore, TOPIC, 1);
            config.put("append.max.bytes", "4096");
            config.put("errors.tolerance", "all");
            config.put("errors.deadletterqueue.topic.name", DLQ);
            config.put("errors.deadletterqueue.topic.replication.factor", "1");
            config.put("errors.deadletterqueue.context.headers.enable", "true");
            rest.createOrUpdate(SINK, config);
            rest.awaitRunning(SINK, 1, TIMEOUT);

            EventStoreSinks.awaitWritten(rest, SINK, () -> changes.writtenEvents(eventStore),
                    changes.expectedEvents(), TIMEOUT);
            EventStoreSinks.awaitAllCommitted(connect, SINK, TOPIC, TIMEOUT);
            List<ConsumerRecord<byte[], byte[]>> deadLetters = connect.consume(DLQ, poison.size(), TIMEOUT);
            assertThat(deadLetters).as("records in the dead letter queue").hasSize(poison.size());
            Map<String, String> reasons = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> deadLetter : deadLetters) {
                Map<String, String> headers = headers(deadLetter);
                assertThat(headers.get("__connect.errors.topic")).isEqualTo(TOPIC);
                assertThat(headers.get("__connect.errors.partition")).isEqualTo("0");
                assertThat(headers.get("__connect.errors.exception.class.name")).isNotBlank();
                assertThat(headers.get("__connect.errors.connector.name")).isEqualTo(SINK);
                long offset = Long.parseLong(headers.get("__connect.errors.offset"));
                assertThat(poisonOffsets).as("offset of a dead letter").containsKey(offset);
                reasons.put(poisonOffsets.get(offset), headers.get("__connect.errors.exception.message"));
            }
            assertThat(reasons).containsOnlyKeys(poison.keySet());
            assertThat(reasons.get("too big")).contains(CustomerChanges.stream(11)).contains("4096");
            assertThat(reasons.get("deleted stream")).contains(DELETED_STREAM).contains("deleted");
            assertThat(reasons.get("not convertible")).contains("JSON");
            assertThat(reasons.get("unknown op")).contains("op 'x'").contains("does not know");

            changes.assertStreamsHoldExactlyWhatWasSent(eventStore, DELETED_STREAM);
            assertThat(eventStore.isTombstoned(DELETED_STREAM)).isTrue();
            assertThat(eventStore.streams()).doesNotContain(CustomerChanges.stream(11), CustomerChanges.stream(14),
                    CustomerChanges.stream(15));
            rest.awaitRunning(SINK, 1, TIMEOUT);
        }
    }

    /**
     * A change whose row has a field declared as Debezium's date (days since the epoch, a number) that holds text,
     * as a transform that changes a value but keeps its schema name could leave it: it cannot be written as a date.
     */
    private static byte[] valueWithATextDate(int id) {
        Schema row = SchemaBuilder.struct().name("bulk.public.customers.Value").optional()
                .field("id", Schema.INT32_SCHEMA)
                .field("birthday", SchemaBuilder.string().name("io.debezium.time.Date").optional().build())
                .build();
        Schema envelope = SchemaBuilder.struct().name("bulk.public.customers.Envelope")
                .field("before", row)
                .field("after", row)
                .field("source", CustomerChanges.SOURCE)
                .field("op", Schema.STRING_SCHEMA)
                .build();
        Struct source = new Struct(CustomerChanges.SOURCE).put("version", "3.5.0.Final").put("connector", "postgresql")
                .put("name", "bulk").put("ts_ms", 1_700_000_000_000L).put("db", "shop").put("schema", "public")
                .put("table", "customers").put("txId", 9L).put("lsn", 99L);
        Struct value = new Struct(envelope).put("after", new Struct(row).put("id", id).put("birthday", "yesterday"))
                .put("source", source).put("op", "c");
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of("schemas.enable", "true"), false);
        return converter.fromConnectData(TOPIC, envelope, value);
    }

    private static Map<String, String> headers(ConsumerRecord<byte[], byte[]> record) {
        Map<String, String> headers = new HashMap<>();
        List<String> names = new ArrayList<>();
        for (Header header : record.headers()) {
            names.add(header.key());
            headers.put(header.key(), header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8));
        }
        assertThat(names).as("headers of a dead letter").contains("__connect.errors.topic",
                "__connect.errors.partition", "__connect.errors.offset", "__connect.errors.exception.class.name",
                "__connect.errors.exception.message");
        return headers;
    }
}
