package dev.cdcconnect.it.eventstore;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A 2 MB change event, over the sink's append limit, goes to the dead letter queue, whose producer refuses it
 * (over its {@code max.request.size}, {@code RecordTooLargeException}). The record is neither in EventStoreDB nor in
 * the dead letter queue, so it must not be lost silently: the task fails, naming the record and the dead letter
 * queue's error, and the committed offset does not move past it.
 */
class DeadLetterQueueRefusalIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final String SINK = "es-dlq-refusal-sink";
    private static final String TOPIC = "bulk.dlqrefusal.customers";
    private static final String DLQ = "bulk.dlqrefusal.dlq";

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static EventStoreStandIn eventStore;

    @BeforeAll
    static void start() {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        eventStore = EventStoreStandIn.start();
        connect.createTopic(TOPIC, 1, Map.of("max.message.bytes", Integer.toString(4 * 1024 * 1024)));
    }

    @AfterAll
    static void stop() {
        rest.delete(SINK);
        eventStore.close();
    }

    @Test
    void aRecordTheDeadLetterQueueRefusesFailsTheTaskNamingItAndItsOffsetIsNotCommitted() throws Exception {
        long bigOffset;
        try (CustomerChanges changes = new CustomerChanges(connect, TOPIC);
             KafkaProducer<byte[], byte[]> bigProducer = connect.producer(
                     Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024))) {
            changes.create(1);
            changes.create(2);
            changes.flush();
            bigOffset = bigProducer.send(new ProducerRecord<>(TOPIC, changes.key(3),
                    changes.value("c", 3, null, "x".repeat(2 * 1024 * 1024) + "@example.com"))).get().offset();
            changes.create(4);
            changes.flush();

            Map<String, String> config = EventStoreSinks.config(eventStore, TOPIC, 1);
            config.put("errors.tolerance", "all");
            config.put("errors.deadletterqueue.topic.name", DLQ);
            config.put("errors.deadletterqueue.topic.replication.factor", "1");
            config.put("errors.deadletterqueue.context.headers.enable", "true");
            // The dead letter queue's producer keeps the default 1 MiB limit: it cannot take the 2 MB record.
            config.put("producer.override.max.request.size", Integer.toString(1024 * 1024));
            rest.createOrUpdate(SINK, config);

            JsonNode status = rest.awaitTaskFailed(SINK, TIMEOUT);
            String trace = status.path("tasks").get(0).path("trace").asText();
            assertThat(trace).contains("The dead letter queue did not take the record at topic " + TOPIC
                            + " partition 0 offset " + bigOffset)
                    .contains("RecordTooLargeException").contains("max.request.size");

            assertThat(eventStore.streams()).doesNotContain(CustomerChanges.stream(3));
            assertThat(connect.consume(DLQ, 1, Duration.ofSeconds(3))).as("records in the dead letter queue").isEmpty();
            Long committed = EventStoreSinks.committed(rest, SINK, TOPIC).get(new TopicPartition(TOPIC, 0));
            assertThat(committed == null ? 0L : committed).as("committed offset").isLessThanOrEqualTo(bigOffset);

        }
    }
}
