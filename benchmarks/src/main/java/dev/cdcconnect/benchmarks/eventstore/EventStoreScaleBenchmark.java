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
import java.util.Arrays;
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
 * idle streams shows as growth; the JVM's peak heap, which also holds the stand-in's copy of every event; and per
 * record the commit latency: the time from {@code put()} receiving the record to {@code preCommit()} returning an
 * offset past it (the record may then be committed), with p50, p99 and max over all records. The benchmark calls
 * {@code preCommit()} after every {@code put()} and while it waits for a wave to be written; a batch's records are
 * all done when {@code preCommit()} first covers the batch's last offset in each of its partitions, so a figure is
 * late by at most the longest gap between two calls while records were waiting, which is reported too.
 * Settings: {@code -Drows=100000 -Dchanges=10 -Dgroups=10}; {@code -Dsink.<key>=<value>} sets a key of the sink's
 * configuration.
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
                + " sink's retained objects after idle streams, peak heap, put-to-committable latency p50/p99/max";
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
            EventStoreSinkBenchmark.putSinkProperties(config);
            Set<TopicPartition> assignment = new HashSet<>();
            for (int p = 0; p < PARTITIONS; p++) {
                assignment.add(new TopicPartition(TOPIC, p));
            }
            EventStoreSinkTask task = new EventStoreSinkTask();
            task.initialize(new TestSinkTaskContext(config, false, assignment));
            task.start(config);
            Generator generator = new Generator();
            CommitLatency latency = new CommitLatency(assignment);
            long[] decileNanos = new long[11];
            long start = System.nanoTime();
            decileNanos[0] = start;
            long sent = 0;
            int nextDecile = 1;
            Histogram firstWave = null;
            Histogram lastWave = null;
            int afterFirstWave = 0;
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
                                latency.put(task, batch);
                                sent += batch.size();
                                batch = new ArrayList<>(POLL_RECORDS);
                                while (nextDecile <= 10 && sent >= total * nextDecile / 10) {
                                    decileNanos[nextDecile++] = System.nanoTime();
                                }
                            }
                        }
                    }
                    latency.put(task, batch);
                    sent += batch.size();
                    awaitAcknowledged(task, generator.lastOffsets(), latency);
                    while (nextDecile <= 10 && sent >= total * nextDecile / 10) {
                        decileNanos[nextDecile++] = System.nanoTime();
                    }
                    if (group == 0) {
                        afterFirstWave = latency.batchesDone();
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

            if (latency.records() != total || latency.waiting() != 0) {
                throw new IllegalStateException("commit latency taken for " + latency.records() + " of " + total
                        + " events, " + latency.waiting() + " batches never covered");
            }
            Map<String, Double> commit = new LinkedHashMap<>();
            double p50 = latency.percentileMillis(0.5);
            commit.put("p99_ms", latency.percentileMillis(0.99));
            commit.put("p50_ms", p50);
            commit.put("max_ms", latency.percentileMillis(1.0));
            // the first wave is also the JVM's warm-up (its rate is the first 10%'s): the waves after it apart
            commit.put("p99_ms_after_first_wave", latency.percentileMillis(0.99, afterFirstWave));
            commit.put("max_ms_after_first_wave", latency.percentileMillis(1.0, afterFirstWave));
            commit.put("poll_gap_max_ms", latency.pollGapMaxMillis());
            results.report(name() + ".commit-latency", commit, "p50", p50);
        } finally {
            sampling.set(false);
        }
    }

    private static void awaitAcknowledged(EventStoreSinkTask task, Map<TopicPartition, Long> lastOffsets,
                                          CommitLatency latency) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> current = new HashMap<>();
        lastOffsets.forEach((partition, offset) -> current.put(partition, new OffsetAndMetadata(offset + 1)));
        long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
        while (!current.equals(latency.preCommit(task, current))) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("the sink did not acknowledge every record within " + RUN_TIMEOUT);
            }
            task.put(List.of());
            Thread.sleep(1);
        }
    }

    /**
     * Per record, the time from {@code put()} receiving it to {@code preCommit()} first returning an offset past it.
     * Records are timed per batch: a batch is done when {@code preCommit()} covers its last offset in each of its
     * partitions (offsets only grow within a partition, so that covers every record of the batch).
     */
    private static final class CommitLatency {
        /** A batch handed to {@code put()}: when, its last offset per partition (-1: none), how many records. */
        private record Batch(long putNanos, long[] lastOffsets, int records) {
        }

        private final List<TopicPartition> partitions;
        private final List<Batch> waiting = new ArrayList<>();
        /** Per partition, the offset after the last one handed to {@code put()}: the consumer's position. */
        private final long[] positions;
        /** Per batch done: its latency and its record count. */
        private long[] nanos = new long[1024];
        private int[] counts = new int[1024];
        private int batches;
        private long records;
        /** Since when the waiting batches are known not done: the last call, or the put of the oldest one. */
        private long checkedNanos;
        private long pollGapMaxNanos;

        CommitLatency(Set<TopicPartition> assignment) {
            partitions = new ArrayList<>(assignment);
            partitions.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
            for (int p = 0; p < partitions.size(); p++) {
                if (partitions.get(p).partition() != p) {
                    throw new IllegalArgumentException("partitions must be numbered 0.." + (partitions.size() - 1)
                            + ": " + assignment);
                }
            }
            positions = new long[partitions.size()];
        }

        /** Hands the batch to the task, timed from the call, then asks the task what is committable. */
        void put(EventStoreSinkTask task, List<SinkRecord> batch) {
            long[] last = new long[partitions.size()];
            Arrays.fill(last, -1);
            for (SinkRecord record : batch) {
                last[record.kafkaPartition()] = Math.max(last[record.kafkaPartition()], record.kafkaOffset());
            }
            long putNanos = System.nanoTime();
            task.put(batch);
            if (!batch.isEmpty()) {
                if (waiting.isEmpty()) {
                    checkedNanos = putNanos;
                }
                waiting.add(new Batch(putNanos, last, batch.size()));
            }
            Map<TopicPartition, OffsetAndMetadata> current = new HashMap<>();
            for (int p = 0; p < last.length; p++) {
                positions[p] = Math.max(positions[p], last[p] + 1);
                current.put(partitions.get(p), new OffsetAndMetadata(positions[p]));
            }
            preCommit(task, current);
        }

        /** Calls {@code task.preCommit(current)}; every waiting batch the answer covers is done now. */
        Map<TopicPartition, OffsetAndMetadata> preCommit(EventStoreSinkTask task,
                                                         Map<TopicPartition, OffsetAndMetadata> current) {
            Map<TopicPartition, OffsetAndMetadata> committable = task.preCommit(current);
            long now = System.nanoTime();
            if (!waiting.isEmpty()) {
                // A batch found done now may have been done since the last look: its figure is late by at most this.
                pollGapMaxNanos = Math.max(pollGapMaxNanos, now - checkedNanos);
            }
            checkedNanos = now;
            long[] next = new long[partitions.size()];
            for (int p = 0; p < next.length; p++) {
                OffsetAndMetadata offset = committable.get(partitions.get(p));
                next[p] = offset == null ? 0 : offset.offset();
            }
            waiting.removeIf(batch -> {
                for (int p = 0; p < next.length; p++) {
                    if (batch.lastOffsets()[p] >= next[p]) {
                        return false;
                    }
                }
                done(now - batch.putNanos(), batch.records());
                return true;
            });
            return committable;
        }

        private void done(long latencyNanos, int count) {
            if (batches == nanos.length) {
                nanos = Arrays.copyOf(nanos, batches * 2);
                counts = Arrays.copyOf(counts, batches * 2);
            }
            nanos[batches] = latencyNanos;
            counts[batches] = count;
            batches++;
            records += count;
        }

        long records() {
            return records;
        }

        int waiting() {
            return waiting.size();
        }

        /** How many batches are done so far: a mark from which {@link #percentileMillis(double, int)} can count. */
        int batchesDone() {
            return batches;
        }

        /** The latency at or under which a fraction {@code p} of the records were done (1.0: the maximum). */
        double percentileMillis(double p) {
            return percentileMillis(p, 0);
        }

        /** The same over the batches done from the mark {@code from} on. */
        double percentileMillis(double p, int from) {
            long counted = 0;
            for (int i = from; i < batches; i++) {
                counted += counts[i];
            }
            if (counted == 0) {
                return Double.NaN;
            }
            Integer[] order = new Integer[batches - from];
            for (int i = from; i < batches; i++) {
                order[i - from] = i;
            }
            Arrays.sort(order, (a, b) -> Long.compare(nanos[a], nanos[b]));
            long rank = Math.max(1, (long) Math.ceil(p * counted));
            long seen = 0;
            for (int i : order) {
                seen += counts[i];
                if (seen >= rank) {
                    return nanos[i] / 1e6;
                }
            }
            return nanos[order[order.length - 1]] / 1e6;
        }

        double pollGapMaxMillis() {
            return pollGapMaxNanos / 1e6;
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
