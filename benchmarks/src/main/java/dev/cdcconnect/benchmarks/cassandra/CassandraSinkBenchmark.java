package dev.cdcconnect.benchmarks.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import dev.cdcconnect.benchmarks.Benchmark;
import dev.cdcconnect.benchmarks.BenchmarkTaskContext;
import dev.cdcconnect.benchmarks.Results;
import dev.cdcconnect.benchmarks.Statistics;
import dev.cdcconnect.testkit.cassandra.CassandraServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;

/**
 * Rows per second written into a real one-node Cassandra by the Cassandra sink's task (loaded from its built
 * plugin.path folder, fed Debezium order envelopes in batches of 500 as a worker's poll delivers them, offsets
 * committed at the end), with the default batching by partition and with {@code write.batch.grouping=replica-set},
 * against baseline {@code per-row-sync}: the naive loop, one synchronous prepared
 * INSERT per row through the same driver. Each side writes its own fresh table; the row count is checked.
 * Every path is warmed up first, then measured in three rounds; each figure is the median of its rounds.
 * {@code -Drows=N} sets the task's rows (default 50000); the baseline writes a fifth of that.
 */
public final class CassandraSinkBenchmark implements Benchmark {

    private static final String TOPIC = "bench.public.orders";
    private static final int POLL_BATCH = 500;
    private static final int ROUNDS = 3;

