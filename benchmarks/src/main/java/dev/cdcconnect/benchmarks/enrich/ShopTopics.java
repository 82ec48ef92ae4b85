package dev.cdcconnect.benchmarks.enrich;

import dev.cdcconnect.event.Envelopes;
import dev.cdcconnect.event.Operation;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;

/**
 * The benchmark's data as Debezium's Postgres connector writes it with the worker's default JsonConverter
 * (schemas enabled): change topics of users, stores and orders, every order referencing an existing user and
 * store.
 */
final class ShopTopics {

    static final String USERS = "bench.public.users";
    static final String STORES = "bench.public.stores";
    static final String ORDERS = "bench.public.orders";

    static final Schema USER = SchemaBuilder.struct().name("bench.public.users.Value")
            .field("id", Schema.INT32_SCHEMA).field("name", Schema.STRING_SCHEMA)
            .field("email", Schema.OPTIONAL_STRING_SCHEMA).field("city", Schema.OPTIONAL_STRING_SCHEMA).build();
    static final Schema STORE = SchemaBuilder.struct().name("bench.public.stores.Value")
            .field("id", Schema.INT32_SCHEMA).field("name", Schema.STRING_SCHEMA)
            .field("city", Schema.OPTIONAL_STRING_SCHEMA).build();
    static final Schema ORDER = SchemaBuilder.struct().name("bench.public.orders.Value")
            .field("id", Schema.INT64_SCHEMA).field("user_id", Schema.INT32_SCHEMA).field("store_id", Schema.INT32_SCHEMA)
            .field("quantity", Schema.INT32_SCHEMA).field("amount", Decimal.schema(2)).build();
    static final Schema INT_KEY = SchemaBuilder.struct().name("bench.Key").field("id", Schema.INT32_SCHEMA).build();
    private static final Schema LONG_KEY = SchemaBuilder.struct().name("bench.OrderKey").field("id", Schema.INT64_SCHEMA).build();

    private ShopTopics() {
    }

    static JsonConverter converter(boolean isKey) {
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of("schemas.enable", "true"), isKey);
        return converter;
    }

    /** Writes {@code users} users, {@code stores} stores (as snapshot reads) and {@code orders} random orders. */
    static void produce(String bootstrapServers, int users, int stores, int orders, long seed) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        config.put(ProducerConfig.ACKS_CONFIG, "1");
        JsonConverter keys = converter(true);
        JsonConverter values = converter(false);
        Envelopes userEvents = Envelopes.postgres("shop", "public", "users").snapshot("true");
        Envelopes storeEvents = Envelopes.postgres("shop", "public", "stores").snapshot("true");
        Envelopes orderEvents = Envelopes.postgres("shop", "public", "orders");
        Random random = new Random(seed);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int id = 1; id <= users; id++) {
                Struct row = new Struct(USER).put("id", id).put("name", "User " + id)
                        .put("email", "user." + id + "@example.com").put("city", "City " + (id % 500));
                send(producer, USERS, keys.fromConnectData(USERS, INT_KEY, new Struct(INT_KEY).put("id", id)),
                        userEvents.struct(Operation.READ, null, row), values);
            }
            for (int id = 1; id <= stores; id++) {
                Struct row = new Struct(STORE).put("id", id).put("name", "Store " + id).put("city", "City " + (id % 97));
                send(producer, STORES, keys.fromConnectData(STORES, INT_KEY, new Struct(INT_KEY).put("id", id)),
                        storeEvents.struct(Operation.READ, null, row), values);
            }
            for (long id = 1; id <= orders; id++) {
                Struct row = order(id, 1 + random.nextInt(users), 1 + random.nextInt(stores), random);
                send(producer, ORDERS, keys.fromConnectData(ORDERS, LONG_KEY, new Struct(LONG_KEY).put("id", id)),
                        orderEvents.struct(Operation.CREATE, null, row), values);
            }
            producer.flush();
        }
    }

    static Struct order(long id, int user, int store, Random random) {
        return new Struct(ORDER).put("id", id).put("user_id", user).put("store_id", store)
                .put("quantity", 1 + random.nextInt(5)).put("amount", BigDecimal.valueOf(100 + random.nextInt(20_000), 2));
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, byte[] key, Struct envelope,
                             JsonConverter values) {
        producer.send(new ProducerRecord<>(topic, key, values.fromConnectData(topic, envelope.schema(), envelope)));
    }

}
