package dev.cdcconnect.it.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.cql.Row;
import dev.cdcconnect.testkit.cassandra.CassandraServer;
import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.testkit.connect.DebeziumSources;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.PostgresServer;
import dev.cdcconnect.standin.shop.Shop;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole demo this project replaces, on real components: Debezium streams users, stores and orders from
 * Postgres; the Cassandra sink, loaded from plugin.path with the Enrich transform, writes each order with its
 * user and store into Cassandra {@code shop.enriched_orders}. What the driver reads back must equal the join
 * in Postgres after the snapshot, inserts, updates and deletes, and after a worker is stopped mid-run.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EnrichedOrdersToCassandraIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final String PREFIX = "cassit";
    private static final String SOURCE = "cassandra-it-source";
    private static final String SINK = "cassandra-it-sink";
    private static final String USERS_TOPIC = PREFIX + ".public.users";
    private static final String STORES_TOPIC = PREFIX + ".public.stores";
    private static final String ORDERS_TOPIC = PREFIX + ".public.orders";
    private static final String JOIN = "SELECT o.id, o.user_id, o.store_id, o.quantity, o.amount, u.name AS user_name,"
            + " u.email AS user_email, s.name AS store_name, s.city AS store_city FROM orders o"
            + " JOIN users u ON u.id = o.user_id JOIN stores s ON s.id = o.store_id";

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static CassandraServer cassandra;
    private static Database db;
    private static Shop shop;

    @BeforeAll
    static void start() {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        cassandra = CassandraServer.shared();
        cassandra.createKeyspace("shop");
        cassandra.execute("CREATE TABLE shop.enriched_orders (id bigint PRIMARY KEY, user_id int, store_id int,"
                + " quantity int, amount decimal, user_name text, user_email text, store_name text, store_city text)");

        db = PostgresServer.shared().createDatabase("cassandra_shop");
        shop = new Shop(db.jdbcUrl(), db.user(), db.password(), 11);
        shop.createTables();
        shop.addUsers(1, 20);
        shop.addStores(1, 5);
        shop.generateOrders(30);

        rest.createOrUpdate(SOURCE, DebeziumSources.postgres(db, PREFIX)
                .slot("cassandra_it_slot").publication("cassandra_it_pub")
                .tables("public.users", "public.stores", "public.orders")
                .build());
        rest.awaitRunning(SOURCE, 1, TIMEOUT);

        rest.createOrUpdate(SINK, Map.ofEntries(
                Map.entry("connector.class", "dev.cdcconnect.cassandra.CassandraSinkConnector"),
                Map.entry("tasks.max", "1"),
                Map.entry("topics", ORDERS_TOPIC),
                Map.entry("consumer.override.auto.offset.reset", "earliest"),
                Map.entry("cassandra.contact.points", cassandra.contactPoint()),
                Map.entry("cassandra.local.datacenter", cassandra.dataCenter()),
                Map.entry("cassandra.username", cassandra.username()),
                Map.entry("cassandra.password", cassandra.password()),
                Map.entry("cassandra.ssl.enabled", "true"),
                Map.entry("cassandra.ssl.truststore.path", cassandra.trustStore().orElseThrow().toString()),
                Map.entry("cassandra.ssl.truststore.password", cassandra.trustStorePassword()),
                Map.entry("cassandra.keyspace", "shop"),
                Map.entry("topic.table.mapping", ORDERS_TOPIC + "=enriched_orders"),
                Map.entry("transforms", "enrich"),
                Map.entry("transforms.enrich.type", "dev.cdcconnect.enrich.Enrich$Value"),
                Map.entry("transforms.enrich.lookups", "user,store"),
                Map.entry("transforms.enrich.consumer.bootstrap.servers", connect.bootstrapServers()),
                Map.entry("transforms.enrich.lookup.user.topic", USERS_TOPIC),
                Map.entry("transforms.enrich.lookup.user.key.field", "user_id"),
                Map.entry("transforms.enrich.lookup.user.fields", "name,email"),
                Map.entry("transforms.enrich.lookup.user.miss.policy", "wait"),
                Map.entry("transforms.enrich.lookup.user.wait.fallback", "fail"),
                Map.entry("transforms.enrich.lookup.store.topic", STORES_TOPIC),
                Map.entry("transforms.enrich.lookup.store.key.field", "store_id"),
                Map.entry("transforms.enrich.lookup.store.fields", "name,city"),
                Map.entry("transforms.enrich.lookup.store.miss.policy", "wait"),
                Map.entry("transforms.enrich.lookup.store.wait.fallback", "fail")));
        rest.awaitRunning(SINK, 1, TIMEOUT);
    }

    @AfterAll
    static void stop() {
        // A worker was replaced: ask one that runs now.
        ConnectRestClient current = connect.rest();
        current.delete(SINK);
        current.delete(SOURCE);
    }

    @Test
    @Order(1)
    void snapshotOrdersArriveEnrichedWithTheirUserAndStore() {
        awaitCassandraMatchesSource(30);
    }

    @Test
    @Order(2)
    void insertsUpdatesAndDeletesAreApplied() {
        shop.generateOrders(20);
        db.execute("UPDATE orders SET amount = 4321.00, quantity = 9 WHERE id = 3",
                "UPDATE orders SET store_id = 5 WHERE id = 4",
                "DELETE FROM orders WHERE id IN (5, 6)");
        db.inTransaction("INSERT INTO orders (id, user_id, store_id, quantity, amount) VALUES (1000, 2, 3, 1, 1.50)",
                "UPDATE orders SET amount = 2.50 WHERE id = 1000",
                "UPDATE orders SET amount = 3.50 WHERE id = 1000");

        awaitCassandraMatchesSource(49);
        assertThat(cassandra.execute("SELECT amount FROM shop.enriched_orders WHERE id = 1000").get(0)
                .getBigDecimal("amount")).isEqualByComparingTo("3.50");
        assertThat(cassandra.execute("SELECT id FROM shop.enriched_orders WHERE id = 5")).isEmpty();
    }

    @Test
    @Order(3)
    void aWorkerStoppedMidRunLosesNothing() {
        shop.generateOrders(100);
        connect.stopOneWorker();
        try {
            shop.generateOrders(100);
            db.execute("DELETE FROM orders WHERE id IN (7, 8)", "UPDATE orders SET quantity = 7 WHERE id = 9");
            awaitCassandraMatchesSource(247);
        } finally {
            connect.addWorker();
            rest = connect.rest();
        }
    }

    private static void awaitCassandraMatchesSource(int expectedRows) {
        TreeSet<String> expected = new TreeSet<>();
        for (Map<String, Object> row : db.query(JOIN)) {
            expected.add(line(((Number) row.get("id")).longValue(), (Integer) row.get("user_id"),
                    (Integer) row.get("store_id"), (Integer) row.get("quantity"), (BigDecimal) row.get("amount"),
                    (String) row.get("user_name"), (String) row.get("user_email"), (String) row.get("store_name"),
                    (String) row.get("store_city")));
        }
        assertThat(expected).hasSize(expectedRows);
        await("shop.enriched_orders equals the orders joined in Postgres").atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(cassandraRows()).containsExactlyElementsOf(expected));
    }

    private static TreeSet<String> cassandraRows() {
        TreeSet<String> rows = new TreeSet<>();
        List<Row> all = cassandra.execute("SELECT * FROM shop.enriched_orders");
        for (Row row : all) {
            rows.add(line(row.getLong("id"), row.getInt("user_id"), row.getInt("store_id"), row.getInt("quantity"),
                    row.getBigDecimal("amount"), row.getString("user_name"), row.getString("user_email"),
                    row.getString("store_name"), row.getString("store_city")));
        }
        return rows;
    }

    private static String line(long id, int userId, int storeId, int quantity, BigDecimal amount, String userName,
                               String userEmail, String storeName, String storeCity) {
        return String.format("%06d|%d|%d|%d|%s|%s|%s|%s|%s", id, userId, storeId, quantity,
                amount == null ? null : amount.setScale(2).toPlainString(), userName, userEmail, storeName, storeCity);
    }
}
