package dev.cdcconnect.it.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
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
 * The kit end to end: Debezium's Postgres source and JDBC sink, loaded from plugin.path into the embedded
 * 2-worker cluster, copy a table from one real Postgres database into another.
 */
class PostgresToPostgresIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final String SOURCE = "kit-pg-source";
    private static final String SINK = "kit-pg-sink";

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static Database source;
    private static Database target;

    @BeforeAll
    static void start() {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        PostgresServer postgres = PostgresServer.shared();
        source = postgres.createDatabase("kit_source");
        target = postgres.createDatabase("kit_target");
        source.execute(
                "CREATE TABLE customers (id INT PRIMARY KEY, first_name TEXT NOT NULL, email TEXT)",
                "ALTER TABLE customers REPLICA IDENTITY FULL",
                "INSERT INTO customers VALUES (1, 'Sally', 'sally@example.com'), (2, 'George', 'george@example.com')");
    }

    @AfterAll
    static void stop() {
        rest.delete(SOURCE);
        rest.delete(SINK);
    }

    @Test
    void insertsUpdatesAndDeletesArriveInTheTargetTable() {
        rest.createOrUpdate(SOURCE, DebeziumSources.postgres(source, "kitpg")
                .slot("kit_pg_slot").publication("kit_pg_pub")
                .tables("public.customers")
                .build());
        rest.createOrUpdate(SINK, Map.ofEntries(
                Map.entry("connector.class", "io.debezium.connector.jdbc.JdbcSinkConnector"),
                Map.entry("tasks.max", "1"),
                Map.entry("topics", "kitpg.public.customers"),
                Map.entry("connection.url", target.jdbcUrl()),
                Map.entry("connection.username", target.user()),
                Map.entry("connection.password", target.password()),
                Map.entry("insert.mode", "upsert"),
                Map.entry("delete.enabled", "true"),
                Map.entry("primary.key.mode", "record_key"),
                Map.entry("schema.evolution", "basic"),
                Map.entry("collection.name.format", "customers_copy"),
                Map.entry("consumer.override.auto.offset.reset", "earliest")));
        rest.awaitRunning(SOURCE, 1, TIMEOUT);
        rest.awaitRunning(SINK, 1, TIMEOUT);

        // The snapshot arrives first.
        awaitRows(List.of(
                Map.of("id", 1, "first_name", "Sally", "email", "sally@example.com"),
                Map.of("id", 2, "first_name", "George", "email", "george@example.com")));

        // Then streamed changes: insert, update, delete.
        source.execute(
                "INSERT INTO customers VALUES (3, 'Edward', 'ed@example.com')",
                "UPDATE customers SET email = 'sally@walker.example' WHERE id = 1",
                "DELETE FROM customers WHERE id = 2");

        awaitRows(List.of(
                Map.of("id", 1, "first_name", "Sally", "email", "sally@walker.example"),
                Map.of("id", 3, "first_name", "Edward", "email", "ed@example.com")));
    }

    private static void awaitRows(List<Map<String, Object>> expected) {
        await("customers_copy rows " + expected).atMost(TIMEOUT).pollInterval(Duration.ofMillis(300))
                .untilAsserted(() -> {
                    assertThat(target.tableExists("customers_copy")).as("customers_copy created").isTrue();
                    assertThat(target.query("SELECT id, first_name, email FROM customers_copy ORDER BY id"))
                            .containsExactlyElementsOf(expected);
                });
    }
}
