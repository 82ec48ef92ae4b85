package dev.cdcconnect.benchmarks.eventstore;

import dev.cdcconnect.benchmarks.Benchmark;
import dev.cdcconnect.benchmarks.Results;
import dev.cdcconnect.event.Envelopes;
import dev.cdcconnect.event.Operation;
import dev.cdcconnect.eventstore.EventStoreSinkTask;
import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import dev.cdcconnect.testkit.connect.TestSinkTaskContext;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ObjectName;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * The EventStoreDB sink at scale: {@code rows} rows (default 100,000), each changed {@code changes} times (default
 * 10: a create and 9 updates), so 1,000,000 change events into 100,000 streams (a stream per row), through
 * {@link EventStoreSinkTask} driven as a worker drives it, into an EventStoreDB stand-in in this JVM. The rows come
 * in {@code groups} waves (default 10): a wave's rows get all their changes, then go idle for the rest of the run,
 * as rows of a busy table do.
 *
 * <p>Reported: events per second over the first and the last 10% of the events (ratio last/first: 1 means no decay);
 * the sink's own objects (classes {@code dev.cdcconnect.eventstore.*}, from the JVM's class histogram after a full
 * GC) after the first and the last wave, with the instance count of its per-stream state, so state that outlives
 * idle streams shows as growth; and the JVM's peak heap, which also holds the stand-in's copy of every event.
 * Settings: {@code -Drows=100000 -Dchanges=10 -Dgroups=10}.
 */
public final class EventStoreScaleBenchmark implements Benchmark {

    private static final String TOPIC = "dbserver1.public.customers";
    private static final int PARTITIONS = 4;
    private static final int POLL_RECORDS = 500;
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(30);
    private static final String SINK_CLASSES = "dev.cdcconnect.eventstore.";

    private static final Schema KEY = SchemaBuilder.struct().name("dbserver1.public.customers.Key")
            .field("id", Schema.INT32_SCHEMA).build();
    private static final Schema ROW = SchemaBuilder.struct().name("dbserver1.public.customers.Value")
            .field("id", Schema.INT32_SCHEMA)
            .field("name", Schema.STRING_SCHEMA)
            .field("email", Schema.OPTIONAL_STRING_SCHEMA)
            .field("balance", Decimal.builder(2).optional().build())
            .build();

    @Override
    public String name() {
        return "eventstore-scale";
    }

    @Override
    public String description() {
        return "EventStoreDB sink, 1,000,000 change events into 100,000 streams: throughput first vs last 10%, the"
                + " sink's retained objects after idle streams, peak heap";
    }

