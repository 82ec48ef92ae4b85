package dev.cdcconnect.it.eventstore;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import dev.cdcconnect.standin.eventstore.StoredEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;

/**
 * Change events of a {@code customers} table shaped as the Debezium Postgres connector emits them, produced
 * straight to a Kafka topic in the worker's format (JsonConverter with schemas), with the tombstone Debezium
 * sends after each delete. Remembers, per row, the events its {@code customers-<id>} stream must end up with,
 * with the Kafka positions the producer got back, so a test can check a stream holds every change once, in order.
 */
final class CustomerChanges implements AutoCloseable {

    /** An event a stream must hold: its type, the Kafka record it comes from and the email of the row it carries. */
    record Expected(String type, int partition, long offset, String email) {
        @Override
        public String toString() {
            return type + "@" + partition + "/" + offset + "(" + email + ")";
        }
    }

    private record Sent(Future<RecordMetadata> metadata, String stream, String type, String email) {
    }

    static final Schema KEY = SchemaBuilder.struct().name("bulk.public.customers.Key")
            .field("id", Schema.INT32_SCHEMA).build();
    static final Schema ROW = SchemaBuilder.struct().name("bulk.public.customers.Value").optional()
            .field("id", Schema.INT32_SCHEMA)
            .field("first_name", Schema.STRING_SCHEMA)
            .field("email", Schema.OPTIONAL_STRING_SCHEMA)
            .build();
    static final Schema SOURCE = SchemaBuilder.struct().name("io.debezium.connector.postgresql.Source")
            .field("version", Schema.STRING_SCHEMA)
            .field("connector", Schema.STRING_SCHEMA)
            .field("name", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.INT64_SCHEMA)
            .field("snapshot", Schema.OPTIONAL_STRING_SCHEMA)
            .field("db", Schema.STRING_SCHEMA)
            .field("sequence", Schema.OPTIONAL_STRING_SCHEMA)
            .field("schema", Schema.STRING_SCHEMA)
            .field("table", Schema.STRING_SCHEMA)
            .field("txId", Schema.OPTIONAL_INT64_SCHEMA)
            .field("lsn", Schema.OPTIONAL_INT64_SCHEMA)
            .field("xmin", Schema.OPTIONAL_INT64_SCHEMA)
            .build();
    static final Schema ENVELOPE = SchemaBuilder.struct().name("bulk.public.customers.Envelope")
            .field("before", ROW)
            .field("after", ROW)
            .field("source", SOURCE)
            .field("op", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA)
            .build();

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final JsonConverter keyConverter = new JsonConverter();
    private final JsonConverter valueConverter = new JsonConverter();
    private final Map<Integer, String> rows = new HashMap<>();
    private final List<Sent> unconfirmed = new ArrayList<>();
    private final Map<String, List<Expected>> expected = new LinkedHashMap<>();
    private long txId = 5_000;
    private long lsn = 40_000_000;
    private long changes;

