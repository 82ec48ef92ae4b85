package dev.cdcconnect.benchmarks.eventstore;

import dev.cdcconnect.benchmarks.Benchmark;
import dev.cdcconnect.benchmarks.Results;
import dev.cdcconnect.benchmarks.Statistics;
import dev.cdcconnect.event.Envelopes;
import dev.cdcconnect.event.Operation;
import dev.cdcconnect.eventstore.EventStoreSinkTask;
import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import dev.cdcconnect.testkit.connect.TestSinkTaskContext;
import io.kurrent.dbclient.AppendStreamRequest;
import io.kurrent.dbclient.AppendToStreamOptions;
import io.kurrent.dbclient.EventData;
import io.kurrent.dbclient.KurrentDBClient;
import io.kurrent.dbclient.KurrentDBConnectionString;
import io.kurrent.dbclient.StreamState;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Throughput of the EventStoreDB sink against an EventStoreDB stand-in on this machine, on realistic Debezium
 * change events (Postgres envelopes with a schema: {@code rows} customers created, then updated {@code updates}
 * times each, over 4 partitions), at 0 ms and 5 ms of added append latency. Three ways of writing the same events:
 * <ul>
 *   <li>the sink: {@link EventStoreSinkTask} driven as a worker drives it (start, put in batches of 500 records,
 *       preCommit until every offset is acknowledged), with its defaults (exactly once, 32 appends in flight);</li>
 *   <li>baseline {@code per-event-loop}, seed 002's consumer loop: one synchronous one-event append per change
 *       with the real client, measured on the first {@code sample} events, as it is slow;</li>
 *   <li>{@code limit}: the real client's best on the events as Kafka delivers them: every event prebuilt, no
 *       Connect and no conversion, appended in the way of {@link #LIMIT_WAYS} that wrote a trial's events fastest
 *       in this run (one append per stream, or multi-stream appends of several sizes, at several concurrencies);
 *       </li>
 *   <li>{@code limit-grouped}: the same, but each row's changes all in one request, known up front: a ceiling
 *       no sink reading Kafka can reach, for scale.</li>
 * </ul>
 * Each run gets a fresh stand-in and checks every event arrived. Reported: events per second, the median of
 * {@code rounds} runs after a warm-up, and the median of the rounds' own ratios. Settings: {@code -Drows=10000
 * -Dupdates=4 -Drounds=3 -Dsample=1500 -Dwarmups=4}.
 */
public final class EventStoreSinkBenchmark implements Benchmark {

    private static final String TOPIC = "dbserver1.public.customers";
    private static final int PARTITIONS = 4;
    private static final int POLL_RECORDS = 500;
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(10);

