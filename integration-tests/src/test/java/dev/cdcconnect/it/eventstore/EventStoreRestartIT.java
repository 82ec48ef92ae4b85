package dev.cdcconnect.it.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sink's offsets are reset, so Connect delivers every record of the topic again, and EventStoreDB restarts
 * (forgetting the event ids it had seen) while that happens: what the streams already hold is not written again,
 * what is new is written once, in order.
 */
class EventStoreRestartIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(4);
    private static final String SINK = "es-restart-sink";
    private static final String TOPIC = "bulk.restart.customers";

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static EventStoreStandIn eventStore;

    @BeforeAll
    static void start() {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        eventStore = EventStoreStandIn.start();
        connect.createTopic(TOPIC, 2);
    }

    @AfterAll
    static void stop() {
        eventStore.clearFaults();
        rest.delete(SINK);
        eventStore.close();
    }

    @Test
    void redeliveredRecordsAreNotWrittenTwiceAcrossAServerRestart() throws Exception {
        try (CustomerChanges changes = new CustomerChanges(connect, TOPIC)) {
            changes.bulk(1, 1_000, 3, 0);
            changes.flush();
            rest.createOrUpdate(SINK, EventStoreSinks.config(eventStore, TOPIC, 2));
            rest.awaitRunning(SINK, 2, TIMEOUT);
            EventStoreSinks.awaitWritten(rest, SINK, () -> changes.writtenEvents(eventStore),
                    changes.expectedEvents(), TIMEOUT);
            EventStoreSinks.awaitAllCommitted(connect, SINK, TOPIC, TIMEOUT);
            changes.assertStreamsHoldExactlyWhatWasSent(eventStore);
            int writtenBefore = changes.writtenEvents(eventStore);

            // Stopped, offsets reset: on resume every record is delivered again, from the start of the topic.
            rest.stop(SINK);
            rest.awaitStatus(SINK, TIMEOUT, SINK + " STOPPED",
                    s -> "STOPPED".equals(s.path("connector").path("state").asText()));
            resetOffsets(SINK);
            assertThat(EventStoreSinks.committed(rest, SINK, TOPIC)).as("offsets after the reset").isEmpty();

            for (int id = 1; id <= 1_000; id++) {
                changes.update(id);
            }
            for (int id = 1; id <= 1_000; id += 4) {
                changes.delete(id);
            }
            changes.flush();

            // Slow appends, so the restart comes while the new changes are being written.
            eventStore.setAppendLatency(Duration.ofMillis(200));
            rest.resume(SINK);
            eventStore.restart();
            rest.awaitRunning(SINK, 2, TIMEOUT);
            await("some new changes written").atMost(TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> {
                EventStoreSinks.failIfATaskFailed(rest, SINK);
                return changes.writtenEvents(eventStore) > writtenBefore;
            });
            eventStore.restart();
            assertThat(changes.writtenEvents(eventStore)).as("events written when the server restarted")
                    .isLessThan(changes.expectedEvents());
            eventStore.setAppendLatency(Duration.ZERO);

            EventStoreSinks.awaitWritten(rest, SINK, () -> changes.writtenEvents(eventStore),
                    changes.expectedEvents(), TIMEOUT);
            EventStoreSinks.awaitAllCommitted(connect, SINK, TOPIC, TIMEOUT);
            changes.assertStreamsHoldExactlyWhatWasSent(eventStore);
            rest.awaitRunning(SINK, 2, TIMEOUT);
        }
    }

    /** {@code DELETE /connectors/{name}/offsets}: the connector starts over from its consumers' reset policy. */
    private static void resetOffsets(String connector) throws IOException, InterruptedException {
        URI uri = rest.baseUri().resolve("connectors/" + connector + "/offsets");
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("DELETE %s: %s", uri, response.body()).isEqualTo(200);
    }
}