    CustomerChanges(ConnectCluster cluster, String topic) {
        this.topic = topic;
        // Not idempotent: a first send to a just-created partition can hit NOT_LEADER, after which the embedded
        // broker refuses the idempotent producer's sequence numbers for good. One request in flight keeps the order.
        this.producer = cluster.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1));
        keyConverter.configure(Map.of("schemas.enable", "true"), true);
        valueConverter.configure(Map.of("schemas.enable", "true"), false);
    }

    String topic() {
        return topic;
    }

    static String stream(int id) {
        return "customers-" + id;
    }

    void create(int id) {
        String email = "c" + id + ".v0@example.com";
        send(id, "c", null, email, "Created");
        rows.put(id, email);
    }

    void update(int id) {
        String before = rows.get(id);
        String after = "c" + id + ".v" + (changes + 1) + "@example.com";
        send(id, "u", before, after, "Updated");
        rows.put(id, after);
    }

    /** A delete, then the tombstone Debezium sends for log compaction (which the sink ignores by default). */
    void delete(int id) {
        send(id, "d", rows.remove(id), null, "Deleted");
        producer.send(new ProducerRecord<>(topic, key(id), null));
    }

    /**
     * {@code rows} rows created, each updated {@code updates} times, then every {@code deleteEvery}-th one
     * deleted (0: none), rows interleaved as many clients' transactions are. {@code firstId} is the first row id.
     */
    void bulk(int firstId, int rowCount, int updates, int deleteEvery) {
        for (int i = 0; i < rowCount; i++) {
            create(firstId + i);
        }
        for (int round = 0; round < updates; round++) {
            for (int i = 0; i < rowCount; i++) {
                update(firstId + i);
            }
        }
        if (deleteEvery > 0) {
            for (int i = 0; i < rowCount; i += deleteEvery) {
                delete(firstId + i);
            }
        }
    }

    /** Sends a raw record (for records the sink cannot write); it is not expected in any stream. */
    Future<RecordMetadata> sendRaw(byte[] key, byte[] value) {
        return producer.send(new ProducerRecord<>(topic, key, value));
    }

    byte[] key(int id) {
        return keyConverter.fromConnectData(topic, KEY, new Struct(KEY).put("id", id));
    }

    /** The value bytes of a change of row {@code id}, in the worker's JSON format. */
    byte[] value(String op, int id, String beforeEmail, String afterEmail) {
        Struct source = new Struct(SOURCE)
                .put("version", "3.5.0.Final").put("connector", "postgresql").put("name", "bulk")
                .put("ts_ms", 1_700_000_000_000L + changes).put("snapshot", "false").put("db", "shop")
                .put("schema", "public").put("table", "customers").put("txId", txId).put("lsn", lsn);
        Struct envelope = new Struct(ENVELOPE)
                .put("before", beforeEmail == null ? null : row(id, beforeEmail))
                .put("after", afterEmail == null ? null : row(id, afterEmail))
                .put("source", source)
                .put("op", op)
                .put("ts_ms", 1_700_000_000_005L + changes);
        return valueConverter.fromConnectData(topic, ENVELOPE, envelope);
    }

    private static Struct row(int id, String email) {
        return new Struct(ROW).put("id", id).put("first_name", "Customer " + id).put("email", email);
    }

    private void send(int id, String op, String before, String after, String type) {
        changes++;
        txId++;
        lsn += 64;
        byte[] value = value(op, id, before, after);
        Future<RecordMetadata> sent = producer.send(new ProducerRecord<>(topic, key(id), value));
        unconfirmed.add(new Sent(sent, stream(id), type, after != null ? after : before));
    }

    /** Waits until every change sent so far is in Kafka and records where each went. */
    void flush() {
        producer.flush();
        try {
            for (Sent sent : unconfirmed) {
                RecordMetadata metadata = sent.metadata().get();
                expected.computeIfAbsent(sent.stream(), s -> new ArrayList<>())
                        .add(new Expected(sent.type(), metadata.partition(), metadata.offset(), sent.email()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("producing to " + topic + " failed", e.getCause());
        }
        unconfirmed.clear();
    }

    /** How many events the streams must hold once everything sent (and flushed) is written. */
    int expectedEvents() {
        return expected.values().stream().mapToInt(List::size).sum();
    }

    Map<String, List<Expected>> expected() {
        return expected;
    }

    /** How many events the expected streams hold now. */
    int writtenEvents(EventStoreStandIn server) {
        int total = 0;
        for (String stream : expected.keySet()) {
            total += server.events(stream).size();
        }
        return total;
    }

    /**
     * Asserts the server holds exactly the expected streams, each with every expected event once, in order, with
     * the type, Kafka position and row the change had; names the first streams that differ. {@code otherStreams}
     * are streams written by something else, which the server may hold too.
     */
    void assertStreamsHoldExactlyWhatWasSent(EventStoreStandIn server, String... otherStreams) {
        List<String> differences = new ArrayList<>();
        for (Map.Entry<String, List<Expected>> entry : expected.entrySet()) {
            List<Expected> actual = read(server.events(entry.getKey()));
            if (!actual.equals(entry.getValue()) && differences.size() < 10) {
                differences.add(entry.getKey() + ": expected " + entry.getValue() + " but was " + actual);
            }
        }
        assertThat(differences).as("streams that do not hold exactly the changes sent, in order").isEmpty();
        TreeSet<String> streams = new TreeSet<>(server.streams());
        streams.removeAll(List.of(otherStreams));
        assertThat(streams).as("streams written").isEqualTo(new TreeSet<>(expected.keySet()));
    }

    /** Reads back what matters of stored events: type, Kafka position from the metadata, the row's email. */
    static List<Expected> read(List<StoredEvent> events) {
        List<Expected> read = new ArrayList<>(events.size());
        for (StoredEvent event : events) {
            JsonNode metadata = json(event.metadata());
            JsonNode data = json(event.data());
            read.add(new Expected(event.eventType(), metadata.path("kafka.partition").asInt(-1),
                    metadata.path("kafka.offset").asLong(-1), data.path("email").asText(null)));
        }
        return read;
    }

    static JsonNode json(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + new String(bytes, java.nio.charset.StandardCharsets.UTF_8), e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
