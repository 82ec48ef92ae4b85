package dev.cdcconnect.standin.eventstore;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import io.kurrent.dbclient.proto.serverfeatures.ServerFeaturesGrpc;
import io.kurrentdb.protocol.v2.streams.StreamsServiceGrpc;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Faults injected into the stand-in's calls, set from tests while clients are connected. A server interceptor
 * answers whole calls (unavailable, not leader); the append handlers ask for latency, timeouts and appends left
 * unanswered.
 */
final class Faults implements ServerInterceptor {
    private static final Metadata.Key<String> REQUIRES_LEADER =
            Metadata.Key.of("requires-leader", Metadata.ASCII_STRING_MARSHALLER);

    private final AtomicLong appendLatencyNanos = new AtomicLong();
    /** Deadlines are {@link System#nanoTime()} values; {@code null} means no window. */
    private volatile Long unavailableUntilNanos;
    private final AtomicInteger notLeaderCalls = new AtomicInteger();
    private volatile Long notLeaderUntilNanos;
    private volatile Long busyUntilNanos;
    private final AtomicInteger timeoutsBeforeWrite = new AtomicInteger();
    private final AtomicInteger timeoutsAfterWrite = new AtomicInteger();
    private final AtomicInteger unansweredBeforeWrite = new AtomicInteger();
    private final AtomicInteger unansweredAfterWrite = new AtomicInteger();
    private volatile String leaderHost;
    private volatile int leaderPort;

    void leaderEndpoint(String host, int port) {
        this.leaderHost = host;
        this.leaderPort = port;
    }

    void appendLatency(Duration latency) {
        appendLatencyNanos.set(latency.toNanos());
    }

    long appendLatencyNanos() {
        return appendLatencyNanos.get();
    }

    void unavailableFor(Duration window) {
        unavailableUntilNanos = System.nanoTime() + window.toNanos();
    }

    boolean unavailable() {
        return within(unavailableUntilNanos);
    }

    void busyFor(Duration window) {
        busyUntilNanos = System.nanoTime() + window.toNanos();
    }

    void notLeaderForCalls(int calls) {
        notLeaderCalls.set(calls);
    }

    void notLeaderFor(Duration window) {
        notLeaderUntilNanos = System.nanoTime() + window.toNanos();
    }

    void timeoutAppends(int count, boolean afterWrite) {
        (afterWrite ? timeoutsAfterWrite : timeoutsBeforeWrite).set(count);
    }

    void leaveAppendsUnanswered(int count, boolean afterWrite) {
        (afterWrite ? unansweredAfterWrite : unansweredBeforeWrite).set(count);
    }

    /** Whether this append ends without a reply before anything is written. */
    boolean takeUnansweredBeforeWrite() {
        return takeOne(unansweredBeforeWrite);
    }

    /** Whether this append is written, then ends without a reply. */
    boolean takeUnansweredAfterWrite() {
        return takeOne(unansweredAfterWrite);
    }

    /** Whether this append fails with a commit timeout before anything is written. */
    boolean takeTimeoutBeforeWrite() {
        return takeOne(timeoutsBeforeWrite);
    }

    /** Whether this append is written but answered with a commit timeout (outcome unknown to the client). */
    boolean takeTimeoutAfterWrite() {
        return takeOne(timeoutsAfterWrite);
    }

    void clear() {
        appendLatencyNanos.set(0);
        unavailableUntilNanos = null;
        notLeaderCalls.set(0);
        notLeaderUntilNanos = null;
        busyUntilNanos = null;
        timeoutsBeforeWrite.set(0);
        timeoutsAfterWrite.set(0);
        unansweredBeforeWrite.set(0);
        unansweredAfterWrite.set(0);
    }

    private static boolean within(Long deadline) {
        return deadline != null && System.nanoTime() - deadline < 0;
    }

    private static boolean takeOne(AtomicInteger counter) {
        return counter.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
    }

    private boolean takeNotLeader() {
        return within(notLeaderUntilNanos) || takeOne(notLeaderCalls);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        var service = call.getMethodDescriptor().getServiceName();
        if (unavailable()) {
            return reject(call, Errors.serverNotReady());
        }
        if (!ServerFeaturesGrpc.SERVICE_NAME.equals(service)) {
            boolean v2 = StreamsServiceGrpc.SERVICE_NAME.equals(service);
            // A busy node still answers ServerFeatures (it does not go through the node's queues), so clients stay up.
            if (within(busyUntilNanos)) {
                return reject(call, v2 ? Errors.v2Overloaded() : Errors.serverBusy());
            }
            // v2 writes always need the leader; v1 calls only when the client asks (its default node preference).
            boolean needsLeader = v2 || "true".equals(headers.get(REQUIRES_LEADER));
            if (needsLeader && takeNotLeader()) {
                return reject(call, v2 ? Errors.v2NotLeader(leaderHost, leaderPort) : Errors.notLeader(leaderHost, leaderPort));
            }
        }
        return next.startCall(call, headers);
    }

    private static <Q, R> ServerCall.Listener<Q> reject(ServerCall<Q, R> call, StatusRuntimeException error) {
        call.close(error.getStatus(), error.getTrailers() == null ? new Metadata() : error.getTrailers());
        return new ServerCall.Listener<>() {
        };
    }
}
