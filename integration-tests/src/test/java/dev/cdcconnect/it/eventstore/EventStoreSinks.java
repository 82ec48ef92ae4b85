package dev.cdcconnect.it.eventstore;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntSupplier;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.core.ConditionTimeoutException;

/** Deploying the EventStoreDB sink as a user does, and waiting for what it writes. */
public final class EventStoreSinks {

    static final String CONNECTOR_CLASS = "dev.cdcconnect.eventstore.EventStoreSinkConnector";

    private EventStoreSinks() {
    }

    /**
     * The sink's configuration for a server and topics, with its defaults otherwise (stream {@code ${table}-${key}},
     * exactly once); reading the topics from their start, and with short retry backoffs so failures resolve fast.
     */
    public static Map<String, String> config(EventStoreStandIn server, String topics, int tasks) {
        Map<String, String> config = new HashMap<>();
        config.put("connector.class", CONNECTOR_CLASS);
        config.put("tasks.max", Integer.toString(tasks));
        config.put("topics", topics);
        config.put("eventstore.connection.string", server.connectionString());
        config.put("consumer.override.auto.offset.reset", "earliest");
        config.put("retry.backoff.ms", "100");
        config.put("retry.backoff.max.ms", "2000");
        return config;
    }

    /**
     * Waits until {@code written} reaches {@code count}; fails at once, with the task's trace, if a task of the
     * connector fails meanwhile.
     */
    static void awaitWritten(ConnectRestClient rest, String connector, IntSupplier written, int count,
                             Duration timeout) {
        try {
            await(count + " events written by " + connector).atMost(timeout).pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        failIfATaskFailed(rest, connector);
                        return written.getAsInt() >= count;
                    });
        } catch (ConditionTimeoutException e) {
            // A stalled task still shows RUNNING: where its offsets stopped says which partition is stuck.
            throw new AssertionError("only " + written.getAsInt() + " of " + count + " events written by "
                    + connector + " within " + timeout + "; status " + rest.status(connector).orElse(null)
                    + "; committed offsets " + rest.offsets(connector), e);
        }
    }

    /**
     * Waits until the connector's committed offsets reach the end of every partition of the topic: every record
     * in it has been handled (the sink only lets offsets be committed once their events are acknowledged).
     */
    static void awaitAllCommitted(ConnectCluster connect, String connector, String topic, Duration timeout) {
        Map<TopicPartition, Long> end = connect.endOffsets(topic);
        await("offsets of " + connector + " committed up to " + end).atMost(timeout).pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    ConnectRestClient rest = connect.rest();
                    failIfATaskFailed(rest, connector);
                    return committed(rest, connector, topic).equals(end);
                });
    }

    /** The offsets the worker has committed for the connector on the topic. */
    static Map<TopicPartition, Long> committed(ConnectRestClient rest, String connector, String topic) {
        Map<TopicPartition, Long> committed = new HashMap<>();
        for (JsonNode entry : rest.offsets(connector).path("offsets")) {
            JsonNode partition = entry.path("partition");
            if (topic.equals(partition.path("kafka_topic").asText())) {
                committed.put(new TopicPartition(topic, partition.path("kafka_partition").asInt()),
                        entry.path("offset").path("kafka_offset").asLong());
            }
        }
        return committed;
    }

    /** Throws with the task's trace if some task of the connector is FAILED. */
    public static void failIfATaskFailed(ConnectRestClient rest, String connector) {
        JsonNode status = rest.status(connector).orElse(null);
        if (status == null) {
            return;
        }
        for (JsonNode task : status.path("tasks")) {
            if ("FAILED".equals(task.path("state").asText())) {
                throw new AssertionError("task " + task.path("id").asText() + " of " + connector + " FAILED: "
                        + task.path("trace").asText());
            }
        }
    }
}
