package dev.cdcconnect.eventstore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cdcconnect.event.Envelopes;
import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import dev.cdcconnect.testkit.logging.LogCapture;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A server the sink cannot use (a TLS mismatch, a port nobody listens on) does not keep the task RUNNING forever:
 * after {@code retry.timeout.ms} the task fails with a message saying what is wrong and what to check; and how long
 * start() waits for the server.
 */
class UnreachableServerTaskTest {

    private static final Duration WINDOW = Duration.ofSeconds(4);

    private EventStoreStandIn server;
    private SinkTaskRunner runner;

    @AfterEach
    void stop() {
        if (runner != null) {
            runner.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aTlsConnectionStringAgainstAnInsecureNodeFailsTheTaskNamingTheTlsMismatch() {
        server = EventStoreStandIn.start();
        // The stand-in speaks plain gRPC, as a node run with --insecure: TLS, on by default, cannot work.
        ConnectException failure = failureWithin(
                "kurrentdb://127.0.0.1:" + server.port(), WINDOW.plusSeconds(25));

        assertThat(failure.getMessage()).contains("longer than retry.timeout.ms (4000 ms)")
                .contains("TLS mismatch").contains("?tls=false").contains("127.0.0.1:" + server.port());
        assertThat(server.allEvents()).isEmpty();
    }

    @Test
    void aPortNobodyListensOnFailsTheTaskNamingHostAndPort() throws IOException {
        server = EventStoreStandIn.start();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ConnectException failure = failureWithin("kurrentdb://127.0.0.1:" + port + "?tls=false",
                WINDOW.plusSeconds(25));

        assertThat(failure.getMessage()).contains("longer than retry.timeout.ms (4000 ms)")
                .contains("host/port unreachable").contains("127.0.0.1:" + port).contains("refuses connections");
    }

    /**
     * A task Connect reports RUNNING has reached the server: start() returns once the client is connected and the
     * server's features are known, as sinks that connect in start() do.
     */
    @Test
    void startReturnsOnceTheServerHasAnswered() {
        server = EventStoreStandIn.start();
        try (LogCapture log = LogCapture.start()) {
            runner = new SinkTaskRunner(server).start();

            List<String> lines = log.lines();
            assertThat(lines).anyMatch(line -> line.contains("EventStoreDB offers multi-stream appends"));
            assertThat(lines).noneMatch(line -> line.contains("was not reached within"));
        }
    }

    /** A node that accepts connections and never answers holds start() up no longer than the connect wait. */
    @Test
    void aServerThatNeverAnswersHoldsUpStartOnlyForTheConnectWait() throws IOException {
        server = EventStoreStandIn.start();
        try (SilentServer silent = new SilentServer(); LogCapture log = LogCapture.start()) {
            long started = System.nanoTime();
            runner = new SinkTaskRunner(server)
                    .with(EventStoreSinkConfig.CONNECTION_STRING,
                            silent.connectionString())
                    .with(EventStoreSinkConfig.DEADLINE_MS, "60000")
                    .start();

            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("time in start()")
                    .isGreaterThanOrEqualTo(EventStoreSinkTask.CONNECT_WAIT)
                    .isLessThan(EventStoreSinkTask.CONNECT_WAIT.plusSeconds(10));
            assertThat(log.lines()).anyMatch(line -> line.contains("the server was not reached within 5 s of "
                    + "starting; the first records keep trying"));
            runner.close();
            runner = null;
        }
    }

    /**
     * Delivers records as the worker does (again after each retriable error, once the task's timeout passed) until
     * the task fails; the failure must come after the window and before {@code within}.
     */
    private ConnectException failureWithin(String connectionString, Duration within) {
        runner = new SinkTaskRunner(server)
                .with(EventStoreSinkConfig.CONNECTION_STRING, connectionString)
                .with(EventStoreSinkConfig.RETRY_TIMEOUT_MS, Long.toString(WINDOW.toMillis()))
                .with(EventStoreSinkConfig.RETRY_MAX_ATTEMPTS, "2")
                .start();
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.STRUCT);
        List<SinkRecord> records = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            records.add(customers.create(i, "v" + i, i));
        }
        long started = System.nanoTime();
        long deadline = started + within.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                runner.put(records);
            } catch (RetriableException e) {
                sleep(Math.max(50, runner.context().timeoutMs()));
                continue;
            } catch (ConnectException e) {
                assertThat(Duration.ofNanos(System.nanoTime() - started)).as("time to fail")
                        .isGreaterThanOrEqualTo(WINDOW);
                return e;
            }
            sleep(100);
        }
        throw new AssertionError("the task did not fail within " + within);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
