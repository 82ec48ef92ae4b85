package dev.cdcconnect.benchmarks.enrich;

import dev.cdcconnect.enrich.Enrich;
import dev.cdcconnect.event.Envelopes;
import dev.cdcconnect.event.Operation;
import dev.cdcconnect.testkit.db.Database;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Time per record of the Enrich transform doing two lookups (user and store) on a Debezium order event with
 * flat output: from topic-fed tables, from JDBC with a warm cache, and from JDBC without a cache. Runs in the
 * benchmark's JVM (JMH forks 0) on the broker and database {@link EnrichBenchmark} prepared.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LookupJmh {

    static volatile String bootstrapServers;
    static volatile Database database;
    static volatile int users;
    static volatile int stores;

    @Param({"topic", "jdbc", "jdbc-uncached"})
    public String source;

    private Enrich.Value<SinkRecord> transform;
    private SinkRecord[] records;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        Map<String, String> props = new HashMap<>();
        props.put("lookups", "user,store");
        for (String lookup : new String[] {"user", "store"}) {
            String p = "lookup." + lookup + ".";
            props.put(p + "key.field", lookup + "_id");
            props.put(p + "output", "flat");
            props.put(p + "fields", lookup.equals("user") ? "name,email" : "name,city");
            if (source.equals("topic")) {
                props.put("consumer.bootstrap.servers", bootstrapServers);
                props.put(p + "topic", lookup.equals("user") ? ShopTopics.USERS : ShopTopics.STORES);
            } else {
                props.put(p + "source", "jdbc");
                props.put(p + "jdbc.url", database.jdbcUrl());
                props.put(p + "jdbc.user", database.user());
                props.put(p + "jdbc.password", database.password());
                props.put(p + "jdbc.query", lookup.equals("user") ? "SELECT name, email FROM users WHERE id = ?"
                        : "SELECT name, city FROM stores WHERE id = ?");
                props.put(p + "cache.max.size", source.equals("jdbc") ? "200000" : "0");
            }
        }
        transform = new Enrich.Value<>();
        transform.configure(props);
        Envelopes orders = Envelopes.postgres("shop", "public", "orders");
        Random random = new Random(11);
        records = new SinkRecord[8192];
        // through JSON and back, as a worker's converter hands records to transforms (one Schema instance per shape)
        JsonConverter producerSide = ShopTopics.converter(false);
        JsonConverter workerSide = ShopTopics.converter(false);
        for (int i = 0; i < records.length; i++) {
            Struct envelope = orders.struct(Operation.CREATE, null,
                    ShopTopics.order(i, 1 + random.nextInt(users), 1 + random.nextInt(stores), random));
            byte[] json = producerSide.fromConnectData(ShopTopics.ORDERS, envelope.schema(), envelope);
            SchemaAndValue value = workerSide.toConnectData(ShopTopics.ORDERS, json);
            records[i] = new SinkRecord(ShopTopics.ORDERS, 0, null, null, value.schema(), value.value(), i);
        }
        // load the tables / warm the cache with every key the measurement uses
        for (SinkRecord record : records) {
            transform.apply(record);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        transform.close();
    }

    /**
     * CPU time of this thread per record over {@code ops} records, after as many for warm-up: on a shared machine
     * JMH's wall-clock figure also counts time the thread waited for a core.
     */
    static double cpuNanosPerRecord(String source, int ops) {
        LookupJmh state = new LookupJmh();
        state.source = source;
        state.setUp();
        try {
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long sink = 0;
            for (int i = 0; i < ops; i++) {
                sink += state.enrichOneOrder().kafkaOffset();
            }
            long started = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < ops; i++) {
                sink += state.enrichOneOrder().kafkaOffset();
            }
            double perRecord = (threads.getCurrentThreadCpuTime() - started) / (double) ops;
            return sink == Long.MIN_VALUE ? -1 : perRecord;
        } finally {
            state.tearDown();
        }
    }

    @Benchmark
    public SinkRecord enrichOneOrder() {
        SinkRecord record = records[next];
        next = (next + 1) & (records.length - 1);
        return transform.apply(record);
    }
}
