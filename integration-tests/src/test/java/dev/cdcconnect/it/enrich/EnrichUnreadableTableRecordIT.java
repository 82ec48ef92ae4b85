package dev.cdcconnect.it.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.PostgresServer;
import dev.cdcconnect.testkit.logging.LogCapture;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One unreadable record in each topic the transform reads (both lookup topics, and the sink's own topic), on a
 * real broker inside a worker with errors.tolerance=all: the lookup tables skip and report theirs and keep following
 * their topics, so the joins after the bad records still enrich, the task stays RUNNING and the dead letter queue
 * holds only the bad order; a restart reloads the tables past the bad records again. A user who asks for the strict
 * behaviour gets a failed task naming the record.
 */
class EnrichUnreadableTableRecordIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final String USERS = "poison.users";
    private static final String STORES = "poison.stores";
    private static final String ORDERS = "poison.orders";
    private static final String DLQ = "poison.orders.dlq";
    private static final String SINK = "enrich-it-poison";
    private static final String STRICT = "enrich-it-poison-strict";
    private static final String TABLE = "poison_orders";
    private static final String BAD_VALUE = "{\"id\":3,\"name\":";

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static Database db;
    private static KafkaProducer<byte[], byte[]> producer;

    @BeforeAll
    static void start() {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        db = PostgresServer.shared().createDatabase("enrich_poison");
        connect.createTopic(USERS, 1);
        connect.createTopic(STORES, 1);
        connect.createTopic(ORDERS, 1);
        producer = connect.producer(Map.of());
    }

    @AfterAll
    static void stop() {
        producer.close();
        for (String name : List.of(SINK, STRICT)) {
            try {
                rest.delete(name);
            } catch (RuntimeException e) {
                // not created
            }
        }
    }

    private static Map<String, String> sinkConfig(String... overrides) {
        Map<String, String> config = new HashMap<>(Map.ofEntries(
                Map.entry("connector.class", "io.debezium.connector.jdbc.JdbcSinkConnector"),
                Map.entry("tasks.max", "1"),
                Map.entry("topics", ORDERS),
                Map.entry("connection.url", db.jdbcUrl()),
                Map.entry("connection.username", db.user()),
                Map.entry("connection.password", db.password()),
                Map.entry("insert.mode", "upsert"),
                Map.entry("primary.key.mode", "record_key"),
                Map.entry("schema.evolution", "basic"),
                Map.entry("collection.name.format", TABLE),
                Map.entry("consumer.override.auto.offset.reset", "earliest"),
                Map.entry("errors.tolerance", "all"),
                Map.entry("errors.deadletterqueue.topic.name", DLQ),
                Map.entry("errors.deadletterqueue.topic.replication.factor", "1"),
                Map.entry("errors.deadletterqueue.context.headers.enable", "true"),
                Map.entry("transforms", "enrich"),
                Map.entry("transforms.enrich.type", "dev.cdcconnect.enrich.Enrich$Value"),
                Map.entry("transforms.enrich.lookups", "user,store"),
                Map.entry("transforms.enrich.consumer.bootstrap.servers", connect.bootstrapServers()),
                Map.entry("transforms.enrich.lookup.user.topic", USERS),
                Map.entry("transforms.enrich.lookup.user.key.field", "user_id"),
                Map.entry("transforms.enrich.lookup.user.output", "flat"),
                Map.entry("transforms.enrich.lookup.user.fields", "name"),
                Map.entry("transforms.enrich.lookup.user.miss.policy", "wait"),
                Map.entry("transforms.enrich.lookup.store.topic", STORES),
                Map.entry("transforms.enrich.lookup.store.key.field", "store_id"),
                Map.entry("transforms.enrich.lookup.store.output", "flat"),
                Map.entry("transforms.enrich.lookup.store.fields", "name"),
                Map.entry("transforms.enrich.lookup.store.miss.policy", "wait")));
        for (int i = 0; i < overrides.length; i += 2) {
            config.put(overrides[i], overrides[i + 1]);
        }
        return config;
    }

    @Test
    void unreadableRecordsAreSkippedAndReportedAndEveryOtherRowStillJoins() throws Exception {
        row(USERS, 1, "Ann");
        row(USERS, 2, "Bob");
        send(USERS, key(3), BAD_VALUE);              // users offset 2
        row(USERS, 4, "Dee");
        row(STORES, 10, "Corner");
        send(STORES, key(11), BAD_VALUE);            // stores offset 1
        row(STORES, 20, "Market");
        send(ORDERS, orderKey(99), "{\"id\":99,");   // unreadable for the sink's converter: Connect's DLQ
        order(1, 1, 10);
        order(2, 4, 20);

        try (LogCapture log = LogCapture.start()) {
            rest.createOrUpdate(SINK, sinkConfig());
            rest.awaitRunning(SINK, 1, TIMEOUT);

            assertThat(awaitOrder(1)).containsEntry("user_name", "Ann").containsEntry("store_name", "Corner");
            assertThat(awaitOrder(2)).containsEntry("user_name", "Dee").containsEntry("store_name", "Market");

            // a bad record while the table follows its topic, then rows and orders after it
            send(USERS, key(5), BAD_VALUE);          // users offset 4
            row(USERS, 5, "Eve");
            order(3, 5, 20);
            assertThat(awaitOrder(3)).containsEntry("user_name", "Eve").containsEntry("store_name", "Market");

            rest.awaitRunning(SINK, 1, TIMEOUT);
            assertThat(unreadable(USERS)).containsExactly(2L);
            assertThat(unreadable(STORES)).containsExactly(1L);
            assertThat(log.lines(l -> l.startsWith("WARN") && l.contains("topic " + USERS + " partition 0 offset 2")))
                    .isNotEmpty();
            assertThat(log.lines(l -> l.startsWith("WARN") && l.contains("topic " + STORES + " partition 0 offset 1")))
                    .isNotEmpty();
        }
        // only the order the sink could not read went to the dead letter queue, no valid join
        assertThat(connect.records(DLQ)).isEqualTo(1);

        rest.restart(SINK, true, false);
        rest.awaitRunning(SINK, 1, TIMEOUT);
        order(4, 5, 10);
        assertThat(awaitOrder(4)).containsEntry("user_name", "Eve").containsEntry("store_name", "Corner");
        order(5, 2, 20);
        assertThat(awaitOrder(5)).containsEntry("user_name", "Bob").containsEntry("store_name", "Market");
        rest.awaitRunning(SINK, 1, TIMEOUT);
        assertThat(unreadable(USERS)).containsExactly(2L);
        assertThat(connect.records(DLQ)).isEqualTo(1);
    }

    @Test
    void theStrictSettingFailsTheTaskNamingTheRecord() {
        String users = "poison.strict.users";
        String orders = "poison.strict.orders";
        connect.createTopic(users, 1);
        connect.createTopic(orders, 1);
        row(users, 1, "Ann");
        send(users, key(3), BAD_VALUE);              // offset 1
        send(orders, orderKey(1), orderValue(1, 1, 10));
        rest.createOrUpdate(STRICT, sinkConfig("topics", orders, "collection.name.format", "poison_strict",
                "errors.tolerance", "none", "transforms.enrich.lookup.user.topic", users,
                "transforms.enrich.lookup.user.topic.unreadable", "fail"));
        try {
            String trace = rest.awaitTaskFailed(STRICT, TIMEOUT).toString();

            assertThat(trace).contains("topic " + users + " partition 0 offset 1")
                    .contains("lookup.user.topic.unreadable");
        } finally {
            rest.delete(STRICT);
        }
    }

    /** UnreadableRecords of every table registered for the topic now. */
    private static List<Long> unreadable(String topic) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        return server.queryNames(new ObjectName("dev.cdcconnect.enrich:type=lookup-table,topic="
                        + ObjectName.quote(topic) + ",*"), null).stream()
                .map(name -> {
                    try {
                        return (Long) server.getAttribute(name, "UnreadableRecords");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }).toList();
    }

    private static Map<String, Object> awaitOrder(long id) {
        return await("order " + id + " in " + TABLE).atMost(TIMEOUT).pollInterval(Duration.ofMillis(200))
                .until(() -> db.tableExists(TABLE)
                                ? db.query("SELECT id, user_name, store_name FROM " + TABLE + " WHERE id = ?", id)
                                : List.<Map<String, Object>>of(),
                        rows -> rows.size() == 1)
                .get(0);
    }

    private static String key(int id) {
        return "{\"schema\":{\"type\":\"struct\",\"name\":\"poison.Key\",\"fields\":[{\"field\":\"id\",\"type\":\"int32\"}]},"
                + "\"payload\":{\"id\":" + id + "}}";
    }

    private static void row(String topic, int id, String name) {
        send(topic, key(id), "{\"schema\":{\"type\":\"struct\",\"name\":\"poison.Row\",\"fields\":["
                + "{\"field\":\"id\",\"type\":\"int32\"},{\"field\":\"name\",\"type\":\"string\"}]},"
                + "\"payload\":{\"id\":" + id + ",\"name\":\"" + name + "\"}}");
    }

    private static String orderKey(long id) {
        return "{\"schema\":{\"type\":\"struct\",\"name\":\"poison.OrderKey\",\"fields\":[{\"field\":\"id\",\"type\":\"int64\"}]},"
                + "\"payload\":{\"id\":" + id + "}}";
    }

    private static void order(long id, int userId, int storeId) {
        send(ORDERS, orderKey(id), orderValue(id, userId, storeId));
    }

    private static String orderValue(long id, int userId, int storeId) {
        return "{\"schema\":{\"type\":\"struct\",\"name\":\"poison.Order\",\"fields\":["
                + "{\"field\":\"id\",\"type\":\"int64\"},{\"field\":\"user_id\",\"type\":\"int32\"},"
                + "{\"field\":\"store_id\",\"type\":\"int32\"}]},"
                + "\"payload\":{\"id\":" + id + ",\"user_id\":" + userId + ",\"store_id\":" + storeId + "}}";
    }

    private static void send(String topic, String key, String value) {
        try {
            producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                    value == null ? null : value.getBytes(StandardCharsets.UTF_8))).get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }
}
