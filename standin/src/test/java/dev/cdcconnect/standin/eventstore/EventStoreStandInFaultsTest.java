package dev.cdcconnect.standin.eventstore;

import static dev.cdcconnect.standin.eventstore.StandInTestSupport.await;
import static dev.cdcconnect.standin.eventstore.StandInTestSupport.client;
import static dev.cdcconnect.standin.eventstore.StandInTestSupport.dataOf;
import static dev.cdcconnect.standin.eventstore.StandInTestSupport.failure;
import static dev.cdcconnect.standin.eventstore.StandInTestSupport.json;
import static dev.cdcconnect.standin.eventstore.StandInTestSupport.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kurrent.dbclient.AppendStreamRequest;
import io.kurrent.dbclient.AppendToStreamOptions;
import io.kurrent.dbclient.ConnectionShutdownException;
import io.kurrent.dbclient.EventData;
import io.kurrent.dbclient.KurrentDBClient;
import io.kurrent.dbclient.NotLeaderException;
import io.kurrent.dbclient.StreamState;
import io.kurrent.dbclient.WriteResult;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fault controls, seen from the real client. */
class EventStoreStandInFaultsTest {
    private EventStoreStandIn standIn;
    private KurrentDBClient client;

    @BeforeEach
    void start() throws Exception {
        standIn = EventStoreStandIn.start();
        client = client(standIn);
        StandInTestSupport.await(client.appendToStream("warm-up", json("e", "{}")));
    }

    @AfterEach
    void stop() throws Exception {
        standIn.close();
        client.shutdown().get();
    }

    @Test
    void appendLatencyDelaysEveryAppendReply() throws Exception {
        standIn.setAppendLatency(Duration.ofMillis(400));

        long started = System.nanoTime();
        StandInTestSupport.await(client.appendToStream("s", json("e", "{}")));
        var elapsed = Duration.ofNanos(System.nanoTime() - started);

        assertThat(elapsed).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        assertThat(standIn.events("s")).hasSize(1);
    }

    @Test
    void appendLatencyDoesNotSerializeAppendsInFlight() throws Exception {
        standIn.setAppendLatency(Duration.ofMillis(500));

        long started = System.nanoTime();
        var appends = IntStream.range(0, 10)
                .mapToObj(i -> client.appendToStream("s-" + i, json("e", "{}")))
                .toList();
        for (var append : appends) {
            StandInTestSupport.await(append);
        }
        var elapsed = Duration.ofNanos(System.nanoTime() - started);

        assertThat(elapsed).isBetween(Duration.ofMillis(500), Duration.ofMillis(2500));
        assertThat(standIn.streams()).hasSize(11);
    }

    @Test
    void clearFaultsRemovesTheLatency() throws Exception {
        standIn.setAppendLatency(Duration.ofSeconds(30));
        standIn.clearFaults();

        StandInTestSupport.await(client.appendToStream("s", json("e", "{}")));

        assertThat(standIn.events("s")).hasSize(1);
    }

