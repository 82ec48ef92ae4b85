package dev.cdcconnect.it.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cdcconnect.it.delta.DeltaTables;
import dev.cdcconnect.it.eventstore.EventStoreSinks;
import dev.cdcconnect.it.recipes.Recipe;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.testkit.connect.DebeziumSources;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.PostgresServer;
import dev.cdcconnect.testkit.registry.SchemaRegistryServer;
import dev.cdcconnect.testkit.s3.S3Server;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DecimalType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.TimestampNTZType;
import io.delta.kernel.types.TimestampType;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seed 004 in Avro, as the bundle ships it ({@code etc/avro/004-object-storage-source.json} and
 * {@code etc/avro/004-delta-sink.json}, what the compose demo's Avro switch deploys): Debezium's Postgres source
 * writes users, stores and orders in Avro through a real schema registry, and the Delta sink reads them back
 * through the registry into one Delta table per source table, in a bucket of the test kit's S3 server. The
 * examples run with only connection settings replaced. Read back with Delta Kernel's scan, every change must be
 * a row with the values the source had, typed as the source's columns are: numeric a DECIMAL of the same
 * precision and scale, date a DATE, timestamptz a TIMESTAMP (an instant), timestamp a TIMESTAMP_NTZ.
 */
class PostgresAvroToDeltaRecipeIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final Recipe SOURCE = Recipe.load("avro/004-object-storage-source.json");
    private static final Recipe SINK = Recipe.load("avro/004-delta-sink.json");
    private static final String PREFIX = SOURCE.config().get("topic.prefix");
    private static final URI ROOT = URI.create(SINK.config().get("delta.table.root"));

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static SchemaRegistryServer registry;
    private static S3Server s3;
    private static Database shop;

    @BeforeAll
    static void start() {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        registry = SchemaRegistryServer.shared();
        s3 = S3Server.shared();
        s3.createBucket(ROOT.getHost());
        shop = PostgresServer.shared().createDatabase("avro004_shop");
        shop.execute(
                "CREATE TABLE users (id INT PRIMARY KEY, name TEXT NOT NULL, email TEXT)",
                "CREATE TABLE stores (id INT PRIMARY KEY, name TEXT NOT NULL, city TEXT)",
                // the demo's orders (docker/sql/postgres.sql), with a date and a timestamp without time zone
                "CREATE TABLE orders (id INT PRIMARY KEY, user_id INT NOT NULL, store_id INT NOT NULL,"
                        + " amount NUMERIC(10,2) NOT NULL, status TEXT NOT NULL, created_at TIMESTAMPTZ(3) NOT NULL,"
                        + " ship_date DATE, packed_at TIMESTAMP(6))",
                "ALTER TABLE users REPLICA IDENTITY FULL",
                "ALTER TABLE stores REPLICA IDENTITY FULL",
                "ALTER TABLE orders REPLICA IDENTITY FULL",
                "INSERT INTO users VALUES (1, 'Sally', 'sally@example.com'), (2, 'George', NULL)",
                "INSERT INTO stores VALUES (1, 'Downtown', 'Lisbon')",
                "INSERT INTO orders VALUES (1, 1, 1, 12.50, 'new', '2024-03-01 10:11:12.345+00', '2024-03-04',"
                        + " '2024-03-02 08:30:15.123456')");
    }

    @AfterAll
    static void stop() {
        rest.delete(SINK.name());
        rest.delete(SOURCE.name());
    }

    @Test
    void everyAvroChangeIsATypedRowOfItsDeltaTable() {
        Map<String, String> source = SOURCE.configWith(withRegistry(SOURCE, DebeziumSources.connection(shop)));
        Map<String, String> sink = SINK.configWith(withRegistry(SINK, Map.of(
                "s3.endpoint", s3.endpoint(),
                "s3.access.key", S3Server.ACCESS_KEY,
                "s3.secret.key", S3Server.SECRET_KEY)));
        assertThat(SOURCE.validate(rest, source)).as("etc/avro/004-object-storage-source.json validates").isEmpty();
        assertThat(SINK.validate(rest, sink)).as("etc/avro/004-delta-sink.json validates").isEmpty();

        rest.createOrUpdate(SOURCE.name(), source);
        rest.awaitRunning(SOURCE.name(), 1, TIMEOUT);
        rest.createOrUpdate(SINK.name(), sink);
        rest.awaitRunning(SINK.name(), 1, TIMEOUT);

        shop.execute(
                "INSERT INTO orders VALUES (2, 2, 1, 1234567.89, 'new', '1999-12-31 23:59:59.999+00', NULL,"
                        + " '1969-07-20 20:17:40')",
                "UPDATE orders SET status = 'paid', ship_date = '2024-02-29' WHERE id = 2",
                "UPDATE users SET email = 'george@example.com' WHERE id = 2");
        shop.inTransaction(
                "UPDATE orders SET status = 'shipped' WHERE id = 2",
                "DELETE FROM orders WHERE id = 1");

        Instant kettleCreated = Instant.parse("2024-03-01T10:11:12.345Z");
        Instant teapotCreated = Instant.parse("1999-12-31T23:59:59.999Z");
        LocalDateTime kettlePacked = LocalDateTime.parse("2024-03-02T08:30:15.123456");
        LocalDateTime teapotPacked = LocalDateTime.parse("1969-07-20T20:17:40");
        awaitChanges("orders", List.of(
                order("r", 1, "12.50", "new", kettleCreated, LocalDate.parse("2024-03-04"), kettlePacked),
                order("c", 2, "1234567.89", "new", teapotCreated, null, teapotPacked),
                order("u", 2, "1234567.89", "paid", teapotCreated, LocalDate.parse("2024-02-29"), teapotPacked),
                order("u", 2, "1234567.89", "shipped", teapotCreated, LocalDate.parse("2024-02-29"), teapotPacked),
                // REPLICA IDENTITY FULL: a delete's row holds the values the row had
                order("d", 1, "12.50", "new", kettleCreated, LocalDate.parse("2024-03-04"), kettlePacked)));
        awaitChanges("users", List.of(
                row("r", "id", 1, "name", "Sally", "email", "sally@example.com"),
                row("r", "id", 2, "name", "George", "email", null),
                row("u", "id", 2, "name", "George", "email", "george@example.com")));
        awaitChanges("stores", List.of(row("r", "id", 1, "name", "Downtown", "city", "Lisbon")));

        assertThat(DeltaTables.columns(table("orders"))).as("the Delta types of the orders table's columns")
                .containsEntry("id", IntegerType.INTEGER)
                .containsEntry("amount", new DecimalType(10, 2))
                .containsEntry("status", StringType.STRING)
                .containsEntry("created_at", TimestampType.TIMESTAMP)
                .containsEntry("ship_date", DateType.DATE)
                .containsEntry("packed_at", TimestampNTZType.TIMESTAMP_NTZ);
        // Through the registry, and nothing went to the dead letter queue.
        assertThat(registry.subjects()).contains(PREFIX + ".public.orders-key", PREFIX + ".public.orders-value",
                PREFIX + ".public.users-value", PREFIX + ".public.stores-value");
        assertThat(connect.records(SINK.config().get("errors.deadletterqueue.topic.name")))
                .as("records in the sink's dead letter queue").isZero();
    }

    private static Map<String, Object> order(String op, int id, String amount, String status, Instant created,
                                             LocalDate shipDate, LocalDateTime packed) {
        return row(op, "id", id, "amount", new BigDecimal(amount), "status", status, "created_at", created,
                "ship_date", shipDate, "packed_at", packed);
    }

    /** A change as a row of its table: the operation, then column names and values. */
    private static Map<String, Object> row(String op, Object... columns) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("_cdc_op", op);
        for (int i = 0; i < columns.length; i += 2) {
            row.put((String) columns[i], columns[i + 1]);
        }
        return row;
    }

    /** Waits until the table holds exactly these changes, in Kafka offset order, in the columns they name. */
    private static void awaitChanges(String table, List<Map<String, Object>> expected) {
        await("Delta table " + table + " holds " + expected).atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    EventStoreSinks.failIfATaskFailed(rest, SINK.name());
                    List<Map<String, Object>> rows = DeltaTables.rows(table(table)).stream().map(r -> {
                        Map<String, Object> projected = new LinkedHashMap<>();
                        expected.get(0).keySet().forEach(column -> projected.put(column, r.get(column)));
                        return projected;
                    }).toList();
                    assertThat(rows).isEqualTo(expected);
                });
    }

    private static Path table(String name) {
        return s3.objectPath(ROOT.getHost(), ROOT.getPath().substring(1) + "/" + name);
    }

    /** The overrides plus this run's registry in every converter setting of the recipe that names one. */
    private static Map<String, String> withRegistry(Recipe recipe, Map<String, String> overrides) {
        Map<String, String> config = new LinkedHashMap<>(overrides);
        recipe.config().keySet().stream().filter(key -> key.endsWith("converter.apicurio.registry.url"))
                .forEach(key -> config.put(key, registry.apicurioApiUrl()));
        return config;
    }
}
