package dev.cdcconnect.it.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.testkit.connect.DebeziumSources;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.PostgresServer;
import dev.cdcconnect.standin.shop.Shop;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo this project replaces, without ksqlDB: Debezium streams users, stores and orders from Postgres; two
 * Debezium JDBC sinks, each with the Enrich transform loaded from plugin.path, write enriched orders (user and
 * store columns) into Postgres tables. One looks users and stores up in tables fed by their change topics,
 * the other queries the database.
 */
class EnrichOrdersIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String PREFIX = "enrichit";
    private static final String SOURCE = "enrich-it-source";
    private static final String TOPIC_SINK = "enrich-it-sink-topic";
    private static final String JDBC_SINK = "enrich-it-sink-jdbc";
    private static final String TOPIC_TABLE = "enriched_orders";
    private static final String JDBC_TABLE = "enriched_orders_jdbc";
    private static final String USERS_TOPIC = PREFIX + ".public.users";
    private static final String STORES_TOPIC = PREFIX + ".public.stores";
    private static final String ORDERS_TOPIC = PREFIX + ".public.orders";

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static Database db;
    private static Shop shop;
    private static List<Map<String, Object>> snapshotJoin;

    @BeforeAll
    static void start() {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        db = PostgresServer.shared().createDatabase("enrich_shop");
        shop = new Shop(db.jdbcUrl(), db.user(), db.password(), 7);
        shop.createTables();
        shop.addUsers(1, 20);
        shop.addStores(1, 5);
        shop.generateOrders(30);
        // the join as the database had it when the orders were placed; later tests rename and delete
        snapshotJoin = db.query("SELECT o.id, u.name AS user_name, u.email AS user_email, s.name AS store_name,"
                + " s.city AS store_city FROM orders o JOIN users u ON u.id = o.user_id JOIN stores s ON s.id = o.store_id"
                + " ORDER BY o.id");

        rest.createOrUpdate(SOURCE, DebeziumSources.postgres(db, PREFIX)
                .slot("enrich_it_slot").publication("enrich_it_pub")
                .tables("public.users", "public.stores", "public.orders")
                .build());
        rest.awaitRunning(SOURCE, 1, TIMEOUT);
        connect.awaitRecords(USERS_TOPIC, 20, TIMEOUT);
        connect.awaitRecords(STORES_TOPIC, 5, TIMEOUT);
        connect.awaitRecords(ORDERS_TOPIC, 30, TIMEOUT);

        rest.createOrUpdate(TOPIC_SINK, sink(TOPIC_TABLE, topicLookups()));
        rest.createOrUpdate(JDBC_SINK, sink(JDBC_TABLE, jdbcLookups()));
        rest.awaitRunning(TOPIC_SINK, 1, TIMEOUT);
        rest.awaitRunning(JDBC_SINK, 1, TIMEOUT);
    }

    @AfterAll
    static void stop() {
        for (String name : List.of(TOPIC_SINK, JDBC_SINK, SOURCE)) {
            rest.delete(name);
        }
    }

    private static Map<String, String> sink(String table, Map<String, String> lookups) {
        Map<String, String> config = new HashMap<>(Map.ofEntries(
                Map.entry("connector.class", "io.debezium.connector.jdbc.JdbcSinkConnector"),
                Map.entry("tasks.max", "1"),
                Map.entry("topics", ORDERS_TOPIC),
                Map.entry("connection.url", db.jdbcUrl()),
                Map.entry("connection.username", db.user()),
                Map.entry("connection.password", db.password()),
                Map.entry("insert.mode", "upsert"),
                Map.entry("primary.key.mode", "record_key"),
                Map.entry("schema.evolution", "basic"),
                Map.entry("collection.name.format", table),
                Map.entry("consumer.override.auto.offset.reset", "earliest"),
                Map.entry("transforms", "enrich"),
                Map.entry("transforms.enrich.type", "dev.cdcconnect.enrich.Enrich$Value"),
                Map.entry("transforms.enrich.lookups", "user,store"),
                Map.entry("transforms.enrich.lookup.user.key.field", "user_id"),
                Map.entry("transforms.enrich.lookup.user.output", "flat"),
                Map.entry("transforms.enrich.lookup.user.fields", "name,email"),
                Map.entry("transforms.enrich.lookup.user.miss.policy", "wait"),
                Map.entry("transforms.enrich.lookup.user.wait.fallback", "fail"),
                Map.entry("transforms.enrich.lookup.store.key.field", "store_id"),
                Map.entry("transforms.enrich.lookup.store.output", "flat"),
                Map.entry("transforms.enrich.lookup.store.fields", "name,city"),
                // A store opened just before an order is found (wait), a deleted one gives empty store columns
                // (fallback null) once the lookup has caught up with the store's deletion.
                Map.entry("transforms.enrich.lookup.store.miss.policy", "wait"),
                Map.entry("transforms.enrich.lookup.store.wait.timeout.ms", "2000"),
                Map.entry("transforms.enrich.lookup.store.wait.fallback", "null")));
        config.putAll(lookups);
        return config;
    }

    private static Map<String, String> topicLookups() {
        return Map.of(
                "transforms.enrich.consumer.bootstrap.servers", connect.bootstrapServers(),
                "transforms.enrich.lookup.user.topic", USERS_TOPIC,
                "transforms.enrich.lookup.store.topic", STORES_TOPIC);
    }

    private static Map<String, String> jdbcLookups() {
        Map<String, String> config = new HashMap<>();
        for (String lookup : List.of("user", "store")) {
            String p = "transforms.enrich.lookup." + lookup + ".";
            config.put(p + "source", "jdbc");
            config.put(p + "jdbc.url", db.jdbcUrl());
            config.put(p + "jdbc.user", db.user());
            config.put(p + "jdbc.password", db.password());
            // hits expire quickly so a rename or delete shows in the next orders
            config.put(p + "cache.hit.ttl.ms", "300");
            config.put(p + "cache.miss.ttl.ms", "100");
        }
        config.put("transforms.enrich.lookup.user.jdbc.query", "SELECT name, email FROM users WHERE id = ?");
        config.put("transforms.enrich.lookup.store.jdbc.query", "SELECT name, city FROM stores WHERE id = ?");
        return config;
    }

    @Test
    void snapshotOrdersAreEnrichedWithTheirUserAndStore() {
        List<Map<String, Object>> expected = snapshotJoin;
        assertThat(expected).hasSize(30);

        for (String table : List.of(TOPIC_TABLE, JDBC_TABLE)) {
            await(table + " holds the 30 snapshot orders").atMost(TIMEOUT).pollInterval(Duration.ofMillis(300))
                    .untilAsserted(() -> assertThat(db.query("SELECT id, user_name, user_email, store_name, store_city"
                            + " FROM " + table + " WHERE id <= 30 ORDER BY id")).isEqualTo(expected));
        }
    }

    @Test
    void aUserCreatedAndOrderingInTheSameSecondIsEnriched() {
        awaitTables();
        db.inTransaction("INSERT INTO users (id, name, email, city) VALUES (1001, 'Quick Quinn', 'quinn@example.com', 'Graz')");
        long order = shop.placeOrder(1001, 2);

        for (String table : List.of(TOPIC_TABLE, JDBC_TABLE)) {
            assertThat(awaitOrder(table, order)).containsEntry("user_name", "Quick Quinn")
                    .containsEntry("user_email", "quinn@example.com").containsEntry("store_name", "Store 2");
        }
    }

    @Test
    void afterARenameLaterOrdersCarryTheNewName() {
        awaitTables();
        long before = shop.placeOrder(3, 1);
        for (String table : List.of(TOPIC_TABLE, JDBC_TABLE)) {
            assertThat(awaitOrder(table, before).get("user_name")).isNotEqualTo("Renamed Rita");
        }

        long usersEnd = connect.records(USERS_TOPIC);
        db.execute("UPDATE users SET name = 'Renamed Rita' WHERE id = 3");
        connect.awaitRecords(USERS_TOPIC, usersEnd + 1, TIMEOUT);
        long after = shop.placeOrder(3, 1);

        for (String table : List.of(TOPIC_TABLE, JDBC_TABLE)) {
            assertThat(awaitOrder(table, after)).containsEntry("user_name", "Renamed Rita");
            assertThat(awaitOrder(table, before).get("user_name")).isNotEqualTo("Renamed Rita");
        }
    }

    @Test
    void anOrderForADeletedStoreGetsTheMissPolicy() {
        awaitTables();
        shop.addStores(6, 1);
        long open = shop.placeOrder(4, 6);
        for (String table : List.of(TOPIC_TABLE, JDBC_TABLE)) {
            assertThat(awaitOrder(table, open)).containsEntry("store_name", "Store 6");
        }

        long storesEnd = connect.records(STORES_TOPIC);
        db.execute("DELETE FROM stores WHERE id = 6");
        connect.awaitRecords(STORES_TOPIC, storesEnd + 1, TIMEOUT);
        long closed = shop.placeOrder(4, 6);

        for (String table : List.of(TOPIC_TABLE, JDBC_TABLE)) {
            Map<String, Object> row = awaitOrder(table, closed);
            assertThat(row).containsEntry("store_name", null).containsEntry("store_city", null);
            assertThat(row.get("user_name")).isNotNull();
        }
    }

    private static void awaitTables() {
        for (String table : List.of(TOPIC_TABLE, JDBC_TABLE)) {
            await(table + " created").atMost(TIMEOUT).pollInterval(Duration.ofMillis(300))
                    .until(() -> db.tableExists(table));
        }
    }

    private static Map<String, Object> awaitOrder(String table, long id) {
        return await("order " + id + " in " + table).atMost(TIMEOUT).pollInterval(Duration.ofMillis(200))
                .until(() -> db.query("SELECT id, user_id, store_id, user_name, user_email, store_name, store_city FROM "
                        + table + " WHERE id = ?", id), rows -> rows.size() == 1)
                .get(0);
    }
}
