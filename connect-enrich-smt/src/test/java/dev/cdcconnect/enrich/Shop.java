package dev.cdcconnect.enrich;

import dev.cdcconnect.enrich.table.InMemoryTopic;
import dev.cdcconnect.event.Envelopes;
import dev.cdcconnect.event.Operation;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * The seed scenario's data for transform tests: users and stores change-event topics held in memory, and
 * orders as flat records or change events.
 */
final class Shop {

    static final Schema USER = SchemaBuilder.struct().name("dbserver1.public.users.Value")
            .field("id", Schema.INT32_SCHEMA)
            .field("name", Schema.STRING_SCHEMA)
            .field("email", Schema.OPTIONAL_STRING_SCHEMA)
            .build();
    static final Schema USER_KEY = SchemaBuilder.struct().name("dbserver1.public.users.Key")
            .field("id", Schema.INT32_SCHEMA).build();
    static final Schema STORE = SchemaBuilder.struct().name("dbserver1.public.stores.Value")
            .field("id", Schema.INT32_SCHEMA)
            .field("name", Schema.STRING_SCHEMA)
            .field("city", Schema.STRING_SCHEMA)
            .build();
    static final Schema STORE_KEY = SchemaBuilder.struct().name("dbserver1.public.stores.Key")
            .field("id", Schema.INT32_SCHEMA).build();
    static final Schema ORDER = SchemaBuilder.struct().name("dbserver1.public.orders.Value")
            .field("id", Schema.INT64_SCHEMA)
            .field("user_id", Schema.OPTIONAL_INT32_SCHEMA)
            .field("store_id", Schema.OPTIONAL_INT32_SCHEMA)
            .field("amount", Schema.FLOAT64_SCHEMA)
            .build();
    static final Envelopes USERS = Envelopes.postgres("shop", "public", "users");
    static final Envelopes STORES = Envelopes.postgres("shop", "public", "stores");
    static final Envelopes ORDERS = Envelopes.postgres("shop", "public", "orders");

    final InMemoryTopic users = new InMemoryTopic("user", "dbserver1.public.users");
    final InMemoryTopic stores = new InMemoryTopic("store", "dbserver1.public.stores");
    private final Map<String, InMemoryTopic> topics = Map.of("user", users, "store", stores);

    Shop user(int id, String name) {
        users.append(new Struct(USER_KEY).put("id", id), USERS.struct(Operation.CREATE, null, userRow(id, name)));
        return this;
    }

    Shop store(int id, String name, String city) {
        stores.append(new Struct(STORE_KEY).put("id", id), STORES.struct(Operation.CREATE, null,
                new Struct(STORE).put("id", id).put("name", name).put("city", city)));
        return this;
    }

    static Struct userRow(int id, String name) {
        return new Struct(USER).put("id", id).put("name", name).put("email", name.toLowerCase() + "@example.com");
    }

    /** A value transform whose topic lookups read these in-memory topics. */
    Enrich.Value<SinkRecord> valueTransform(Map<String, String> props) {
        Enrich.Value<SinkRecord> transform = new Enrich.Value<>(spec -> topics.get(spec.name())
                .source(spec.table().keep(), spec.table().maxBytes(), spec.loadTimeout()));
        transform.configure(props);
        return transform;
    }

    Enrich.Key<SinkRecord> keyTransform(Map<String, String> props) {
        Enrich.Key<SinkRecord> transform = new Enrich.Key<>(spec -> topics.get(spec.name())
                .source(spec.table().keep(), spec.table().maxBytes(), spec.loadTimeout()));
        transform.configure(props);
        return transform;
    }

    /** Two topic lookups, user and store, on the fields user_id and store_id; extra settings override. */
    static Map<String, String> config(String... overrides) {
        Map<String, String> props = new HashMap<>();
        props.put("lookups", "user,store");
        props.put("consumer.bootstrap.servers", "localhost:9092");
        props.put("lookup.user.topic", "dbserver1.public.users");
        props.put("lookup.user.key.field", "user_id");
        props.put("lookup.store.topic", "dbserver1.public.stores");
        props.put("lookup.store.key.field", "store_id");
        for (int i = 0; i < overrides.length; i += 2) {
            props.put(overrides[i], overrides[i + 1]);
        }
        List<String> listed = List.of(props.get("lookups").split(","));
        props.keySet().removeIf(k -> k.startsWith("lookup.") && !listed.contains(k.split("\\.")[1]));
        return props;
    }

    static Struct order(long id, Integer userId, Integer storeId) {
        return new Struct(ORDER).put("id", id).put("user_id", userId).put("store_id", storeId).put("amount", 9.5);
    }

    static Map<String, Object> orderMap(long id, Object userId, Object storeId) {
        Map<String, Object> order = new LinkedHashMap<>();
        order.put("id", id);
        order.put("user_id", userId);
        order.put("store_id", storeId);
        order.put("amount", 9.5);
        return order;
    }

    static SinkRecord record(Schema schema, Object value) {
        return new SinkRecord("orders", 0, null, null, schema, value, 17);
    }
}
