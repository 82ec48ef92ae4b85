package dev.cdcconnect.benchmarks.enrich;

import dev.cdcconnect.benchmarks.Benchmark;
import dev.cdcconnect.benchmarks.JmhRun;
import dev.cdcconnect.benchmarks.Results;
import dev.cdcconnect.benchmarks.Statistics;
import dev.cdcconnect.enrich.Enrich;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.PostgresServer;
import dev.cdcconnect.standin.shop.Shop;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;

/**
 * The Enrich transform on the demo's data (100,000 users, 10,000 stores, orders referencing them, as Debezium
 * JSON change topics on an embedded broker and as Postgres tables):
 * <ol>
 *   <li>{@code enrich.topic-lookups}: JMH time per record of two topic-table lookups, against the goal of 1 µs;
 *       with the JDBC figures below, measured in {@code -Drounds=3} rounds, each source in a JVM of its own, and
 *       reported as the median over the rounds of each run's median iteration;</li>
 *   <li>{@code enrich.jdbc-cached}: JMH records/s of two JDBC lookups with a warm cache, against baseline
 *       {@code jdbc-uncached};</li>
 *   <li>{@code enrich.sink-task}: orders enriched per second by a sink task's loop (poll, convert, transform)
 *       against baseline {@code kafka-streams}, the same joins with GlobalKTables; with the rates over the first
 *       and the last tenth of the orders and the peak used heap of the benchmark's JVM (broker included), for
 *       long runs ({@code -Dorders=1000000}) against the 100,000-row user table;</li>
 *   <li>{@code enrich.table-memory}: heap per row of a topic-fed table, measured against the table's own estimate.</li>
 * </ol>
 * {@code -Dorders=N} sets the orders of the throughput run (default 200,000); {@code -Dparts=} a subset of
 * {@code memory,sink-task,lookups}; {@code -Dsources=} a subset of the lookup sources {@code topic,jdbc,jdbc-uncached}
 * (the JDBC figure needs both of its own).
 */
public final class EnrichBenchmark implements Benchmark {

    private static final int USERS = Integer.getInteger("users", 100_000);
    private static final int STORES = Integer.getInteger("stores", 10_000);

    @Override
    public String name() {
        return "enrich";
    }

    @Override
    public String description() {
        return "Enrich transform: topic-table lookups per record (goal 1 us), JDBC warm cache vs jdbc-uncached,"
                + " sink-task orders/s vs kafka-streams GlobalKTable joins";
    }

    @Override
    public void run(Results results) throws Exception {
        int orders = Integer.getInteger("orders", 200_000);
        EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster(1, new Properties());
        kafka.start();
        try {
            String bootstrap = kafka.bootstrapServers();
            kafka.createTopic(ShopTopics.USERS, 1);
            kafka.createTopic(ShopTopics.STORES, 1);
            kafka.createTopic(ShopTopics.ORDERS, 1);
            long produced = System.nanoTime();
            ShopTopics.produce(bootstrap, USERS, STORES, orders, 5);
            System.out.printf("# produced %,d users, %,d stores, %,d orders in %.1f s%n", USERS, STORES, orders,
                    (System.nanoTime() - produced) / 1e9);

            List<String> parts = List.of(System.getProperty("parts", "memory,sink-task,lookups").split(","));
            if (parts.contains("memory")) {
                tableMemory(results, bootstrap);
            }
            if (parts.contains("sink-task")) {
                sinkTask(results, bootstrap, orders);
            }
            if (parts.contains("lookups")) {
                jmh(results, bootstrap);
            }
        } finally {
            kafka.stop();
        }
    }

    private static void sinkTask(Results results, String bootstrap, int orders) throws Exception {
        SinkTaskLoop.Outcome streams = StreamsJoin.run(bootstrap, orders);
        SinkTaskLoop.Outcome task;
        try (Enrich.Value<SinkRecord> transform = SinkTaskLoop.topicTransform(bootstrap)) {
            task = SinkTaskLoop.run(bootstrap, orders, transform);
        }
        SinkTaskLoop.Outcome bare = SinkTaskLoop.run(bootstrap, orders, null);
        check(task, orders);
        check(streams, orders);
        results.report("enrich.sink-task.kafka-streams", "orders_per_s", streams.perSecond(), "kafka-streams",
                streams.perSecond());
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("orders_per_s", task.perSecond());
        metrics.put("orders", (double) task.records());
        metrics.put("without_enrich_orders_per_s", bare.perSecond());
        metrics.put("first_10pct_orders_per_s", task.firstTenthPerSecond());
        metrics.put("last_10pct_orders_per_s", task.lastTenthPerSecond());
        metrics.put("apply_p50_ns", (double) task.applyP50Nanos());
        metrics.put("apply_p99_ns", (double) task.applyP99Nanos());
        metrics.put("apply_max_ns", (double) task.applyMaxNanos());
        metrics.put("peak_heap_mb", task.peakHeapBytes() / 1e6);
        metrics.put("max_heap_mb", Runtime.getRuntime().maxMemory() / 1e6);
        results.report("enrich.sink-task", metrics, "kafka-streams", streams.perSecond());
    }

    private static void check(SinkTaskLoop.Outcome outcome, int orders) {
        if (outcome.records() != orders || outcome.enriched() != orders) {
            throw new IllegalStateException("expected " + orders + " enriched orders, got " + outcome);
        }
    }

