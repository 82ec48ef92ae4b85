package dev.cdcconnect.it.recipes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cdcconnect.it.delta.DeltaTables;
import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.testkit.connect.DebeziumSources;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.PostgresServer;
import dev.cdcconnect.testkit.s3.S3Server;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recipe 004 ({@code etc/004-object-storage-*.json}): Debezium's Postgres source and Iceberg's sink keep an
 * append-only change log of each table in an Iceberg table (a JDBC catalog in Postgres). The recipe keeps its data
 * files on S3-compatible storage (MinIO in the compose demo) through Iceberg's ResolvingFileIO, which serves
 * every location by its scheme; here the warehouse is a local folder, the one setting that differs. The Delta
 * alternative ({@code etc/004-delta-sink.json}) reads the same topics into Delta tables on the test kit's S3 server. The tables are read back with Iceberg's own reader, as a query engine would.
 */
class ObjectStorageRecipeIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    @TempDir
    static Path warehouse;

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static Recipe source;
    private static Recipe sink;
    private static Recipe deltaSink;
    private static Database shop;
    private static Database catalogDb;
    private static JdbcCatalog catalog;

    @BeforeAll
    static void start() {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        source = Recipe.load("004-object-storage-source.json");
        sink = Recipe.load("004-object-storage-sink.json");
        deltaSink = Recipe.load("004-delta-sink.json");
        PostgresServer postgres = PostgresServer.shared();
        shop = postgres.createDatabase("recipe004_shop");
        catalogDb = postgres.createDatabase("recipe004_iceberg");
        shop.execute(
                "CREATE TABLE users (id INT PRIMARY KEY, name TEXT NOT NULL, email TEXT)",
                "CREATE TABLE stores (id INT PRIMARY KEY, name TEXT NOT NULL, city TEXT)",
                "CREATE TABLE orders (id INT PRIMARY KEY, user_id INT NOT NULL, store_id INT NOT NULL,"
                        + " amount NUMERIC(10,2) NOT NULL, status TEXT NOT NULL)",
                "ALTER TABLE users REPLICA IDENTITY FULL",
                "ALTER TABLE stores REPLICA IDENTITY FULL",
                "ALTER TABLE orders REPLICA IDENTITY FULL",
                "INSERT INTO users VALUES (1, 'Sally', 'sally@example.com'), (2, 'George', NULL)",
                "INSERT INTO stores VALUES (1, 'Downtown', 'Lisbon')",
                "INSERT INTO orders VALUES (1, 1, 1, 12.50, 'new')");
        connect.createTopic(sink.config().get("iceberg.control.topic"), 1);
    }

    @AfterAll
    static void stop() throws IOException {
        rest.delete(source.name());
        rest.delete(sink.name());
        rest.delete(deltaSink.name());
        if (catalog != null) {
            catalog.close();
        }
    }

    @Test
    void everyChangeOfEveryTableLandsInItsIcebergTable() {
        Map<String, String> sourceConfig = source.configWith(DebeziumSources.connection(shop));
        Map<String, String> sinkConfig = sink.configWith(Map.of(
                "iceberg.kafka.bootstrap.servers", connect.bootstrapServers(),
                "iceberg.catalog.uri", catalogDb.jdbcUrl(),
                "iceberg.catalog.jdbc.user", catalogDb.user(),
                "iceberg.catalog.jdbc.password", catalogDb.password(),
                "iceberg.catalog.warehouse", warehouse.toUri().toString()));
        assertThat(source.validate(rest, sourceConfig)).as("source recipe validates").isEmpty();
        assertThat(sink.validate(rest, sinkConfig)).as("sink recipe validates").isEmpty();

        // the Delta alternative on the same topics, into a bucket of the test kit's S3 server
        S3Server s3 = S3Server.shared();
        String bucket = URI.create(deltaSink.config().get("delta.table.root")).getHost();
        s3.createBucket(bucket);
        Map<String, String> deltaConfig = deltaSink.configWith(Map.of(
                "s3.endpoint", s3.endpoint(),
                "s3.access.key", S3Server.ACCESS_KEY,
                "s3.secret.key", S3Server.SECRET_KEY));
        assertThat(deltaSink.validate(rest, deltaConfig)).as("Delta sink recipe validates").isEmpty();

        rest.createOrUpdate(source.name(), sourceConfig);
        rest.createOrUpdate(sink.name(), sinkConfig);
        rest.createOrUpdate(deltaSink.name(), deltaConfig);
        rest.awaitRunning(source.name(), 1, TIMEOUT);
        rest.awaitRunning(sink.name(), 1, TIMEOUT);
        rest.awaitRunning(deltaSink.name(), 1, TIMEOUT);

        shop.execute(
                "INSERT INTO orders VALUES (2, 2, 1, 30.00, 'new')",
                "UPDATE orders SET status = 'paid' WHERE id = 2",
                "UPDATE users SET email = 'george@example.com' WHERE id = 2");
        shop.inTransaction(
                "UPDATE orders SET status = 'shipped' WHERE id = 2",
                "DELETE FROM orders WHERE id = 1");

        catalog = openCatalog(sinkConfig);
        awaitChanges("orders", List.of(
                change("I", 1, "status", "new"),
                change("I", 2, "status", "new"),
                change("U", 2, "status", "paid"),
                change("U", 2, "status", "shipped"),
                change("D", 1, "status", "new")));
        awaitChanges("users", List.of(
                change("I", 1, "email", "sally@example.com"),
                change("I", 2, "email", null),
                change("U", 2, "email", "george@example.com")));
        awaitChanges("stores", List.of(change("I", 1, "city", "Lisbon")));

        Path deltaOrders = s3.objectPath(bucket, URI.create(deltaConfig.get("delta.table.root")).getPath()
                .substring(1) + "/orders");
        await("the Delta table orders holds every change").atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(DeltaTables.rows(deltaOrders))
                        .extracting(r -> r.get("_cdc_op") + ":" + r.get("id") + ":" + r.get("status"))
                        .containsExactlyInAnyOrder("r:1:new", "c:2:new", "u:2:paid", "u:2:shipped", "d:1:new"));

        assertThat(dataFiles()).as("Parquet data files in the warehouse").isNotEmpty()
                .allSatisfy(f -> assertThat(f.toString()).startsWith(warehouse.resolve("lake").toString()));
    }

    /** A change as read back: the Iceberg transform's operation letter, the row's id and one column. */
    private static List<Object> change(String op, int id, String column, Object value) {
        List<Object> change = new ArrayList<>();
        change.add(op);
        change.add(id);
        change.add(column + "=" + value);
        return change;
    }

    /** Waits until the table holds exactly these changes, ordered by their Kafka offset. */
    private static void awaitChanges(String table, List<List<Object>> expected) {
        String column = expected.get(0).get(2).toString().split("=")[0];
        await("lake." + table + " holds " + expected).atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(readChanges(table, column)).containsExactlyElementsOf(expected));
    }

    private static List<List<Object>> readChanges(String table, String column) {
        TableIdentifier id = TableIdentifier.of("lake", table);
        assertThat(catalog.tableExists(id)).as(id + " created").isTrue();
        Table iceberg = catalog.loadTable(id);
        List<Record> records = new ArrayList<>();
        try (CloseableIterable<Record> rows = IcebergGenerics.read(iceberg).build()) {
            rows.forEach(records::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return records.stream()
                .sorted(Comparator.comparingLong(r -> (Long) ((Record) r.getField("_cdc")).getField("offset")))
                .map(r -> change(((Record) r.getField("_cdc")).getField("op").toString(), (Integer) r.getField("id"),
                        column, r.getField(column)))
                .toList();
    }

    private static JdbcCatalog openCatalog(Map<String, String> sinkConfig) {
        JdbcCatalog jdbc = new JdbcCatalog();
        // as the sink's catalog has one: the recipe's ResolvingFileIO hands file:// paths to Hadoop's file system
        jdbc.setConf(new org.apache.hadoop.conf.Configuration());
        Map<String, String> props = new java.util.HashMap<>();
        String prefix = "iceberg.catalog.";
        sinkConfig.forEach((k, v) -> {
            if (k.startsWith(prefix) && !k.equals("iceberg.catalog.catalog-impl")) {
                props.put(k.substring(prefix.length()), v);
            }
        });
        jdbc.initialize(sinkConfig.get("iceberg.catalog"), props);
        return jdbc;
    }

    private static List<Path> dataFiles() {
        try (var files = Files.walk(warehouse)) {
            return files.filter(p -> p.toString().endsWith(".parquet")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