    @Test
    void unavailableWindowAnswersEveryCallUnavailableThenTheClientShutsDownUntilRecreated() throws Exception {
        standIn.unavailableFor(Duration.ofSeconds(2));

        var first = failure(client.appendToStream("s", json("e", "{}")));
        var later = failure(client.appendToStream("s", json("e", "{}")));

        assertThat(first).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        assertThat(later).isInstanceOf(ConnectionShutdownException.class);
        assertThat(standIn.events("s")).isEmpty();
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() -> {
            var fresh = client(standIn);
            try {
                StandInTestSupport.await(fresh.appendToStream("s", json("e", "{}")));
            } finally {
                fresh.shutdown().get();
            }
        });
        assertThat(standIn.events("s")).hasSize(1);
    }

    @Test
    void busyWindowFailsStreamCallsButTheClientStaysUsable() throws Exception {
        standIn.busyFor(Duration.ofSeconds(1));

        var failure = failure(client.appendToStream("s", json("e", "{}")));
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions()
                .until(() -> StandInTestSupport.await(client.appendToStream("s", json("e", "{}"))) != null);

        assertThat(failure).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(e.getStatus().getDescription()).isEqualTo("Server Is Too Busy");
        });
        assertThat(client.isShutdown()).isFalse();
        assertThat(standIn.events("s")).hasSize(1);
    }

    @Test
    void notLeaderRepliesForNCallsNameTheLeaderAndTheClientFollowsIt() throws Exception {
        standIn.notLeaderForCalls(2);

        var first = failure(client.appendToStream("s", json("e", "{}")));
        var second = failure(client.readStream("warm-up", io.kurrent.dbclient.ReadStreamOptions.get()));
        var third = StandInTestSupport.await(client.appendToStream("s", json("e", "{}")));

        assertThat(first).isInstanceOfSatisfying(NotLeaderException.class, e -> assertThat(e.getLeaderEndpoint())
                .isEqualTo(new InetSocketAddress("127.0.0.1", standIn.port())));
        assertThat(second).isInstanceOf(NotLeaderException.class);
        assertThat(third.getNextExpectedRevision()).isEqualTo(StreamState.streamRevision(0));
        assertThat(standIn.events("s")).hasSize(1);
    }

    @Test
    void notLeaderIsNotFoundWithTheLeaderEndpointTrailers() throws Exception {
        standIn.notLeaderForCalls(1);
        var channel = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", standIn.port())
                .usePlaintext().build();
        try {
            var headers = new io.grpc.Metadata();
            headers.put(io.grpc.Metadata.Key.of("requires-leader", io.grpc.Metadata.ASCII_STRING_MARSHALLER), "true");
            var stub = io.kurrent.dbclient.proto.streams.StreamsGrpc.newBlockingStub(channel)
                    .withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers));
            var request = io.kurrent.dbclient.proto.streams.StreamsOuterClass.DeleteReq.newBuilder()
                    .setOptions(io.kurrent.dbclient.proto.streams.StreamsOuterClass.DeleteReq.Options.newBuilder()
                            .setStreamIdentifier(StreamsV1Service.identifier("warm-up"))
                            .setAny(io.kurrent.dbclient.proto.shared.Shared.Empty.getDefaultInstance()))
                    .build();

            var failure = org.assertj.core.api.Assertions.catchThrowableOfType(StatusRuntimeException.class,
                    () -> stub.delete(request));

            assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
            assertThat(trailer(failure, "exception")).isEqualTo("not-leader");
            assertThat(trailer(failure, "leader-endpoint-host")).isEqualTo("127.0.0.1");
            assertThat(trailer(failure, "leader-endpoint-port")).isEqualTo(Integer.toString(standIn.port()));
            assertThat(standIn.isSoftDeleted("warm-up")).isFalse();
        } finally {
            channel.shutdownNow();
        }
    }

    private static String trailer(StatusRuntimeException e, String name) {
        return e.getTrailers().get(io.grpc.Metadata.Key.of(name, io.grpc.Metadata.ASCII_STRING_MARSHALLER));
    }

    @Test
    void notLeaderWindowRepliesUntilItEnds() throws Exception {
        standIn.notLeaderFor(Duration.ofSeconds(1));

        var failure = failure(client.appendToStream("s", json("e", "{}")));
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions()
                .until(() -> StandInTestSupport.await(client.appendToStream("s", json("e", "{}"))) != null);

        assertThat(failure).isInstanceOf(NotLeaderException.class);
        assertThat(standIn.events("s")).hasSize(1);
    }

    @Test
    void notLeaderForAMultiStreamAppendIsTheV2FailedPrecondition() throws Exception {
        standIn.notLeaderForCalls(1);

        var failure = failure(client.multiStreamAppend(List.of(new AppendStreamRequest("s",
                List.of(json("e", "{}")).iterator(), StreamState.any())).iterator()));

        assertThat(failure).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
        assertThat(standIn.events("s")).isEmpty();
    }

    @Test
    void writeTimeoutAfterTheWriteIsAbortedWithTheEventsStored() throws Exception {
        standIn.timeoutNextAppends(1, true);
        var event = json(UUID.randomUUID(), "e", "{}");
        var options = AppendToStreamOptions.get().streamState(StreamState.noStream());

        var failure = failure(client.appendToStream("s", options, event));
        var retry = StandInTestSupport.await(client.appendToStream("s", options, event));

        assertThat(failure).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ABORTED));
        assertThat(retry.getNextExpectedRevision()).isEqualTo(StreamState.streamRevision(0));
        assertThat(standIn.events("s")).hasSize(1);
    }

    @Test
    void writeTimeoutBeforeTheWriteIsAbortedWithNothingStored() throws Exception {
        standIn.timeoutNextAppends(1, false);

        var failure = failure(client.appendToStream("s", json("e", "{}")));

        assertThat(failure).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ABORTED));
        assertThat(standIn.events("s")).isEmpty();
    }

    @Test
    void anAppendLeftUnansweredAfterTheWriteNeverCompletesEvenPastTheClientsDeadline() throws Exception {
        withShortDeadline((server, shortDeadline, deadline) -> {
            server.leaveNextAppendsUnanswered(1, true);
            var event = json(UUID.randomUUID(), "e", "{}");
            var options = AppendToStreamOptions.get().streamState(StreamState.noStream());

            var unanswered = shortDeadline.appendToStream("s", options, event);
            assertStillUnanswered(unanswered, deadline.plus(WELL_PAST_THE_DEADLINE));
            await("the events stored").atMost(Duration.ofSeconds(10)).until(() -> server.events("s").size() == 1);
            var retry = answered(() -> shortDeadline.appendToStream("s", options, event));

            assertThat(retry.getNextExpectedRevision()).isEqualTo(StreamState.streamRevision(0));
            assertThat(server.events("s")).hasSize(1);
        });
    }

    @Test
    void aMultiStreamAppendLeftUnansweredBeforeTheWriteNeverCompletesAndStoresNothing() throws Exception {
        withShortDeadline((server, shortDeadline, deadline) -> {
            server.leaveNextAppendsUnanswered(1, false);

            var unanswered = shortDeadline.multiStreamAppend(List.of(new AppendStreamRequest("s",
                    List.of(json("e", "{}")).iterator(), StreamState.any())).iterator());
            assertStillUnanswered(unanswered, deadline.plus(WELL_PAST_THE_DEADLINE));
            // The client still answers other calls; the same event again if the first try missed the deadline.
            var other = json(UUID.randomUUID(), "e", "{}");
            answered(() -> shortDeadline.appendToStream("other", other));

            assertThat(server.events("s")).isEmpty();
            assertThat(server.events("other")).hasSize(1);
        });
    }

    /** How long past the client's deadline a call left unanswered is checked to be still unanswered. */
    private static final Duration WELL_PAST_THE_DEADLINE = Duration.ofMillis(1200);

    /** The client deadlines tried in turn by {@link #withShortDeadline}. */
    private static final List<Duration> SHORT_DEADLINES = List.of(Duration.ofMillis(300), Duration.ofMillis(600),
            Duration.ofMillis(1200), Duration.ofMillis(2400), Duration.ofMillis(4800));

    /** A scenario with a call the stand-in leaves unanswered, seen from a client with a short deadline. */
    private interface ShortDeadlineScenario {
        void run(EventStoreStandIn server, KurrentDBClient shortDeadline, Duration deadline) throws Exception;
    }

    /**
     * The client's deadline answered a call before the stand-in got to it (DEADLINE_EXCEEDED): the machine was too
     * slow for that deadline, and the call shows nothing about the stand-in's faults.
     */
    private static final class DeadlineFirst extends Exception {
        DeadlineFirst(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Runs the scenario against a fresh stand-in with a client whose calls have a short deadline. The stand-in must
     * end the unanswered call before that deadline passes, or the deadline answers it first and the scenario shows
     * nothing; a loaded machine can take longer than a short deadline to get there. So when a call of the scenario
     * is answered by the deadline, the scenario runs again against a fresh stand-in (a late call of the previous
     * one cannot take its faults) with the deadline doubled, up to the last of {@link #SHORT_DEADLINES}. Any other
     * outcome fails at once.
     */
    private static void withShortDeadline(ShortDeadlineScenario scenario) throws Exception {
        var tooSlow = new ArrayList<DeadlineFirst>();
        for (var deadline : SHORT_DEADLINES) {
            try (var server = EventStoreStandIn.start()) {
                var shortDeadline = client(server, deadline.toMillis());
                try {
                    // The client connects and learns the server's features on its first call, and loads the code of
                    // each kind of call on its first one, all under the deadline: it makes calls of both kinds that
                    // are answered first, so the scenario's call needs no more time than any other.
                    answered(() -> shortDeadline.appendToStream("warm-up", json("e", "{}")));
                    answered(() -> shortDeadline.multiStreamAppend(List.of(new AppendStreamRequest("warm-up",
                            List.of(json("e", "{}")).iterator(), StreamState.any())).iterator()));
                    scenario.run(server, shortDeadline, deadline);
                    return;
                } catch (DeadlineFirst e) {
                    tooSlow.add(e);
                } finally {
                    shortDeadline.shutdown().get();
                }
            }
        }
        var error = new AssertionError("with every deadline tried (" + SHORT_DEADLINES + "), the client's deadline"
                + " answered a call before the stand-in did");
        tooSlow.forEach(error::addSuppressed);
        throw error;
    }

    /**
     * Makes the call until it is answered by the server rather than by the client's deadline (within 10 s), and
     * returns the answer; fails with the server's answer when that is a failure.
     */
    private static <T> T answered(Callable<CompletableFuture<T>> call) throws Exception {
        long giveUp = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                return StandInTestSupport.await(call.call());
            } catch (ExecutionException e) {
                if (!isDeadlineExceeded(e.getCause())) {
                    throw e;
                }
                if (System.nanoTime() - giveUp > 0) {
                    throw new DeadlineFirst("calls still answered by the client's deadline after 10 s", e.getCause());
                }
            }
        }
    }

    /**
     * Waits {@code window} and checks the call was not answered; when it was, fails saying with what, so a failure
     * tells why, or reports that the client's deadline came first.
     */
    private static void assertStillUnanswered(CompletableFuture<?> call, Duration window) throws Exception {
        Object answer;
        try {
            answer = call.get(window.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException stillUnanswered) {
            return;
        } catch (ExecutionException e) {
            if (isDeadlineExceeded(e.getCause())) {
                throw new DeadlineFirst("the client's deadline answered the call before the stand-in ended it",
                        e.getCause());
            }
            throw new AssertionError("the unanswered call failed with " + e.getCause(), e.getCause());
        }
        throw new AssertionError("the unanswered call completed with " + answer);
    }

    private static boolean isDeadlineExceeded(Throwable failure) {
        return failure instanceof StatusRuntimeException e
                && e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED;
    }

    @Test
    void restartKeepsTheDataAndThePortAndTheClientReconnects() throws Exception {
        StandInTestSupport.await(client.appendToStream("s", json("e", "{\"n\":1}")));
        int port = standIn.port();

        standIn.restart();

        assertThat(standIn.port()).isEqualTo(port);
        assertThat(dataOf(read(client, "s"))).containsExactly("{\"n\":1}");
    }

    @Test
    void stopClosesThePortUntilResume() throws Exception {
        standIn.stop();

        var failure = failure(client.appendToStream("s", json("e", "{}")));
        standIn.resume();
        var fresh = client(standIn);
        try {
            StandInTestSupport.await(fresh.appendToStream("s", json("e", "{}")));
        } finally {
            fresh.shutdown().get();
        }

        assertThat(standIn.isRunning()).isTrue();
        assertThat(failure).isInstanceOfAny(StatusRuntimeException.class, ConnectionShutdownException.class);
        assertThat(standIn.events("s")).hasSize(1);
    }

    @Test
    void concurrentAppendsKeepEveryStreamsOrderAndRevisions() throws Exception {
        int streams = 8;
        int perStream = 150;
        ExecutorService pool = Executors.newFixedThreadPool(streams);
        try {
            var futures = new ArrayList<Future<?>>();
            for (int s = 0; s < streams; s++) {
                var stream = "c-" + s;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < perStream; i++) {
                        StandInTestSupport.await(client.appendToStream(stream, json("e", "{\"n\":" + i + "}")));
                    }
                    return null;
                }));
            }
            // Writers racing on one stream: each append is applied whole, revisions stay dense.
            for (int w = 0; w < 4; w++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        StandInTestSupport.await(client.appendToStream("shared",
                                json("e", "{\"p\":1}"), json("e", "{\"p\":2}")));
                    }
                    return null;
                }));
            }
            for (var future : futures) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }

        for (int s = 0; s < streams; s++) {
            var events = standIn.events("c-" + s);
            assertThat(events).extracting(StoredEvent::dataAsString)
                    .containsExactlyElementsOf(IntStream.range(0, perStream).mapToObj(i -> "{\"n\":" + i + "}").toList());
            assertThat(events).extracting(StoredEvent::revision).containsExactlyElementsOf(
                    IntStream.range(0, perStream).mapToObj(i -> (long) i).toList());
        }
        var shared = standIn.events("shared");
        assertThat(shared).hasSize(400);
        for (int i = 0; i < shared.size(); i += 2) {
            assertThat(shared.get(i).dataAsString()).isEqualTo("{\"p\":1}");
            assertThat(shared.get(i + 1).dataAsString()).isEqualTo("{\"p\":2}");
        }
        var positions = standIn.allEvents().stream().map(StoredEvent::position).toList();
        assertThat(positions).isSorted().doesNotHaveDuplicates();
    }
}
