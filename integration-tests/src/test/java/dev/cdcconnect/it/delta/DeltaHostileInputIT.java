package dev.cdcconnect.it.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.testkit.logging.LogCapture;
import dev.cdcconnect.testkit.s3.S3Server;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a user sees from the worker's {@code /status} when the Delta sink gets records it cannot write or storage it
 * cannot use, with an S3 secret key holding {@code / ? @ : %}: a poisoned record in each of two topics goes to the
 * dead letter queue with its reason and the rest is written; without a dead letter queue, or when the dead letter
 * queue refuses the record, the task fails naming the record, its offset not committed; a wrong secret key, or the S3 server stopped, fails the task within
 * {@code retry.timeout.ms} with a message saying what to check, with no offset committed past what the table holds;
 * once the server is back every record is in the table once.
 * The secret key is in no log line, no status trace, no dead letter.
 */
class DeltaHostileInputIT {

    private static final String CONNECTOR = "dev.cdcconnect.delta.DeltaSinkConnector";
    private static final Duration TIMEOUT = Duration.ofMinutes(1);
    private static final Duration WINDOW = Duration.ofSeconds(8);
    private static final String SINK = "delta-hostile-sink";

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static S3Server s3;
    private static LogCapture log;
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String bucket = s3.createBucket("hostile");

    @BeforeAll
    static void start() {
        log = LogCapture.start();
        connect = ConnectCluster.shared();
        rest = connect.rest();
        s3 = S3Server.open();
    }

    @AfterEach
    void deleteSink() {
        if (rest.status(SINK).isPresent()) {
            rest.delete(SINK);
            rest.awaitDeleted(SINK, TIMEOUT);
        }
        assertThat(log.text()).as("the log").doesNotContain(S3Server.SECRET_KEY);
    }

    @AfterAll
    static void stop() {
        s3.close();
        log.close();
    }

