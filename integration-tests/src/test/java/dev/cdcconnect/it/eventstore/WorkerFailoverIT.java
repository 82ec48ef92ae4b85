package dev.cdcconnect.it.eventstore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Connect worker stops in the middle of 20,000 changes: its sink task moves to the other worker, which gets the
 * records whose offsets were not committed again; every stream still holds each change exactly once, in order.
 * On a cluster of its own, so the shared one keeps its two workers.
 */
class WorkerFailoverIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static final String SINK = "es-failover-sink";
    private static final String TOPIC = "bulk.failover.customers";

    private static ConnectCluster connect;
    private static EventStoreStandIn eventStore;

    @BeforeAll
    static void start() {
        connect = ConnectCluster.start(ConnectCluster.Options.defaults().name("es-failover"));
        eventStore = EventStoreStandIn.start();
        connect.createTopic(TOPIC, 4);
    }

    @AfterAll
    static void stop() {
        if (connect != null) {
            connect.close();
        }
        if (eventStore != null) {
            eventStore.close();
        }
    }

    @Test
    void aWorkerStoppedMidRunLosesAndDuplicatesNothing() {
        try (CustomerChanges changes = new CustomerChanges(connect, TOPIC)) {
            // 2,000 rows created and updated 4 times: 10,000 changes before the stop...
            changes.bulk(1, 2_000, 4, 0);
            changes.flush();
            // Appends that take a while keep some in flight when the worker goes. Stream by stream (no multi-stream
            // append, which carries thousands of events per call) the first 10,000 take ~12 s at 200 ms an append,
            // so the worker surely stops in the middle of them.
            eventStore.setAppendLatency(Duration.ofMillis(200));
            Map<String, String> config = new HashMap<>(EventStoreSinks.config(eventStore, TOPIC, 2));
            config.put("append.multi.stream", "false");
            connect.rest().createOrUpdate(SINK, config);
            connect.rest().awaitRunning(SINK, 2, TIMEOUT);
            EventStoreSinks.awaitWritten(connect.rest(), SINK, () -> changes.writtenEvents(eventStore), 2_000, TIMEOUT);

            connect.stopOneWorker();
            eventStore.setAppendLatency(Duration.ofMillis(20));
            int writtenAtStop = changes.writtenEvents(eventStore);
            assertThat(writtenAtStop).as("events written when the worker stopped").isLessThan(changes.expectedEvents());

            // ...and 10,200 after: 2,000 rows updated 5 times more, 1 row in 10 deleted.
            for (int round = 0; round < 5; round++) {
                for (int id = 1; id <= 2_000; id++) {
                    changes.update(id);
                }
            }
            for (int id = 1; id <= 2_000; id += 10) {
                changes.delete(id);
            }
            changes.flush();
            assertThat(changes.expectedEvents()).isGreaterThanOrEqualTo(20_000);

            connect.rest().awaitRunning(SINK, 2, TIMEOUT);
            EventStoreSinks.awaitWritten(connect.rest(), SINK, () -> changes.writtenEvents(eventStore),
                    changes.expectedEvents(), TIMEOUT);
            EventStoreSinks.awaitAllCommitted(connect, SINK, TOPIC, TIMEOUT);
            changes.assertStreamsHoldExactlyWhatWasSent(eventStore);

            // A worker joins again: the tasks are spread over both workers, and go on from where they were.
            connect.addWorker();
            for (int id = 2; id <= 2_000; id += 10) {
                changes.update(id);
            }
            changes.flush();
            connect.rest().awaitRunning(SINK, 2, TIMEOUT);
            EventStoreSinks.awaitWritten(connect.rest(), SINK, () -> changes.writtenEvents(eventStore),
                    changes.expectedEvents(), TIMEOUT);
            EventStoreSinks.awaitAllCommitted(connect, SINK, TOPIC, TIMEOUT);
            changes.assertStreamsHoldExactlyWhatWasSent(eventStore);
        }
    }
}
