package dev.cdcconnect.it.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.testkit.connect.DebeziumSources;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.PostgresServer;
import dev.cdcconnect.testkit.s3.S3Server;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Seed 004 without Spark, on real components: Debezium streams the {@code customers1} table from Postgres, the
 * Delta sink (loaded from plugin.path) writes every change as a row of a Delta table in a bucket of an S3 API
 * server through s3a://, as into MinIO. Read back with Delta Kernel's scan from the server's storage.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostgresToDeltaIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static final String PREFIX = "dbserver2";
    private static final String SOURCE = "delta-it-source";
    private static final String SINK = "delta-it-sink";
    private static final String TOPIC = PREFIX + ".public.customers1";
    private static final String BUCKET = "change-data-capture";

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static S3Server s3;
    private static Database db;

    @BeforeAll
    static void start() {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        s3 = S3Server.shared();
        s3.createBucket(BUCKET);
        db = PostgresServer.shared().createDatabase("delta_seed");
        db.execute("CREATE TABLE customers1 (\"customerId\" int PRIMARY KEY, \"customerFName\" varchar(45),"
                        + " \"customerLName\" varchar(45), \"customerEmail\" varchar(45),"
                        + " \"customerPassword\" varchar(45), \"customerStreet\" varchar(255),"
                        + " \"customerCity\" varchar(45), \"customerState\" varchar(45), \"customerZipcode\" int)",
                "ALTER TABLE customers1 REPLICA IDENTITY FULL",
                insertCustomers(1, 100));

        rest.createOrUpdate(SOURCE, DebeziumSources.postgres(db, PREFIX)
                .slot("delta_it_slot").publication("delta_it_pub")
                .tables("public.customers1")
                .with("tombstones.on.delete", "false")
                .build());
        rest.awaitRunning(SOURCE, 1, TIMEOUT);

        rest.createOrUpdate(SINK, Map.ofEntries(
                Map.entry("connector.class", "dev.cdcconnect.delta.DeltaSinkConnector"),
                Map.entry("tasks.max", "1"),
                Map.entry("topics", TOPIC),
                Map.entry("consumer.override.auto.offset.reset", "earliest"),
                Map.entry("delta.table.root", "s3a://" + BUCKET + "/delta"),
                Map.entry("s3.endpoint", s3.endpoint()),
                Map.entry("s3.path.style.access", "true"),
                Map.entry("s3.region", S3Server.REGION),
                Map.entry("s3.access.key", S3Server.ACCESS_KEY),
                Map.entry("s3.secret.key", S3Server.SECRET_KEY),
                Map.entry("commit.interval.ms", "1000"),
                Map.entry("retry.max.attempts", "3")));
        rest.awaitRunning(SINK, 1, TIMEOUT);
    }

    @AfterAll
    static void stop() {
        ConnectRestClient current = connect.rest();
        current.delete(SINK);
        current.delete(SOURCE);
    }

    private static String insertCustomers(int from, int to) {
        return "INSERT INTO customers1 SELECT g, 'first' || g, 'last' || g, 'XXXXXXXXX', 'XXXXXXXXX',"
                + " g || ' Blue Pioneer Bend', 'Caguas', 'PR', 725 + g FROM generate_series(" + from + ", " + to + ") g";
    }

    private static Path table() {
        return s3.objectPath(BUCKET, "delta/customers1");
    }

    private static List<Map<String, Object>> awaitRows(int count) {
        await("the Delta table has " + count + " rows").atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1))
                .until(() -> DeltaTables.rows(table()).size() >= count);
        List<Map<String, Object>> rows = DeltaTables.rows(table());
        assertThat(rows).hasSize(count);
        return rows;
    }

    @Test
    @Order(1)
    void snapshotRowsArriveAsReadChanges() {
        List<Map<String, Object>> rows = awaitRows(100);
        assertThat(rows).extracting(r -> r.get("_cdc_op")).containsOnly("r");
        assertThat(rows.get(0)).containsEntry("customerId", 1).containsEntry("customerFName", "first1")
                .containsEntry("customerZipcode", 726).containsEntry("_cdc_kafka_topic", TOPIC);
    }

    @Test
    @Order(2)
    void insertsUpdatesAndDeletesAreRowsInCommitOrderPerKey() {
        db.execute("DELETE FROM customers1 WHERE \"customerId\" = 10",
                "UPDATE customers1 SET \"customerFName\" = 'HUSEYIN' WHERE \"customerId\" = 17",
                "UPDATE customers1 SET \"customerFName\" = 'SAPAYDIN' WHERE \"customerId\" = 17",
                insertCustomers(101, 101));
        List<Map<String, Object>> rows = awaitRows(104);

        Map<Object, List<String>> history = rows.stream().collect(Collectors.groupingBy(r -> r.get("customerId"),
                Collectors.mapping(r -> r.get("_cdc_op") + ":" + r.get("customerFName"), Collectors.toList())));
        assertThat(history.get(17)).containsExactly("r:first17", "u:HUSEYIN", "u:SAPAYDIN");
        assertThat(history.get(10)).containsExactly("r:first10", "d:first10");
        assertThat(history.get(101)).containsExactly("c:first101");
    }

    @Test
    @Order(3)
    void aStoppedWorkerAndAnS3OutageLeaveEveryChangeOnce() throws InterruptedException {
        db.execute(insertCustomers(1000, 10_999));
        connect.stopOneWorker();
        try {
            db.execute("UPDATE customers1 SET \"customerZipcode\" = \"customerZipcode\" + 1"
                    + " WHERE \"customerId\" >= 1000");
            s3.stop();
            try {
                Thread.sleep(30_000);
            } finally {
                s3.start();
            }
        } finally {
            connect.addWorker();
            rest = connect.rest();
        }
        connect.awaitRecords(TOPIC, 104 + 20_000, TIMEOUT);
        long records = connect.records(TOPIC);
        List<Map<String, Object>> rows = awaitRows((int) records);

        assertThat(rows.stream().map(r -> r.get("_cdc_kafka_offset")).distinct().count()).isEqualTo(records);
        // Debezium may send changes again after its worker stopped (new offsets): each is a row of its own.
        assertThat(rows.stream().filter(r -> "u".equals(r.get("_cdc_op")) && (Integer) r.get("customerId") >= 1000)
                .map(r -> r.get("customerId")).distinct()).hasSize(10_000);
        assertThat(rows.stream().filter(r -> "c".equals(r.get("_cdc_op")) && (Integer) r.get("customerId") >= 1000)
                .map(r -> r.get("customerId")).distinct()).hasSize(10_000);
        assertThat(rest.status(SINK).orElseThrow().path("tasks").get(0).path("state").asText()).isEqualTo("RUNNING");
    }
}
