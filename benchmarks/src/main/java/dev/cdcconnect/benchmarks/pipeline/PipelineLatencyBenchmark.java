package dev.cdcconnect.benchmarks.pipeline;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cdcconnect.benchmarks.Benchmark;
import dev.cdcconnect.benchmarks.Results;
import dev.cdcconnect.testkit.cassandra.CassandraServer;
import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.testkit.connect.DebeziumSources;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.PostgresServer;
import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import dev.cdcconnect.standin.eventstore.StoredEvent;
import dev.cdcconnect.standin.shop.Shop;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Commit-to-visible latency of whole pipelines: real Postgres, Debezium's Postgres source and every sink of the
 * bundle loaded from plugin.path on the embedded 2-worker Connect cluster, all reading the same change topic. The
 * load generator inserts rows at fixed rates (default 200, 1,000 and 5,000 row changes/s, {@code -Drates=}), each
 * for {@code -Dseconds=} (default 60) after a warm-up of {@code -Dwarmup=} seconds (default 20) whose changes are not
 * counted: a ramp from an eighth of the rate up to it, then a wait until every target has caught up;
 * {@code -Dsinks=} picks sinks by label (default all: {@code eventstore-sink,enrich-jdbc-postgres,cassandra-sink,
 * jdbc-postgres}; on a 2-core machine Debezium's source falls behind at 1,000 changes/s with all of them at once, so
 * measure one at a time there).
 *
 * <p>Every change's commit time is its row's {@code created_at}, set by Postgres' clock in the inserting
 * transaction. It is visible: in Kafka when a consumer in this JVM receives it (baseline {@code kafka-arrival},
 * the floor the plugins add to); in EventStoreDB at the stand-in's append time of its event (stream
 * {@code changes-<id>}); in Postgres at the {@code arrived_at} default of its enriched row (Enrich + Debezium's
 * JDBC sink), and of its plain row ({@code jdbc-postgres}: the JDBC sink alone, so that what Enrich adds is the
 * difference); in Cassandra when a poll finds its row (a poll every {@value #CASSANDRA_POLL_MS} ms: Cassandra has no
 * arrival time of its own, so its figures include up to that much). Reported per sink and rate: p50, p99 and max,
 * the p99 added over {@code kafka-arrival}, with ratio = the sink's p99 over the baseline's; then per sink the
 * highest rate before its p99 climbs past twice its p99 at the lowest rate; and how long after its connector
 * reached RUNNING each sink wrote its first change (a change already in Kafka before the sinks were created; the
 * status is polled every 20 ms, and a sink that wrote before a poll showed it RUNNING counts as 0 ms).
 *
 * <p>The figures mean something only on an otherwise idle machine: every server shares its cores.
 */
public final class PipelineLatencyBenchmark implements Benchmark {

    static final int CASSANDRA_POLL_MS = 10;
    private static final String PREFIX = "lat";
    private static final String TOPIC = PREFIX + ".public.changes";
    private static final Duration DRAIN = Duration.ofMinutes(3);
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final int TICK_MS = 10;
    private static final ObjectMapper JSON = new ObjectMapper();

    enum Target {
        KAFKA("kafka-arrival"), EVENTSTORE("eventstore-sink"), POSTGRES("enrich-jdbc-postgres"),
        CASSANDRA("cassandra-sink"), JDBC("jdbc-postgres");

        final String label;

        Target(String label) {
            this.label = label;
        }
    }

    private Database db;
    private ConnectCluster connect;
    private ConnectRestClient rest;
    private EventStoreStandIn eventStore;
    private CassandraServer cassandra;
    /** Per change id: its commit time, and when each target had it, in microseconds since the epoch; 0: not yet. */
    private AtomicLongArray committed;
    private final Map<Target, AtomicLongArray> visible = new LinkedHashMap<>();
    /** The sinks deployed; measured: those and kafka-arrival. */
    private final List<Target> sinks = new ArrayList<>();
    private final List<Target> measured = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private volatile long nextId = 1;

    @Override
    public String name() {
        return "pipeline-latency";
    }

    @Override
    public String description() {
        return "database commit -> visible in EventStoreDB, Postgres (Enrich + JDBC sink) and Cassandra at fixed "
                + "change rates, p50/p99/max vs baseline kafka-arrival (commit -> readable in Kafka)";
    }

    @Override
    public void run(Results results) throws Exception {
        int[] rates = Arrays.stream(System.getProperty("rates", "200,1000,5000").split(","))
                .mapToInt(r -> Integer.parseInt(r.trim())).toArray();
        int seconds = Integer.getInteger("seconds", 60);
        int warmup = Integer.getInteger("warmup", 20);
        String picked = System.getProperty("sinks", "");
        for (Target target : Target.values()) {
            if (target != Target.KAFKA && (picked.isBlank() || Arrays.stream(picked.split(","))
                    .anyMatch(label -> label.trim().equals(target.label)))) {
                sinks.add(target);
            }
        }
        if (sinks.isEmpty()) {
            throw new IllegalArgumentException("-Dsinks=" + picked + " names no sink; they are "
                    + Arrays.stream(Target.values()).skip(1).map(t -> t.label).toList());
        }
        measured.add(Target.KAFKA);
        measured.addAll(sinks);
        int capacity = 2 + Arrays.stream(rates).map(r -> r * (seconds + Math.max(warmup, RAMP_STEPS)) + r).sum();
        committed = new AtomicLongArray(capacity);
        for (Target target : Target.values()) {
            visible.put(target, new AtomicLongArray(capacity));
        }

        start();
        List<Thread> watchers = new ArrayList<>(List.of(thread("kafka-watcher", this::watchKafka)));
        if (sinks.contains(Target.CASSANDRA)) {
            watchers.add(thread("cassandra-watcher", this::watchCassandra));
        }
        try {
            // A first change already in Kafka when the sinks are created: how soon after RUNNING each writes it.
            long first = insert(1);
            awaitVisible(Target.KAFKA, first, first, TIMEOUT);
            long created = nowMicros();
            Map<Target, Long> runningAt = deploySinks();
            awaitAll(first, first);
            for (Target target : sinks) {
                long written = visible.get(target).get((int) first);
                // A sink may write before a status poll shows it RUNNING: that counts as no wait at all.
                Map<String, Double> metrics = new LinkedHashMap<>();
                metrics.put("ms_after_running", Math.max(0, written - runningAt.get(target)) / 1000.0);
                metrics.put("ms_after_created", (written - created) / 1000.0);
                results.report("pipeline-latency." + target.label + ".first-write", metrics, "goal-1000ms", 1000);
            }

            Map<Target, Map<Integer, Double>> p99s = new LinkedHashMap<>();
            for (int rate : rates) {
                warmUp(rate, warmup);
                long from = nextId;
                generate(rate, seconds);
                long to = nextId - 1;
                awaitAll(from, to);
                Map<Target, double[]> latencies = new LinkedHashMap<>();
                for (Target target : measured) {
                    latencies.put(target, latenciesMs(target, from, to));
                }
                double baseP99 = percentile(latencies.get(Target.KAFKA), 0.99);
                for (Target target : measured) {
                    double[] ms = latencies.get(target);
                    double p99 = percentile(ms, 0.99);
                    p99s.computeIfAbsent(target, t -> new LinkedHashMap<>()).put(rate, p99);
                    Map<String, Double> metrics = new LinkedHashMap<>();
                    metrics.put("p99_ms", p99);
                    metrics.put("p50_ms", percentile(ms, 0.5));
                    metrics.put("max_ms", ms.length == 0 ? Double.NaN : ms[ms.length - 1]);
                    metrics.put("added_p99_ms", p99 - baseP99);
                    metrics.put("changes", (double) ms.length);
                    metrics.put("rate", (double) rate);
                    results.report("pipeline-latency." + target.label + ".r" + rate, metrics, "kafka-arrival", baseP99);
                }
            }
            for (Map.Entry<Target, Map<Integer, Double>> entry : p99s.entrySet()) {
                double lowest = entry.getValue().get(rates[0]);
                int sustained = rates[0];
                for (int rate : rates) {
                    if (entry.getValue().get(rate) > 2 * Math.max(lowest, 1.0)) {
                        break;
                    }
                    sustained = rate;
                }
                results.report("pipeline-latency." + entry.getKey().label + ".sustained", "changes_per_s", sustained,
                        "highest-rate-offered", rates[rates.length - 1]);
            }
        } finally {
            running.set(false);
            for (Thread watcher : watchers) {
                watcher.join(10_000);
            }
            stop();
        }
    }

    private void start() {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        eventStore = EventStoreStandIn.start();
        if (sinks.contains(Target.CASSANDRA)) {
            // A Cassandra node takes much of a small machine's CPU: started only when its sink is measured.
            cassandra = CassandraServer.shared();
            cassandra.createKeyspace(PREFIX);
            cassandra.execute("CREATE TABLE " + PREFIX + ".changes (id bigint PRIMARY KEY, user_id int,"
                    + " store_id int, quantity int, created_at timestamp)");
        }

        db = PostgresServer.shared().createDatabase("pipeline_latency");
        Shop shop = new Shop(db.jdbcUrl(), db.user(), db.password(), 3);
        shop.createTables();
        shop.addUsers(1, 1000);
        shop.addStores(1, 50);
        db.execute("CREATE TABLE changes (id BIGINT PRIMARY KEY, user_id INT NOT NULL, store_id INT NOT NULL,"
                        + " quantity INT NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp())",
                // Written by the JDBC sink; arrived_at, which it does not write, is Postgres' own clock.
                "CREATE TABLE enriched_changes (id BIGINT PRIMARY KEY, user_id INT, store_id INT, quantity INT,"
                        + " created_at TIMESTAMPTZ, user_name TEXT, user_city TEXT, store_name TEXT, store_city TEXT,"
                        + " arrived_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp())",
                "CREATE TABLE plain_changes (id BIGINT PRIMARY KEY, user_id INT, store_id INT, quantity INT,"
                        + " created_at TIMESTAMPTZ, arrived_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp())");
        rest.createOrUpdate("lat-source", DebeziumSources.postgres(db, PREFIX).slot("lat_slot")
                .publication("lat_pub").tables("public.users", "public.stores", "public.changes").build());
        rest.awaitRunning("lat-source", 1, TIMEOUT);
        connect.awaitRecords(PREFIX + ".public.users", 1000, TIMEOUT);
    }

    /** Creates the sinks at once; returns when each was first seen RUNNING with its tasks, in micros. */
    private Map<Target, Long> deploySinks() {
        Map<Target, String> names = new LinkedHashMap<>();
        names.put(Target.EVENTSTORE, "lat-eventstore");
        names.put(Target.POSTGRES, "lat-jdbc");
        names.put(Target.CASSANDRA, "lat-cassandra");
        names.put(Target.JDBC, "lat-jdbc-plain");
        names.keySet().retainAll(sinks);
        if (sinks.contains(Target.EVENTSTORE)) {
            rest.createOrUpdate(names.get(Target.EVENTSTORE), Map.of(
                    "connector.class", "dev.cdcconnect.eventstore.EventStoreSinkConnector",
                    "tasks.max", "2",
                    "topics", TOPIC,
                    "eventstore.connection.string", eventStore.connectionString(),
                    "consumer.override.auto.offset.reset", "earliest"));
        }
        if (sinks.contains(Target.POSTGRES)) {
            Map<String, String> jdbc = new HashMap<>(enrich());
            jdbc.putAll(jdbcSink("enriched_changes"));
            rest.createOrUpdate(names.get(Target.POSTGRES), jdbc);
        }
        if (sinks.contains(Target.JDBC)) {
            rest.createOrUpdate(names.get(Target.JDBC), jdbcSink("plain_changes"));
        }
        if (sinks.contains(Target.CASSANDRA)) {
            Map<String, String> cql = new HashMap<>();
            cql.put("connector.class", "dev.cdcconnect.cassandra.CassandraSinkConnector");
            cql.put("tasks.max", "2");
            cql.put("topics", TOPIC);
            cql.put("consumer.override.auto.offset.reset", "earliest");
            cql.put("cassandra.contact.points", cassandra.contactPoint());
            cql.put("cassandra.local.datacenter", cassandra.dataCenter());
            cql.put("cassandra.username", cassandra.username());
            cql.put("cassandra.password", cassandra.password());
            cql.put("cassandra.keyspace", PREFIX);
            cql.put("topic.table.mapping", TOPIC + "=changes");
            rest.createOrUpdate(names.get(Target.CASSANDRA), cql);
        }

        Map<Target, Long> runningAt = new LinkedHashMap<>();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (runningAt.size() < names.size()) {
            for (Map.Entry<Target, String> entry : names.entrySet()) {
                if (!runningAt.containsKey(entry.getKey()) && isRunning(entry.getValue())) {
                    runningAt.put(entry.getKey(), nowMicros());
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("sinks not RUNNING within " + TIMEOUT + ": " + runningAt.keySet());
            }
            sleep(20);
        }
        return runningAt;
    }

    /** Debezium's JDBC sink into {@code table} of the benchmark's database. */
    private Map<String, String> jdbcSink(String table) {
        Map<String, String> jdbc = new HashMap<>(Map.of(
                "connector.class", "io.debezium.connector.jdbc.JdbcSinkConnector",
                "tasks.max", "2",
                "topics", TOPIC,
                "connection.url", db.jdbcUrl(),
                "connection.username", db.user(),
                "connection.password", db.password(),
                "insert.mode", "insert",
                "primary.key.mode", "record_key",
                "schema.evolution", "basic",
                "collection.name.format", table));
        jdbc.put("consumer.override.auto.offset.reset", "earliest");
        return jdbc;
    }

    private Map<String, String> enrich() {
        Map<String, String> config = new HashMap<>();
        String p = "transforms.enrich.";
        config.put("transforms", "enrich");
        config.put(p + "type", "dev.cdcconnect.enrich.Enrich$Value");
        config.put(p + "lookups", "user,store");
        config.put(p + "consumer.bootstrap.servers", connect.bootstrapServers());
        config.put(p + "lookup.user.topic", PREFIX + ".public.users");
        config.put(p + "lookup.user.key.field", "user_id");
        config.put(p + "lookup.user.output", "flat");
        config.put(p + "lookup.user.fields", "name,city");
        config.put(p + "lookup.store.topic", PREFIX + ".public.stores");
        config.put(p + "lookup.store.key.field", "store_id");
        config.put(p + "lookup.store.output", "flat");
        config.put(p + "lookup.store.fields", "name,city");
        return config;
    }

    private boolean isRunning(String connector) {
        return rest.status(connector).map(status -> "RUNNING".equals(status.path("connector").path("state").asText())
                && status.path("tasks").size() > 0
                && java.util.stream.StreamSupport.stream(status.path("tasks").spliterator(), false)
                        .allMatch(t -> "RUNNING".equals(t.path("state").asText()))).orElse(false);
    }

    /** Inserts {@code count} changes in one transaction; returns the last id. */
    private long insert(int count) throws SQLException {
        try (Connection connection = db.connect();
             PreparedStatement insert = connection.prepareStatement(INSERT)) {
            return insert(insert, count);
        }
    }

    private static final String INSERT = "INSERT INTO changes (id, user_id, store_id, quantity)"
            + " SELECT g, 1 + g % 1000, 1 + g % 50, 1 + g % 5 FROM generate_series(?::bigint, ?::bigint) g"
            + " RETURNING id, (extract(epoch FROM created_at) * 1000000)::bigint";

    private long insert(PreparedStatement insert, int count) throws SQLException {
        long from = nextId;
        long to = from + count - 1;
        insert.setLong(1, from);
        insert.setLong(2, to);
        try (ResultSet rows = insert.executeQuery()) {
            while (rows.next()) {
                committed.set((int) rows.getLong(1), rows.getLong(2));
            }
        }
        nextId = to + 1;
        return to;
    }

    /**
     * Brings the pipeline up to {@code rate} without counting: {@value #RAMP_STEPS} steps of {@code seconds} in all,
     * at 1/8, 1/4, 1/2 and all of the rate, then waits until every target holds every change so far. A pipeline
     * started cold at its full rate measures the JIT compiler and the first fetches of every consumer, not the
     * steady state: Debezium's own source then falls behind by minutes at 1,000 changes/s, which no sink can make
     * up for, where the same source keeps up after a ramp.
     */
    private void warmUp(int rate, int seconds) throws SQLException {
        long from = nextId;
        long started = System.nanoTime();
        for (int step = RAMP_STEPS - 1; step >= 0; step--) {
            generate(Math.max(1, rate >> step), Math.max(1, seconds / RAMP_STEPS));
        }
        long to = nextId - 1;
        awaitAll(from, to);
        System.out.printf("# warm-up for %,d changes/s: %,d changes ramped from %,d/s, all targets caught up %.1f s"
                + " after the ramp began%n", rate, to - from + 1, Math.max(1, rate >> (RAMP_STEPS - 1)),
                (System.nanoTime() - started) / 1e9);
    }

    private static final int RAMP_STEPS = 4;

    /** Inserts changes at {@code rate} per second for {@code seconds}, one autocommitted insert per 10 ms tick. */
    private void generate(int rate, int seconds) throws SQLException {
        long ticks = seconds * 1000L / TICK_MS;
        long start = System.nanoTime();
        long sent = 0;
        try (Connection connection = db.connect();
             PreparedStatement insert = connection.prepareStatement(INSERT)) {
            connection.setAutoCommit(true);
            for (long tick = 1; tick <= ticks; tick++) {
                long due = tick * rate * TICK_MS / 1000 - sent;
                if (due > 0) {
                    insert(insert, (int) due);
                    sent += due;
                }
                long wait = start + tick * TICK_MS * 1_000_000L - System.nanoTime();
                if (wait > 0) {
                    sleepNanos(wait);
                }
            }
        }
    }

    /** Kafka arrival: when a consumer in this JVM receives the change's record. */
    private void watchKafka() {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, connect.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "lat-kafka-arrival");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "5");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            while (running.get()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                    long now = nowMicros();
                    if (record.key() == null) {
                        continue;
                    }
                    JsonNode key = readJson(record.key());
                    JsonNode id = key.has("payload") ? key.path("payload").path("id") : key.path("id");
                    if (id.isNumber() && id.asLong() < committed.length()) {
                        visible.get(Target.KAFKA).compareAndSet((int) id.asLong(), 0, now);
                    }
                }
            }
        }
    }

    /** Cassandra arrival: the first poll that finds the row, among changes already in Kafka. */
    private void watchCassandra() {
        AtomicLongArray kafka = visible.get(Target.KAFKA);
        AtomicLongArray seen = visible.get(Target.CASSANDRA);
        int low = 1;
        try (CqlSession session = cassandra.newSession()) {
            var select = session.prepare("SELECT id FROM " + PREFIX + ".changes WHERE id IN ?");
            while (running.get()) {
                while (low < nextId && seen.get(low) != 0) {
                    low++;
                }
                List<Long> pending = new ArrayList<>();
                for (int id = low; id < nextId && pending.size() < 5000; id++) {
                    if (seen.get(id) == 0 && kafka.get(id) != 0) {
                        pending.add((long) id);
                    }
                }
                for (int i = 0; i < pending.size(); i += 100) {
                    List<Long> chunk = pending.subList(i, Math.min(pending.size(), i + 100));
                    for (Row row : session.execute(select.bind(chunk))) {
                        seen.compareAndSet((int) row.getLong(0), 0, nowMicros());
                    }
                }
                sleep(CASSANDRA_POLL_MS);
            }
        }
    }

    /** Reads the servers' own arrival times (EventStoreDB's append time, Postgres' arrived_at) for the ids. */
    private void readServerTimes(long from, long to) {
        AtomicLongArray es = visible.get(Target.EVENTSTORE);
        for (StoredEvent event : sinks.contains(Target.EVENTSTORE) ? eventStore.allEvents() : List.<StoredEvent>of()) {
            if (event.stream().startsWith("changes-")) {
                long id = Long.parseLong(event.stream().substring("changes-".length()));
                if (id >= from && id <= to) {
                    es.compareAndSet((int) id, 0, micros(event.created()));
                }
            }
        }
        readArrivals(Target.POSTGRES, "enriched_changes", from, to);
        readArrivals(Target.JDBC, "plain_changes", from, to);
    }

    private void readArrivals(Target target, String table, long from, long to) {
        if (!sinks.contains(target)) {
            return;
        }
        AtomicLongArray times = visible.get(target);
        for (Map<String, Object> row : db.query("SELECT id, (extract(epoch FROM arrived_at) * 1000000)::bigint AS at"
                + " FROM " + table + " WHERE id BETWEEN ? AND ?", from, to)) {
            times.compareAndSet(((Number) row.get("id")).intValue(), 0, ((Number) row.get("at")).longValue());
        }
    }

    private void awaitAll(long from, long to) {
        long deadline = System.nanoTime() + DRAIN.toNanos();
        while (true) {
            readServerTimes(from, to);
            List<String> missing = new ArrayList<>();
            for (Target target : measured) {
                long count = countMissing(target, from, to);
                if (count > 0) {
                    missing.add(target.label + " " + count);
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                System.out.println("# not visible within " + DRAIN + " (excluded from the figures): " + missing);
                return;
            }
            sleep(500);
        }
    }

    private void awaitVisible(Target target, long from, long to, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (countMissing(target, from, to) > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(target.label + ": changes " + from + ".." + to + " not visible");
            }
            sleep(20);
        }
    }

    private long countMissing(Target target, long from, long to) {
        AtomicLongArray times = visible.get(target);
        long missing = 0;
        for (long id = from; id <= to; id++) {
            if (times.get((int) id) == 0) {
                missing++;
            }
        }
        return missing;
    }

    /** Sorted latencies in milliseconds of the changes visible in the target. */
    private double[] latenciesMs(Target target, long from, long to) {
        AtomicLongArray times = visible.get(target);
        double[] ms = new double[(int) (to - from + 1)];
        int n = 0;
        for (long id = from; id <= to; id++) {
            long at = times.get((int) id);
            if (at != 0) {
                ms[n++] = (at - committed.get((int) id)) / 1000.0;
            }
        }
        double[] result = Arrays.copyOf(ms, n);
        Arrays.sort(result);
        return result;
    }

    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private void stop() {
        for (String connector : List.of("lat-eventstore", "lat-jdbc", "lat-jdbc-plain", "lat-cassandra",
                "lat-source")) {
            try {
                rest.delete(connector);
            } catch (RuntimeException e) {
                System.out.println("# could not delete " + connector + ": " + e.getMessage());
            }
        }
        eventStore.close();
    }

    private static JsonNode readJson(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (java.io.IOException e) {
            return JSON.nullNode();
        }
    }

    private static Thread thread(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static long nowMicros() {
        return micros(Instant.now());
    }

    private static long micros(Instant instant) {
        return TimeUnit.SECONDS.toMicros(instant.getEpochSecond()) + instant.getNano() / 1000;
    }

    private static void sleep(long millis) {
        sleepNanos(millis * 1_000_000L);
    }

    private static void sleepNanos(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
