package dev.cdcconnect.benchmarks.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import dev.cdcconnect.benchmarks.Benchmark;
import dev.cdcconnect.benchmarks.Results;
import dev.cdcconnect.benchmarks.Statistics;
import dev.cdcconnect.testkit.cassandra.CassandraServer;
import dev.cdcconnect.testkit.connect.TestSinkTaskContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
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
 * committed at the end), with the default batching by replica set (at most 10 partitions and 5 KiB in a batch that
 * spans partitions, the limits under which Cassandra does not warn), with {@code write.batch.grouping=partition}, and
 * by replica set up to 50 partitions and 32 KiB ({@code replica-set-50}, the limits before they were set),
 * against baseline {@code per-row-sync}: the naive loop, one synchronous prepared
 * INSERT per row through the same driver. Each side writes its own fresh table; the row count is checked.
 * Every path is warmed up twice, then measured in {@code -Drounds=} rounds (default 5), the paths interleaved in
 * each round; each figure is the median of its rounds, with the CPU time per row of this JVM (the task, or the
 * baseline's client) and of the node's process, which tell where a path spends its time.
 * {@code -Drows=N} sets the task's rows (default 50000); the baseline writes a fifth of that.
 */
public final class CassandraSinkBenchmark implements Benchmark {

    private static final String TOPIC = "bench.public.orders";
    private static final int POLL_BATCH = 500;
    /** The sink's default write.batch.grouping. */
    private static final String DEFAULT_GROUPING = "replica-set";

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

    /** One measured path: writes {@code rows} rows into a fresh table, returns rows/s. */
    @FunctionalInterface
    private interface WritePath {
        double write(String table) throws Exception;
    }

    /** A path's figures over the rounds: rows/s, and CPU per row of this JVM (the sink or client) and of the node. */
    private record Figures(List<Double> rowsPerS, List<Double> clientCpuUs, List<Double> nodeCpuUs) {
        Figures() {
            this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }

        Map<String, Double> medians(int rows) {
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("rows_per_s", Statistics.median(rowsPerS));
            metrics.put("client_cpu_us_per_row", Statistics.median(clientCpuUs));
            metrics.put("node_cpu_us_per_row", Statistics.median(nodeCpuUs));
            metrics.put("rows", (double) rows);
            return metrics;
        }
    }

    @Override
    public void run(Results results) throws Exception {
        int rows = Integer.getInteger("rows", 50_000);
        int rounds = Integer.getInteger("rounds", 5);
        int baselineRows = Math.max(1_000, rows / 5);
        CassandraServer cassandra = CassandraServer.start(CassandraServer.Options.defaults().name("bench"));
        try {
            cassandra.createKeyspace("bench");
            ClassLoader plugin = pluginLoader();
            Map<String, WritePath> paths = new LinkedHashMap<>();
            paths.put("per-row-sync", table -> baseline(cassandra, table, baselineRows));
            paths.put("partition", table -> task(cassandra, plugin, table, rows,
                    Map.of("write.batch.grouping", "partition")));
            paths.put("replica-set", table -> task(cassandra, plugin, table, rows,
                    Map.of("write.batch.grouping", "replica-set")));
            paths.put("replica-set-50", table -> task(cassandra, plugin, table, rows,
                    Map.of("write.batch.grouping", "replica-set", "write.batch.max.partitions", "50",
                            "write.batch.multi.partition.max.bytes", "32768")));
            List<String> names = List.copyOf(paths.keySet());
            // Warm-up: the JIT of the node and of this JVM, prepared statements, memtables. The node's own warm-up
            // is long: without it, whichever path is measured first loses half.
            for (int i = 0; i < 2; i++) {
                for (String name : names) {
                    paths.get(name).write("warm_" + i + "_" + name.replace('-', '_'));
                }
            }
            // Rounds of every path, interleaved, the order rotated each round so that none always follows the
            // same one (memtable flushes and compactions of the node land on whichever runs next); medians reported.
            Map<String, Figures> figures = new LinkedHashMap<>();
            names.forEach(name -> figures.put(name, new Figures()));
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < names.size(); i++) {
                    String name = names.get((round + i) % names.size());
                    measure(cassandra, paths.get(name), name.replace('-', '_') + "_" + round,
                            name.equals("per-row-sync") ? baselineRows : rows, figures.get(name));
                }
            }
            double baseline = Statistics.median(figures.get("per-row-sync").rowsPerS());
            results.report("cassandra-sink.per-row-sync", figures.get("per-row-sync").medians(baselineRows),
                    "per-row-sync", baseline);
            // cassandra-sink: the default grouping, whose goal is 10x per-row-sync
            results.report("cassandra-sink", figures.get(DEFAULT_GROUPING).medians(rows), "per-row-sync", baseline);
            results.report("cassandra-sink.partition", figures.get("partition").medians(rows), "per-row-sync", baseline);
            results.report("cassandra-sink.replica-set", figures.get("replica-set").medians(rows), "per-row-sync",
                    baseline);
            results.report("cassandra-sink.replica-set-50", figures.get("replica-set-50").medians(rows),
                    "per-row-sync", baseline);
        } finally {
            cassandra.close();
        }
    }

    private static void measure(CassandraServer cassandra, WritePath path, String table, int rows, Figures figures)
            throws Exception {
        long clientBefore = processCpuNanos();
        long nodeBefore = nodeCpuNanos(cassandra);
        figures.rowsPerS().add(path.write(table));
        figures.clientCpuUs().add((processCpuNanos() - clientBefore) / 1e3 / rows);
        figures.nodeCpuUs().add((nodeCpuNanos(cassandra) - nodeBefore) / 1e3 / rows);
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long nodeCpuNanos(CassandraServer cassandra) {
        return ProcessHandle.of(cassandra.pid()).flatMap(p -> p.info().totalCpuDuration())
                .map(Duration::toNanos).orElse(0L);
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
        task.initialize(new TestSinkTaskContext(props, false, Set.of(new TopicPartition(TOPIC, 0))));
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
        long count;
        for (int attempt = 1; ; attempt++) {
            try {
                count = cassandra.execute("SELECT COUNT(*) FROM bench." + table).get(0).getLong(0);
                break;
            } catch (com.datastax.oss.driver.api.core.DriverException e) {
                // A full scan on a node that shares its cores can time out or fail; the rows are there or not.
                if (attempt == 5) {
                    throw e;
                }
            }
        }
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
