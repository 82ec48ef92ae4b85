package dev.cdcconnect.it.recipes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cdcconnect.testkit.cassandra.CassandraServer;
import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.testkit.connect.DebeziumSources;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.MariaDbServer;
import dev.cdcconnect.testkit.db.PostgresServer;
import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import dev.cdcconnect.standin.eventstore.StoredEvent;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The compose demo runs what the tests run. Every connector the demo's setup deploys ({@code docker/connectors.txt},
 * and {@code docker/connectors-avro.txt} with its Avro switch)
 * is one of the bundle's examples ({@code etc/}) with nothing changed but connection settings
 * ({@code docker/overrides/}: hosts, ports, credentials, the credentials as FileConfigProvider references); no two
 * connectors of the demo and the bundle share a name; every example is run end to end by an integration test.
 * The seed 000 and 002 examples run here, MariaDB standing in for MySQL: the MySQL source examples get
 * Debezium's MariaDB connector class and the test servers, nothing else.
 */
class DemoConnectorConfigsIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Where the demo's workers find the credentials file (docker-compose.yml mounts it there). */
    private static final String SECRETS_IN_WORKER = "/opt/connect/secrets/demo.properties";
    /** Settings that say where a server is and who connects to it: the only ones the demo may change. */
    private static final Pattern CONNECTION_KEY = Pattern.compile("(.*\\.)?(hostname|port|user|username|password"
            + "|contact\\.points|local\\.datacenter|bootstrap\\.servers|connection\\.string|connection\\.url|uri"
            + "|endpoint|access-key-id|secret-access-key|access\\.key|secret\\.key)");
    private static final Pattern CREDENTIAL_KEY =
            Pattern.compile("(.*\\.)?(user|username|password|access-key-id|secret-access-key|access\\.key"
                    + "|secret\\.key)");
    private static final Pattern SECRET_REFERENCE =
            Pattern.compile("\\$\\{file:" + Pattern.quote(SECRETS_IN_WORKER) + ":([\\w.-]+)}");
    /** host[:port] after "//" in a URL-valued setting: the part of it the demo may change. */
    private static final Pattern URL_SERVER = Pattern.compile("//[^/?]+");

    private static EventStoreStandIn eventStore;
    private final List<String> deployed = new ArrayList<>();

    @AfterEach
    void deleteDeployed() {
        ConnectRestClient rest = ConnectCluster.shared().rest();
        for (String name : deployed) {
            rest.delete(name);
            rest.awaitDeleted(name, TIMEOUT);
        }
    }

    @AfterAll
    static void stopEventStore() {
        if (eventStore != null) {
            eventStore.close();
        }
    }

    // ---- what the demo deploys is what the bundle ships ----

    @Test
    void everyDemoConnectorIsABundleExampleWithOnlyConnectionSettingsChanged() throws IOException {
        Path docker = Recipe.repository().resolve("docker");
        Properties secrets = new Properties();
        secrets.load(new StringReader(Files.readString(docker.resolve("connect/secrets.properties"))));
        SoftAssertions softly = new SoftAssertions();
        List<String> files = demoConnectorFiles();
        assertThat(files).as("connectors in docker/connectors.txt").isNotEmpty().doesNotHaveDuplicates();
        for (String file : files) {
            Path example = Recipe.etc().resolve(file);
            softly.assertThat(example).as("docker/connectors.txt names etc/" + file).isRegularFile();
            Path override = docker.resolve("overrides").resolve(file);
            if (!Files.isRegularFile(example) || !Files.isRegularFile(override)) {
                continue;
            }
            Map<String, String> config = Recipe.load(file).config();
            JSON.readTree(override.toFile()).properties().forEach(e -> {
                String key = e.getKey();
                String value = e.getValue().asText();
                String where = "docker/overrides/" + file + ": " + key;
                softly.assertThat(config).as(where + " must be a setting etc/" + file + " has").containsKey(key);
                softly.assertThat(key).as(where + " must be a connection setting (host, port, credentials)")
                        .matches(CONNECTION_KEY);
                if (CREDENTIAL_KEY.matcher(key).matches()) {
                    Matcher reference = SECRET_REFERENCE.matcher(value);
                    softly.assertThat(reference.matches()).as(where + " must read the credential through"
                            + " FileConfigProvider, ${file:" + SECRETS_IN_WORKER + ":<key>}, not " + value).isTrue();
                    if (reference.matches()) {
                        softly.assertThat(secrets.stringPropertyNames()).as(where + " names a key of"
                                + " docker/connect/secrets.properties").contains(reference.group(1));
                    }
                } else if (value.contains("//") && config.containsKey(key)) {
                    softly.assertThat(URL_SERVER.matcher(value).replaceFirst("//"))
                            .as(where + " may change only the server of the URL").isEqualTo(
                                    URL_SERVER.matcher(config.get(key)).replaceFirst("//"));
                }
            });
        }
        Path overridesFolder = docker.resolve("overrides");
        try (Stream<Path> overrides = Files.walk(overridesFolder)) {
            softly.assertThat(overrides.filter(Files::isRegularFile)
                            .map(p -> overridesFolder.relativize(p).toString().replace('\\', '/')).toList())
                    .as("docker/overrides/ holds settings of connectors the demo deploys only").isSubsetOf(files);
        }
        softly.assertThat(connectorFilesOutsideTheBundle(docker))
                .as("connector configs of the demo that are not bundle examples").isEmpty();
        // The references resolve only where the workers have the provider and the file.
        String worker = Files.readString(docker.resolve("connect/worker.properties"));
        softly.assertThat(worker).contains("config.providers=file", "config.providers.file.class="
                + "org.apache.kafka.common.config.provider.FileConfigProvider");
        softly.assertThat(Files.readString(docker.resolve("docker-compose.yml")))
                .contains("./connect/secrets.properties:" + SECRETS_IN_WORKER + ":ro");
        softly.assertAll();
    }

    @Test
    void connectorNamesAreUniqueAcrossTheDemoAndTheBundle() throws IOException {
        Map<String, List<String>> files = new TreeMap<>();
        for (String example : examples()) {
            files.computeIfAbsent(Recipe.load(example).name(), n -> new ArrayList<>()).add("etc/" + example);
        }
        Path docker = Recipe.repository().resolve("docker");
        for (Path other : connectorFilesOutsideTheBundle(docker)) {
            files.computeIfAbsent(Recipe.read(other).name(), n -> new ArrayList<>())
                    .add(Recipe.repository().relativize(other).toString());
        }
        assertThat(files).as("connector names of the bundle's examples and the demo").isNotEmpty();
        assertThat(files.entrySet().stream().filter(e -> e.getValue().size() > 1).toList())
                .as("connector names given by more than one file (deploying one replaces the other)").isEmpty();
    }

    @Test
    void everyBundleExampleIsDeployedByAnIntegrationTest() throws IOException {
        StringBuilder sources = new StringBuilder();
        try (Stream<Path> files = Files.walk(Recipe.repository().resolve("integration-tests/src/test/java"))) {
            for (Path source : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                sources.append(Files.readString(source));
            }
        }
        List<String> missing = examples().stream()
                .filter(f -> !sources.toString().contains("\"" + f + "\"")
                        && !sources.toString().contains("\"etc/" + f + "\""))
                .toList();
        assertThat(missing).as("etc/ examples no integration test loads by name to run it").isEmpty();
    }

    // ---- the examples, end to end ----

    /**
     * Seed 000: orders from Postgres and from MySQL (MariaDB here), each enriched from its own database's users and
     * stores, into Cassandra and EventStoreDB; Postgres orders also into Postgres. Users and stores are named
     * apart in the two databases, so a row tells which database it was enriched from.
     */
    @Test
    void seed000EnrichesEachDatabasesOrdersFromItsOwnUsersAndStores() {
        ConnectCluster connect = ConnectCluster.shared();
        ConnectRestClient rest = connect.rest();
        Database shop = PostgresServer.shared().createDatabase("demo000_shop");
        Database inventory = MariaDbServer.shared().createDatabase("inventory");
        for (Database db : List.of(shop, inventory)) {
            db.execute("CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, email VARCHAR(200),"
                            + " city VARCHAR(100))",
                    "CREATE TABLE stores (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, city VARCHAR(100))",
                    "CREATE TABLE orders (id BIGINT PRIMARY KEY, user_id INT NOT NULL, store_id INT NOT NULL,"
                            + " quantity INT NOT NULL, amount DECIMAL(10,2) NOT NULL)");
        }
        shop.execute("INSERT INTO users VALUES (1, 'Pia Postgres', 'pia@pg.example', 'Lyon'),"
                        + " (2, 'Paul Postgres', 'paul@pg.example', 'Porto')",
                "INSERT INTO stores VALUES (1, 'Postgres Plaza', 'Porto')",
                "INSERT INTO orders VALUES (1000001, 1, 1, 1, 10.00)");
        inventory.execute("INSERT INTO users VALUES (1, 'Mia Mysql', 'mia@my.example', 'Graz'),"
                        + " (2, 'Max Mysql', 'max@my.example', 'Brno')",
                "INSERT INTO stores VALUES (1, 'Mysql Market', 'Brno')",
                "INSERT INTO orders VALUES (1, 1, 1, 2, 20.00)");
        CassandraServer cassandra = CassandraServer.shared();
        // a table of the same name another test made is not this example's
        cassandra.createKeyspace("shop");
        eventStore = eventStore == null ? EventStoreStandIn.start() : eventStore;

        Recipe postgresSource = Recipe.load("000-postgres-source.json");
        Recipe mysqlSource = Recipe.load("000-mysql-source.json");
        deploy(rest, postgresSource, postgresSource.configWith(DebeziumSources.connection(shop)));
        deploy(rest, mysqlSource, onMariaDb(mysqlSource, inventory, connect));
        for (String prefix : List.of("shop.public.", "mysql.inventory.")) {
            connect.awaitRecords(prefix + "users", 2, TIMEOUT);
            connect.awaitRecords(prefix + "stores", 1, TIMEOUT);
            connect.awaitRecords(prefix + "orders", 1, TIMEOUT);
        }

        Recipe jdbc = Recipe.load("000-enrich.json");
        deploy(rest, jdbc, jdbc.configWith(enrichBootstrap(jdbc, connect, Map.of(
                "connection.url", shop.jdbcUrl(),
                "connection.username", shop.user(),
                "connection.password", shop.password()))));
        Recipe toCassandra = Recipe.load("000-enrich-cassandra.json");
        Map<String, String> cassandraServer = new LinkedHashMap<>();
        cassandraServer.put("cassandra.contact.points", cassandra.contactPoint());
        cassandraServer.put("cassandra.local.datacenter", cassandra.dataCenter());
        cassandraServer.put("cassandra.username", cassandra.username());
        cassandraServer.put("cassandra.password", cassandra.password());
        Map<String, String> cassandraConfig = toCassandra.configWith(enrichBootstrap(toCassandra, connect,
                cassandraServer));
        // the test node speaks TLS only, the demo's plain text: connection settings the example does not need
        cassandra.trustStore().ifPresent(trustStore -> {
            cassandraConfig.put("cassandra.ssl.enabled", "true");
            cassandraConfig.put("cassandra.ssl.truststore.path", trustStore.toString());
            cassandraConfig.put("cassandra.ssl.truststore.password", cassandra.trustStorePassword());
        });
        deploy(rest, toCassandra, cassandraConfig);
        Recipe toEventStore = Recipe.load("000-enrich-eventstore.json");
        deploy(rest, toEventStore, toEventStore.configWith(enrichBootstrap(toEventStore, connect,
                Map.of("eventstore.connection.string", eventStore.connectionString()))));

        // streamed orders, then a MySQL user renamed: later orders of that user carry the new name
        inventory.execute("INSERT INTO orders VALUES (2, 2, 1, 1, 5.50)");
        shop.execute("INSERT INTO orders VALUES (1000002, 2, 1, 3, 7.25)");
        String mia = "1|Mia Mysql|mia@my.example|Mysql Market|Brno";
        String max = "2|Max Mysql|max@my.example|Mysql Market|Brno";
        String pia = "1000001|Pia Postgres|pia@pg.example|Postgres Plaza|Porto";
        String paul = "1000002|Paul Postgres|paul@pg.example|Postgres Plaza|Porto";
        awaitCassandra(cassandra, List.of(mia, max, pia, paul));

        long users = connect.records("mysql.inventory.users");
        inventory.execute("UPDATE users SET name = 'Mia Renamed' WHERE id = 1");
        connect.awaitRecords("mysql.inventory.users", users + 1, TIMEOUT);
        inventory.execute("INSERT INTO orders VALUES (3, 1, 1, 1, 1.00)");
        awaitCassandra(cassandra, List.of(mia, max, "3|Mia Renamed|mia@my.example|Mysql Market|Brno", pia, paul));

        assertThat(awaitEvents("enrichedorder-1").get(0)).satisfies(e -> {
            assertThat(e.eventType()).isEqualTo("OrderSnapshotted");
            assertThat(e.dataAsString()).contains("\"Mia Mysql\"", "\"Mysql Market\"").doesNotContain("Postgres");
        });
        assertThat(awaitEvents("enrichedorder-1000001").get(0).dataAsString())
                .contains("\"Pia Postgres\"", "\"Postgres Plaza\"").doesNotContain("Mysql");
        assertThat(awaitEvents("enrichedorder-3").get(0)).satisfies(e -> {
            assertThat(e.eventType()).isEqualTo("OrderPlaced");
            assertThat(e.dataAsString()).contains("\"Mia Renamed\"");
        });

        // the JDBC example takes the Postgres orders only
        await("Postgres orders in shop.enriched_orders").atMost(TIMEOUT).pollInterval(Duration.ofMillis(300))
                .untilAsserted(() -> assertThat(shop.tableExists("enriched_orders")
                        ? shop.query("SELECT id, user_name, store_name FROM enriched_orders ORDER BY id")
                        : List.of()).isEqualTo(List.of(
                                Map.of("id", 1000001L, "user_name", "Pia Postgres", "store_name", "Postgres Plaza"),
                                Map.of("id", 1000002L, "user_name", "Paul Postgres", "store_name", "Postgres Plaza"))));
    }

    /** Seed 002: every row of MySQL's inventory (MariaDB here) gets its own EventStoreDB stream. */
    @Test
    void seed002GivesEachMySqlRowItsOwnStream() {
        ConnectCluster connect = ConnectCluster.shared();
        ConnectRestClient rest = connect.rest();
        Database inventory = MariaDbServer.shared().createDatabase("inventory");
        inventory.execute("CREATE TABLE customers (id INT PRIMARY KEY, first_name VARCHAR(100) NOT NULL,"
                        + " email VARCHAR(200))",
                "INSERT INTO customers VALUES (1001, 'Sally', 'sally@example.com'), (1002, 'George', NULL)");
        eventStore = eventStore == null ? EventStoreStandIn.start() : eventStore;

        Recipe source = Recipe.load("002-mysql-source.json");
        Recipe sink = Recipe.load("002-eventstore.json");
        deploy(rest, source, onMariaDb(source, inventory, connect));
        connect.awaitRecords("dbserver1.inventory.customers", 2, TIMEOUT);
        // a regex-subscribed sink sees the topics that exist when it starts
        deploy(rest, sink, sink.configWith(Map.of("eventstore.connection.string", eventStore.connectionString())));

        inventory.execute("UPDATE customers SET email = 'george@example.com' WHERE id = 1002",
                "INSERT INTO customers VALUES (1003, 'Edward', 'ed@example.com')");

        assertThat(awaitEvents("customers-1001")).extracting(StoredEvent::eventType).containsExactly("Snapshotted");
        assertThat(awaitEvents("customers-1001").get(0).dataAsString()).contains("\"first_name\":\"Sally\"");
        await("customers-1002 snapshotted, then updated").atMost(TIMEOUT).pollInterval(Duration.ofMillis(300))
                .untilAsserted(() -> assertThat(eventStore.events("customers-1002"))
                        .extracting(StoredEvent::eventType).containsExactly("Snapshotted", "Updated"));
        assertThat(eventStore.events("customers-1002").get(1).dataAsString()).contains("george@example.com");
        assertThat(awaitEvents("customers-1003")).extracting(StoredEvent::eventType).containsExactly("Created");
    }

    // ---- helpers ----

    private void deploy(ConnectRestClient rest, Recipe recipe, Map<String, String> config) {
        assertThat(recipe.validate(rest, config)).as("validation of " + recipe.name()).isEmpty();
        rest.createOrUpdate(recipe.name(), config);
        deployed.add(0, recipe.name());
        rest.awaitRunning(recipe.name(), Integer.parseInt(config.get("tasks.max")), TIMEOUT);
    }

    /** A MySQL source example on the test kit's MariaDB, as {@link Recipe#onMariaDb} runs it. */
    static Map<String, String> onMariaDb(Recipe mysqlSource, Database database, ConnectCluster connect) {
        return mysqlSource.onMariaDb(database, connect.bootstrapServers());
    }

    /** The connection settings, plus the test cluster for every Enrich transform's lookup consumer. */
    private static Map<String, String> enrichBootstrap(Recipe recipe, ConnectCluster connect,
                                                       Map<String, String> connection) {
        Map<String, String> settings = new LinkedHashMap<>(connection);
        recipe.config().keySet().stream().filter(k -> k.endsWith(".consumer.bootstrap.servers"))
                .forEach(k -> settings.put(k, connect.bootstrapServers()));
        return settings;
    }

    private static void awaitCassandra(CassandraServer cassandra, List<String> expected) {
        await("shop.enriched_orders holds " + expected).atMost(TIMEOUT).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    TreeMap<Long, String> rows = new TreeMap<>();
                    try {
                        for (Row row : cassandra.execute("SELECT id, user_name, user_email, store_name, store_city"
                                + " FROM shop.enriched_orders")) {
                            rows.put(row.getLong("id"), row.getLong("id") + "|" + row.getString("user_name") + "|"
                                    + row.getString("user_email") + "|" + row.getString("store_name") + "|"
                                    + row.getString("store_city"));
                        }
                    } catch (RuntimeException notYetCreated) {
                        throw new AssertionError("shop.enriched_orders not readable yet: " + notYetCreated);
                    }
                    assertThat(new ArrayList<>(rows.values())).containsExactlyElementsOf(expected);
                });
    }

    private static List<StoredEvent> awaitEvents(String stream) {
        return await("events in " + stream).atMost(TIMEOUT).pollInterval(Duration.ofMillis(300))
                .until(() -> eventStore.events(stream), e -> !e.isEmpty());
    }

    /** Every example of the bundle, as its path under etc/ (variants in subfolders, such as avro/, included). */
    private static List<String> examples() throws IOException {
        try (Stream<Path> files = Files.walk(Recipe.etc())) {
            return files.filter(p -> p.toString().endsWith(".json"))
                    .map(p -> Recipe.etc().relativize(p).toString().replace('\\', '/')).sorted().toList();
        }
    }

    /**
     * The files under etc/ that docker/connectors.txt and docker/connectors-avro.txt list: what docker/setup
     * deploys, and with {@code --avro} (the Avro switch) deploys too, in order.
     */
    private static List<String> demoConnectorFiles() throws IOException {
        List<String> files = new ArrayList<>();
        for (String list : List.of("docker/connectors.txt", "docker/connectors-avro.txt")) {
            Files.readAllLines(Recipe.repository().resolve(list)).stream()
                    .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(files::add);
        }
        return files;
    }

    /** Connector configs (JSON with a connector.class) under docker/, other than the overrides of examples. */
    private static List<Path> connectorFilesOutsideTheBundle(Path docker) throws IOException {
        try (Stream<Path> files = Files.walk(docker)) {
            return files.filter(p -> p.toString().endsWith(".json"))
                    .filter(p -> !p.startsWith(docker.resolve("target")) && !p.startsWith(docker.resolve("test")))
                    .filter(p -> {
                        try {
                            return JSON.readTree(p.toFile()).path("config").has("connector.class");
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .sorted().toList();
        }
    }
}
