package dev.cdcconnect.standin.eventstore;

import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.kurrent.dbclient.proto.streams.StreamsGrpc;
import io.kurrentdb.protocol.v2.streams.StreamsServiceGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-memory EventStoreDB/KurrentDB server for tests, speaking the real gRPC protocol on 127.0.0.1 so the real
 * {@code io.kurrent.dbclient.KurrentDBClient} connects to it with {@link #connectionString()}.
 *
 * <p>It serves the v1 {@code Streams} service (Append, Read of a stream or {@code $all}, Delete, Tombstone),
 * {@code ServerFeatures/GetSupportedMethods} and, for 25.1+ profiles, the v2 {@code StreamsService/AppendSession}
 * behind the client's {@code multiStreamAppend}. It reproduces the server behaviour a writer depends on:
 * <ul>
 *   <li>idempotence for {@code any}/{@code streamExists} only through an in-memory FIFO cache of recent event ids
 *       (8 MiB, lost on {@link #restart()}): first id cached and all others too → success without writing; first
 *       cached but a later one not → WrongExpectedVersion; first not cached → everything is written again;</li>
 *   <li>durable idempotence for an exact expected revision or {@code noStream}: the stored events after the expected
 *       revision are compared by id (all equal → success without writing, one differs → WrongExpectedVersion);</li>
 *   <li>WrongExpectedVersion as a normal (OK) v1 Append response; a tombstoned stream as FAILED_PRECONDITION with
 *       trailer {@code exception=stream-deleted}; missing {@code type}/{@code content-type} as INVALID_ARGUMENT;
 *       size limits (data + metadata + 2 × type length per event; max event and max append size) as
 *       INVALID_ARGUMENT; the stream names {@code ""} and {@code $$} refused;</li>
 *   <li>reads that carry the {@code type}, {@code content-type} and {@code created} (.NET ticks) metadata, stream
 *       revisions, and commit/prepare positions that grow with the log.</li>
 * </ul>
 * Faults for tests: {@link #setAppendLatency}, {@link #unavailableFor}, {@link #busyFor}, {@link #notLeaderForCalls},
 * {@link #notLeaderFor}, {@link #timeoutNextAppends}, {@link #leaveNextAppendsUnanswered}, {@link #restart()} and
 * {@link #stop()}/{@link #resume()}.
 *
 * <p>Thread-safe: appends to different streams run concurrently, appends to one stream are serialized. Not served:
 * subscriptions, BatchAppend, persistent subscriptions, projections (see {@link #category} and
 * {@link #byCorrelationId} for what they would link), the effect of stream metadata ({@code $maxCount},
 * {@code $tb} written by a client, ACLs: {@code $$} streams are stored and read like any other, and a soft delete
 * writes {@code $tb} there as the server does), authentication (any credentials are accepted), TLS.
 */
public final class EventStoreStandIn implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventStoreStandIn.class);

    /** How the stand-in behaves; immutable, built from {@link #defaults()} with the {@code with...} methods. */
    public static final class Options {
        private static final int SIXTEEN_MIB = 16 * 1024 * 1024;

        private final ServerVersion serverVersion;
        private final Integer maxAppendSize;
        private final int maxEventSize;
        private final long idCacheBytes;
        private final Boolean multiStreamAppend;
        private final String leaderHost;
        private final int leaderPort;

        private Options(ServerVersion serverVersion, Integer maxAppendSize, int maxEventSize, long idCacheBytes,
                        Boolean multiStreamAppend, String leaderHost, int leaderPort) {
            this.serverVersion = Objects.requireNonNull(serverVersion, "serverVersion");
            this.maxAppendSize = maxAppendSize;
            this.maxEventSize = maxEventSize;
            this.idCacheBytes = idCacheBytes;
            this.multiStreamAppend = multiStreamAppend;
            this.leaderHost = leaderHost;
            this.leaderPort = leaderPort;
        }

        /** KurrentDB 26.1, its size limits (16 MiB event, 256 MiB append), an 8 MiB id cache, multi-stream append on. */
        public static Options defaults() {
            return new Options(ServerVersion.V26_1, null, SIXTEEN_MIB, EventIdCache.DEFAULT_MAX_BYTES, null, null, 0);
        }

        /** Emulates another release: its reported version, features and default max append size. */
        public Options withServerVersion(ServerVersion version) {
            return new Options(version, maxAppendSize, maxEventSize, idCacheBytes, multiStreamAppend, leaderHost,
                    leaderPort);
        }

        /** Overrides the release's max append size (bytes per Append call or append session). */
        public Options withMaxAppendSize(int bytes) {
            return new Options(serverVersion, positive(bytes), maxEventSize, idCacheBytes, multiStreamAppend,
                    leaderHost, leaderPort);
        }

        /** Overrides the max event size (16 MiB by default). */
        public Options withMaxEventSize(int bytes) {
            return new Options(serverVersion, maxAppendSize, positive(bytes), idCacheBytes, multiStreamAppend,
                    leaderHost, leaderPort);
        }

        /** Overrides the size of the event-id cache behind {@code any}/{@code streamExists} idempotence (8 MiB). */
        public Options withIdCacheBytes(long bytes) {
            return new Options(serverVersion, maxAppendSize, maxEventSize, positive(bytes), multiStreamAppend,
                    leaderHost, leaderPort);
        }

        /** Serves (and advertises) the v2 multi-stream append or not, whatever the version says. */
        public Options withMultiStreamAppend(boolean enabled) {
            return new Options(serverVersion, maxAppendSize, maxEventSize, idCacheBytes, enabled, leaderHost,
                    leaderPort);
        }

        /** The leader endpoint sent with not-leader replies; by default the stand-in itself, so clients come back. */
        public Options withLeaderEndpoint(String host, int port) {
            return new Options(serverVersion, maxAppendSize, maxEventSize, idCacheBytes, multiStreamAppend,
                    Objects.requireNonNull(host, "host"), port);
        }

        public ServerVersion serverVersion() {
            return serverVersion;
        }

        public int maxAppendSize() {
            return maxAppendSize != null ? maxAppendSize : serverVersion.defaultMaxAppendSize();
        }

        public int maxEventSize() {
            return maxEventSize;
        }

        public long idCacheBytes() {
            return idCacheBytes;
        }

        public boolean multiStreamAppend() {
            return multiStreamAppend != null ? multiStreamAppend : serverVersion.hasMultiStreamAppend();
        }

        private static int positive(int value) {
            if (value <= 0) {
                throw new IllegalArgumentException("must be positive, was " + value);
            }
            return value;
        }

        private static long positive(long value) {
            if (value <= 0) {
                throw new IllegalArgumentException("must be positive, was " + value);
            }
            return value;
        }

        @Override
        public String toString() {
            return "Options{version=" + serverVersion.versionString() + ", maxAppendSize=" + maxAppendSize()
                    + ", maxEventSize=" + maxEventSize + ", idCacheBytes=" + idCacheBytes
                    + ", multiStreamAppend=" + multiStreamAppend() + "}";
        }
    }

    private final Options options;
    private final StreamStore store;
    private final Faults faults = new Faults();
    private final Responder responder = new Responder(faults);
    private Server server;
    private int port;

    private EventStoreStandIn(Options options) {
        this.options = options;
        this.store = new StreamStore(options.idCacheBytes());
    }

    /** Starts a stand-in with {@link Options#defaults()} on a free port. */
    public static EventStoreStandIn start() {
        return start(Options.defaults());
    }

    /** Starts a stand-in with the given options on a free port of 127.0.0.1. */
    public static EventStoreStandIn start(Options options) {
        var standIn = new EventStoreStandIn(options);
        standIn.listen(0);
        LOG.info("EventStoreDB stand-in listening on 127.0.0.1:{} ({})", standIn.port, options);
        return standIn;
    }

    private synchronized void listen(int requestedPort) {
        var backend = new StreamsBackend(store, faults, new Limits(options.maxAppendSize(), options.maxEventSize()),
                responder);
        var builder = NettyServerBuilder
                .forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), requestedPort))
                .withOption(ChannelOption.SO_REUSEADDR, true)
                // A whole append (v2: all records of one stream) travels in one message.
                .maxInboundMessageSize(Math.max(options.maxAppendSize(), options.maxEventSize()) + 1024 * 1024)
                .addService(withReplyOptional(
                        ServerInterceptors.intercept(new StreamsV1Service(backend), faults),
                        StreamsGrpc.getAppendMethod()));
        if (options.serverVersion().hasServerFeatures()) {
            builder.addService(ServerInterceptors.intercept(
                    new ServerFeaturesService(options.serverVersion(), options.multiStreamAppend()), faults));
        }
        if (options.multiStreamAppend()) {
            builder.addService(withReplyOptional(
                    ServerInterceptors.intercept(new StreamsV2Service(backend), faults),
                    StreamsServiceGrpc.getAppendSessionMethod()));
        }
        try {
            server = builder.build().start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + requestedPort, e);
        }
        port = server.getPort();
        faults.leaderEndpoint(options.leaderHost != null ? options.leaderHost : "127.0.0.1",
                options.leaderHost != null ? options.leaderPort : port);
    }

    /**
     * The service with {@code method} declared bidi-streaming on the server side only, so that gRPC lets its handler
     * end a call without a reply ({@link #leaveNextAppendsUnanswered}); for a method with one reply it would turn
     * that into INTERNAL. Clients are unaffected: the kind of a method does not travel on the wire.
     */
    private static ServerServiceDefinition withReplyOptional(ServerServiceDefinition service,
                                                             MethodDescriptor<?, ?> method) {
        var retyped = ServerServiceDefinition.builder(service.getServiceDescriptor().getName());
        for (ServerMethodDefinition<?, ?> definition : service.getMethods()) {
            retyped.addMethod(bidiStreamingIf(definition, method.getFullMethodName()));
        }
        return retyped.build();
    }

    private static <Q, R> ServerMethodDefinition<Q, R> bidiStreamingIf(ServerMethodDefinition<Q, R> definition,
                                                                      String fullMethodName) {
        var descriptor = definition.getMethodDescriptor();
        if (!descriptor.getFullMethodName().equals(fullMethodName)) {
            return definition;
        }
        return ServerMethodDefinition.create(descriptor.toBuilder()
                .setType(MethodDescriptor.MethodType.BIDI_STREAMING).build(), definition.getServerCallHandler());
    }

    /** {@code kurrentdb://127.0.0.1:<port>?tls=false}: a single node without TLS. */
    public String connectionString() {
        return "kurrentdb://127.0.0.1:" + port() + "?tls=false";
    }

    /** The port the stand-in listens on; the same across {@link #restart()}. */
    public synchronized int port() {
        return port;
    }

    public Options options() {
        return options;
    }

    /**
     * Stops and starts the server on the same port, as a node restart: stored events stay, the event-id cache is
     * lost (so {@code any} appends of already written events duplicate them), open calls fail and clients
     * reconnect. Faults set before stay set.
     */
    public synchronized void restart() {
        stop();
        resume();
    }

    /** Closes the port (clients see connection refused) and keeps the data, until {@link #resume()}. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        server.shutdownNow();
        try {
            if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("EventStoreDB stand-in did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the EventStoreDB stand-in", e);
        }
        server = null;
        LOG.info("EventStoreDB stand-in on port {} stopped", port);
    }

    /** Listens again on the same port after {@link #stop()}, with the id cache lost as in a restart. */
    public synchronized void resume() {
        if (server != null) {
            return;
        }
        store.dropIdCache();
        listen(port);
        LOG.info("EventStoreDB stand-in on port {} started again", port);
    }

    /** Whether the port is open (between {@link #stop()} and {@link #resume()} it is not). */
    public synchronized boolean isRunning() {
        return server != null;
    }

    @Override
    public synchronized void close() {
        stop();
        responder.close();
    }

    // Inspection

    /**
     * The events a reader of the stream sees, oldest first: empty if the stream does not exist, is soft-deleted
     * (until appended to again) or tombstoned.
     */
    public List<StoredEvent> events(String stream) {
        return store.events(stream);
    }

    /** Every record of {@code $all} in log order, including soft-delete {@code $metadata} and tombstone records. */
    public List<StoredEvent> allEvents() {
        return store.allRecords();
    }

    /**
     * What the server's {@code $by_category} projection links into {@code $ce-<category>}: the events of every
     * non-system stream whose name up to its first {@code -} is {@code category}, in {@code $all} order.
     * Soft-deleted and tombstoned streams' events are included, as the projection linked them when written.
     */
    public List<StoredEvent> category(String category) {
        return store.allRecords().stream()
                .filter(e -> !e.stream().startsWith("$"))
                .filter(e -> e.revision() != StreamStore.DELETED_STREAM)
                .filter(e -> {
                    int dash = e.stream().indexOf('-');
                    return dash > 0 && e.stream().substring(0, dash).equals(category);
                })
                .toList();
    }

    /**
     * What the server's {@code $by_correlation_id} projection links into {@code $bc-<correlationId>}: events whose
     * user metadata is a JSON object with {@code "$correlationId"} equal to {@code correlationId}, in {@code $all}
     * order.
     */
    public List<StoredEvent> byCorrelationId(String correlationId) {
        return store.allRecords().stream()
                .filter(e -> !e.stream().startsWith("$"))
                .filter(e -> correlationId.equals(CorrelationIds.of(e)))
                .toList();
    }

    /** Names of the streams with at least one event written (deleted ones included, {@code $$} metadata streams not), sorted. */
    public List<String> streams() {
        return store.streamNames();
    }

    /** The last revision written to the stream, soft-deleted events included; -1 if none. */
    public long lastRevision(String stream) {
        return store.lastRevision(stream);
    }

    public boolean isSoftDeleted(String stream) {
        return store.isSoftDeleted(stream);
    }

    public boolean isTombstoned(String stream) {
        return store.isTombstoned(stream);
    }

    /** How many appends (v1 Append calls and v2 sessions) wrote new events; idempotent repeats do not count. */
    public long totalAppends() {
        return store.appendCount();
    }

    // Faults

    /** Delays every append reply by this much (the events are stored at once); {@link Duration#ZERO} to stop. */
    public void setAppendLatency(Duration latency) {
        faults.appendLatency(Objects.requireNonNull(latency, "latency"));
    }

    /**
     * Answers every call, {@code ServerFeatures} included, with UNAVAILABLE ("Server Is Not Ready") for this long
     * from now: to the client this is a node it cannot use at all. The 1.1.0 client fails the call in flight, then
     * fails its rediscovery ({@code maxDiscoverAttempts}) and shuts down for good (every later call:
     * {@code ConnectionShutdownException}), as when the node is down; a new client works once the window is over.
     */
    public void unavailableFor(Duration window) {
        faults.unavailableFor(Objects.requireNonNull(window, "window"));
    }

    /**
     * Answers stream calls with UNAVAILABLE ("Server Is Too Busy") for this long from now while
     * {@code ServerFeatures} keeps answering, as an overloaded node does: the client fails each call but
     * reconnects and stays usable.
     */
    public void busyFor(Duration window) {
        faults.busyFor(Objects.requireNonNull(window, "window"));
    }

    /**
     * Answers the next {@code calls} leader-requiring calls (v1 calls with {@code requires-leader: true}, which the
     * client sends by default, and every v2 append session) as a follower: v1 NOT_FOUND with
     * {@code exception=not-leader} and {@code leader-endpoint-host}/{@code -port} trailers, v2 FAILED_PRECONDITION
     * with {@code NotLeaderNodeErrorDetails}.
     */
    public void notLeaderForCalls(int calls) {
        faults.notLeaderForCalls(calls);
    }

    /** As {@link #notLeaderForCalls}, for every leader-requiring call during this window from now. */
    public void notLeaderFor(Duration window) {
        faults.notLeaderFor(Objects.requireNonNull(window, "window"));
    }

    /**
     * Fails the next {@code count} appends with the server's commit timeout (v1 ABORTED "Operation timed out",
     * v2 DEADLINE_EXCEEDED). With {@code afterWrite} the events are stored first, so the client cannot know the
     * outcome; without, nothing is written.
     */
    public void timeoutNextAppends(int count, boolean afterWrite) {
        faults.timeoutAppends(count, afterWrite);
    }

    /**
     * Ends the next {@code count} appends (v1 Append calls and v2 sessions) with status OK but no reply message.
     * The 1.1.0 client completes an append's future only from a reply or an error, so the future of such a call
     * never completes, and its deadline cannot fire either (the call is over): to the caller it is a call the
     * client leaves unanswered for good. With {@code afterWrite} the events are stored first, so a retry must find
     * them; without, nothing is written.
     */
    public void leaveNextAppendsUnanswered(int count, boolean afterWrite) {
        faults.leaveAppendsUnanswered(count, afterWrite);
    }

    /**
     * Removes every fault: latency, unavailable and busy windows, not-leader replies, pending timeouts and
     * appends to leave unanswered.
     */
    public void clearFaults() {
        faults.clear();
    }
}