    private static final Schema KEY = SchemaBuilder.struct().name("dbserver1.public.customers.Key")
            .field("id", Schema.INT32_SCHEMA).build();
    private static final Schema ROW = SchemaBuilder.struct().name("dbserver1.public.customers.Value")
            .field("id", Schema.INT32_SCHEMA)
            .field("first_name", Schema.STRING_SCHEMA)
            .field("last_name", Schema.STRING_SCHEMA)
            .field("email", Schema.OPTIONAL_STRING_SCHEMA)
            .field("phone", Schema.OPTIONAL_STRING_SCHEMA)
            .field("city", Schema.OPTIONAL_STRING_SCHEMA)
            .field("balance", Decimal.builder(2).optional().build())
            .field("updated_at", SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp").optional().build())
            .build();

    /**
     * One way for the client alone to write: {@code streamsPerCall} streams per call (1: an append per stream, more:
     * a multi-stream append), {@code inFlight} calls at a time.
     */
    private record Way(int streamsPerCall, int inFlight) {
        @Override
        public String toString() {
            return (streamsPerCall == 1 ? "an append per stream" : "multi-stream appends of " + streamsPerCall
                    + " streams") + ", " + inFlight + " in flight";
        }
    }

    /** The ways tried for {@code limit}: the sink's own (32 single-stream appends in flight) and batched ones. */
    static final List<Way> LIMIT_WAYS = List.of(new Way(1, 32), new Way(1, 128), new Way(64, 16), new Way(256, 8),
            new Way(500, 4), new Way(1024, 2));

    /** A change as the three writers get it: the sink record, and its stream and JSON for the plain loops. */
    private record Change(SinkRecord record, String stream, String type, byte[] data, long txId) {
    }

    @Override
    public String name() {
        return "eventstore-sink";
    }

    @Override
    public String description() {
        return "EventStoreDB sink task on Debezium change events vs baselines per-event-loop (seed 002) and limit "
                + "(client alone, batched), at 0 and 5 ms append latency";
    }

    @Override
    public void run(Results results) throws Exception {
        int rows = Integer.getInteger("rows", 10_000);
        int updates = Integer.getInteger("updates", 4);
        int rounds = Integer.getInteger("rounds", 3);
        int sample = Integer.getInteger("sample", 1_500);
        int warmups = Integer.getInteger("warmups", 4);
        List<Change> changes = changes(rows, updates);
        System.out.printf("# %d change events (%d rows, %d updates each), %d partitions%n", changes.size(), rows,
                updates, PARTITIONS);

        for (int latencyMs : new int[] {0, 5}) {
            Duration latency = Duration.ofMillis(latencyMs);
            String suffix = ".latency-" + latencyMs + "ms";
            // Warm-up: the sink's path is long (conversion, queues, the client) and keeps getting faster over
            // several full runs; the limit's ways are each run twice on a part of the events, the faster kept.
            for (int i = 0; i < warmups; i++) {
                sink(changes, latency);
            }
            List<Change> trial = changes.subList(0, Math.min(changes.size(), 20_000));
            Way arrival = bestWay(trial, latency, false, latencyMs);
            Way grouped = bestWay(trial, latency, true, latencyMs);
            perEventLoop(changes.subList(0, Math.min(200, changes.size())), latency);

            int loopSample = Math.min(changes.size(), latencyMs == 0 ? sample : Math.max(200, sample / 3));
            double loop = perEventLoop(changes.subList(0, loopSample), latency);
            List<Double> limitRuns = new ArrayList<>();
            List<Double> groupedRuns = new ArrayList<>();
            List<Double> sinkRuns = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                double limitRun = limit(changes, latency, arrival, false);
                double sinkRun = sink(changes, latency);
                limitRuns.add(limitRun);
                sinkRuns.add(sinkRun);
                ratios.add(sinkRun / limitRun);
                groupedRuns.add(limit(changes, latency, grouped, true));
                System.out.printf("# round %d at %d ms: sink %,.0f, limit %,.0f, limit-grouped %,.0f events/s%n", i,
                        latencyMs, sinkRun, limitRun, groupedRuns.get(i));
            }
            double limit = Statistics.median(limitRuns);
            double limitGrouped = Statistics.median(groupedRuns);
            double sink = Statistics.median(sinkRuns);

            results.report(name() + ".per-event-loop" + suffix, metrics(loop, loopSample), "per-event-loop", loop);
            results.report(name() + ".limit" + suffix, metrics(limit, changes.size()), "per-event-loop", loop);
            results.report(name() + ".limit-grouped" + suffix, metrics(limitGrouped, changes.size()),
                    "per-event-loop", loop);
            results.report(name() + suffix, metrics(sink, changes.size()), "per-event-loop", loop);
            Map<String, Double> vsLimit = metrics(sink, changes.size());
            vsLimit.put("median_round_ratio", Statistics.median(ratios));
            results.report(name() + suffix + ".vs-limit", vsLimit, "limit", limit);
            results.report(name() + suffix + ".vs-limit-grouped", metrics(sink, changes.size()), "limit-grouped",
                    limitGrouped);
        }
    }

    /** The way of {@link #LIMIT_WAYS} that writes the events fastest here, each tried twice, the faster kept. */
    private static Way bestWay(List<Change> trial, Duration latency, boolean grouped, int latencyMs)
            throws Exception {
        Way best = null;
        double bestRate = 0;
        for (Way way : LIMIT_WAYS) {
            double rate = Math.max(limit(trial, latency, way, grouped), limit(trial, latency, way, grouped));
            System.out.printf("# limit%s at %d ms: %s: %,.0f events/s%n", grouped ? "-grouped" : "", latencyMs, way,
                    rate);
            if (rate > bestRate) {
                bestRate = rate;
                best = way;
            }
        }
        System.out.printf("# limit%s at %d ms, best: %s%n", grouped ? "-grouped" : "", latencyMs, best);
        return best;
    }

