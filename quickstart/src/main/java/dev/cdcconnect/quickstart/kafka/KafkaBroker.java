package dev.cdcconnect.quickstart.kafka;

import dev.cdcconnect.quickstart.QuickstartException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft Kafka (broker and controller in one process), started as {@code kafka-storage.sh format
 * --standalone} and {@code kafka-server-start.sh server.properties} do: a {@code server.properties} file, a
 * formatted log directory, then {@link KafkaRaftServer}.
 */
public final class KafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final Path configFile;

    private KafkaBroker(KafkaRaftServer server, String bootstrapServers, Path configFile) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.configFile = configFile;
    }

    /**
     * Writes {@code server.properties} under {@code dir}, formats the log directory and starts the server. The
     * broker is handed to {@code starting} before it starts, so that a stop requested meanwhile can shut it down,
     * as {@code kafka-server-start.sh} registers its shutdown hook before starting.
     */
    public static KafkaBroker start(Path dir, int port, int controllerPort,
                                   java.util.function.Consumer<KafkaBroker> starting) throws QuickstartException {
        Path logDir = dir.resolve("kraft-combined-logs");
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("controller.listener.names", "CONTROLLER");
        props.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        props.put("log.dirs", logDir.toString());
        props.put("num.partitions", "1");
        props.put("auto.create.topics.enable", "false");
        // One node: every internal topic has one replica.
        props.put("offsets.topic.replication.factor", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        Path configFile = dir.resolve("server.properties");
        try {
            Files.createDirectories(dir);
            try (OutputStream out = Files.newOutputStream(configFile)) {
                props.store(out, "cdc-connect quickstart: single-node KRaft broker and controller");
            }
        } catch (IOException e) {
            throw new QuickstartException("cannot write " + configFile + ": " + e.getMessage(), e);
        }

        format(configFile);
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        KafkaBroker broker = new KafkaBroker(server, "127.0.0.1:" + port, configFile);
        starting.accept(broker);
        try {
            server.startup();
        } catch (RuntimeException e) {
            throw new QuickstartException("the Kafka broker did not start: " + e.getMessage(), e);
        }
        broker.awaitReady(Duration.ofSeconds(60));
        LOG.info("Kafka broker started on {} with {}", broker.bootstrapServers, configFile);
        return broker;
    }

    /** {@code kafka-storage.sh format --standalone --cluster-id <new id> --config server.properties}. */
    private static void format(Path configFile) throws QuickstartException {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        String[] args = {"format", "--standalone", "--cluster-id", Uuid.randomUuid().toString(),
            "--config", configFile.toString()};
        int exitCode;
        try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            exitCode = StorageTool.execute(args, print);
        } catch (RuntimeException e) {
            throw new QuickstartException("formatting the Kafka log directory failed: " + e.getMessage(), e);
        }
        String printed = output.toString(StandardCharsets.UTF_8).trim();
        if (exitCode != 0) {
            throw new QuickstartException("formatting the Kafka log directory failed (exit " + exitCode + "): "
                    + printed);
        }
        LOG.info("kafka-storage format: {}", printed);
    }

    private void awaitReady(Duration timeout) throws QuickstartException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = admin()) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new QuickstartException("the Kafka broker did not become ready within "
                                + timeout.toSeconds() + " s: " + e.getMessage(), e);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QuickstartException("interrupted while waiting for the Kafka broker", e);
        }
    }

    /** Creates topics, as {@code kafka-topics.sh --create} does; each entry: partitions and topic configs. */
    public void createTopics(Map<String, Map.Entry<Integer, Map<String, String>>> topics) throws QuickstartException {
        List<NewTopic> newTopics = topics.entrySet().stream()
                .map(t -> new NewTopic(t.getKey(), t.getValue().getKey(), (short) 1).configs(t.getValue().getValue()))
                .toList();
        try (Admin admin = admin()) {
            admin.createTopics(newTopics).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new QuickstartException("cannot create the topics " + topics.keySet() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QuickstartException("interrupted while creating topics", e);
        }
    }

    /** An admin client on this broker; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, "quickstart-admin-" + System.nanoTime()));
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public Path configFile() {
        return configFile;
    }

    /** Shuts the server down, also while it is still starting. */
    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        LOG.info("Kafka broker stopped");
    }
}
