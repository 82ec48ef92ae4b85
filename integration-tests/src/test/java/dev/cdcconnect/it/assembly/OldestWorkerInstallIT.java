package dev.cdcconnect.it.assembly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import dev.cdcconnect.standin.eventstore.StoredEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bundle in a distributed cluster of two real Connect workers of the oldest version the plugins claim to
 * support (the Connect API they compile against), each in a JVM of its own with that version's classpath, on a
 * current Kafka broker: every plugin the bundle lists loads and reports the build's version, and the example
 * configurations validate.
 */
class OldestWorkerInstallIT {

    static final String WORKER_LIB_PROPERTY = "cdcconnect.oldest.worker.lib";
    /** A connector every worker ships, to validate an example's transforms when the example's own connector is
     * not installed in this worker. */
    private static final String FILE_SINK = "org.apache.kafka.connect.file.FileStreamSinkConnector";
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @ParameterizedTest(name = "plugin.discovery={0}")
    @ValueSource(strings = {"service_load", "hybrid_fail"})
    void bundleInstallsInWorkersOfTheOldestSupportedVersion(String discovery, @TempDir Path work) throws Exception {
        Path workerLib = workerLib();
        String workerVersion = connectRuntimeVersion(workerLib);
        Path pluginPath = Files.createDirectories(work.resolve("plugins"));
        Bundle bundle = Bundle.unzip(Bundle.zip(), pluginPath);
        List<Bundle.Advertised> advertised = bundle.advertisedPlugins();
        assertThat(advertised).as("plugins listed in the META-INF/services manifests of lib/").isNotEmpty();

        Properties brokerProps = new Properties();
        brokerProps.put("auto.create.topics.enable", "false");
        brokerProps.put("group.initial.rebalance.delay.ms", "0");
        EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster(1, brokerProps);
        kafka.start();
        List<ForkedConnectWorker> workers = new ArrayList<>();
        try (EventStoreStandIn eventStore = EventStoreStandIn.start()) {
            Map<String, String> props = new LinkedHashMap<>();
            props.put("bootstrap.servers", kafka.bootstrapServers());
            props.put("group.id", "oldest-workers");
            props.put("config.storage.topic", "oldest-workers-configs");
            props.put("offset.storage.topic", "oldest-workers-offsets");
            props.put("status.storage.topic", "oldest-workers-status");
            props.put("config.storage.replication.factor", "1");
            props.put("offset.storage.replication.factor", "1");
            props.put("status.storage.replication.factor", "1");
            props.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
            props.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
            props.put("offset.flush.interval.ms", "2000");
            props.put("plugin.path", bundle.pluginPath().toString());
            props.put("plugin.discovery", discovery);
            for (String name : List.of("worker-1", "worker-2")) {
                workers.add(ForkedConnectWorker.start(name, workerLib, work, props));
            }
            for (ForkedConnectWorker worker : workers) {
                worker.awaitReady(Duration.ofSeconds(120));
            }
            ConnectRestClient rest = new ConnectRestClient(workers.get(0).restUrl());
            assertThat(rest.serverInfo().path("version").asText()).isEqualTo(workerVersion);

            for (ForkedConnectWorker worker : workers) {
                BundleInstallIT.assertOffersEveryPlugin(new ConnectRestClient(worker.restUrl()).plugins(false),
                        advertised, Bundle.expectedVersion());
            }

            Set<String> offered = rest.plugins(false).stream().map(p -> p.path("class").asText())
                    .collect(Collectors.toSet());
            Set<String> bundlePlugins = advertised.stream().map(Bundle.Advertised::className)
                    .collect(Collectors.toSet());
            Examples.Servers servers = new Examples.Servers(kafka.bootstrapServers(), eventStore.connectionString());
            SoftAssertions softly = new SoftAssertions();
            int validated = 0;
            for (Path file : bundle.examples()) {
                Examples.Example example = Examples.read(file);
                if (!usesBundle(example, bundlePlugins)) {
                    continue;
                }
                Map<String, String> config = Examples.localized(example, servers);
                String connectorClass = example.connectorClass();
                if (!offered.contains(connectorClass)) {
                    // a third-party connector this worker does not have: the bundle's part is the transforms
                    config = transformsOnly(config);
                    connectorClass = FILE_SINK;
                }
                ConnectRestClient.Validation validation = rest.validate(connectorClass, config);
                softly.assertThat(validation.errors()).as("validation errors of etc/" + example.file()
                        + " (as " + connectorClass + ")").isEmpty();
                softly.assertThat(validation.errorCount()).as("error_count of etc/" + example.file()).isZero();
                validated++;
            }
            softly.assertAll();
            assertThat(validated).as("examples that use the bundle's plugins").isPositive();

            if (discovery.equals("service_load")) {
                runExamples(bundle, kafka, rest, servers, eventStore, work);
            }
            for (ForkedConnectWorker worker : workers) {
                assertThat(worker.logLines("ERROR")).as("errors in the log of a " + workerVersion + " worker")
                        .noneMatch(line -> line.contains("dev.cdcconnect"));
            }
        } finally {
            workers.forEach(ForkedConnectWorker::close);
            kafka.stop();
        }
    }