    private Map<String, String> config(String... topics) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("name", SINK);
        config.put("connector.class", CONNECTOR);
        config.put("tasks.max", "1");
        config.put("topics", String.join(",", topics));
        config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        config.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        config.put("value.converter.schemas.enable", "false");
        config.put("delta.table.root", "s3a://" + bucket + "/" + run);
        config.put("s3.endpoint", s3.endpoint());
        config.put("s3.path.style.access", "true");
        config.put("s3.region", S3Server.REGION);
        config.put("s3.access.key", S3Server.ACCESS_KEY);
        config.put("s3.secret.key", S3Server.SECRET_KEY);
        config.put("commit.interval.ms", "500");
        config.put("retry.max.attempts", "1");
        config.put("retry.backoff.ms", "100");
        config.put("retry.backoff.max.ms", "500");
        config.put("retry.timeout.ms", Long.toString(WINDOW.toMillis()));
        config.put("consumer.override.max.poll.records", "500");
        return config;
    }

    private Path table() {
        return s3.objectPath(bucket, run + "/customers");
    }

    /** Sends values (JSON text) to a topic and returns their offsets. */
    private static List<Long> send(String topic, String... values) throws Exception {
        List<Long> offsets = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = connect.producer(Map.of())) {
            for (String value : values) {
                offsets.add(producer.send(new ProducerRecord<>(topic, value.getBytes(StandardCharsets.UTF_8),
                        value.getBytes(StandardCharsets.UTF_8))).get().offset());
            }
        }
        return offsets;
    }

    private static String good(int id) {
        return "{\"id\":" + id + ",\"name\":\"c" + id + "\"}";
    }

    private static List<String> written(Path table) {
        return DeltaTables.rows(table).stream()
                .map(r -> r.get("_cdc_kafka_topic") + "/" + r.get("_cdc_kafka_offset")).toList();
    }

    @Test
    void aPoisonedRecordInEachOfTwoTopicsGoesToTheDeadLetterQueueAndTheRestOfBothIsWritten() throws Exception {
        String a = "hostile.a" + run + ".customers";
        String b = "hostile.b" + run + ".customers";
        String dlq = "hostile.dlq." + run;
        connect.createTopic(a, 1);
        connect.createTopic(b, 1);
        send(a, good(1), good(2), "\"a plain string\"", good(3));
        send(b, good(11), "{\"id\":\"eleven\",\"name\":\"c11\"}", good(12));
        Map<String, String> config = config(a, b);
        config.put("errors.tolerance", "all");
        config.put("errors.deadletterqueue.topic.name", dlq);
        config.put("errors.deadletterqueue.topic.replication.factor", "1");
        config.put("errors.deadletterqueue.context.headers.enable", "true");
        rest.createOrUpdate(SINK, config);

        List<ConsumerRecord<byte[], byte[]>> deadLetters = connect.consume(dlq, 2, TIMEOUT);
        Map<String, String> reasons = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> deadLetter : deadLetters) {
            Map<String, String> headers = headers(deadLetter);
            reasons.put(headers.get("__connect.errors.topic") + "/" + headers.get("__connect.errors.offset"),
                    headers.get("__connect.errors.exception.message"));
        }
        assertThat(reasons).containsOnlyKeys(a + "/2", b + "/1");
        assertThat(reasons.get(a + "/2")).contains(a + "-0 offset 2").contains("the value is a String");
        assertThat(reasons.get(b + "/1")).contains(b + "-0 offset 1")
                .contains("column id is BIGINT in the table but the record's value is STRING");
        await("rows of both topics").atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1))
                .until(() -> written(table()).size() >= 5);
        assertThat(written(table())).containsExactlyInAnyOrder(a + "/0", a + "/1", a + "/3", b + "/0", b + "/2");
        assertThat(rest.awaitRunning(SINK, 1, TIMEOUT).toString()).doesNotContain(S3Server.SECRET_KEY);
    }

    @Test
    void withoutADeadLetterQueueAPoisonedRecordFailsTheTaskNamingItAndItsOffsetIsNotCommitted() throws Exception {
        String topic = "hostile.nodlq" + run + ".customers";
        connect.createTopic(topic, 1);
        send(topic, good(1), good(2), "\"poison\"", good(3));
        rest.createOrUpdate(SINK, config(topic));

        String trace = trace(rest.awaitTaskFailed(SINK, TIMEOUT));
        assertThat(trace).contains("Cannot write record " + topic + "-0 offset 2 to Delta")
                .contains("the value is a String").doesNotContain(S3Server.SECRET_KEY);
        assertThat(committed(topic)).as("committed offset").isLessThanOrEqualTo(2);
    }

    @Test
    void aRecordTheDeadLetterQueueRefusesFailsTheTaskNamingItAndItsOffsetIsNotCommitted() throws Exception {
        String topic = "hostile.refused" + run + ".customers";
        String dlq = "hostile.refused.dlq." + run;
        connect.createTopic(topic, 1, Map.of("max.message.bytes", Integer.toString(4 * 1024 * 1024)));
        send(topic, good(1), good(2));
        long bigOffset;
        try (KafkaProducer<byte[], byte[]> big = connect.producer(
                Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024))) {
            // A JSON string, not a row: it can only go to the dead letter queue, whose producer takes 1 MiB at most.
            byte[] value = ("\"" + "x".repeat(2 * 1024 * 1024) + "\"").getBytes(StandardCharsets.UTF_8);
            bigOffset = big.send(new ProducerRecord<>(topic, null, value)).get().offset();
        }
        send(topic, good(3));
        Map<String, String> config = config(topic);
        config.put("errors.tolerance", "all");
        config.put("errors.deadletterqueue.topic.name", dlq);
        config.put("errors.deadletterqueue.topic.replication.factor", "1");
        config.put("producer.override.max.request.size", Integer.toString(1024 * 1024));
        rest.createOrUpdate(SINK, config);

        String trace = trace(rest.awaitTaskFailed(SINK, TIMEOUT));
        assertThat(trace).contains("The dead letter queue did not take the record at topic " + topic
                + " partition 0 offset " + bigOffset).contains("RecordTooLargeException");
        assertThat(committed(topic)).as("committed offset").isLessThanOrEqualTo(bigOffset);
        assertThat(connect.consume(dlq, 1, Duration.ofSeconds(3))).as("dead letters").isEmpty();
    }

    @Test
    void aWrongSecretKeyFailsTheTaskWithinTheWindowNamingTheCredentialsAndCommitsNothing() throws Exception {
        String topic = "hostile.secret" + run + ".customers";
        connect.createTopic(topic, 1);
        send(topic, good(1), good(2), good(3));
        Map<String, String> config = config(topic);
        String wrong = S3Server.SECRET_KEY.replace("k", "K");
        config.put("s3.secret.key", wrong);
        // A bucket of its own: Hadoop keeps one file system, with its credentials, per bucket and JVM.
        config.put("delta.table.root", "s3a://" + s3.createBucket("hostile-wrongkey") + "/" + run);
        long deployed = System.nanoTime();
        rest.createOrUpdate(SINK, config);

        String trace = trace(rest.awaitTaskFailed(SINK, WINDOW.multipliedBy(2).plus(TIMEOUT)));
        Duration after = Duration.ofNanos(System.nanoTime() - deployed);
        System.out.printf("wrong secret key: FAILED after %d ms%n", after.toMillis());
        assertThat(after).isGreaterThanOrEqualTo(WINDOW);
        assertThat(trace).contains("retry.timeout.ms").contains("refuses the credentials")
                .contains("s3.access.key").contains("s3.secret.key")
                .doesNotContain(wrong).doesNotContain(S3Server.SECRET_KEY);
        assertThat(log.text()).doesNotContain(wrong);
        assertThat(committed(topic)).as("committed offset").isZero();
    }

    @Test
    void theS3ServerStoppedFailsTheTaskWithinTheWindowNamingTheEndpointAndOnceBackNothingIsLost() throws Exception {
        String topic = "hostile.down" + run + ".customers";
        connect.createTopic(topic, 1);
        send(topic, good(1), good(2));
        Map<String, String> config = config(topic);
        rest.createOrUpdate(SINK, config);
        await("first rows").atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1))
                .until(() -> written(table()).size() >= 2);

        s3.stop();
        String trace;
        try {
            long stopped = System.nanoTime();
            send(topic, good(3), good(4));
            trace = trace(rest.awaitTaskFailed(SINK, WINDOW.multipliedBy(2).plus(TIMEOUT)));
            System.out.printf("S3 server stopped: FAILED after %d ms%n",
                    Duration.ofNanos(System.nanoTime() - stopped).toMillis());
        } finally {
            s3.start();
        }
        assertThat(trace).contains("retry.timeout.ms").contains("unreachable").contains(s3.endpoint())
                .contains("s3.endpoint").doesNotContain(S3Server.SECRET_KEY);

        rest.restart(SINK, true, true);
        await("every record in the table").atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1))
                .until(() -> written(table()).size() >= 4);
        assertThat(written(table())).containsExactly(topic + "/0", topic + "/1", topic + "/2", topic + "/3");
    }

    private static String trace(JsonNode status) {
        assertThat(status.toString()).doesNotContain(S3Server.SECRET_KEY);
        return status.path("tasks").get(0).path("trace").asText();
    }

    private static long committed(String topic) {
        for (JsonNode entry : rest.offsets(SINK).path("offsets")) {
            if (topic.equals(entry.path("partition").path("kafka_topic").asText())) {
                return entry.path("offset").path("kafka_offset").asLong();
            }
        }
        return 0;
    }

    private static Map<String, String> headers(ConsumerRecord<byte[], byte[]> record) {
        Map<String, String> headers = new HashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8));
        }
        return headers;
    }
}
