package dev.cdcconnect.it.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * EventStoreDB cannot be used for 30 seconds while changes keep arriving (the client gives up on the node and shuts
 * down, as when the node is down): the sink retries, hands the records back to Connect to deliver again, never
 * fails, and once the server answers again writes everything, each change once, in order, without anyone restarting
 * the task.
 */
class EventStoreOutageIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(4);
    private static final Duration OUTAGE = Duration.ofSeconds(30);
    private static final String SINK = "es-outage-sink";
    private static final String TOPIC = "bulk.outage.customers";

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
        rest.delete(SINK);
        eventStore.close();
    }

    @Test
    void theTaskKeepsRunningThroughAnOutageAndWritesEverythingOnceWhenTheServerIsBack() {
        try (CustomerChanges changes = new CustomerChanges(connect, TOPIC)) {
            changes.bulk(1, 500, 2, 0);
            changes.flush();
            rest.createOrUpdate(SINK, EventStoreSinks.config(eventStore, TOPIC, 2));
            rest.awaitRunning(SINK, 2, TIMEOUT);
            EventStoreSinks.awaitWritten(rest, SINK, () -> changes.writtenEvents(eventStore),
                    changes.expectedEvents(), TIMEOUT);
            int writtenBefore = changes.writtenEvents(eventStore);

            long outageEnds = System.nanoTime() + OUTAGE.toNanos();
            eventStore.unavailableFor(OUTAGE);
            for (int round = 0; round < 2; round++) {
                for (int id = 1; id <= 500; id++) {
                    changes.update(id);
                }
            }
            for (int id = 1; id <= 500; id += 10) {
                changes.delete(id);
            }
            changes.flush();

            // Throughout the outage no task fails, and nothing reaches the server.
            Set<String> statesSeen = new TreeSet<>();
            int[] writtenDuringOutage = {writtenBefore};
            // Writes are only counted until shortly before the server answers again, which it does on its own clock.
            long countUntil = outageEnds - Duration.ofSeconds(2).toNanos();
            await("the outage to end").atMost(OUTAGE.plusMinutes(1)).pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        statesSeen.addAll(taskStates());
                        if (System.nanoTime() < countUntil) {
                            writtenDuringOutage[0] = Math.max(writtenDuringOutage[0], changes.writtenEvents(eventStore));
                        }
                        return System.nanoTime() > outageEnds;
                    });
            assertThat(statesSeen).as("task states seen during the outage").doesNotContain("FAILED");
            assertThat(writtenDuringOutage[0]).as("events written during the outage").isEqualTo(writtenBefore);

            // Without any restart, the tasks write what waited; and what comes next.
            EventStoreSinks.awaitWritten(rest, SINK, () -> changes.writtenEvents(eventStore),
                    changes.expectedEvents(), TIMEOUT);
            for (int id = 2; id <= 500; id += 10) {
                changes.update(id);
            }
            changes.flush();
            EventStoreSinks.awaitWritten(rest, SINK, () -> changes.writtenEvents(eventStore),
                    changes.expectedEvents(), TIMEOUT);
            EventStoreSinks.awaitAllCommitted(connect, SINK, TOPIC, TIMEOUT);
            changes.assertStreamsHoldExactlyWhatWasSent(eventStore);
            JsonNode status = rest.status(SINK).orElseThrow();
            assertThat(status.path("tasks")).hasSize(2)
                    .allSatisfy(task -> assertThat(task.path("state").asText()).isEqualTo("RUNNING"));
        }
    }

    private static Set<String> taskStates() {
        Set<String> states = new TreeSet<>();
        JsonNode status = rest.status(SINK).orElseThrow();
        for (JsonNode task : status.path("tasks")) {
            states.add(task.path("state").asText());
        }
        return states;
    }
}
