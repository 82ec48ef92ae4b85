package dev.cdcconnect.benchmarks.enrich;

import dev.cdcconnect.benchmarks.ThreadCpu;
import dev.cdcconnect.enrich.Enrich;
import dev.cdcconnect.event.Envelopes;
import dev.cdcconnect.event.Operation;
import dev.cdcconnect.testkit.db.Database;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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
 * flat output: from topic-fed tables, from JDBC with a warm cache, and from JDBC without a cache. Runs in a JVM
 * of its own on the broker and database {@link EnrichBenchmark} prepared, named by the JVM argument
 * {@link #properties} gives.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LookupJmh {

    private static final String SETTINGS = "enrich.lookups.settings";

    @Param({"topic", "jdbc", "jdbc-uncached"})
    public String source;

    private Enrich.Value<SinkRecord> transform;
    private SinkRecord[] records;
    private int next;

    /**
     * The JVM argument that points a JVM running this benchmark at the broker and the database: a file of their
     * settings, so that the database password is not on the command line JMH prints.
     */
    static List<String> properties(String bootstrapServers, Database database, int users, int stores)
            throws IOException {
        Properties settings = new Properties();
        settings.setProperty("bootstrap", bootstrapServers);
        settings.setProperty("jdbc.url", database.jdbcUrl());
        settings.setProperty("jdbc.user", database.user());
        settings.setProperty("jdbc.password", database.password());
        settings.setProperty("users", Integer.toString(users));
        settings.setProperty("stores", Integer.toString(stores));
        Path file = Files.createTempFile("enrich-lookups", ".properties");
        file.toFile().deleteOnExit();
        try (Writer out = Files.newBufferedWriter(file)) {
            settings.store(out, null);
        }
        return List.of("-D" + SETTINGS + "=" + file);
    }

    private static String property(String name) {
        Properties settings = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of(System.getProperty(SETTINGS)))) {
            settings.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return settings.getProperty(name);
    }

    @Setup(Level.Trial)
    public void setUp() {
        String bootstrapServers = property("bootstrap");
        int users = Integer.parseInt(property("users"));
        int stores = Integer.parseInt(property("stores"));
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
                props.put(p + "jdbc.url", property("jdbc.url"));
                props.put(p + "jdbc.user", property("jdbc.user"));
                props.put(p + "jdbc.password", property("jdbc.password"));
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

    @Benchmark
    public SinkRecord enrichOneOrder(ThreadCpu cpu) {
        cpu.op();
        SinkRecord record = records[next];
        next = (next + 1) & (records.length - 1);
        return transform.apply(record);
    }
}
