package dev.cdcconnect.it.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.PostgresServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The topic-fed table against a real broker, inside a worker: loaded before the first record, following
 * upserts and tombstones, catching up on a miss under the wait policy, stopping its consumer when the
 * connector goes, and refusing bad settings by their full key.
 */
class EnrichTopicTableIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final String USERS = "probe.users";
    private static final String ORDERS = "probe.orders";
    private static final String SINK = "enrich-it-probe";
    private static final String TABLE = "probe_orders";

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static Database db;
    private static KafkaProducer<byte[], byte[]> producer;

    @BeforeAll
    static void start() {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        db = PostgresServer.shared().createDatabase("enrich_probe");
        connect.createTopic(USERS, 2);
        connect.createTopic(ORDERS, 1);
        producer = connect.producer(Map.of());
        for (int id = 1; id <= 3; id++) {
            user(id, "User " + id);
        }
    }

    @AfterAll
    static void stop() {
        producer.close();
        rest.delete(SINK);
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
                Map.entry("transforms", "enrich"),
                Map.entry("transforms.enrich.type", "dev.cdcconnect.enrich.Enrich$Value"),
                Map.entry("transforms.enrich.lookups", "probe"),
                Map.entry("transforms.enrich.consumer.bootstrap.servers", connect.bootstrapServers()),
                Map.entry("transforms.enrich.lookup.probe.topic", USERS),
                Map.entry("transforms.enrich.lookup.probe.key.field", "user_id"),
                Map.entry("transforms.enrich.lookup.probe.output", "flat"),
                Map.entry("transforms.enrich.lookup.probe.output.prefix", "user_"),
                Map.entry("transforms.enrich.lookup.probe.fields", "name"),
                Map.entry("transforms.enrich.lookup.probe.miss.policy", "wait"),
                Map.entry("transforms.enrich.lookup.probe.wait.fallback", "null")));
        for (int i = 0; i < overrides.length; i += 2) {
            config.put(overrides[i], overrides[i + 1]);
        }
        return config;
    }

    @Test
    void theTableLoadsFollowsAndCatchesUpOnAMissThenStopsWithTheConnector() {
        order(1, 1);
        rest.createOrUpdate(SINK, sinkConfig());
        rest.awaitRunning(SINK, 1, TIMEOUT);

        // loaded from the beginning before the first record
        assertThat(awaitOrder(1)).containsEntry("user_name", "User 1");
        assertThat(tableThreads()).isNotEmpty();

        // a user written just before the order: found by catching up with the topic's end offsets
        user(4, "Fresh Fay");
        order(2, 4);
        assertThat(awaitOrder(2)).containsEntry("user_name", "Fresh Fay");

        // upserts and tombstones followed in the background
        user(1, "Renamed Ray");
        tombstone(2);
        order(3, 1);
        order(4, 2);
        assertThat(awaitOrder(3)).containsEntry("user_name", "Renamed Ray");
        assertThat(awaitOrder(4)).containsEntry("user_name", null);
        assertThat(awaitOrder(1)).containsEntry("user_name", "User 1");

        rest.delete(SINK);
        rest.awaitDeleted(SINK, TIMEOUT);
        await("table consumer threads stopped").atMost(TIMEOUT).pollInterval(Duration.ofMillis(200))
                .until(() -> tableThreads().isEmpty());
    }

    @Test
    void aBadLookupSettingFailsTheTaskNamingTheFullKey() {
        String name = "enrich-it-bad";
        rest.createOrUpdate(name, sinkConfig("collection.name.format", "bad_orders",
                "transforms.enrich.lookup.probe.miss.policy", "sometimes"));
        try {
            String trace = rest.awaitTaskFailed(name, TIMEOUT).toString();

            assertThat(trace).contains("lookup.probe.miss.policy").contains("sometimes");
        } finally {
            rest.delete(name);
        }
    }

    @Test
    void theValidateEndpointNamesABadLookupsList() {
        var validation = rest.validate("io.debezium.connector.jdbc.JdbcSinkConnector",
                sinkConfig("transforms.enrich.lookups", "probe,probe"));

        assertThat(validation.errors()).containsKey("transforms.enrich.lookups");
        assertThat(validation.errors().get("transforms.enrich.lookups")).anyMatch(m -> m.contains("appears twice"));
    }

    @Test
    void bothTransformsAreInstalledWithTheBuildVersion() {
        var plugins = rest.plugins(false);

        for (String type : List.of("dev.cdcconnect.enrich.Enrich$Value", "dev.cdcconnect.enrich.Enrich$Key")) {
            assertThat(plugins).anySatisfy(p -> {
                assertThat(p.path("class").asText()).isEqualTo(type);
                assertThat(p.path("type").asText()).isEqualTo("transformation");
                assertThat(p.path("version").asText()).matches("\\d+\\.\\d+\\.\\d+.*");
            });
        }
    }

    private static List<String> tableThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith("cdc-enrich-table-probe-")).toList();
    }

    private static Map<String, Object> awaitOrder(long id) {
        return await("order " + id + " in " + TABLE).atMost(TIMEOUT).pollInterval(Duration.ofMillis(200))
                .until(() -> db.tableExists(TABLE)
                        ? db.query("SELECT id, user_id, user_name FROM " + TABLE + " WHERE id = ?", id)
                                : List.<Map<String, Object>>of(),
                        rows -> rows.size() == 1)
                .get(0);
    }

    private static void user(int id, String name) {
        send(USERS, "{\"schema\":{\"type\":\"struct\",\"name\":\"probe.Key\",\"fields\":[{\"field\":\"id\",\"type\":\"int32\"}]},"
                + "\"payload\":{\"id\":" + id + "}}",
                "{\"schema\":{\"type\":\"struct\",\"name\":\"probe.User\",\"fields\":[{\"field\":\"id\",\"type\":\"int32\"},"
                + "{\"field\":\"name\",\"type\":\"string\"}]},\"payload\":{\"id\":" + id + ",\"name\":\"" + name + "\"}}");
    }

    private static void tombstone(int id) {
        send(USERS, "{\"schema\":{\"type\":\"struct\",\"name\":\"probe.Key\",\"fields\":[{\"field\":\"id\",\"type\":\"int32\"}]},"
                + "\"payload\":{\"id\":" + id + "}}", null);
    }

    private static void order(long id, int userId) {
        send(ORDERS, "{\"schema\":{\"type\":\"struct\",\"name\":\"probe.OrderKey\",\"fields\":[{\"field\":\"id\",\"type\":\"int64\"}]},"
                + "\"payload\":{\"id\":" + id + "}}",
                "{\"schema\":{\"type\":\"struct\",\"name\":\"probe.Order\",\"fields\":[{\"field\":\"id\",\"type\":\"int64\"},"
                + "{\"field\":\"user_id\",\"type\":\"int32\"}]},\"payload\":{\"id\":" + id + ",\"user_id\":" + userId + "}}");
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
