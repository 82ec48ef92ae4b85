package dev.cdcconnect.it.recipes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.testkit.connect.DebeziumSources;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.PostgresServer;
import dev.cdcconnect.testkit.registry.SchemaRegistryServer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Recipe 003 in Avro ({@code etc/avro/003-cdc-change-tables-*.json}), seed 003's own format: Debezium's Postgres
 * source writes Avro through a real schema registry, the JDBC sink reads it back through the registry and appends
 * one row per change to {@code <table>_cdc}.
 */
class AvroChangeTablesRecipeIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private static ConnectRestClient rest;
    private static SchemaRegistryServer registry;
    private static Recipe source;
    private static Recipe sink;
    private static Database shop;
    private static Database warehouse;

    @BeforeAll
    static void start() {
        rest = ConnectCluster.shared().rest();
        registry = SchemaRegistryServer.shared();
        source = Recipe.load("avro/003-cdc-change-tables-source.json");
        sink = Recipe.load("avro/003-cdc-change-tables-sink.json");
        PostgresServer postgres = PostgresServer.shared();
        shop = postgres.createDatabase("recipe003avro_shop");
        warehouse = postgres.createDatabase("recipe003avro_warehouse");
        shop.execute(
                "CREATE TABLE users (id INT PRIMARY KEY, name TEXT NOT NULL, email TEXT)",
                "CREATE TABLE stores (id INT PRIMARY KEY, name TEXT NOT NULL, city TEXT)",
                "CREATE TABLE orders (id INT PRIMARY KEY, user_id INT NOT NULL, store_id INT NOT NULL,"
                        + " amount NUMERIC(10,2) NOT NULL, status TEXT NOT NULL)",
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
    void everyChangeBecomesOneRowThroughTheRegistry() {
        Map<String, String> sourceConfig = source.configWith(withRegistry(DebeziumSources.connection(shop)));
        Map<String, String> sinkConfig = sink.configWith(withRegistry(Map.of(
                "connection.url", warehouse.jdbcUrl(),
                "connection.username", warehouse.user(),
                "connection.password", warehouse.password())));
        assertThat(source.validate(rest, sourceConfig)).as("source recipe validates").isEmpty();
        assertThat(sink.validate(rest, sinkConfig)).as("sink recipe validates").isEmpty();

        rest.createOrUpdate(source.name(), sourceConfig);
        rest.createOrUpdate(sink.name(), sinkConfig);
        rest.awaitRunning(source.name(), 1, TIMEOUT);
        rest.awaitRunning(sink.name(), 1, TIMEOUT);
        awaitChanges("users_cdc", "__op, id, name", List.of("r|1|Sally"));
        awaitChanges("orders_cdc", "__op, id, amount, status", List.of("r|1|12.50|new"));

        shop.execute(
                "INSERT INTO orders VALUES (2, 1, 1, 30.00, 'new')",
                "UPDATE orders SET status = 'paid' WHERE id = 2",
                "DELETE FROM orders WHERE id = 1");

        awaitChanges("orders_cdc", "__op, id, amount, status", List.of(
                "r|1|12.50|new",
                "c|2|30.00|new",
                "u|2|30.00|paid",
                "d|1|12.50|new"));
        assertThat(registry.versions("avrochanges.public.orders-value")).hasSize(1);
        assertThat(registry.subjects()).contains("avrochanges.public.orders-key", "avrochanges.public.users-value");
    }

    private static Map<String, String> withRegistry(Map<String, String> overrides) {
        Map<String, String> config = new LinkedHashMap<>(overrides);
        config.put("key.converter.apicurio.registry.url", registry.apicurioApiUrl());
        config.put("value.converter.apicurio.registry.url", registry.apicurioApiUrl());
        return config;
    }

    /** Waits until the change table holds exactly these rows (columns joined by |), in Kafka offset order. */
    private static void awaitChanges(String table, String columns, List<String> expected) {
        String sql = "SELECT " + columns + " FROM " + table + " ORDER BY __connect_offset";
        await(table + " holds " + expected).atMost(TIMEOUT).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            assertThat(warehouse.tableExists(table)).as(table + " created").isTrue();
            // a column the sink adds once it sees the source's new one
            assertThat(warehouse.columnTypes(table)).as("columns of " + table).containsKeys(columns.split(", "));
            assertThat(warehouse.query(sql).stream()
                    .map(row -> String.join("|", row.values().stream().map(String::valueOf).toList())).toList())
                    .isEqualTo(expected);
        });
    }
}
