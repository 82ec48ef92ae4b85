package dev.cdcconnect.testkit.connect;

import dev.cdcconnect.standin.connect.ConnectRestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.runtime.distributed.DistributedConfig;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.connect.util.clusters.WorkerHandle;
import dev.cdcconnect.testkit.SharedResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embedded distributed Kafka Connect cluster on real broker and worker code: one KRaft broker and (by default)
 * two workers in one group, loading plugins from {@code plugin.path} the way a user installs them.
 *
 * <p>{@link #shared()} starts one cluster per JVM and stops it when the JVM exits; tests share it and keep
 * apart by connector, topic and table names. {@link #start(Options)} starts a private one (for example with
 * another {@code plugin.discovery} mode); close it when done.
 *
 * <p>The plugin folders come from the system property {@value #PLUGIN_PATH_PROPERTY}: a comma-separated list
 * of directories, each holding plugin folders, as the worker's {@code plugin.path} takes it.
 */
public final class ConnectCluster implements AutoCloseable {

    public static final String PLUGIN_PATH_PROPERTY = "cdcconnect.plugin.path";

    private static final Logger LOG = LoggerFactory.getLogger(ConnectCluster.class);
    private static ConnectCluster shared;

    private final EmbeddedConnectCluster cluster;
    private final Options options;

    private ConnectCluster(EmbeddedConnectCluster cluster, Options options) {
        this.cluster = cluster;
        this.options = options;
    }

    /** The cluster shared by all tests of this JVM, started on first use, closed when the test session ends. */
    public static synchronized ConnectCluster shared() {
        if (shared == null) {
            shared = SharedResources.register("Connect cluster", start(Options.defaults()), SharedResources.Rank.CONNECT);
        }
        return shared;
    }

    /** Starts a cluster of its own; the caller closes it. */
    public static ConnectCluster start(Options options) {
        long started = System.nanoTime();
        Map<String, String> workerProps = new HashMap<>(); // the worker mutates it: must stay a mutable map
        workerProps.put(WorkerConfig.PLUGIN_PATH_CONFIG, String.join(",", options.pluginPath.stream()
                .map(Path::toString).toList()));
        workerProps.put("plugin.discovery", options.pluginDiscovery);
        workerProps.put(WorkerConfig.KEY_CONVERTER_CLASS_CONFIG, "org.apache.kafka.connect.json.JsonConverter");
        workerProps.put(WorkerConfig.VALUE_CONVERTER_CLASS_CONFIG, "org.apache.kafka.connect.json.JsonConverter");
        workerProps.put(WorkerConfig.OFFSET_COMMIT_INTERVAL_MS_CONFIG, Long.toString(options.offsetFlushInterval.toMillis()));
        workerProps.put(DistributedConfig.SCHEDULED_REBALANCE_MAX_DELAY_MS_CONFIG, "2000");
        workerProps.put("connector.client.config.override.policy", "All");
        workerProps.putAll(options.workerProps);

        Properties brokerProps = new Properties();
        brokerProps.put("auto.create.topics.enable", "false");
        brokerProps.put("group.initial.rebalance.delay.ms", "0");
        brokerProps.put("log.flush.interval.messages", "1000000");
        // One broker: transactional producers (exactly-once sinks such as Iceberg's) need a transaction log
        // that one broker can hold; the default replication factor of 3 leaves them waiting forever.
        brokerProps.put("transaction.state.log.replication.factor", "1");
        brokerProps.put("transaction.state.log.min.isr", "1");

        EmbeddedConnectCluster cluster = new EmbeddedConnectCluster.Builder()
                .name(options.name)
                .numWorkers(options.workers)
                .numBrokers(1)
                .workerProps(workerProps)
                .brokerProps(brokerProps)
                .maskExitProcedures(true)
                .build();
        cluster.start();
        ConnectCluster connect = new ConnectCluster(cluster, options);
        connect.awaitWorkers(options.workers, Duration.ofSeconds(60));
        LOG.info("Connect cluster '{}' ({} workers, plugin.discovery={}) started in {} ms at {}; plugin.path={}",
                options.name, options.workers, options.pluginDiscovery,
                Duration.ofNanos(System.nanoTime() - started).toMillis(), connect.restUrl(), options.pluginPath);
        return connect;
    }

    /** The folders on {@code plugin.path}, from {@value #PLUGIN_PATH_PROPERTY}; each must exist. */
    public static List<Path> pluginPathFromSystemProperty() {
        String value = System.getProperty(PLUGIN_PATH_PROPERTY);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("System property " + PLUGIN_PATH_PROPERTY + " is not set: it must list "
                    + "the plugin.path folders (the build lays them out under each plugin module's target/plugin-path)");
        }
        List<Path> paths = Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(s -> Path.of(s).toAbsolutePath().normalize()).toList();
        List<Path> missing = paths.stream().filter(p -> !Files.isDirectory(p)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("plugin.path folders missing (build the plugin modules first, "
                    + "e.g. ./mvnw package -DskipTests): " + missing);
        }
        return paths;
    }

    public EmbeddedConnectCluster embedded() {
        return cluster;
    }

    public String bootstrapServers() {
        return cluster.kafka().bootstrapServers();
    }

    /** The REST URL of one running worker, e.g. {@code http://localhost:38123/}. */
    public String restUrl() {
        return cluster.workers().iterator().next().url().toString();
    }

    /** A REST client on one running worker. */
    public ConnectRestClient rest() {
        return new ConnectRestClient(restUrl());
    }

    public Set<WorkerHandle> workers() {
        return cluster.workers();
    }

    /** Stops one worker, as a crashed or decommissioned worker; its tasks are rebalanced to the others. */
    public WorkerHandle stopOneWorker() {
        WorkerHandle worker = cluster.workers().iterator().next();
        cluster.removeWorker(worker);
        return worker;
    }

    /** Adds a worker to the group and waits until it is healthy. */
    public WorkerHandle addWorker() {
        WorkerHandle worker = cluster.addWorker();
        awaitWorkers(cluster.workers().size(), Duration.ofSeconds(60));
        return worker;
    }

    private void awaitWorkers(int count, Duration timeout) {
        org.awaitility.Awaitility.await("" + count + " healthy Connect workers").atMost(timeout)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> cluster.healthyWorkers().size() >= count);
    }

    public void createTopic(String topic, int partitions) {
        cluster.kafka().createTopic(topic, partitions);
    }

    public void createTopic(String topic, int partitions, Map<String, String> topicConfig) {
        cluster.kafka().createTopic(topic, partitions, 1, topicConfig);
    }

    /** A producer of raw bytes; the caller closes it. */
    public KafkaProducer<byte[], byte[]> producer(Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.putAll(overrides);
        return cluster.kafka().createProducer(props);
    }

    /**
     * Reads a topic from the beginning until at least {@code count} records have arrived or the timeout ends;
     * returns what it read, in partition order then offset order.
     */
    public List<ConsumerRecord<byte[], byte[]>> consume(String topic, int count, Duration timeout) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "testkit-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = cluster.kafka().createConsumerAndSubscribeTo(props, topic)) {
            while (records.size() < count && System.nanoTime() < deadline) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(200));
                batch.forEach(records::add);
            }
        }
        return records;
    }

    /** The end offsets of a topic's partitions. */
    public Map<TopicPartition, Long> endOffsets(String topic) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "testkit-end-" + System.nanoTime());
        try (KafkaConsumer<byte[], byte[]> consumer = cluster.kafka().createConsumer(props)) {
            Set<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toSet());
            return consumer.endOffsets(partitions, Duration.ofSeconds(10));
        }
    }

    /** How many records a topic holds so far: its partitions' end offsets, summed. */
    public long records(String topic) {
        return endOffsets(topic).values().stream().mapToLong(Long::longValue).sum();
    }

    /** Waits until a topic holds at least {@code count} records; a topic not created yet holds none. */
    public void awaitRecords(String topic, long count, Duration timeout) {
        org.awaitility.Awaitility.await(topic + " has " + count + " records").atMost(timeout)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    try {
                        return records(topic) >= count;
                    } catch (RuntimeException notYetCreated) {
                        return false;
                    }
                });
    }

    public Options options() {
        return options;
    }

    @Override
    public void close() {
        try {
            cluster.stop();
        } catch (RuntimeException e) {
            LOG.warn("Stopping Connect cluster '{}' failed", options.name, e);
        }
    }

    /** How to start a cluster. */
    public static final class Options {
        private String name = "cdc-connect-it";
        private int workers = 2;
        private List<Path> pluginPath;
        private String pluginDiscovery = "service_load";
        private Duration offsetFlushInterval = Duration.ofSeconds(2);
        private final Map<String, String> workerProps = new HashMap<>();

        /** Two workers, {@code plugin.discovery=service_load}, plugin.path from the system property. */
        public static Options defaults() {
            Options options = new Options();
            options.pluginPath = pluginPathFromSystemProperty();
            return options;
        }

        /** Two workers, {@code plugin.discovery=service_load}, the given plugin.path folders. */
        public static Options withPluginPath(List<Path> pluginPath) {
            Options options = new Options();
            options.pluginPath = new ArrayList<>(pluginPath);
            return options;
        }

        public Options name(String value) { this.name = value; return this; }
        public Options workers(int value) { this.workers = value; return this; }
        /** {@code only_scan}, {@code hybrid_warn}, {@code hybrid_fail} or {@code service_load}. */
        public Options pluginDiscovery(String value) { this.pluginDiscovery = value; return this; }
        /** How often workers commit sink and source offsets ({@code offset.flush.interval.ms}). */
        public Options offsetFlushInterval(Duration value) { this.offsetFlushInterval = value; return this; }
        public Options workerProp(String key, String value) { this.workerProps.put(key, value); return this; }

        public List<Path> pluginPath() {
            return pluginPath;
        }
    }
}
