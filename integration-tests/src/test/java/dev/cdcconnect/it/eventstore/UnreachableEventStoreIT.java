package dev.cdcconnect.it.eventstore;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cdcconnect.it.kit.WorkerLog;
import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A sink that cannot use its server (a connection string without {@code ?tls=false} for an insecure node, a port
 * nobody listens on) does not look healthy: the task shows FAILED in {@code /status} once {@code retry.timeout.ms}
 * has passed, with a message that says what is wrong and what to check, and meanwhile logs one WARN line per backoff
 * step at most. {@code /config/validate} checks the connection when asked to.
 */
class UnreachableEventStoreIT {

    private static final Duration WINDOW = Duration.ofSeconds(20);
    private static final Duration BACKOFF_MAX = Duration.ofSeconds(2);
    private static final String SINK = "es-unreachable-sink";
    private static final String TOPIC = "bulk.unreachable.customers";

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static EventStoreStandIn eventStore;

    @BeforeAll
    static void start() {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        eventStore = EventStoreStandIn.start();
        connect.createTopic(TOPIC, 1);
        try (CustomerChanges changes = new CustomerChanges(connect, TOPIC)) {
            changes.bulk(1, 50, 0, 0);
            changes.flush();
        }
    }

    @AfterEach
    void deleteSink() {
        if (rest.status(SINK).isPresent()) {
            rest.delete(SINK);
            rest.awaitDeleted(SINK, Duration.ofMinutes(1));
        }
    }

    @AfterAll
    static void stop() {
        eventStore.close();
    }

    @Test
    void aTlsConnectionStringForAnInsecureNodeFailsTheTaskWithinTheWindowNamingTheTlsMismatch() {
        // The stand-in speaks plain gRPC, as a node run insecure; TLS is on unless the string says ?tls=false.
        String trace = failedTrace("kurrentdb://127.0.0.1:" + eventStore.port());
        assertThat(trace).contains("TLS mismatch").contains("?tls=false").contains("127.0.0.1:" + eventStore.port());
        assertThat(eventStore.allEvents()).isEmpty();
    }

    @Test
    void aPortNobodyListensOnFailsTheTaskWithinTheWindowNamingHostAndPort() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String trace = failedTrace("kurrentdb://127.0.0.1:" + port + "?tls=false");
        assertThat(trace).contains("host/port unreachable").contains("127.0.0.1:" + port)
                .contains("refuses connections");
    }

    @Test
    void validationChecksTheConnectionOnlyWhenAsked() {
        Map<String, String> config = EventStoreSinks.config(eventStore, TOPIC, 1);
        config.put("name", SINK);
        config.put("eventstore.connection.string", "kurrentdb://127.0.0.1:" + eventStore.port());
        assertThat(rest.validate(EventStoreSinks.CONNECTOR_CLASS, config).errors()).isEmpty();

        config.put("eventstore.validate.connection", "true");
        assertThat(rest.validate(EventStoreSinks.CONNECTOR_CLASS, config).errors().get("eventstore.connection.string"))
                .singleElement().asString().contains("TLS mismatch").contains("?tls=false");

        config.put("eventstore.connection.string", eventStore.connectionString());
        assertThat(rest.validate(EventStoreSinks.CONNECTOR_CLASS, config).errors()).isEmpty();
    }

    /**
     * Deploys the sink against the connection string with a {@link #WINDOW}-long window and returns the failed task's trace;
     * checks the task failed after the window and well within twice it, and that the sink logged at most one WARN
     * line per backoff step meanwhile.
     */
    private static String failedTrace(String connectionString) {
        Map<String, String> config = EventStoreSinks.config(eventStore, TOPIC, 1);
        config.put("eventstore.connection.string", connectionString);
        config.put("retry.timeout.ms", Long.toString(WINDOW.toMillis()));
        config.put("retry.backoff.max.ms", Long.toString(BACKOFF_MAX.toMillis()));
        try (WorkerLog log = WorkerLog.capture("dev.cdcconnect", Level.INFO)) {
            long deployed = System.nanoTime();
            rest.createOrUpdate(SINK, config);
            JsonNode status = rest.awaitTaskFailed(SINK, WINDOW.multipliedBy(2).plusSeconds(30));
            Duration failedAfter = Duration.ofNanos(System.nanoTime() - deployed);
            String trace = status.path("tasks").get(0).path("trace").asText();

            List<WorkerLog.Line> lines = log.lines();
            List<WorkerLog.Line> sinkWarnings = log.lines(l -> l.level() == Level.WARN
                    && l.logger().startsWith("dev.cdcconnect"));
            System.out.printf("%s: FAILED after %d ms; %d lines logged (%.0f a minute), %d WARN lines of the sink%n",
                    connectionString, failedAfter.toMillis(), lines.size(),
                    lines.size() * 60_000.0 / Math.max(1, failedAfter.toMillis()), sinkWarnings.size());
            assertThat(failedAfter).as("time to FAILED").isGreaterThanOrEqualTo(WINDOW)
                    .isLessThan(WINDOW.multipliedBy(2).plusSeconds(30));
            assertThat(trace).contains("longer than retry.timeout.ms (" + WINDOW.toMillis() + " ms)");
            long steps = WINDOW.toMillis() / BACKOFF_MAX.toMillis();
            assertThat(sinkWarnings).as("WARN lines of the sink while retrying: " + sinkWarnings)
                    .isNotEmpty().hasSizeLessThanOrEqualTo((int) steps + 2);
            return trace;
        }
    }
}
