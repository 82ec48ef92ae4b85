package dev.cdcconnect.it.assembly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cdcconnect.testkit.cassandra.CassandraServer;
import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.PostgresServer;
import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import dev.cdcconnect.testkit.logging.LogCapture;
import dev.cdcconnect.testkit.s3.S3Server;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
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
 * Every plugin of the bundle run in a worker with known secrets in each place a user puts one (passwords holding
 * {@code / ? @ : %}): a JDBC URL's password parameter and a JDBC password (Enrich), Kafka client properties passed
 * through ({@code sasl.jaas.config}, {@code ssl.*password}: Enrich's table consumers, InferSchema's schema store),
 * the Cassandra sink's password (a role of a real node), the EventStoreDB sink's password and a connection string with
 * user-info, the Delta sink's S3 secret key. The
 * worker's whole log at INFO, the connectors' status traces and the REST answers must not show any of them.
 */
class SecretsNotLoggedIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    /** Every character that ends a naive URL or user-info parse. */
    private static final String SECRET = "Sx/y?z@w:%7Q-it";
    private static final List<String> FORMS = List.of(SECRET, URLEncoder.encode(SECRET, StandardCharsets.UTF_8),
            URLEncoder.encode(SECRET, StandardCharsets.UTF_8).replace("+", "%20"), S3Server.SECRET_KEY,
            URLEncoder.encode(S3Server.SECRET_KEY, StandardCharsets.UTF_8));
    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\""
            + " password=\"" + SECRET + "\";";
    private static final String ORDERS = "secrets.orders";
    private static final String STORES = "secrets.stores";
    private static final String JSON_ORDERS = "secrets.json.orders";

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static Database db;
    private static EventStoreStandIn eventStore;
    private static CassandraServer cassandra;
    private static S3Server s3;
    private static KafkaProducer<byte[], byte[]> producer;
    private static final List<String> CONNECTORS = new ArrayList<>();

    @BeforeAll
    static void start() {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        db = PostgresServer.shared().createDatabase("secrets_it");
        db.execute("CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL)",
                "INSERT INTO users VALUES (1, 'Ann')");
        eventStore = EventStoreStandIn.start();
        cassandra = CassandraServer.shared();
        s3 = S3Server.shared();
        s3.createBucket("secrets");
        for (String topic : List.of(ORDERS, STORES, JSON_ORDERS)) {
            connect.createTopic(topic, 1);
        }
        producer = connect.producer(Map.of());
    }

    @AfterAll
    static void stop() {
        for (String name : CONNECTORS) {
            try {
                rest.delete(name);
            } catch (RuntimeException e) {
                // already gone
            }
        }
        producer.close();
        eventStore.close();
    }

    @Test
    void noPluginShowsASecretInTheLogStatusOrRestAnswers() throws Exception {
        List<String> answers = new ArrayList<>();
        try (LogCapture log = LogCapture.start()) {
            // Enrich: a JDBC lookup with the password in its URL and in jdbc.password, a topic lookup whose
            // consumer gets secret client properties
            send(STORES, key(10), "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"field\":\"id\",\"type\":\"int32\"},"
                    + "{\"field\":\"name\",\"type\":\"string\"}]},\"payload\":{\"id\":10,\"name\":\"Corner\"}}");
            send(ORDERS, "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"field\":\"id\",\"type\":\"int64\"}]},"
                            + "\"payload\":{\"id\":1}}",
                    "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"field\":\"id\",\"type\":\"int64\"},"
                            + "{\"field\":\"user_id\",\"type\":\"int32\"},{\"field\":\"store_id\",\"type\":\"int32\"}]},"
                            + "\"payload\":{\"id\":1,\"user_id\":1,\"store_id\":10}}");
            deploy("secrets-enrich", enrichConfig());
            await("enriched order").atMost(TIMEOUT).pollInterval(Duration.ofMillis(300))
                    .until(() -> db.tableExists("secrets_orders")
                            && db.query("SELECT user_name, store_name FROM secrets_orders WHERE id = 1").size() == 1);
            assertThat(db.query("SELECT user_name, store_name FROM secrets_orders WHERE id = 1").get(0))
                    .containsEntry("user_name", "Ann").containsEntry("store_name", "Corner");

            // InferSchema: its schema store's Kafka clients get secret client properties
            send(JSON_ORDERS, "7", "{\"order_id\":7,\"amount\":12}");
            deploy("secrets-infer", inferConfig());
            await("inferred order").atMost(TIMEOUT).pollInterval(Duration.ofMillis(300))
                    .until(() -> db.tableExists("secrets_json_orders")
                            && db.query("SELECT order_id FROM secrets_json_orders").size() == 1);

            // Cassandra sink: a role whose password is the secret, on a real node; then a node it cannot reach
            // (the sink checks the connection when the configuration is submitted: its refusal is an answer)
            cassandra.execute("CREATE KEYSPACE IF NOT EXISTS secrets WITH replication = {'class': 'SimpleStrategy',"
                            + " 'replication_factor': 1}",
                    "CREATE TABLE IF NOT EXISTS secrets.orders (id bigint PRIMARY KEY, user_id int, store_id int)",
                    "CREATE ROLE IF NOT EXISTS secrets_writer WITH PASSWORD = '" + SECRET + "' AND LOGIN = true");
            deploy("secrets-cassandra", cassandraConfig(cassandra.contactPoint()));
            rest.awaitRunning("secrets-cassandra", 1, TIMEOUT);
            await("order in Cassandra").atMost(TIMEOUT).pollInterval(Duration.ofMillis(300))
                    .until(() -> cassandra.execute("SELECT id FROM secrets.orders").size() == 1);
            try {
                deploy("secrets-cassandra-unreachable", cassandraConfig("127.0.0.1:" + closedPort()));
                rest.awaitStatus("secrets-cassandra-unreachable", TIMEOUT, "a task", s -> s.path("tasks").size() == 1);
            } catch (RuntimeException refused) {
                answers.add(refused.getMessage());
            }

            // EventStoreDB sink: a password, then a connection string with user-info
            deploy("secrets-eventstore", eventStoreConfig(eventStore.connectionString()));
            rest.awaitRunning("secrets-eventstore", 1, TIMEOUT);
            String withUserInfo = eventStore.connectionString().replace("://", "://admin:" + SECRET + "@");
            try {
                deploy("secrets-eventstore-userinfo", eventStoreConfig(withUserInfo));
                rest.awaitStatus("secrets-eventstore-userinfo", TIMEOUT, "a task", s -> s.path("tasks").size() == 1);
            } catch (RuntimeException refused) {
                answers.add(refused.getMessage());
            }
            answers.add(rest.validate("dev.cdcconnect.eventstore.EventStoreSinkConnector",
                    eventStoreConfig(withUserInfo)).body().toString());

            // Delta sink: the S3 server's secret key (it too holds / ? @ : %), writing the order for real
            deploy("secrets-delta", deltaConfig());
            rest.awaitRunning("secrets-delta", 1, TIMEOUT);
            await("the order committed to Delta").atMost(TIMEOUT).pollInterval(Duration.ofMillis(500))
                    .until(() -> rest.offsets("secrets-delta").toString().contains("\"kafka_offset\":1"));

            for (String name : CONNECTORS) {
                answers.add(rest.status(name).map(Object::toString).orElse(""));
            }
            String logged = log.text();

            // the plugins did run and log their configurations
            assertThat(log.linesContaining("Lookup user: querying")).anyMatch(l -> l.contains("password=[hidden]"));
            assertThat(log.linesContaining("InferSchema (value) configured")).isNotEmpty();
            assertThat(logged).contains("Cassandra sink").contains("EventStoreDB sink").contains("Delta sink");
            for (String form : FORMS) {
                assertThat(log.lines(l -> l.contains(form))).as("log lines showing the secret as " + form).isEmpty();
                assertThat(answers).as("REST answers showing the secret as " + form).noneMatch(a -> a.contains(form));
            }
        }
    }

    private static void deploy(String name, Map<String, String> config) {
        CONNECTORS.add(name);
        rest.createOrUpdate(name, config);
    }

    private static Map<String, String> jdbcSink(String topic, String table) {
        Map<String, String> config = new HashMap<>();
        config.put("connector.class", "io.debezium.connector.jdbc.JdbcSinkConnector");
        config.put("tasks.max", "1");
        config.put("topics", topic);
        config.put("connection.url", db.jdbcUrl());
        config.put("connection.username", db.user());
        config.put("connection.password", db.password());
        config.put("insert.mode", "upsert");
        config.put("primary.key.mode", "record_key");
        config.put("schema.evolution", "basic");
        config.put("collection.name.format", table);
        config.put("consumer.override.auto.offset.reset", "earliest");
        return config;
    }

    private static Map<String, String> enrichConfig() {
        Map<String, String> config = jdbcSink(ORDERS, "secrets_orders");
        String url = db.jdbcUrl() + (db.jdbcUrl().contains("?") ? "&" : "?") + "password="
                + URLEncoder.encode(SECRET, StandardCharsets.UTF_8);
        config.putAll(Map.ofEntries(
                Map.entry("transforms", "enrich"),
                Map.entry("transforms.enrich.type", "dev.cdcconnect.enrich.Enrich$Value"),
                Map.entry("transforms.enrich.lookups", "user,store"),
                Map.entry("transforms.enrich.lookup.user.source", "jdbc"),
                Map.entry("transforms.enrich.lookup.user.jdbc.url", url),
                Map.entry("transforms.enrich.lookup.user.jdbc.user", db.user()),
                Map.entry("transforms.enrich.lookup.user.jdbc.password", SECRET),
                Map.entry("transforms.enrich.lookup.user.jdbc.query", "SELECT name FROM users WHERE id = ?"),
                Map.entry("transforms.enrich.lookup.user.key.field", "user_id"),
                Map.entry("transforms.enrich.lookup.user.output", "flat"),
                Map.entry("transforms.enrich.lookup.store.topic", STORES),
                Map.entry("transforms.enrich.lookup.store.key.field", "store_id"),
                Map.entry("transforms.enrich.lookup.store.output", "flat"),
                Map.entry("transforms.enrich.lookup.store.fields", "name"),
                Map.entry("transforms.enrich.consumer.bootstrap.servers", connect.bootstrapServers()),
                Map.entry("transforms.enrich.consumer.sasl.jaas.config", JAAS),
                Map.entry("transforms.enrich.consumer.ssl.key.password", SECRET),
                Map.entry("transforms.enrich.consumer.ssl.keystore.password", SECRET),
                Map.entry("transforms.enrich.consumer.ssl.truststore.password", SECRET)));
        return config;
    }

    private static Map<String, String> inferConfig() {
        Map<String, String> config = jdbcSink(JSON_ORDERS, "secrets_json_orders");
        config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        config.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        config.put("value.converter.schemas.enable", "false");
        config.put("insert.mode", "insert");
        config.put("primary.key.mode", "none");
        config.put("transforms", "infer");
        config.put("transforms.infer.type", "dev.cdcconnect.infer.InferSchema$Value");
        config.put("transforms.infer.schema.store.topic", "secrets.schemas");
        config.put("transforms.infer.schema.store.bootstrap.servers", connect.bootstrapServers());
        config.put("transforms.infer.schema.store.client.sasl.jaas.config", JAAS);
        config.put("transforms.infer.schema.store.client.ssl.truststore.password", SECRET);
        config.put("transforms.infer.schema.store.client.ssl.key.password", SECRET);
        return config;
    }

    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static Map<String, String> cassandraConfig(String contactPoint) {
        Map<String, String> config = new HashMap<>();
        config.put("connector.class", "dev.cdcconnect.cassandra.CassandraSinkConnector");
        config.put("tasks.max", "1");
        config.put("topics", ORDERS);
        config.put("consumer.override.auto.offset.reset", "earliest");
        config.put("cassandra.contact.points", contactPoint);
        config.put("cassandra.local.datacenter", cassandra.dataCenter());
        config.put("cassandra.username", "secrets_writer");
        config.put("cassandra.password", SECRET);
        cassandra.trustStore().ifPresent(store -> {
            config.put("cassandra.ssl.enabled", "true");
            config.put("cassandra.ssl.truststore.path", store.toString());
            config.put("cassandra.ssl.truststore.password", cassandra.trustStorePassword());
        });
        config.put("cassandra.keyspace", "secrets");
        config.put("topic.table.mapping", ORDERS + "=orders");
        return config;
    }

    private static Map<String, String> eventStoreConfig(String connectionString) {
        Map<String, String> config = new HashMap<>();
        config.put("connector.class", "dev.cdcconnect.eventstore.EventStoreSinkConnector");
        config.put("tasks.max", "1");
        config.put("topics", ORDERS);
        config.put("eventstore.connection.string", connectionString);
        config.put("eventstore.username", "admin");
        config.put("eventstore.password", SECRET);
        config.put("consumer.override.auto.offset.reset", "earliest");
        return config;
    }

    private static Map<String, String> deltaConfig() {
        Map<String, String> config = new HashMap<>();
        config.put("connector.class", "dev.cdcconnect.delta.DeltaSinkConnector");
        config.put("tasks.max", "1");
        config.put("topics", ORDERS);
        config.put("consumer.override.auto.offset.reset", "earliest");
        config.put("delta.table.root", "s3a://secrets/delta");
        config.put("s3.endpoint", s3.endpoint());
        config.put("s3.path.style.access", "true");
        config.put("s3.region", S3Server.REGION);
        config.put("s3.access.key", S3Server.ACCESS_KEY);
        config.put("s3.secret.key", S3Server.SECRET_KEY);
        config.put("commit.interval.ms", "1000");
        return config;
    }

    private static String key(int id) {
        return "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"field\":\"id\",\"type\":\"int32\"}]},\"payload\":{\"id\":"
                + id + "}}";
    }

    private static void send(String topic, String key, String value) {
        try {
            producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                    value.getBytes(StandardCharsets.UTF_8))).get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }
}
