package dev.cdcconnect.it.assembly;

import static org.assertj.core.api.Assertions.assertThat;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import dev.cdcconnect.standin.eventstore.StoredEvent;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Installs the built bundle as a user does, into a fresh {@code plugin.path} folder beside Debezium's plugin
 * folders, and starts a 2-worker distributed Connect cluster on it: every plugin the bundle lists is offered with
 * the build's version, and every example configuration in {@code etc/} validates.
 */
class BundleInstallIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private static EventStoreStandIn eventStore;

    @BeforeAll
    static void startEventStore() {
        eventStore = EventStoreStandIn.start();
    }

    @AfterAll
    static void stopEventStore() {
        if (eventStore != null) {
            eventStore.close();
        }
    }

    @ParameterizedTest(name = "plugin.discovery={0}")
    @ValueSource(strings = {"service_load", "hybrid_fail"})
    void confluentHubArchiveInstallsInAWorkerCluster(String discovery, @TempDir Path pluginPath) throws Exception {
        Bundle bundle = Bundle.unzip(Bundle.zip(), pluginPath);

        assertThat(bundle.folder().getFileName().toString())
                .isEqualTo("cdcconnect-cdc-connect-" + Bundle.expectedVersion());
        JsonNode manifest = bundle.manifest();
        assertThat(manifest.path("version").asText()).isEqualTo(Bundle.expectedVersion());
        assertThat(manifest.path("component_types")).extracting(JsonNode::asText).contains("sink", "transform");
        for (String entry : List.of("manifest.json", "lib", "etc", "doc/README.md", "doc/LICENSE",
                "doc/THIRD-PARTY.txt", "doc/config-reference.md", "doc/eventstore-sink.md", "doc/enrich.md",
                "doc/schema-infer.md", "doc/cassandra-sink.md", "assets")) {
            assertThat(bundle.folder().resolve(entry)).as("bundle entry " + entry).exists();
        }
        assertThat(bundle.folder().resolve(manifest.path("logo").asText())).isRegularFile();

        installAndCheck(bundle, discovery);
    }

    @Test
    void pluginPathArchiveInstallsInAWorkerCluster(@TempDir Path pluginPath) throws Exception {
        Bundle bundle = Bundle.untar(Bundle.tar(), pluginPath);

        assertThat(bundle.folder().resolve("lib")).isDirectory();
        assertThat(bundle.folder().resolve("doc/LICENSE")).isRegularFile();

        installAndCheck(bundle, "service_load");
    }

    /**
     * Two examples deployed as a user deploys them, on real servers, so the jars of the installed lib/ are used
     * for real: InferSchema from the bundle's class loader feeding Debezium's JDBC sink in its own (seed 001), and
     * the EventStoreDB sink with the client's gRPC and protobuf stack (seed 002).
     */
    @Test
    void examplesRunFromTheInstalledBundle(@TempDir Path pluginPath) throws Exception {
        Bundle bundle = Bundle.unzip(Bundle.zip(), pluginPath);
        List<Path> folders = new ArrayList<>(thirdPartyPluginFolders(name -> name.startsWith("debezium-connector-")));
        folders.add(bundle.pluginPath());
        try (ConnectCluster cluster = ConnectCluster.start(ConnectCluster.Options.withPluginPath(folders)
                .name("bundle-examples"))) {
            ConnectRestClient rest = cluster.rest();
            Examples.Servers servers = new Examples.Servers(cluster.bootstrapServers(), eventStore.connectionString());

            Examples.Example infer = Examples.read(bundle.folder().resolve("etc/001-infer.json"));
            Map<String, String> inferConfig = Examples.localized(infer, servers);
            String orders = inferConfig.get("topics");
            cluster.createTopic(orders, 1);
            send(cluster, orders, null, "{\"order_id\": 1001, \"user_id\": 7, \"price\": 12.5,"
                    + " \"created_at\": \"2024-03-01T10:00:00Z\", \"customer\": {\"city\": \"Oslo\"}}");
            rest.createOrUpdate(infer.name(), withEarliestOffsets(inferConfig));
            rest.awaitRunning(infer.name(), 1, TIMEOUT);
            Database shop = Examples.postgres("shop");
            String table = inferConfig.get("collection.name.format");
            List<Map<String, Object>> rows = await("a row in " + table).atMost(TIMEOUT)
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> shop.tableExists(table) ? shop.query("SELECT * FROM " + table) : List.of(),
                            r -> !r.isEmpty());
            assertThat(rows).hasSize(1);
            assertThat(rows.get(0)).containsEntry("order_id", 1001L).containsEntry("customer_city", "Oslo");
            assertThat(new BigDecimal(rows.get(0).get("price").toString())).isEqualByComparingTo("12.50");

            Examples.Example sink = Examples.read(bundle.folder().resolve("etc/002-eventstore.json"));
            Map<String, String> sinkConfig = Examples.localized(sink, servers);
            String customers = "dbserver1.inventory.customers";
            assertThat(customers).matches(sinkConfig.get("topics.regex"));
            cluster.createTopic(customers, 1);
            send(cluster, customers, CustomerChange.key(42), CustomerChange.created(42, "Sally", "sally@example.com"));
            rest.createOrUpdate(sink.name(), withEarliestOffsets(sinkConfig));
            rest.awaitRunning(sink.name(), Integer.parseInt(sinkConfig.get("tasks.max")), TIMEOUT);
            List<StoredEvent> events = await("events in stream customers-42").atMost(TIMEOUT)
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> eventStore.events("customers-42"), e -> !e.isEmpty());
            assertThat(events).hasSize(1);
            assertThat(events.get(0).eventType()).isEqualTo("Created");
            assertThat(events.get(0).dataAsString()).contains("\"first_name\":\"Sally\"");
        }
    }

    private static Map<String, String> withEarliestOffsets(Map<String, String> config) {
        Map<String, String> copy = new java.util.LinkedHashMap<>(config);
        copy.put("consumer.override.auto.offset.reset", "earliest");
        return copy;
    }

    private static void send(ConnectCluster cluster, String topic, String key, String value) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of())) {
            producer.send(new ProducerRecord<>(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                    value.getBytes(StandardCharsets.UTF_8))).get();
        }
    }

    private void installAndCheck(Bundle bundle, String discovery) throws IOException {
        // hybrid_fail scans every class of every plugin folder: it gets Debezium's connectors only, which keeps
        // its start affordable; the service_load runs get every third-party folder and validate every example
        boolean everyExample = discovery.equals("service_load");
        List<Path> pluginPath = new ArrayList<>(thirdPartyPluginFolders(everyExample
                ? name -> true : name -> name.startsWith("debezium-connector-")));
        pluginPath.add(bundle.pluginPath());
        // What the manifests list; hybrid_fail also fails the workers if a plugin class is missing from them
        List<Bundle.Advertised> advertised = bundle.advertisedPlugins();
        assertThat(advertised).as("plugins listed in the META-INF/services manifests of lib/").isNotEmpty();

        try (ConnectCluster cluster = ConnectCluster.start(ConnectCluster.Options.withPluginPath(pluginPath)
                .name("bundle-" + discovery).pluginDiscovery(discovery))) {
            ConnectRestClient rest = cluster.rest();
            List<JsonNode> offered = rest.plugins(false);
            assertOffersEveryPlugin(offered, advertised, Bundle.expectedVersion());
            Set<String> offeredClasses = offered.stream().map(p -> p.path("class").asText()).collect(Collectors.toSet());

            Examples.Servers servers = new Examples.Servers(cluster.bootstrapServers(), eventStore.connectionString());
            SoftAssertions softly = new SoftAssertions();
            List<Path> examples = bundle.examples();
            assertThat(examples).as("example configurations in etc/").isNotEmpty();
            for (Path file : examples) {
                Examples.Example example = Examples.read(file);
                if (!everyExample && !offeredClasses.contains(example.connectorClass())) {
                    continue;
                }
                Map<String, String> localized = Examples.localized(example, servers);
                // as localized: a MySQL source runs as the MariaDB connector here
                ConnectRestClient.Validation validation = rest.validate(localized.get("connector.class"), localized);
                softly.assertThat(validation.errors()).as("validation errors of etc/" + example.file()).isEmpty();
                softly.assertThat(validation.errorCount()).as("error_count of etc/" + example.file()).isZero();
            }
            softly.assertAll();
        }
    }

    /** Asserts that the worker lists every plugin the bundle advertises, with its type and the build's version. */
    static void assertOffersEveryPlugin(List<JsonNode> offered, List<Bundle.Advertised> advertised, String version) {
        Map<String, JsonNode> byClass = offered.stream()
                .collect(Collectors.toMap(p -> p.path("class").asText(), p -> p, (a, b) -> a));
        SoftAssertions softly = new SoftAssertions();
        for (Bundle.Advertised plugin : advertised) {
            JsonNode listed = byClass.get(plugin.className());
            softly.assertThat(listed).as(plugin.className() + " in GET /connector-plugins?connectorsOnly=false")
                    .isNotNull();
            if (listed != null) {
                softly.assertThat(listed.path("type").asText()).as("type of " + plugin.className())
                        .isEqualTo(plugin.type());
                softly.assertThat(listed.path("version").asText()).as("version of " + plugin.className())
                        .isEqualTo(version);
            }
        }
        softly.assertAll();
    }

    /**
     * The plugin.path entries of the shared test setup that hold third-party plugins (Debezium's connectors, the
     * Iceberg sink) whose folder names pass {@code folders}, to install beside the bundle.
     */
    static List<Path> thirdPartyPluginFolders(Predicate<String> folders) throws IOException {
        List<Path> entries = new ArrayList<>();
        for (Path entry : ConnectCluster.pluginPathFromSystemProperty()) {
            try (Stream<Path> plugins = Files.list(entry)) {
                List<String> names = plugins.map(p -> p.getFileName().toString()).toList();
                if (names.stream().noneMatch(n -> n.startsWith("connect-")) && names.stream().anyMatch(folders)) {
                    entries.add(entry);
                }
            }
        }
        assertThat(entries).as("third-party plugin folders in " + ConnectCluster.PLUGIN_PATH_PROPERTY).isNotEmpty();
        return entries;
    }
}