    @Override
    public void run(Results results) throws Exception {
        int rows = Integer.getInteger("rows", 100_000);
        int changes = Integer.getInteger("changes", 10);
        int groups = Integer.getInteger("groups", 10);
        long total = (long) rows * changes;
        System.out.printf("# %,d change events: %,d rows (streams) x %d changes, in %d waves of rows, %d partitions%n",
                total, rows, changes, groups, PARTITIONS);

        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        AtomicLong peakHeap = new AtomicLong();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                peakHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-sampler");
        sampler.setDaemon(true);
        sampler.start();

        try (EventStoreStandIn server = EventStoreStandIn.start()) {
            Map<String, String> config = new HashMap<>();
            config.put("name", "eventstore-scale-benchmark");
            config.put("eventstore.connection.string", server.connectionString());
            Set<TopicPartition> assignment = new HashSet<>();
            for (int p = 0; p < PARTITIONS; p++) {
                assignment.add(new TopicPartition(TOPIC, p));
            }
            EventStoreSinkTask task = new EventStoreSinkTask();
            task.initialize(new TestSinkTaskContext(config, false, assignment));
            task.start(config);
            Generator generator = new Generator();
            long[] decileNanos = new long[11];
            long start = System.nanoTime();
            decileNanos[0] = start;
            long sent = 0;
            int nextDecile = 1;
            Histogram firstWave = null;
            Histogram lastWave = null;
            try {
                int perGroup = (rows + groups - 1) / groups;
                for (int group = 0; group < groups; group++) {
                    int firstRow = 1 + group * perGroup;
                    int lastRow = Math.min(rows, firstRow + perGroup - 1);
                    List<SinkRecord> batch = new ArrayList<>(POLL_RECORDS);
                    for (int change = 0; change < changes; change++) {
                        for (int id = firstRow; id <= lastRow; id++) {
                            batch.add(generator.change(id, change));
                            if (batch.size() == POLL_RECORDS) {
                                task.put(batch);
                                sent += batch.size();
                                batch = new ArrayList<>(POLL_RECORDS);
                                while (nextDecile <= 10 && sent >= total * nextDecile / 10) {
                                    decileNanos[nextDecile++] = System.nanoTime();
                                }
                            }
                        }
                    }
                    task.put(batch);
                    sent += batch.size();
                    awaitAcknowledged(task, generator.lastOffsets());
                    while (nextDecile <= 10 && sent >= total * nextDecile / 10) {
                        decileNanos[nextDecile++] = System.nanoTime();
                    }
                    if (group == 0) {
                        firstWave = Histogram.take();
                    } else if (group == groups - 1) {
                        lastWave = Histogram.take();
                    }
                }
            } finally {
                task.stop();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            int written = server.category("customers").size();
            if (written != total) {
                throw new IllegalStateException("expected " + total + " events, the stand-in has " + written);
            }
            Histogram afterStop = Histogram.take();
            sampling.set(false);

            double first = (total / 10.0) / ((decileNanos[1] - decileNanos[0]) / 1e9);
            double last = (total / 10.0) / ((decileNanos[10] - decileNanos[9]) / 1e9);
            Map<String, Double> throughput = new LinkedHashMap<>();
            throughput.put("events_per_s_last_10pct", last);
            throughput.put("events_per_s_first_10pct", first);
            throughput.put("events_per_s_overall", total / seconds);
            throughput.put("events", (double) total);
            throughput.put("streams", (double) rows);
            results.report(name() + ".throughput", throughput, "first-10pct", first);

            Histogram lastOrFirst = lastWave == null ? firstWave : lastWave;
            Map<String, Double> state = new LinkedHashMap<>();
            state.put("sink_bytes_after_last_wave", (double) lastOrFirst.bytes());
            state.put("sink_bytes_after_first_wave", (double) firstWave.bytes());
            state.put("sink_instances_after_last_wave", (double) lastOrFirst.instances());
            state.put("sink_instances_after_first_wave", (double) firstWave.instances());
            state.put("sink_bytes_after_stop", (double) afterStop.bytes());
            results.report(name() + ".sink-state", state, "after-first-wave", firstWave.bytes());
            System.out.println("# sink classes after the first wave: " + firstWave.top(8));
            System.out.println("# sink classes after the last wave:  " + lastOrFirst.top(8));

            Map<String, Double> heap = new LinkedHashMap<>();
            heap.put("peak_heap_mb", peakHeap.get() / 1e6);
            heap.put("max_heap_mb", memory.getHeapMemoryUsage().getMax() / 1e6);
            results.report(name() + ".heap", heap, "max-heap", memory.getHeapMemoryUsage().getMax() / 1e6);
        } finally {
            sampling.set(false);
        }
    }

    private static void awaitAcknowledged(EventStoreSinkTask task, Map<TopicPartition, Long> lastOffsets)
            throws Exception {
        Map<TopicPartition, OffsetAndMetadata> current = new HashMap<>();
        lastOffsets.forEach((partition, offset) -> current.put(partition, new OffsetAndMetadata(offset + 1)));
        long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
        while (!current.equals(task.preCommit(current))) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("the sink did not acknowledge every record within " + RUN_TIMEOUT);
            }
            task.put(List.of());
            Thread.sleep(1);
        }
    }

    /** Debezium Postgres change events made as they are needed, so the run holds only what is in flight. */
    private static final class Generator {
        private final Envelopes envelopes = Envelopes.postgres("shop", "public", "customers");
        private final long[] offsets = new long[PARTITIONS];
        private long txId = 10_000;
        private long lsn = 50_000_000;
        private long ts = 1_700_000_000_000L;

        SinkRecord change(int id, int version) {
            txId++;
            lsn += 312;
            ts += 1;
            envelopes.txId(txId).lsn(lsn).tsMs(ts);
            Struct before = version == 0 ? null : row(id, version - 1);
            Struct envelope = envelopes.struct(version == 0 ? Operation.CREATE : Operation.UPDATE, before,
                    row(id, version));
            int partition = id % PARTITIONS;
            return new SinkRecord(TOPIC, partition, KEY, new Struct(KEY).put("id", id), envelope.schema(), envelope,
                    offsets[partition]++, ts + 7, TimestampType.CREATE_TIME);
        }

        Map<TopicPartition, Long> lastOffsets() {
            Map<TopicPartition, Long> last = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                if (offsets[p] > 0) {
                    last.put(new TopicPartition(TOPIC, p), offsets[p] - 1);
                }
            }
            return last;
        }

        private static Struct row(int id, int version) {
            return new Struct(ROW).put("id", id).put("name", "Customer " + id)
                    .put("email", "customer" + id + ".v" + version + "@example.com")
                    .put("balance", BigDecimal.valueOf(id * 100L + version, 2));
        }
    }

    /** The sink's classes in the JVM's class histogram (which runs a full GC first): instances and shallow bytes. */
    private record Histogram(Map<String, long[]> byClass) {

        static Histogram take() throws Exception {
            String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            Map<String, long[]> byClass = new TreeMap<>();
            for (String line : text.split("\n")) {
                String[] parts = line.trim().split("\\s+");
                if (parts.length >= 4 && parts[3].startsWith(SINK_CLASSES)) {
                    byClass.put(parts[3], new long[] {Long.parseLong(parts[1]), Long.parseLong(parts[2])});
                }
            }
            return new Histogram(byClass);
        }

        long bytes() {
            return byClass.values().stream().mapToLong(v -> v[1]).sum();
        }

        long instances() {
            return byClass.values().stream().mapToLong(v -> v[0]).sum();
        }

        String top(int n) {
            List<String> lines = new ArrayList<>();
            byClass.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1])).limit(n)
                    .forEach(e -> lines.add(e.getKey().substring(SINK_CLASSES.length()) + "=" + e.getValue()[0]
                            + "/" + e.getValue()[1] + "B"));
            return String.join(", ", lines);
        }
    }
}