    private static Map<String, Double> metrics(double eventsPerSecond, int events) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("events_per_s", eventsPerSecond);
        metrics.put("events", (double) events);
        return metrics;
    }

    // ---- the events

    /** Creates of every row, then rounds of updates of every row: as a busy table's changes arrive. */
    private static List<Change> changes(int rows, int updates) {
        Envelopes envelopes = Envelopes.postgres("shop", "public", "customers");
        JsonConverter json = new JsonConverter();
        json.configure(Map.of("schemas.enable", "false"), false);
        long[] offsets = new long[PARTITIONS];
        Map<Integer, Struct> current = new HashMap<>();
        List<Change> changes = new ArrayList<>(rows * (updates + 1));
        long txId = 10_000;
        long lsn = 50_000_000;
        long ts = 1_700_000_000_000L;
        for (int round = 0; round <= updates; round++) {
            for (int id = 1; id <= rows; id++) {
                txId++;
                lsn += 312;
                ts += 3;
                envelopes.txId(txId).lsn(lsn).tsMs(ts);
                Struct before = current.get(id);
                Struct after = row(id, round, ts);
                Operation op = before == null ? Operation.CREATE : Operation.UPDATE;
                Struct envelope = envelopes.struct(op, before, after);
                current.put(id, after);
                int partition = id % PARTITIONS;
                SinkRecord record = new SinkRecord(TOPIC, partition, KEY, new Struct(KEY).put("id", id),
                        envelope.schema(), envelope, offsets[partition]++, ts + 7, TimestampType.CREATE_TIME);
                byte[] data = json.fromConnectData(TOPIC, envelope.schema(), envelope);
                changes.add(new Change(record, "customers-" + id, op == Operation.CREATE ? "Created" : "Updated",
                        data, txId));
            }
        }
        return changes;
    }

    private static Struct row(int id, int version, long ts) {
        return new Struct(ROW)
                .put("id", id)
                .put("first_name", "First" + id)
                .put("last_name", "Last" + (id % 977))
                .put("email", "customer" + id + ".v" + version + "@example.com")
                .put("phone", "+1-555-" + (1_000_000 + id))
                .put("city", "City " + (id % 101))
                .put("balance", BigDecimal.valueOf(id * 100L + version, 2))
                .put("updated_at", ts * 1_000);
    }

    // ---- the three writers; each returns events per second

    private static double sink(List<Change> changes, Duration latency) throws Exception {
        try (EventStoreStandIn server = EventStoreStandIn.start()) {
            server.setAppendLatency(latency);
            Map<String, String> config = new HashMap<>();
            config.put("name", "eventstore-sink-benchmark");
            config.put("eventstore.connection.string", server.connectionString());
            EventStoreSinkTask task = new EventStoreSinkTask();
            Set<TopicPartition> assignment = new HashSet<>();
            for (int p = 0; p < PARTITIONS; p++) {
                assignment.add(new TopicPartition(TOPIC, p));
            }
            task.initialize(new TestSinkTaskContext(config, false, assignment));
            task.start(config);
            Map<TopicPartition, Long> last = new HashMap<>();
            for (Change change : changes) {
                last.merge(new TopicPartition(TOPIC, change.record().kafkaPartition()),
                        change.record().kafkaOffset(), Math::max);
            }
            Map<TopicPartition, OffsetAndMetadata> current = new HashMap<>();
            last.forEach((partition, offset) -> current.put(partition, new OffsetAndMetadata(offset + 1)));
            try {
                long start = System.nanoTime();
                List<SinkRecord> batch = new ArrayList<>(POLL_RECORDS);
                for (Change change : changes) {
                    batch.add(change.record());
                    if (batch.size() == POLL_RECORDS) {
                        task.put(batch);
                        batch = new ArrayList<>(POLL_RECORDS);
                    }
                }
                task.put(batch);
                long deadline = start + RUN_TIMEOUT.toNanos();
                while (!current.equals(task.preCommit(current))) {
                    if (System.nanoTime() > deadline) {
                        throw new TimeoutException("the sink did not acknowledge every record within " + RUN_TIMEOUT);
                    }
                    task.put(List.of());
                    Thread.sleep(1);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                checkWritten(server, changes);
                return changes.size() / seconds;
            } finally {
                task.stop();
            }
        }
    }

    /** Seed 002's loop: for each change, one event appended and waited for before the next. */
    private static double perEventLoop(List<Change> changes, Duration latency) throws Exception {
        try (EventStoreStandIn server = EventStoreStandIn.start()) {
            server.setAppendLatency(latency);
            KurrentDBClient client = client(server);
            try {
                long start = System.nanoTime();
                for (Change change : changes) {
                    SinkRecord record = change.record();
                    byte[] metadata = ("{\"offset\":" + record.kafkaOffset() + ",\"timestamp\":" + record.timestamp()
                            + ",\"txId\":" + change.txId() + "}").getBytes(StandardCharsets.UTF_8);
                    EventData event = EventData.builderAsJson(change.type(), change.data())
                            .metadataAsBytes(metadata).build();
                    client.appendToStream(change.stream(), event).get();
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                checkWritten(server, changes);
                return changes.size() / seconds;
            } finally {
                client.shutdown().get();
            }
        }
    }

    /**
     * The client alone, every event prebuilt, in the given way. In arrival order ({@code grouped} false) each call
     * takes the next changes as Kafka delivers them, as the sink gets them: one request per stream per call (a
     * stream's changes within a call together), expected state any. Grouped, each stream's events go at once in one
     * request (expected: no stream), knowing all of a row's changes up front, which no sink reading Kafka does.
     */
    private static double limit(List<Change> changes, Duration latency, Way way, boolean grouped) throws Exception {
        // Multi-stream appends take metadata values as strings only (as the sink then writes them).
        String quote = way.streamsPerCall() > 1 ? "\"" : "";
        List<List<Map.Entry<String, List<EventData>>>> calls = new ArrayList<>();
        Map<String, List<EventData>> call = new LinkedHashMap<>();
        for (Change change : changes) {
            SinkRecord record = change.record();
            byte[] metadata = ("{\"kafka.topic\":\"" + TOPIC + "\",\"kafka.partition\":" + quote
                    + record.kafkaPartition() + quote + ",\"kafka.offset\":" + quote + record.kafkaOffset() + quote
                    + ",\"$correlationId\":\"" + change.txId() + "\"}").getBytes(StandardCharsets.UTF_8);
            if (!grouped && !call.containsKey(change.stream()) && call.size() == way.streamsPerCall()) {
                calls.add(new ArrayList<>(call.entrySet()));
                call = new LinkedHashMap<>();
            }
            call.computeIfAbsent(change.stream(), s -> new ArrayList<>())
                    .add(EventData.builderAsJson(UUID.randomUUID(), change.type(), change.data())
                            .metadataAsBytes(metadata).build());
        }
        if (grouped) {
            List<Map.Entry<String, List<EventData>>> streams = new ArrayList<>(call.entrySet());
            for (int i = 0; i < streams.size(); i += way.streamsPerCall()) {
                calls.add(streams.subList(i, Math.min(streams.size(), i + way.streamsPerCall())));
            }
        } else if (!call.isEmpty()) {
            calls.add(new ArrayList<>(call.entrySet()));
        }
        // Calls in flight together must not share a stream, or its events could land out of order: in arrival
        // order a row's next change comes a whole round of rows later.
        if (!grouped && (long) way.inFlight() * way.streamsPerCall() >= changes.stream().map(Change::stream)
                .distinct().count()) {
            throw new IllegalArgumentException(way + " could write a stream's changes out of order");
        }
        StreamState expected = grouped ? StreamState.noStream() : StreamState.any();
        try (EventStoreStandIn server = EventStoreStandIn.start()) {
            server.setAppendLatency(latency);
            KurrentDBClient client = client(server);
            try {
                // Each of the lanes appends its next stream from the completion of its last one, so no thread
                // has to wake up between appends.
                ConcurrentLinkedQueue<List<Map.Entry<String, List<EventData>>>> work =
                        new ConcurrentLinkedQueue<>(calls);
                AtomicReference<Throwable> failure = new AtomicReference<>();
                CountDownLatch done = new CountDownLatch(work.size());
                long start = System.nanoTime();
                for (int lane = 0; lane < way.inFlight(); lane++) {
                    appendNext(client, work, expected, failure, done);
                }
                if (!done.await(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    throw new TimeoutException("the limit run did not finish within " + RUN_TIMEOUT);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                if (failure.get() != null) {
                    throw new ExecutionException("an append of the limit run failed", failure.get());
                }
                checkWritten(server, changes);
                return changes.size() / seconds;
            } finally {
                client.shutdown().get();
            }
        }
    }

    private static void appendNext(KurrentDBClient client,
                                   ConcurrentLinkedQueue<List<Map.Entry<String, List<EventData>>>> work,
                                   StreamState expected, AtomicReference<Throwable> failure, CountDownLatch done) {
        List<Map.Entry<String, List<EventData>>> streams = work.poll();
        if (streams == null) {
            return;
        }
        CompletableFuture<?> appended;
        if (streams.size() == 1) {
            appended = client.appendToStream(streams.get(0).getKey(),
                    AppendToStreamOptions.get().streamState(expected), streams.get(0).getValue().iterator());
        } else {
            List<AppendStreamRequest> requests = new ArrayList<>(streams.size());
            for (Map.Entry<String, List<EventData>> stream : streams) {
                requests.add(new AppendStreamRequest(stream.getKey(), stream.getValue().iterator(),
                        expected));
            }
            appended = client.multiStreamAppend(requests.iterator());
        }
        appended.whenComplete((result, error) -> {
            if (error != null) {
                failure.compareAndSet(null, error);
            }
            done.countDown();
            appendNext(client, work, expected, failure, done);
        });
    }

    private static KurrentDBClient client(EventStoreStandIn server) {
        return KurrentDBClient.create(KurrentDBConnectionString.parseOrThrow(server.connectionString()));
    }

    /** A figure only counts if every event is in the server, once. */
    private static void checkWritten(EventStoreStandIn server, List<Change> changes) {
        int written = server.category("customers").size();
        if (written != changes.size()) {
            throw new IllegalStateException("expected " + changes.size() + " events in the customers streams, found "
                    + written);
        }
    }
}
