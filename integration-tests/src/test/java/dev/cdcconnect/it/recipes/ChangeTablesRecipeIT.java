package dev.cdcconnect.it.recipes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.testkit.connect.DebeziumSources;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.MariaDbServer;
import dev.cdcconnect.testkit.db.PostgresServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Recipe 003 ({@code etc/003-cdc-change-tables-*.json}) on real Postgres and MariaDB (standing in for MySQL):
 * Debezium's Postgres and MySQL sources and the JDBC sink turn every change of a table into one appended row of
 * {@code <table>_cdc} (MySQL's: {@code mysql_<table>_cdc}), with the operation, the source's commit timestamp and
 * its database, in the order the changes were committed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChangeTablesRecipeIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private static ConnectRestClient rest;
    private static Recipe source;
    private static Recipe mysqlSource;
    private static Recipe sink;
    private static Database shop;
    private static Database inventory;
    private static Database warehouse;

    @BeforeAll
    static void start() {
        rest = ConnectCluster.shared().rest();
        source = Recipe.load("003-cdc-change-tables-source.json");
        mysqlSource = Recipe.load("003-cdc-change-tables-mysql-source.json");
        sink = Recipe.load("003-cdc-change-tables-sink.json");
        PostgresServer postgres = PostgresServer.shared();
        shop = postgres.createDatabase("recipe003_shop");
        warehouse = postgres.createDatabase("recipe003_warehouse");
        shop.execute(
                "CREATE TABLE users (id INT PRIMARY KEY, name TEXT NOT NULL, email TEXT)",
                "CREATE TABLE stores (id INT PRIMARY KEY, name TEXT NOT NULL, city TEXT)",
                "CREATE TABLE orders (id INT PRIMARY KEY, user_id INT NOT NULL, store_id INT NOT NULL,"
                        + " amount NUMERIC(10,2) NOT NULL, status TEXT NOT NULL)",
                "ALTER TABLE users REPLICA IDENTITY FULL",
                "ALTER TABLE stores REPLICA IDENTITY FULL",
                "ALTER TABLE orders REPLICA IDENTITY FULL",
                "INSERT INTO users VALUES (1, 'Sally', 'sally@example.com')",
                "INSERT INTO stores VALUES (1, 'Downtown', 'Lisbon')",
                "INSERT INTO orders VALUES (1, 1, 1, 12.50, 'new')");
        // MySQL's side, MariaDB standing in
        inventory = MariaDbServer.shared().createDatabase("inventory");
        inventory.execute(
                "CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, email VARCHAR(200))",
                "CREATE TABLE stores (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, city VARCHAR(100))",
                "CREATE TABLE orders (id INT PRIMARY KEY, user_id INT NOT NULL, store_id INT NOT NULL,"
                        + " amount DECIMAL(10,2) NOT NULL, status VARCHAR(20) NOT NULL)",
                "INSERT INTO users VALUES (7, 'Mia', 'mia@example.com')",
                "INSERT INTO stores VALUES (7, 'Harbour', 'Oslo')",
                "INSERT INTO orders VALUES (7, 7, 7, 70.00, 'new')");

        // Both sources first: the sink subscribes by pattern and sees the topics that exist when it starts.
        Map<String, String> sourceConfig = source.configWith(DebeziumSources.connection(shop));
        Map<String, String> mysqlConfig = DemoConnectorConfigsIT.onMariaDb(mysqlSource, inventory,
                ConnectCluster.shared());
        assertThat(source.validate(rest, sourceConfig)).as("source recipe validates").isEmpty();
        assertThat(mysqlSource.validate(rest, mysqlConfig)).as("MySQL source recipe validates").isEmpty();
        rest.createOrUpdate(source.name(), sourceConfig);
        rest.createOrUpdate(mysqlSource.name(), mysqlConfig);
        rest.awaitRunning(source.name(), 1, TIMEOUT);
        rest.awaitRunning(mysqlSource.name(), 1, TIMEOUT);
        for (String prefix : List.of("changes.public.", "changes.inventory.")) {
            for (String table : List.of("users", "stores", "orders")) {
                ConnectCluster.shared().awaitRecords(prefix + table, 1, TIMEOUT);
            }
        }
    }

    @AfterAll
    static void stop() {
        rest.delete(source.name());
        rest.delete(mysqlSource.name());
        rest.delete(sink.name());
    }

    @Test
    @Order(1)
    void everyInsertUpdateAndDeleteBecomesOneRowInOrderWithOperationAndSourceTimestamp() {
        Map<String, String> sinkConfig = sink.configWith(Map.of(
                "connection.url", warehouse.jdbcUrl(),
                "connection.username", warehouse.user(),
                "connection.password", warehouse.password()));
        assertThat(sink.validate(rest, sinkConfig)).as("sink recipe validates").isEmpty();
        rest.createOrUpdate(sink.name(), sinkConfig);
        rest.awaitRunning(sink.name(), 1, TIMEOUT);

        // The snapshot: every existing row once, as a read.
        awaitChanges("orders_cdc", shop, List.of(change("r", 1, "new")));
        awaitChanges("users_cdc", shop, List.of(Map.of("__op", "r", "id", 1, "name", "Sally")));

        long before = System.currentTimeMillis();
        shop.execute(
                "INSERT INTO orders VALUES (2, 1, 1, 30.00, 'new')",
                "UPDATE orders SET status = 'paid' WHERE id = 2",
                "UPDATE orders SET status = 'shipped' WHERE id = 1");
        shop.inTransaction(
                "UPDATE orders SET status = 'shipped' WHERE id = 2",
                "DELETE FROM orders WHERE id = 1");
        shop.execute("INSERT INTO orders VALUES (1, 1, 1, 99.90, 'new')");
        long after = System.currentTimeMillis();

        List<Map<String, Object>> rows = awaitChanges("orders_cdc", shop, List.of(
                change("r", 1, "new"),
                change("c", 2, "new"),
                change("u", 2, "paid"),
                change("u", 1, "shipped"),
                change("u", 2, "shipped"),
                change("d", 1, "shipped"),
                change("c", 1, "new")));

        // A delete keeps the row as it was before the delete (REPLICA IDENTITY FULL), so the change table
        // answers "what was deleted" as well as "when".
        assertThat(warehouse.query("SELECT amount FROM orders_cdc WHERE __op = 'd'"))
                .extracting(r -> r.get("amount").toString()).containsExactly("12.50");
        List<Long> streamedTimestamps = rows.subList(1, rows.size()).stream()
                .map(r -> ((Number) r.get("__source_ts_ms")).longValue()).toList();
        assertThat(streamedTimestamps).as("source commit timestamps, in commit order").isSorted()
                .allSatisfy(ts -> assertThat(ts).isBetween(before - 1_000, after + 1_000));
        assertThat(streamedTimestamps.get(3)).as("one transaction, one commit timestamp")
                .isEqualTo(streamedTimestamps.get(4));
    }

    /**
     * MySQL's changes land in change tables of their own, {@code mysql_<table>_cdc}: in a shared table a MySQL and
     * a Postgres change at the same offset of their topics would share the key (topic after renaming, partition,
     * offset) and one would overwrite the other.
     */
    @Test
    @Order(2)
    void mySqlChangesLandInTheSameChangeTablesNamingTheirDatabase() {
        awaitChanges("mysql_orders_cdc", inventory, List.of(change("r", 7, "new")));
        awaitChanges("mysql_stores_cdc", inventory, List.of(Map.of("__op", "r", "id", 7, "city", "Oslo")));

        inventory.execute(
                "INSERT INTO orders VALUES (8, 7, 7, 80.00, 'new')",
                "UPDATE orders SET status = 'paid' WHERE id = 8");
        inventory.inTransaction(
                "UPDATE orders SET status = 'shipped' WHERE id = 8",
                "DELETE FROM orders WHERE id = 7");

        awaitChanges("mysql_orders_cdc", inventory, List.of(
                change("r", 7, "new"),
                change("c", 8, "new"),
                change("u", 8, "paid"),
                change("u", 8, "shipped"),
                change("d", 7, "new")));
        assertThat(warehouse.query("SELECT amount FROM mysql_orders_cdc WHERE __op = 'd'"))
                .extracting(r -> r.get("amount").toString()).containsExactly("70.00");
    }

    private static Map<String, Object> change(String op, int id, String status) {
        return Map.of("__op", op, "id", id, "status", status);
    }

    /**
     * Waits until the change table holds exactly these changes (on the listed columns) of one source database, in
     * Kafka offset order.
     */
    private static List<Map<String, Object>> awaitChanges(String table, Database source,
                                                          List<Map<String, Object>> expected) {
        String columns = String.join(", ", expected.get(0).keySet());
        String sql = "SELECT " + columns + ", __source_ts_ms FROM " + table + " WHERE __source_db = '" + source.name()
                + "' ORDER BY __connect_offset";
        await(table + " holds " + expected).atMost(TIMEOUT).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            assertThat(warehouse.tableExists(table)).as(table + " created").isTrue();
            List<Map<String, Object>> rows = warehouse.query(sql);
            assertThat(rows).as("rows of %s in %s, of all its rows %s", source.name(), table,
                            warehouse.query("SELECT * FROM " + table + " ORDER BY __connect_offset"))
                    .extracting(r -> project(r, expected.get(0).keySet())).containsExactlyElementsOf(expected);
        });
        return warehouse.query(sql);
    }

    private static Map<String, Object> project(Map<String, Object> row, java.util.Set<String> keys) {
        Map<String, Object> projected = new java.util.HashMap<>();
        keys.forEach(k -> projected.put(k, row.get(k)));
        return projected;
    }
}