    /**
     * Plugin code at work in workers of this version, not only loaded: seed 002's EventStoreDB sink appends a
     * change event to the stand-in, and seed 001's InferSchema gives a schemaless order its schema on the way into
     * the file sink the distribution ships.
     */
    private static void runExamples(Bundle bundle, EmbeddedKafkaCluster kafka, ConnectRestClient rest,
                                     Examples.Servers servers, EventStoreStandIn eventStore, Path work)
            throws Exception {
        Examples.Example sink = Examples.read(bundle.folder().resolve("etc/002-eventstore.json"));
        Map<String, String> sinkConfig = new LinkedHashMap<>(Examples.localized(sink, servers));
        sinkConfig.put("consumer.override.auto.offset.reset", "earliest");
        String customers = "dbserver1.inventory.customers";
        kafka.createTopic(customers, 1);
        kafka.produce(customers, CustomerChange.key(7), CustomerChange.created(7, "Anne", "anne@example.com"));
        rest.createOrUpdate(sink.name(), sinkConfig);
        rest.awaitRunning(sink.name(), Integer.parseInt(sinkConfig.get("tasks.max")), TIMEOUT);
        List<StoredEvent> events = await("events in stream customers-7").atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(500))
                .until(() -> eventStore.events("customers-7"), e -> !e.isEmpty());
        assertThat(events).extracting(StoredEvent::eventType).containsExactly("Created");
        assertThat(events.get(0).dataAsString()).contains("\"first_name\":\"Anne\"");

        Examples.Example infer = Examples.read(bundle.folder().resolve("etc/001-infer.json"));
        Map<String, String> inferConfig = transformsOnly(Examples.localized(infer, servers));
        Path file = work.resolve("orders.txt");
        inferConfig.put("connector.class", FILE_SINK);
        inferConfig.put("file", file.toString());
        inferConfig.put("consumer.override.auto.offset.reset", "earliest");
        kafka.createTopic(inferConfig.get("topics"), 1);
        kafka.produce(inferConfig.get("topics"), null, "{\"order_id\": 1001, \"customer\": {\"city\": \"Oslo\"}}");
        rest.createOrUpdate(infer.name(), inferConfig);
        rest.awaitRunning(infer.name(), 1, TIMEOUT);
        // the file sink writes each value as Struct.toString(): the inferred fields, flattened
        String written = await("an order in " + file).atMost(TIMEOUT).pollInterval(Duration.ofMillis(500))
                .until(() -> Files.exists(file) ? Files.readString(file) : "", text -> text.contains("Struct{"));
        assertThat(written).contains("order_id=1001", "customer_city=Oslo");
    }

    /** Whether the example's connector or one of its transforms is a plugin of the bundle. */
    private static boolean usesBundle(Examples.Example example, Set<String> bundlePlugins) {
        return bundlePlugins.contains(example.connectorClass()) || example.config().entrySet().stream()
                .anyMatch(e -> e.getKey().matches("transforms\\.[^.]+\\.type") && bundlePlugins.contains(e.getValue()));
    }

    /** The connector-independent part of a configuration: name, topics, transforms, converters, error handling. */
    private static Map<String, String> transformsOnly(Map<String, String> config) {
        Map<String, String> kept = new LinkedHashMap<>();
        config.forEach((key, value) -> {
            if (Stream.of("name", "topics", "topics.regex", "tasks.max").anyMatch(key::equals)
                    || Stream.of("transforms", "predicates", "key.converter", "value.converter", "header.converter",
                            "errors.").anyMatch(key::startsWith)) {
                kept.put(key, value);
            }
        });
        return kept;
    }

    private static Path workerLib() {
        String value = System.getProperty(WORKER_LIB_PROPERTY);
        if (value == null || !Files.isDirectory(Path.of(value))) {
            throw new IllegalStateException("system property " + WORKER_LIB_PROPERTY + " must name the classpath "
                    + "folder of the oldest supported worker (oldest-connect-worker/target/worker-lib), not " + value);
        }
        return Path.of(value);
    }

    /** The Connect version of a worker classpath, from its connect-runtime jar. */
    private static String connectRuntimeVersion(Path workerLib) throws java.io.IOException {
        try (Stream<Path> jars = Files.list(workerLib)) {
            String jar = jars.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("connect-runtime-[0-9.]+\\.jar"))
                    .findFirst().orElseThrow(() -> new AssertionError("no connect-runtime jar in " + workerLib));
            return jar.substring("connect-runtime-".length(), jar.length() - ".jar".length());
        }
    }
}
