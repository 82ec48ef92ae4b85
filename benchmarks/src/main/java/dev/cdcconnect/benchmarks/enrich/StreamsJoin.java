package dev.cdcconnect.benchmarks.enrich;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.KStream;

/**
 * The baseline: a Kafka Streams application doing what ksqlDB runs for the demo, the orders stream
 * left-joined with GlobalKTables of users and stores (RocksDB-backed, as ksqlDB materialises them), read from
 * the same Debezium JSON topics, on one stream thread.
 */
final class StreamsJoin {

    private static final ObjectMapper JSON = new ObjectMapper();

    private StreamsJoin() {
    }

    static SinkTaskLoop.Outcome run(String bootstrapServers, int orders) throws Exception {
        StreamsBuilder builder = new StreamsBuilder();
        GlobalKTable<Long, JsonNode> users = builder.globalTable(ShopTopics.USERS, Consumed.with(idSerde(), rowSerde()));
        GlobalKTable<Long, JsonNode> stores = builder.globalTable(ShopTopics.STORES, Consumed.with(idSerde(), rowSerde()));
        KStream<byte[], JsonNode> stream = builder.stream(ShopTopics.ORDERS, Consumed.with(Serdes.ByteArray(), eventSerde()));
        AtomicLong seen = new AtomicLong();
        AtomicLong enriched = new AtomicLong();
        AtomicLong started = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        stream.leftJoin(users, (k, event) -> event.path("after").path("user_id").asLong(), (event, user) -> {
                    ObjectNode after = ((ObjectNode) event.path("after")).deepCopy();
                    after.set("user_name", user == null ? null : user.get("name"));
                    after.set("user_email", user == null ? null : user.get("email"));
                    ObjectNode out = ((ObjectNode) event).deepCopy();
                    out.set("after", after);
                    return (JsonNode) out;
                })
                .leftJoin(stores, (k, event) -> event.path("after").path("store_id").asLong(), (event, store) -> {
                    ObjectNode after = (ObjectNode) event.path("after");
                    after.set("store_name", store == null ? null : store.get("name"));
                    after.set("store_city", store == null ? null : store.get("city"));
                    return event;
                })
                .foreach((k, event) -> {
                    if (seen.getAndIncrement() == 0) {
                        started.set(System.nanoTime());
                    }
                    if (!event.path("after").path("user_name").isNull()) {
                        enriched.incrementAndGet();
                    }
                    if (seen.get() == orders) {
                        done.countDown();
                    }
                });
        Path stateDir = Files.createTempDirectory("enrich-bench-streams");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "enrich-bench-" + System.nanoTime());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put("auto.offset.reset", "earliest");
        try (KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
            streams.start();
            if (!done.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("Kafka Streams joined only " + seen.get() + " of " + orders + " orders");
            }
            double seconds = (System.nanoTime() - started.get()) / 1e9;
            streams.close(Duration.ofSeconds(30));
            return new SinkTaskLoop.Outcome((seen.get() - 1) / seconds, enriched.get(), seen.get(), Double.NaN,
                    Double.NaN, 0, 0, 0, 0);
        }
    }

    /**
     * Record keys as Debezium writes them ({"schema":..,"payload":{"id":N}}) to the id, and back to the same
     * bytes: a GlobalKTable restores its topic's raw bytes into its store, so lookups must serialize keys to
     * exactly those bytes.
     */
    private static Serde<Long> idSerde() {
        String marker = "1234567";
        String template = new String(ShopTopics.converter(true).fromConnectData(ShopTopics.USERS, ShopTopics.INT_KEY,
                new org.apache.kafka.connect.data.Struct(ShopTopics.INT_KEY).put("id", Integer.parseInt(marker))),
                StandardCharsets.UTF_8);
        String prefix = template.substring(0, template.indexOf(marker));
        String suffix = template.substring(template.indexOf(marker) + marker.length());
        Deserializer<Long> deserializer = (topic, bytes) -> bytes == null ? null : read(bytes).path("payload").path("id").asLong();
        Serializer<Long> serializer = (topic, id) -> id == null ? null : (prefix + id + suffix).getBytes(StandardCharsets.UTF_8);
        return Serdes.serdeFrom(serializer, deserializer);
    }

    /** Change events to the row they leave (null for a delete, so the table drops the key). */
    private static Serde<JsonNode> rowSerde() {
        Deserializer<JsonNode> deserializer = (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            JsonNode payload = read(bytes).path("payload");
            return "d".equals(payload.path("op").asText()) ? null : payload.path("after");
        };
        return Serdes.serdeFrom(StreamsJoin::write, deserializer);
    }

    /** The change event's payload. */
    private static Serde<JsonNode> eventSerde() {
        Deserializer<JsonNode> deserializer = (topic, bytes) -> bytes == null ? null : read(bytes).path("payload");
        return Serdes.serdeFrom(StreamsJoin::write, deserializer);
    }

    private static byte[] write(String topic, JsonNode node) {
        try {
            return node == null ? null : JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode read(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