    private static void tableMemory(Results results, String bootstrap) throws Exception {
        Runtime runtime = Runtime.getRuntime();
        long before = usedAfterGc(runtime);
        Map<String, String> props = new HashMap<>();
        props.put("lookups", "user");
        props.put("consumer.bootstrap.servers", bootstrap);
        props.put("lookup.user.topic", ShopTopics.USERS);
        props.put("lookup.user.key.field", "user_id");
        try (Enrich.Value<SinkRecord> transform = new Enrich.Value<>()) {
            transform.configure(props);
            Schema schema = ShopTopics.ORDER;
            transform.apply(new SinkRecord("orders", 0, null, null, schema,
                    ShopTopics.order(1, 1, 1, new java.util.Random(1)), 0));
            long after = usedAfterGc(runtime);
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            Set<ObjectName> names = server.queryNames(new ObjectName("dev.cdcconnect.enrich:type=lookup-table,*"), null);
            ObjectName table = names.iterator().next();
            long rows = (Long) server.getAttribute(table, "Rows");
            long estimated = (Long) server.getAttribute(table, "EstimatedBytes");
            double measuredPerRow = (after - before) / (double) rows;
            double estimatedPerRow = estimated / (double) rows;
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("measured_bytes_per_row", measuredPerRow);
            metrics.put("estimated_bytes_per_row", estimatedPerRow);
            metrics.put("rows", (double) rows);
            results.report("enrich.table-memory", metrics, "estimate", estimatedPerRow);
        }
    }

    private static long usedAfterGc(Runtime runtime) throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, runtime.totalMemory() - runtime.freeMemory());
        }
        return used;
    }

    private static void jmh(Results results, String bootstrap) throws Exception {
        Database db = PostgresServer.shared().createDatabase("enrich_bench");
        Shop shop = new Shop(db.jdbcUrl(), db.user(), db.password(), 3);
        shop.createTables();
        shop.addUsers(1, USERS);
        shop.addStores(1, STORES);
        List<String> properties = LookupJmh.properties(bootstrap, db, USERS, STORES);
        // in rounds, each source in a JVM of its own; the JDBC cache and its uncached baseline take turns going first
        int rounds = Integer.getInteger("rounds", 3);
        List<String> sources = List.of(System.getProperty("sources", "topic,jdbc,jdbc-uncached").split(","));
        if (!List.of("topic", "jdbc", "jdbc-uncached").containsAll(sources)) {
            throw new IllegalArgumentException("-Dsources=" + String.join(",", sources)
                    + ": the lookup sources are topic, jdbc and jdbc-uncached");
        }
        Map<String, List<Double>> nanos = new HashMap<>();
        Map<String, List<Double>> cpuNanos = new HashMap<>();
        for (int round = 0; round < rounds; round++) {
            List<String> order = round % 2 == 0 ? List.of("topic", "jdbc", "jdbc-uncached")
                    : List.of("topic", "jdbc-uncached", "jdbc");
            for (String source : order.stream().filter(sources::contains).toList()) {
                JmhRun.Score score = JmhRun.run(LookupJmh.class, "enrichOneOrder", 20, properties, "source",
                        source);
                nanos.computeIfAbsent(source, k -> new ArrayList<>()).add(score.median());
                cpuNanos.computeIfAbsent(source, k -> new ArrayList<>()).add(score.cpuNanosPerOp());
                System.out.printf("# round %d %s: %.1f ns, %.1f ns CPU per record (load %.2f)%n", round + 1, source,
                        score.median(), score.cpuNanosPerOp(), JmhRun.load());
            }
        }
        if (nanos.containsKey("topic")) {
            topicLookups(results, nanos, cpuNanos);
        }
        if (nanos.containsKey("jdbc") && nanos.containsKey("jdbc-uncached")) {
            jdbcLookups(results, nanos, cpuNanos);
        }
    }

    private static void topicLookups(Results results, Map<String, List<Double>> nanos,
                                     Map<String, List<Double>> cpuNanos) {
        double topic = Statistics.median(nanos.get("topic"));
        Map<String, Double> topicMetrics = new LinkedHashMap<>();
        topicMetrics.put("ns_per_record", topic);
        topicMetrics.put("cpu_ns_per_record", Statistics.median(cpuNanos.get("topic")));
        topicMetrics.put("worst_round_ns_per_record", Collections.max(nanos.get("topic")));
        results.report("enrich.topic-lookups", topicMetrics, "goal-1us", 1_000);
    }

    private static void jdbcLookups(Results results, Map<String, List<Double>> nanos,
                                    Map<String, List<Double>> cpuNanos) {
        double cached = 1e9 / Statistics.median(nanos.get("jdbc"));
        double uncached = 1e9 / Statistics.median(nanos.get("jdbc-uncached"));
        results.report("enrich.jdbc-cached.jdbc-uncached", "records_per_s", uncached, "jdbc-uncached", uncached);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("records_per_s", cached);
        metrics.put("ns_per_record", Statistics.median(nanos.get("jdbc")));
        metrics.put("cpu_ns_per_record", Statistics.median(cpuNanos.get("jdbc")));
        results.report("enrich.jdbc-cached", metrics, "jdbc-uncached", uncached);
    }
}
