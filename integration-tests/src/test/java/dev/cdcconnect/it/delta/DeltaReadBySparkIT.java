package dev.cdcconnect.it.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.testkit.connect.DebeziumSources;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.PostgresServer;
import dev.cdcconnect.testkit.s3.S3Server;
import dev.cdcconnect.testkit.spark.SparkDeltaReader;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seed 004's own reader on what the Delta sink wrote: Spark with delta-spark (in a JVM of its own) reads the
 * change log of a Postgres table with numeric, date, timestamp, timestamptz, bytea, boolean, double, bigint and
 * smallint columns, written by the sink (loaded from plugin.path) once into a local folder and once into a bucket
 * of an S3 API server through s3a://, and finds every change Postgres went through, column by column, with the
 * Delta type each column should have.
 */
class DeltaReadBySparkIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static final String PREFIX = "sparkread";
    private static final String SOURCE = "delta-spark-source";
    private static final String LOCAL_SINK = "delta-spark-local-sink";
    private static final String S3_SINK = "delta-spark-s3-sink";
    private static final String TOPIC = PREFIX + ".public.accounts";
    private static final String BUCKET = "spark-read";
    private static final String COLUMNS = "id, name, balance, born, updated_at, created_at, photo, active, score,"
            + " visits, rank";
    private static final String ISO = "YYYY-MM-DD\"T\"HH24:MI:SS.US";

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static S3Server s3;
    private static Database db;
    private static Path localRoot;

    @BeforeAll
    static void start() throws Exception {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        s3 = S3Server.shared();
        s3.createBucket(BUCKET);
        localRoot = Files.createTempDirectory("cdcconnect-delta-spark-");
        db = PostgresServer.shared().createDatabase("delta_spark");
        db.execute("CREATE TABLE accounts (id int PRIMARY KEY, name varchar(45), balance numeric(12,2), born date,"
                        + " updated_at timestamp(6), created_at timestamptz, photo bytea, active boolean,"
                        + " score double precision, visits bigint, rank smallint)",
                "ALTER TABLE accounts REPLICA IDENTITY FULL",
                insert(1, 40));
    }

    @AfterAll
    static void stop() {
        ConnectRestClient current = connect.rest();
        current.delete(LOCAL_SINK);
        current.delete(S3_SINK);
        current.delete(SOURCE);
    }

    /** Rows with every column set but, on every seventh, every nullable one null; values far from round. */
    private static String insert(int from, int to) {
        return "INSERT INTO accounts SELECT g,"
                + " CASE WHEN g % 7 = 0 THEN NULL ELSE 'name ' || g || ' ✓' END,"
                + " CASE WHEN g % 7 = 0 THEN NULL ELSE (g * 1234567.89 - 5000000)::numeric(12,2) END,"
                + " CASE WHEN g % 7 = 0 THEN NULL ELSE date '1969-12-25' + g * 97 END,"
                + " CASE WHEN g % 7 = 0 THEN NULL ELSE timestamp '1999-12-31 23:59:58.123456' + g * interval '1 day 1.000001 second' END,"
                + " CASE WHEN g % 7 = 0 THEN NULL ELSE timestamptz '2024-03-31 01:30:00.654321+02' + g * interval '36 hours 0.1 second' END,"
                + " CASE WHEN g % 7 = 0 THEN NULL ELSE decode(lpad(to_hex(g * 4099), 8, '0') || '00ff', 'hex') END,"
                + " CASE WHEN g % 7 = 0 THEN NULL ELSE g % 2 = 0 END,"
                + " CASE WHEN g % 7 = 0 THEN NULL ELSE g / 3.0::float8 END,"
                + " CASE WHEN g % 7 = 0 THEN NULL ELSE 3000000000 * g END,"
                + " CASE WHEN g % 7 = 0 THEN NULL ELSE (g - 20)::smallint END"
                + " FROM generate_series(" + from + ", " + to + ") g";
    }

    /** The rows Postgres holds now, each column as the string Java gives its value (Base64 for bytes). */
    private static Map<Integer, Map<String, String>> current(String where) {
        Map<Integer, Map<String, String>> rows = new TreeMap<>();
        // Dates and times as text in SQL, so no JVM time zone comes between Postgres and the comparison.
        String select = COLUMNS.replace("born,", "born::text AS born,")
                .replace("updated_at,", "to_char(updated_at, '" + ISO + "') AS updated_at,")
                .replace("created_at,", "to_char(created_at AT TIME ZONE 'UTC', '" + ISO + "') AS created_at,");
        for (Map<String, Object> row : db.query("SELECT " + select + " FROM accounts WHERE " + where)) {
            Map<String, String> values = new LinkedHashMap<>();
            values.put("id", String.valueOf(row.get("id")));
            values.put("name", (String) row.get("name"));
            values.put("balance", row.get("balance") == null ? null : ((BigDecimal) row.get("balance")).toPlainString());
            values.put("born", row.get("born") == null ? null : LocalDate.parse((String) row.get("born")).toString());
            values.put("updated_at", row.get("updated_at") == null ? null
                    : LocalDateTime.parse((String) row.get("updated_at")).toString());
            values.put("created_at", row.get("created_at") == null ? null
                    : LocalDateTime.parse((String) row.get("created_at")).toInstant(ZoneOffset.UTC).toString());
            values.put("photo", row.get("photo") == null ? null
                    : Base64.getEncoder().encodeToString((byte[]) row.get("photo")));
            for (String column : List.of("active", "score", "visits", "rank")) {
                values.put(column, row.get(column) == null ? null : String.valueOf(row.get(column)));
            }
            rows.put((Integer) row.get("id"), values);
        }
        return rows;
    }

    private static void expect(Map<Integer, List<String>> changes, String op, Map<Integer, Map<String, String>> rows) {
        rows.forEach((id, values) -> changes.computeIfAbsent(id, k -> new ArrayList<>()).add(op + " " + values));
    }

    @Test
    void sparkReadsEveryChangeWithItsDeltaTypesFromALocalFolderAndFromS3() {
        Map<Integer, List<String>> expected = new TreeMap<>();
        expect(expected, "r", current("true"));

        rest.createOrUpdate(SOURCE, DebeziumSources.postgres(db, PREFIX)
                .slot("delta_spark_slot").publication("delta_spark_pub")
                .tables("public.accounts")
                .with("tombstones.on.delete", "false")
                .with("decimal.handling.mode", "precise")
                .build());
        rest.awaitRunning(SOURCE, 1, TIMEOUT);
        Map<String, String> sink = Map.of(
                "connector.class", "dev.cdcconnect.delta.DeltaSinkConnector",
                "tasks.max", "1",
                "topics", TOPIC,
                "consumer.override.auto.offset.reset", "earliest",
                "commit.interval.ms", "1000");
        Map<String, String> local = new LinkedHashMap<>(sink);
        local.put("delta.table.root", localRoot.toString());
        rest.createOrUpdate(LOCAL_SINK, local);
        Map<String, String> onS3 = new LinkedHashMap<>(sink);
        onS3.putAll(Map.of(
                "delta.table.root", "s3a://" + BUCKET + "/delta",
                "s3.endpoint", s3.endpoint(),
                "s3.path.style.access", "true",
                "s3.region", S3Server.REGION,
                "s3.access.key", S3Server.ACCESS_KEY,
                "s3.secret.key", S3Server.SECRET_KEY));
        rest.createOrUpdate(S3_SINK, onS3);
        rest.awaitRunning(LOCAL_SINK, 1, TIMEOUT);
        rest.awaitRunning(S3_SINK, 1, TIMEOUT);

        db.execute(insert(41, 60));
        expect(expected, "c", current("id > 40"));
        db.execute("UPDATE accounts SET name = upper(name), balance = -balance, photo = NULL,"
                + " updated_at = updated_at + interval '0.000007 second' WHERE id % 5 = 0");
        expect(expected, "u", current("id % 5 = 0"));
        Map<Integer, Map<String, String>> deleted = current("id % 9 = 0");
        db.execute("DELETE FROM accounts WHERE id % 9 = 0");
        expect(expected, "d", deleted);
        int changes = expected.values().stream().mapToInt(List::size).sum();

        Path s3Table = s3.objectPath(BUCKET, "delta/accounts");
        await("both Delta tables have " + changes + " rows").atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1))
                .until(() -> DeltaTables.rows(localRoot.resolve("accounts")).size() >= changes
                        && DeltaTables.rows(s3Table).size() >= changes);

        List<SparkDeltaReader.Table> tables = SparkDeltaReader.read(
                List.of(localRoot.resolve("accounts").toUri().toString(), "s3a://" + BUCKET + "/delta/accounts"),
                Map.of("spark.hadoop.fs.s3a.endpoint", s3.endpoint(),
                        "spark.hadoop.fs.s3a.endpoint.region", S3Server.REGION,
                        "spark.hadoop.fs.s3a.path.style.access", "true",
                        "spark.hadoop.fs.s3a.connection.ssl.enabled", "false",
                        "spark.hadoop.fs.s3a.aws.credentials.provider",
                        "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
                        "spark.hadoop.fs.s3a.access.key", S3Server.ACCESS_KEY,
                        "spark.hadoop.fs.s3a.secret.key", S3Server.SECRET_KEY),
                Duration.ofMinutes(10));

        for (SparkDeltaReader.Table table : tables) {
            assertThat(table.types()).containsAllEntriesOf(Map.ofEntries(
                    Map.entry("id", "integer"), Map.entry("name", "string"), Map.entry("balance", "decimal(12,2)"),
                    Map.entry("born", "date"), Map.entry("updated_at", "timestamp_ntz"),
                    Map.entry("created_at", "timestamp"), Map.entry("photo", "binary"),
                    Map.entry("active", "boolean"), Map.entry("score", "double"), Map.entry("visits", "long"),
                    Map.entry("rank", "short"), Map.entry("_cdc_op", "string"),
                    Map.entry("_cdc_source_ts", "timestamp"), Map.entry("_cdc_lsn", "long"),
                    Map.entry("_cdc_kafka_partition", "integer"), Map.entry("_cdc_kafka_offset", "long")));
            assertThat(table.rows()).hasSize(changes);
            assertThat(table.rows()).extracting(r -> r.get("_cdc_kafka_offset")).doesNotHaveDuplicates();
            assertThat(changesPerKey(table.rows())).isEqualTo(expected);
        }
    }

    /** Spark's rows as the changes of each key, in Kafka offset order, in the form {@link #expect} gives. */
    private static Map<Integer, List<String>> changesPerKey(List<Map<String, Object>> rows) {
        Map<Integer, List<String>> changes = new TreeMap<>();
        rows.stream()
                .sorted(Comparator.comparingLong(r -> ((Number) r.get("_cdc_kafka_offset")).longValue()))
                .forEach(r -> {
                    Map<String, String> values = new LinkedHashMap<>();
                    for (String column : COLUMNS.split(", ")) {
                        values.put(column, r.get(column) == null ? null : String.valueOf(r.get(column)));
                    }
                    changes.computeIfAbsent((Integer) r.get("id"), k -> new ArrayList<>())
                            .add(r.get("_cdc_op") + " " + values);
                });
        return changes;
    }
}