    private static final Schema ROW = SchemaBuilder.struct().name("bench.public.orders.Value").optional()
            .field("id", Schema.INT64_SCHEMA).field("user_id", Schema.INT32_SCHEMA).field("store_id", Schema.INT32_SCHEMA)
            .field("quantity", Schema.INT32_SCHEMA).field("amount", Decimal.schema(2))
            .field("user_name", Schema.OPTIONAL_STRING_SCHEMA).field("store_name", Schema.OPTIONAL_STRING_SCHEMA)
            .build();
    private static final Schema SOURCE = SchemaBuilder.struct().name("io.debezium.connector.postgresql.Source")
            .field("connector", Schema.STRING_SCHEMA).field("db", Schema.STRING_SCHEMA)
            .field("schema", Schema.STRING_SCHEMA).field("table", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.INT64_SCHEMA).field("txId", Schema.INT64_SCHEMA).field("lsn", Schema.INT64_SCHEMA)
            .build();
    private static final Schema ENVELOPE = SchemaBuilder.struct().name("bench.public.orders.Envelope")
            .field("before", ROW).field("after", ROW).field("source", SOURCE).field("op", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA).build();
    private static final Schema KEY = SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).build();

    @Override
    public String name() {
        return "cassandra-sink";
    }

    @Override
    public String description() {
        return "rows/s into a real Cassandra node through the sink task vs baseline per-row-sync (one synchronous INSERT per row)";
    }

    @Override
    public void run(Results results) throws Exception {
        int rows = Integer.getInteger("rows", 50_000);
        CassandraServer cassandra = CassandraServer.start(CassandraServer.Options.defaults().name("bench"));
        try {
            cassandra.createKeyspace("bench");
            ClassLoader plugin = pluginLoader();
            // Warm-up rounds for every measured path: the JIT of the node and of this JVM, prepared statements,
            // memtables. The node's own warm-up is long: without it, whichever path is measured first loses half.
            baseline(cassandra, "warm_baseline", 5_000);
            task(cassandra, plugin, "warm_task", rows, Map.of());
            task(cassandra, plugin, "warm_task_replica_set", rows, Map.of("write.batch.grouping", "replica-set"));
            task(cassandra, plugin, "warm_task_again", rows, Map.of());
            // Rounds of the three, each on fresh tables; the medians are reported. The baseline is bound by the
            // round trip to the node, the task by the node's throughput: the two move with the machine's load.
            List<Double> baselines = new ArrayList<>();
            List<Double> tasks = new ArrayList<>();
            List<Double> replicaSets = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
                baselines.add(baseline(cassandra, "orders_baseline_" + round, Math.max(1_000, rows / 5)));
                tasks.add(task(cassandra, plugin, "orders_task_" + round, rows, Map.of()));
                replicaSets.add(task(cassandra, plugin, "orders_task_replica_set_" + round, rows,
                        Map.of("write.batch.grouping", "replica-set")));
            }
            double baseline = Statistics.median(baselines);
            double task = Statistics.median(tasks);
            double replicaSet = Statistics.median(replicaSets);
            results.report("cassandra-sink.per-row-sync", "rows_per_s", baseline, "per-row-sync", baseline);
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("rows_per_s", task);
            metrics.put("rows", (double) rows);
            results.report("cassandra-sink", metrics, "per-row-sync", baseline);
            Map<String, Double> grouped = new LinkedHashMap<>();
            grouped.put("rows_per_s", replicaSet);
            grouped.put("rows", (double) rows);
            results.report("cassandra-sink.replica-set", grouped, "per-row-sync", baseline);
        } finally {
            cassandra.close();
        }
    }

    private static void createTable(CassandraServer cassandra, String table) {
        cassandra.execute("CREATE TABLE bench." + table + " (id bigint PRIMARY KEY, user_id int, store_id int,"
                + " quantity int, amount decimal, user_name text, store_name text)");
    }

    private static double baseline(CassandraServer cassandra, String table, int rows) {
        createTable(cassandra, table);
        CqlSession session = cassandra.session();
        PreparedStatement insert = session.prepare("INSERT INTO bench." + table
                + " (id, user_id, store_id, quantity, amount, user_name, store_name) VALUES (?, ?, ?, ?, ?, ?, ?)");
        long start = System.nanoTime();
        for (int i = 0; i < rows; i++) {
            Struct row = row(i);
            session.execute(insert.bind(row.getInt64("id"), row.getInt32("user_id"), row.getInt32("store_id"),
                    row.getInt32("quantity"), row.get("amount"), row.getString("user_name"), row.getString("store_name")));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        check(cassandra, table, rows);
        return rows / seconds;
    }

    private static double task(CassandraServer cassandra, ClassLoader plugin, String table, int rows,
                               Map<String, String> settings) throws Exception {
        createTable(cassandra, table);
        List<List<SinkRecord>> polls = new ArrayList<>();
        for (int from = 0; from < rows; from += POLL_BATCH) {
            List<SinkRecord> poll = new ArrayList<>(POLL_BATCH);
            for (int i = from; i < Math.min(rows, from + POLL_BATCH); i++) {
                poll.add(record(i));
            }
            polls.add(poll);
        }
        SinkTask task = (SinkTask) plugin.loadClass("dev.cdcconnect.cassandra.CassandraSinkTask")
                .getDeclaredConstructor().newInstance();
        Map<String, String> props = new LinkedHashMap<>();
        props.put("topics", TOPIC);
        props.put("cassandra.contact.points", cassandra.contactPoint());
        props.put("cassandra.local.datacenter", cassandra.dataCenter());
        props.put("cassandra.username", cassandra.username());
        props.put("cassandra.password", cassandra.password());
        props.put("cassandra.keyspace", "bench");
        props.put("topic.table.mapping", TOPIC + "=" + table);
        props.putAll(settings);
        task.initialize(new BenchmarkTaskContext(props, Set.of(new TopicPartition(TOPIC, 0))));
        task.start(props);
        try {
            long start = System.nanoTime();
            for (List<SinkRecord> poll : polls) {
                task.put(poll);
            }
            Map<TopicPartition, OffsetAndMetadata> committed = task.preCommit(
                    Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(rows)));
            double seconds = (System.nanoTime() - start) / 1e9;
            // every record but those of the last commit millisecond (here the last record), which may go on
            if (committed.get(new TopicPartition(TOPIC, 0)).offset() != rows - 1) {
                throw new IllegalStateException("the task committed " + committed + " after " + rows + " records");
            }
            check(cassandra, table, rows);
            return rows / seconds;
        } finally {
            task.stop();
        }
    }

    private static void check(CassandraServer cassandra, String table, int rows) {
        long count = cassandra.execute("SELECT COUNT(*) FROM bench." + table).get(0).getLong(0);
        if (count != rows) {
            throw new IllegalStateException("bench." + table + " holds " + count + " rows, expected " + rows);
        }
    }

    private static Struct row(int i) {
        return new Struct(ROW).put("id", (long) i).put("user_id", i % 1000).put("store_id", i % 50)
                .put("quantity", 1 + i % 5).put("amount", BigDecimal.valueOf(100 + i % 20_000, 2))
                .put("user_name", "User " + (i % 1000)).put("store_name", "Store " + (i % 50));
    }

    private static SinkRecord record(int i) {
        Struct source = new Struct(SOURCE).put("connector", "postgresql").put("db", "shop").put("schema", "public")
                .put("table", "orders").put("ts_ms", 1_700_000_000_000L + i).put("txId", 1_000L + i)
                .put("lsn", 33_000_000L + 64L * i);
        Struct value = new Struct(ENVELOPE).put("after", row(i)).put("source", source).put("op", "c")
                .put("ts_ms", 1_700_000_000_005L + i);
        return new SinkRecord(TOPIC, 0, KEY, new Struct(KEY).put("id", (long) i), ENVELOPE, value, i);
    }

    /** The sink's jars from its built plugin.path folder, over the worker-like classpath of this JVM. */
    private static ClassLoader pluginLoader() {
        String pluginPath = System.getProperty("cdcconnect.plugin.path", "connect-cassandra-sink/target/plugin-path");
        for (String entry : pluginPath.split(",")) {
            Path folder = Path.of(entry.trim(), "connect-cassandra-sink");
            if (Files.isDirectory(folder)) {
                try (Stream<Path> jars = Files.list(folder)) {
                    List<URL> urls = new ArrayList<>();
                    for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
                        urls.add(jar.toUri().toURL());
                    }
                    return new URLClassLoader(urls.toArray(URL[]::new), CassandraSinkBenchmark.class.getClassLoader());
                } catch (MalformedURLException e) {
                    throw new IllegalStateException(e);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        throw new IllegalStateException("no connect-cassandra-sink folder in plugin.path " + pluginPath
                + ": build it with ./mvnw package -pl connect-cassandra-sink");
    }
}
