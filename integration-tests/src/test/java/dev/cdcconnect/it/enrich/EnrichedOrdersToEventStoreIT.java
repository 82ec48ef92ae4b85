package dev.cdcconnect.it.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cdcconnect.it.eventstore.EventStoreSinks;
import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.testkit.connect.DebeziumSources;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.PostgresServer;
import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import dev.cdcconnect.standin.eventstore.StoredEvent;
import dev.cdcconnect.standin.shop.Shop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The enrichment demo this project replaces, into EventStoreDB: Debezium streams users, stores and orders from
 * Postgres; the EventStoreDB sink, loaded from plugin.path with the Enrich transform, appends each order's changes
 * to its {@code orders-<id>} stream, every event carrying the order's user and store as nested objects looked up
 * in tables fed by the users and stores change topics. What a reader of the streams gets must match the join in
 * Postgres at the time of each change.
 */
class EnrichedOrdersToEventStoreIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final String PREFIX = "enrichesit";
    private static final String SOURCE = "enrich-es-it-source";
    private static final String SINK = "enrich-es-it-sink";
    private static final String USERS_TOPIC = PREFIX + ".public.users";
    private static final String STORES_TOPIC = PREFIX + ".public.stores";
    private static final String ORDERS_TOPIC = PREFIX + ".public.orders";
    private static final int SNAPSHOT_ORDERS = 10;
    private static final int STREAMED_ORDERS = 30;
    private static final String PLACED = "OrderPlaced";
    private static final String CHANGED = "OrderChanged";
    private static final String JOIN = "SELECT o.id, o.user_id, o.store_id, o.quantity, o.amount, u.id AS u_id,"
            + " u.name AS u_name, u.email AS u_email, u.city AS u_city, s.name AS s_name, s.city AS s_city"
            + " FROM orders o LEFT JOIN users u ON u.id = o.user_id LEFT JOIN stores s ON s.id = o.store_id";
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static EventStoreStandIn eventStore;
    private static Database db;
    private static Shop shop;

    @BeforeAll
    static void start() {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        eventStore = EventStoreStandIn.start();
        db = PostgresServer.shared().createDatabase("enrich_es_shop");
        shop = new Shop(db.jdbcUrl(), db.user(), db.password(), 13);
        shop.createTables();
        shop.addUsers(1, 20);
        shop.addStores(1, 5);
        shop.generateOrders(SNAPSHOT_ORDERS);

        rest.createOrUpdate(SOURCE, DebeziumSources.postgres(db, PREFIX)
                .slot("enrich_es_it_slot").publication("enrich_es_it_pub")
                .tables("public.users", "public.stores", "public.orders")
                .build());
        rest.awaitRunning(SOURCE, 1, TIMEOUT);
        connect.awaitRecords(USERS_TOPIC, 20, TIMEOUT);
        connect.awaitRecords(STORES_TOPIC, 5, TIMEOUT);
        connect.awaitRecords(ORDERS_TOPIC, SNAPSHOT_ORDERS, TIMEOUT);
        // With the snapshot in the topics, these are streamed as inserts.
        shop.generateOrders(STREAMED_ORDERS);

        rest.createOrUpdate(SINK, sinkConfig());
        rest.awaitRunning(SINK, 1, TIMEOUT);
    }

    @AfterAll
    static void stop() {
        rest.delete(SINK);
        rest.delete(SOURCE);
        eventStore.close();
    }

    private static Map<String, String> sinkConfig() {
        Map<String, String> config = EventStoreSinks.config(eventStore, ORDERS_TOPIC, 1);
        config.putAll(Map.ofEntries(
                // Snapshot reads and inserts alike are orders placed, as an event-sourced reader wants them.
                Map.entry("event.type.mapping",
                        "orders.read=" + PLACED + ",orders.create=" + PLACED + ",orders.update=" + CHANGED),
                Map.entry("transforms", "enrich"),
                Map.entry("transforms.enrich.type", "dev.cdcconnect.enrich.Enrich$Value"),
                Map.entry("transforms.enrich.lookups", "user,store"),
                Map.entry("transforms.enrich.consumer.bootstrap.servers", connect.bootstrapServers()),
                // Output and fields left at their defaults: the event carries the whole user row as one object.
                Map.entry("transforms.enrich.lookup.user.topic", USERS_TOPIC),
                Map.entry("transforms.enrich.lookup.user.key.field", "user_id"),
                Map.entry("transforms.enrich.lookup.user.miss.policy", "wait"),
                // A user not found even after the wait fails the task: a null user can only be a defect.
                Map.entry("transforms.enrich.lookup.user.wait.fallback", "fail"),
                Map.entry("transforms.enrich.lookup.store.topic", STORES_TOPIC),
                Map.entry("transforms.enrich.lookup.store.key.field", "store_id"),
                Map.entry("transforms.enrich.lookup.store.fields", "name,city"),
                // A store opened just before an order is found; a closed one leaves the order without a store.
                Map.entry("transforms.enrich.lookup.store.miss.policy", "wait"),
                Map.entry("transforms.enrich.lookup.store.wait.timeout.ms", "2000"),
                Map.entry("transforms.enrich.lookup.store.wait.fallback", "null")));
        return config;
    }

    @Test
    void everyOrderStreamStartsWithTheOrderPlacedWithItsUserAndStore() {
        int orders = SNAPSHOT_ORDERS + STREAMED_ORDERS;
        List<String> expected = new ArrayList<>();
        for (Map<String, Object> row : db.query(JOIN + " WHERE o.id <= ? ORDER BY o.id", orders)) {
            expected.add(joined(row));
        }
        assertThat(expected).hasSize(orders);

        List<String> read = new ArrayList<>();
        for (long id = 1; id <= orders; id++) {
            List<StoredEvent> stream = awaitEvents(id, 1);
            // Nothing changed these orders after they were placed: one event each, written once.
            assertThat(stream).as("orders-%d", id).hasSize(1);
            StoredEvent placed = stream.get(0);
            assertThat(placed.eventType()).isEqualTo(PLACED);
            assertThat(placed.isJson()).isTrue();
            JsonNode data = json(placed.data());
            assertThat(fieldNames(data)).containsExactlyInAnyOrder(
                    "id", "user_id", "store_id", "quantity", "amount", "user", "store");
            read.add(joined(data));

            JsonNode metadata = json(placed.metadata());
            assertThat(metadata.path("kafka.topic").asText()).isEqualTo(ORDERS_TOPIC);
            assertThat(metadata.path("source.db").asText()).isEqualTo(db.name());
            assertThat(metadata.path("source.table").asText()).isEqualTo("orders");
            if (metadata.has("source.snapshot")) {
                // A snapshot read was made by no database transaction: it has no correlation id.
                assertThat(metadata.has("$correlationId")).isFalse();
            } else {
                assertThat(metadata.path("$correlationId").asText())
                        .isEqualTo(metadata.path("source.txId").asText()).isNotEmpty();
            }
        }
        assertThat(read).containsExactlyElementsOf(expected);
    }

    @Test
    void aUserCreatedInTheSameTransactionAsTheirFirstOrderIsOnTheOrder() {
        db.inTransaction(
                "INSERT INTO users (id, name, email, city) VALUES (5001, 'Quick Quinn', 'quinn@example.com', 'Graz')",
                "INSERT INTO orders (id, user_id, store_id, quantity, amount) VALUES (7001, 5001, 2, 3, 42.50)");

        StoredEvent placed = awaitEvents(7001, 1).get(0);

        assertThat(placed.eventType()).isEqualTo(PLACED);
        assertThat(joined(json(placed.data()))).isEqualTo(expectedJoin(7001));
        assertThat(json(placed.data()).path("user").path("name").asText()).isEqualTo("Quick Quinn");
    }

    @Test
    void afterARenameLaterOrdersAndChangesOfEarlierOrdersCarryTheNewName() {
        db.execute("INSERT INTO users (id, name, email, city) VALUES (5002, 'Rita Old', 'rita@old.example', 'Cork')");
        long earlier = shop.placeOrder(5002, 1);
        String asPlaced = expectedJoin(earlier);
        assertThat(joined(json(awaitEvents(earlier, 1).get(0).data()))).isEqualTo(asPlaced).contains("Rita Old");

        long users = connect.records(USERS_TOPIC);
        db.execute("UPDATE users SET name = 'Rita New', email = 'rita@new.example' WHERE id = 5002");
        // A hit is never waited for: "later" means once the lookup table has applied the rename.
        connect.awaitRecords(USERS_TOPIC, users + 1, TIMEOUT);
        awaitLookupTableApplied(USERS_TOPIC);
        long later = shop.placeOrder(5002, 3);
        db.execute("UPDATE orders SET quantity = 4 WHERE id = " + earlier);

        StoredEvent laterPlaced = awaitEvents(later, 1).get(0);
        assertThat(joined(json(laterPlaced.data()))).isEqualTo(expectedJoin(later))
                .contains("Rita New", "rita@new.example");

        List<StoredEvent> history = awaitEvents(earlier, 2);
        assertThat(history).extracting(StoredEvent::eventType).containsExactly(PLACED, CHANGED);
        // The stream keeps the order as it was placed, and its change carries the user as renamed.
        assertThat(joined(json(history.get(0).data()))).isEqualTo(asPlaced);
        assertThat(joined(json(history.get(1).data()))).isEqualTo(expectedJoin(earlier))
                .contains("quantity=4", "Rita New", "rita@new.example");
    }

    @Test
    void anOrderForAClosedStoreIsWrittenWithoutAStore() {
        shop.addStores(600, 1);
        long opened = shop.placeOrder(4, 600);
        assertThat(joined(json(awaitEvents(opened, 1).get(0).data()))).isEqualTo(expectedJoin(opened))
                .contains("Store 600");

        long stores = connect.records(STORES_TOPIC);
        db.execute("DELETE FROM stores WHERE id = 600");
        connect.awaitRecords(STORES_TOPIC, stores + 1, TIMEOUT);
        awaitLookupTableApplied(STORES_TOPIC);
        long closed = shop.placeOrder(4, 600);

        JsonNode data = json(awaitEvents(closed, 1).get(0).data());
        assertThat(data.has("store")).isTrue();
        assertThat(data.get("store").isNull()).as("store of %s", data).isTrue();
        assertThat(joined(data)).isEqualTo(expectedJoin(closed));
        assertThat(data.path("user").path("name").asText()).isNotEmpty();
        // The order placed while the store was open keeps it.
        assertThat(eventStore.events(stream(opened))).hasSize(1);
        assertThat(rest.status(SINK).orElseThrow().path("tasks").get(0).path("state").asText()).isEqualTo("RUNNING");
    }

    private static String stream(long order) {
        return "orders-" + order;
    }

    /** Waits until the order's stream holds at least {@code count} events; fails early if a task failed. */
    private static List<StoredEvent> awaitEvents(long order, int count) {
        return await(count + " events in " + stream(order)).atMost(TIMEOUT).pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    EventStoreSinks.failIfATaskFailed(rest, SOURCE);
                    EventStoreSinks.failIfATaskFailed(rest, SINK);
                    return eventStore.events(stream(order));
                }, events -> events.size() >= count);
    }

    /** The order joined with its user and store as the database has them now. */
    private static String expectedJoin(long order) {
        List<Map<String, Object>> rows = db.query(JOIN + " WHERE o.id = ?", order);
        assertThat(rows).hasSize(1);
        return joined(rows.get(0));
    }

    private static String joined(Map<String, Object> row) {
        Map<String, String> user = null;
        if (row.get("u_id") != null) {
            user = new TreeMap<>(Map.of("id", row.get("u_id").toString(), "name", (String) row.get("u_name"),
                    "email", (String) row.get("u_email"), "city", (String) row.get("u_city")));
        }
        Map<String, String> store = null;
        if (row.get("s_name") != null) {
            store = new TreeMap<>(Map.of("name", (String) row.get("s_name"), "city", (String) row.get("s_city")));
        }
        return line(((Number) row.get("id")).longValue(), ((Number) row.get("user_id")).intValue(),
                ((Number) row.get("store_id")).intValue(), ((Number) row.get("quantity")).intValue(),
                (BigDecimal) row.get("amount"), user, store);
    }

    private static String joined(JsonNode data) {
        return line(data.path("id").asLong(), data.path("user_id").asInt(), data.path("store_id").asInt(),
                data.path("quantity").asInt(), data.path("amount").decimalValue(), nested(data.path("user")),
                nested(data.path("store")));
    }

    private static Map<String, String> nested(JsonNode object) {
        if (!object.isObject()) {
            return null;
        }
        Map<String, String> fields = new TreeMap<>();
        object.fields().forEachRemaining(field -> fields.put(field.getKey(), field.getValue().asText()));
        return fields;
    }

    private static String line(long id, int userId, int storeId, int quantity, BigDecimal amount,
                               Map<String, String> user, Map<String, String> store) {
        return "order " + id + ": user_id=" + userId + " store_id=" + storeId + " quantity=" + quantity
                + " amount=" + amount.setScale(2).toPlainString() + " user=" + user + " store=" + store;
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static JsonNode json(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until the topic-fed lookup table of {@code topic} has applied every record the topic holds now, as its
     * {@code dev.cdcconnect.enrich:type=lookup-table} MBean reports (the workers run in this JVM).
     */
    private static void awaitLookupTableApplied(String topic) {
        long end = connect.records(topic);
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        await("the lookup table of " + topic + " has applied its " + end + " records").atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(200)).until(() -> {
                    ObjectName tables = new ObjectName("dev.cdcconnect.enrich:type=lookup-table,*");
                    for (ObjectName table : server.queryNames(tables, null)) {
                        try {
                            if (topic.equals(server.getAttribute(table, "Topic"))
                                    && (Long) server.getAttribute(table, "RecordsApplied") >= end) {
                                return true;
                            }
                        } catch (JMException e) {
                            // unregistered meanwhile: a table closed by a rebalance
                        }
                    }
                    return false;
                });
    }
}
