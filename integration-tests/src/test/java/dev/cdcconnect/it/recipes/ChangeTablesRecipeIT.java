package dev.cdcconnect.it.recipes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.testkit.connect.ConnectRestClient;
import dev.cdcconnect.testkit.connect.DebeziumSources;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.PostgresServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Recipe 003 ({@code etc/003-cdc-change-tables-*.json}) on real Postgres: Debezium's Postgres source and the
 * JDBC sink turn every change of a table into one appended row of {@code <table>_cdc}, with the operation and
 * the source's commit timestamp, in the order the changes were committed.
 */
class ChangeTablesRecipeIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private static ConnectRestClient rest;
    private static Recipe source;
    private static Recipe sink;
    private static Database shop;
    private static Database warehouse;

    @BeforeAll
    static void start() {
        rest = ConnectCluster.shared().rest();
        source = Recipe.load("003-cdc-change-tables-source.json");
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
    }

    @AfterAll
    static void stop() {
        rest.delete(source.name());
        rest.delete(sink.name());
    }

    @Test
    void everyInsertUpdateAndDeleteBecomesOneRowInOrderWithOperationAndSourceTimestamp() {
        Map<String, String> sourceConfig = source.configWith(DebeziumSources.connection(shop));
        Map<String, String> sinkConfig = sink.configWith(Map.of(
                "connection.url", warehouse.jdbcUrl(),
                "connection.username", warehouse.user(),
                "connection.password", warehouse.password()));
        assertThat(source.validate(rest, sourceConfig)).as("source recipe validates").isEmpty();
        assertThat(sink.validate(rest, sinkConfig)).as("sink recipe validates").isEmpty();

        rest.createOrUpdate(source.name(), sourceConfig);
        rest.createOrUpdate(sink.name(), sinkConfig);
        rest.awaitRunning(source.name(), 1, TIMEOUT);
        rest.awaitRunning(sink.name(), 1, TIMEOUT);

        // The snapshot: every existing row once, as a read.
        awaitChanges("orders_cdc", List.of(change("r", 1, "new")));
        awaitChanges("users_cdc", List.of(Map.of("__op", "r", "id", 1, "name", "Sally")));

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

        List<Map<String, Object>> rows = awaitChanges("orders_cdc", List.of(
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

    private static Map<String, Object> change(String op, int id, String status) {
        return Map.of("__op", op, "id", id, "status", status);
    }

    /** Waits until the change table holds exactly these changes (on the listed columns), in Kafka offset order. */
    private static List<Map<String, Object>> awaitChanges(String table, List<Map<String, Object>> expected) {
        String columns = String.join(", ", expected.get(0).keySet());
        String sql = "SELECT " + columns + ", __source_ts_ms FROM " + table + " ORDER BY __connect_offset";
        await(table + " holds " + expected).atMost(TIMEOUT).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            assertThat(warehouse.tableExists(table)).as(table + " created").isTrue();
            List<Map<String, Object>> rows = warehouse.query(sql);
            assertThat(rows).extracting(r -> project(r, expected.get(0).keySet())).containsExactlyElementsOf(expected);
        });
        return warehouse.query(sql);
    }

    private static Map<String, Object> project(Map<String, Object> row, java.util.Set<String> keys) {
        Map<String, Object> projected = new java.util.HashMap<>();
        keys.forEach(k -> projected.put(k, row.get(k)));
        return projected;
    }
}
