package dev.cdcconnect.benchmarks.eventstore;

import dev.cdcconnect.benchmarks.Benchmark;
import dev.cdcconnect.benchmarks.Results;
import dev.cdcconnect.benchmarks.Statistics;
import dev.cdcconnect.event.Envelopes;
import dev.cdcconnect.event.Operation;
import dev.cdcconnect.eventstore.EventStoreSinkConfig;
import dev.cdcconnect.eventstore.EventStoreSinkTask;
import dev.cdcconnect.eventstore.event.EventMapper;
import dev.cdcconnect.eventstore.event.MappedRecord;
import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import dev.cdcconnect.standin.eventstore.StoredEvent;
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
import java.util.Arrays;
import java.util.Collections;
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
 *   <li>{@code limit}: the real client's best on the very events the sink writes, in the order Kafka delivers
 *       them: each change's event (stream, type, id, data and metadata bytes) built before the timing by the
 *       sink's own mapping, configured as the sink's and with metadata values as strings, as the sink writes them
 *       to a server with multi-stream appends; no Connect and no conversion is timed. Appended in the way of
 *       {@link #LIMIT_WAYS} that wrote a trial's events fastest in this run (one append per stream, or
 *       multi-stream appends of several sizes, at several concurrencies). Sink / limit is thus what the sink's
 *       own work costs: converting records and orchestrating appends;</li>
 *   <li>{@code limit-grouped}: the same, but each row's changes all in one request, known up front: a ceiling
 *       no sink reading Kafka can reach, for scale.</li>
 * </ul>
 * Each run gets a fresh stand-in and checks every event arrived. The sink's and the limits' runs also check that
 * the server holds, for every change, the event the limits send: same stream and place in it, id, type, content
 * type, data bytes and metadata (see {@link Identity}); a difference fails the benchmark. Reported: events per
 * second, the median of {@code rounds} runs after a warm-up; against {@code limit}, the median of the rounds' own
 * ratios. Settings: {@code -Drows=10000 -Dupdates=4 -Drounds=5 -Dsample=1500 -Dwarmups=4}.
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

    /** The way of the run that learns how the server keeps events written by multi-stream appends. */
    private static final Way MULTI_STREAM_REFERENCE = new Way(500, 4);

    /**
     * A change as the writers get it: the sink record, and its stream and envelope JSON for the per-event loop.
     */
    private record Change(SinkRecord record, String stream, String type, byte[] data, long txId) {
    }

    /** The event the sink writes for a change: its stream, its revision there, and the event itself. */
    private record SinkEvent(String stream, long revision, EventData event) {
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
        int rounds = Integer.getInteger("rounds", 5);
        int sample = Integer.getInteger("sample", 1_500);
        int warmups = Integer.getInteger("warmups", 4);
        List<Change> changes = changes(rows, updates);
        List<SinkEvent> events = sinkEvents(changes);
        System.out.printf("# %d change events (%d rows, %d updates each), %d partitions%n", changes.size(), rows,
                updates, PARTITIONS);
        Identity identity = new Identity(events);
        limit(events, Duration.ZERO, MULTI_STREAM_REFERENCE, false, identity, true);
        System.out.printf("# the %d events, as the sink's mapping makes them: %,d bytes of data, %,d of metadata%n",
                events.size(), events.stream().mapToLong(e -> e.event().getEventData().length).sum(),
                events.stream().mapToLong(e -> e.event().getUserMetadata().length).sum());

        for (int latencyMs : new int[] {0, 5}) {
            Duration latency = Duration.ofMillis(latencyMs);
            String suffix = ".latency-" + latencyMs + "ms";
            // The limit's ways are each run twice on a part of the events, the faster kept; then the loop is
            // measured. The sink's warm-up comes last, right before the rounds: its path is long (conversion,
            // queues, the client) and keeps getting faster over several full runs, and the client code it shares
            // with the ways tried before is compiled again for its use by then.
            List<SinkEvent> trial = events.subList(0, Math.min(events.size(), 20_000));
            Way arrival = bestWay(trial, latency, false, latencyMs, identity);
            Way grouped = bestWay(trial, latency, true, latencyMs, identity);
            perEventLoop(changes.subList(0, Math.min(200, changes.size())), latency);

            int loopSample = Math.min(changes.size(), latencyMs == 0 ? sample : Math.max(200, sample / 3));
            double loop = perEventLoop(changes.subList(0, loopSample), latency);
            for (int i = 0; i < warmups; i++) {
                sink(changes, latency, identity);
            }
            List<Double> limitRuns = new ArrayList<>();
            List<Double> groupedRuns = new ArrayList<>();
            List<Double> sinkRuns = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                double limitRun = limit(events, latency, arrival, false, identity, false);
                double sinkRun = sink(changes, latency, identity);
                limitRuns.add(limitRun);
                sinkRuns.add(sinkRun);
                ratios.add(sinkRun / limitRun);
                groupedRuns.add(limit(events, latency, grouped, true, identity, false));
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
            // Each round's sink and limit runs are neighbours in time, so their ratio is not moved by how busy the
            // machine was in that round: the ratio printed is the median of the rounds' ratios (sink events/s
            // over the limit rate that gives it); ratio_of_medians is the medians' ratio.
            double roundRatio = Statistics.median(ratios);
            Map<String, Double> vsLimit = metrics(sink, changes.size());
            vsLimit.put("ratio_of_medians", sink / limit);
            vsLimit.put("min_round_ratio", Collections.min(ratios));
            vsLimit.put("max_round_ratio", Collections.max(ratios));
            results.report(name() + suffix + ".vs-limit", vsLimit, "limit", sink / roundRatio);
            results.report(name() + suffix + ".vs-limit-grouped", metrics(sink, changes.size()), "limit-grouped",
                    limitGrouped);
        }
    }

    /** The way of {@link #LIMIT_WAYS} that writes the events fastest here, each tried twice, the faster kept. */
    private static Way bestWay(List<SinkEvent> trial, Duration latency, boolean grouped, int latencyMs,
                               Identity identity) throws Exception {
        Way best = null;
        double bestRate = 0;
        for (Way way : LIMIT_WAYS) {
            double rate = Math.max(limit(trial, latency, way, grouped, identity, false),
                    limit(trial, latency, way, grouped, identity, false));
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
        // A worker hands a task what its converter read: records of one schema share one Schema object (converters
        // cache them), where the envelope fixture builds a new one per record.
        JsonConverter delivered = new JsonConverter();
        delivered.configure(Map.of("schemas.enable", "true"), false);
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
                Struct built = envelopes.struct(op, before, after);
                Struct envelope = (Struct) delivered.toConnectData(TOPIC,
                        delivered.fromConnectData(TOPIC, built.schema(), built)).value();
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

    /** The configuration the sink runs with here. */
    private static Map<String, String> sinkConfig(String connectionString) {
        Map<String, String> config = new HashMap<>();
        config.put("name", "eventstore-sink-benchmark");
        config.put("eventstore.connection.string", connectionString);
        putSinkProperties(config);
        return config;
    }

    /** Puts each {@code -Dsink.<key>=<value>} in the sink's configuration, to compare settings in one run. */
    static void putSinkProperties(Map<String, String> config) {
        System.getProperties().stringPropertyNames().stream().filter(name -> name.startsWith("sink."))
                .forEach(name -> config.put(name.substring("sink.".length()), System.getProperty(name)));
    }

    /**
     * The events the sink writes for the changes, made by its own mapping with its configuration here, metadata
     * values as strings as it writes them to a server with multi-stream appends (the stand-in's profile).
     */
    private static List<SinkEvent> sinkEvents(List<Change> changes) {
        EventMapper mapper = new EventStoreSinkConfig(sinkConfig("kurrentdb://127.0.0.1:2113?tls=false"))
                .eventMapper().withMetadataValuesAsStrings();
        Map<String, Long> revisions = new HashMap<>();
        List<SinkEvent> events = new ArrayList<>(changes.size());
        for (Change change : changes) {
            if (!(mapper.map(change.record()) instanceof MappedRecord.Append append)) {
                throw new IllegalStateException("the sink does not append an event for " + change.record());
            }
            long revision = revisions.merge(append.stream(), 1L, Long::sum) - 1;
            events.add(new SinkEvent(append.stream(), revision, append.event()));
        }
        return events;
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

    private static double sink(List<Change> changes, Duration latency, Identity identity) throws Exception {
        try (EventStoreStandIn server = EventStoreStandIn.start()) {
            server.setAppendLatency(latency);
            Map<String, String> config = sinkConfig(server.connectionString());
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
                checkWritten(server, changes.size());
                identity.check(server, "the sink", false);
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
                checkWritten(server, changes.size());
                return changes.size() / seconds;
            } finally {
                client.shutdown().get();
            }
        }
    }

    /**
     * The client alone, on the sink's events built beforehand, in the given way. In arrival order ({@code grouped}
     * false) each call takes the next changes as Kafka delivers them, as the sink gets them: one request per stream
     * per call (a stream's changes within a call together), expected state any. Grouped, each stream's events go at
     * once in one request (expected: no stream), knowing all of a row's changes up front, which no sink reading
     * Kafka does. {@code learn}: this run tells {@code identity} how the server keeps events written by
     * multi-stream appends.
     */
    private static double limit(List<SinkEvent> events, Duration latency, Way way, boolean grouped,
                                Identity identity, boolean learn) throws Exception {
        List<List<Map.Entry<String, List<EventData>>>> calls = new ArrayList<>();
        Map<String, List<EventData>> call = new LinkedHashMap<>();
        for (SinkEvent event : events) {
            if (!grouped && !call.containsKey(event.stream()) && call.size() == way.streamsPerCall()) {
                calls.add(new ArrayList<>(call.entrySet()));
                call = new LinkedHashMap<>();
            }
            call.computeIfAbsent(event.stream(), s -> new ArrayList<>()).add(event.event());
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
        if (!grouped && (long) way.inFlight() * way.streamsPerCall() >= events.stream().map(SinkEvent::stream)
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
                checkWritten(server, events.size());
                identity.check(server, "the limit (" + way + ")", learn);
                return events.size() / seconds;
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
    private static void checkWritten(EventStoreStandIn server, int events) {
        int written = server.category("customers").size();
        if (written != events) {
            throw new IllegalStateException("expected " + events + " events in the customers streams, found "
                    + written);
        }
    }

    /**
     * Checks that a run's server holds the sink's events, each byte for byte: for every event, by its id, the same
     * stream, revision, type, content type, data and metadata. A single-stream append hands the server the metadata
     * bytes, which it keeps as they are. A multi-stream append hands it the metadata's entries, which the client
     * reads from those bytes, and the server shows them as a JSON object of its own making; that form is compared
     * with the one the limit's events got in a run with multi-stream appends only ({@code learn}), made before any
     * other.
     */
    private static final class Identity {

        private final Map<UUID, SinkEvent> byId = new HashMap<>();
        /** The metadata the server shows for each event written by a multi-stream append of the limit. */
        private final Map<UUID, byte[]> multiStreamForm = new HashMap<>();

        Identity(List<SinkEvent> events) {
            for (SinkEvent event : events) {
                if (byId.put(event.event().getEventId(), event) != null) {
                    throw new IllegalStateException("two changes give event id " + event.event().getEventId());
                }
            }
        }

        void check(EventStoreStandIn server, String writer, boolean learn) {
            int asSent = 0;
            int multiStream = 0;
            for (StoredEvent stored : server.category("customers")) {
                SinkEvent expected = byId.get(stored.eventId());
                if (expected == null) {
                    throw different(writer, stored, "an event id no change gives");
                }
                EventData event = expected.event();
                if (!stored.stream().equals(expected.stream()) || stored.revision() != expected.revision()) {
                    throw different(writer, stored, "not at " + expected.stream() + "@" + expected.revision());
                }
                if (!stored.eventType().equals(event.getEventType())
                        || !stored.contentType().equals(event.getContentType())) {
                    throw different(writer, stored, "type " + event.getEventType() + ", " + event.getContentType()
                            + " expected");
                }
                if (!Arrays.equals(stored.data(), event.getEventData())) {
                    throw different(writer, stored, "data " + new String(event.getEventData(),
                            StandardCharsets.UTF_8) + " expected");
                }
                if (Arrays.equals(stored.metadata(), event.getUserMetadata())) {
                    asSent++;
                } else if (learn) {
                    multiStreamForm.put(stored.eventId(), stored.metadata());
                    multiStream++;
                } else if (Arrays.equals(stored.metadata(), multiStreamForm.get(stored.eventId()))) {
                    multiStream++;
                } else {
                    throw different(writer, stored, "metadata " + new String(event.getUserMetadata(),
                            StandardCharsets.UTF_8) + " expected, or as the server showed it for the limit: "
                            + new String(multiStreamForm.getOrDefault(stored.eventId(), new byte[0]),
                            StandardCharsets.UTF_8));
                }
            }
            if (learn && multiStream != byId.size()) {
                throw new IllegalStateException(writer + " wrote " + asSent + " events with their metadata as sent, "
                        + "so not by multi-stream appends: the server does not offer them");
            }
            if (learn || writer.equals("the sink")) {
                System.out.printf("# %s: %d events, each the sink's mapping's byte for byte; %d written by "
                        + "multi-stream appends, %d by single-stream appends%n", writer, asSent + multiStream,
                        multiStream, asSent);
            }
        }

        private static IllegalStateException different(String writer, StoredEvent stored, String expected) {
            return new IllegalStateException(writer + " wrote an event that is not the sink's: " + stored + "; "
                    + expected);
        }
    }
}
