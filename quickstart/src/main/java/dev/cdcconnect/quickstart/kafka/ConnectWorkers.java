package dev.cdcconnect.quickstart.kafka;

import dev.cdcconnect.quickstart.QuickstartException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.connect.cli.ConnectDistributed;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.distributed.DistributedHerder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka Connect cluster of distributed workers in one group, each started as {@code connect-distributed.sh
 * connect-distributed.properties} starts one ({@link ConnectDistributed#startConnect}), with its own REST server.
 */
public final class ConnectWorkers implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectWorkers.class);
    public static final String GROUP_ID = "cdc-quickstart";

    private final List<Connect<DistributedHerder>> workers;
    private final List<String> restUrls;
    private final List<Path> configFiles;

    private ConnectWorkers(List<Connect<DistributedHerder>> workers, List<String> restUrls, List<Path> configFiles) {
        this.workers = workers;
        this.restUrls = restUrls;
        this.configFiles = configFiles;
    }

    /**
     * Writes one {@code connect-distributed.properties} per worker under {@code dir} and starts the workers,
     * one per REST port, all in group {@value #GROUP_ID}.
     */
    public static ConnectWorkers start(Path dir, String bootstrapServers, Path pluginPath, List<Integer> restPorts)
            throws QuickstartException {
        List<Connect<DistributedHerder>> started = new ArrayList<>();
        List<String> urls = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Map<String, String>> configs = new ArrayList<>();
        for (int i = 0; i < restPorts.size(); i++) {
            Map<String, String> props = workerProperties(bootstrapServers, pluginPath, restPorts.get(i));
            Path file = dir.resolve("connect-distributed-" + (i + 1) + ".properties");
            write(file, props, "cdc-connect quickstart: Connect worker " + (i + 1) + " of " + restPorts.size());
            configs.add(props);
            files.add(file);
        }
        try {
            for (int i = 0; i < restPorts.size(); i++) {
                // The worker keeps and changes the map it is given: hand it a mutable copy.
                Connect<DistributedHerder> connect = new ConnectDistributed()
                        .startConnect(new LinkedHashMap<>(configs.get(i)));
                started.add(connect);
                urls.add("http://127.0.0.1:" + restPorts.get(i));
                LOG.info("Connect worker {} started: REST {}, config {}", i + 1, urls.get(i), files.get(i));
            }
        } catch (RuntimeException e) {
            new ConnectWorkers(started, urls, files).close();
            throw new QuickstartException("a Connect worker did not start: " + e.getMessage(), e);
        }
        return new ConnectWorkers(started, urls, files);
    }

    /** The worker configuration, as a user writes it in {@code connect-distributed.properties}. */
    static Map<String, String> workerProperties(String bootstrapServers, Path pluginPath, int restPort) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("bootstrap.servers", bootstrapServers);
        props.put("group.id", GROUP_ID);
        props.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
        props.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        props.put("key.converter.schemas.enable", "true");
        props.put("value.converter.schemas.enable", "true");
        props.put("config.storage.topic", "connect-configs");
        props.put("config.storage.replication.factor", "1");
        props.put("offset.storage.topic", "connect-offsets");
        props.put("offset.storage.replication.factor", "1");
        props.put("offset.storage.partitions", "5");
        props.put("status.storage.topic", "connect-status");
        props.put("status.storage.replication.factor", "1");
        props.put("status.storage.partitions", "1");
        // Sinks commit (and the progress line sees) their offsets every 2 s instead of every minute.
        props.put("offset.flush.interval.ms", "2000");
        props.put("listeners", "http://127.0.0.1:" + restPort);
        props.put("rest.advertised.host.name", "127.0.0.1");
        props.put("rest.advertised.port", Integer.toString(restPort));
        props.put("plugin.path", pluginPath.toString());
        // Plugins are found through their META-INF/services manifests, as recommended since Kafka 3.6.
        props.put("plugin.discovery", "service_load");
        props.put("connector.client.config.override.policy", "All");
        props.put("topic.creation.enable", "true");
        return props;
    }

    private static void write(Path file, Map<String, String> props, String comment) throws QuickstartException {
        Properties properties = new Properties();
        properties.putAll(props);
        try {
            Files.createDirectories(file.getParent());
            try (OutputStream out = Files.newOutputStream(file)) {
                properties.store(out, comment);
            }
        } catch (IOException e) {
            throw new QuickstartException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The REST URL of each worker, e.g. {@code http://127.0.0.1:18083}. */
    public List<String> restUrls() {
        return List.copyOf(restUrls);
    }

    public List<Path> configFiles() {
        return List.copyOf(configFiles);
    }

    /** Stops every worker (its connectors and tasks first) and waits for its herder to end. */
    @Override
    public void close() {
        for (Connect<DistributedHerder> connect : workers) {
            connect.stop();
        }
        for (Connect<DistributedHerder> connect : workers) {
            // stop() returns at once when the worker's own shutdown hook is already stopping it.
            if (connect.herderTask() != null) {
                try {
                    connect.herderTask().get(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (ExecutionException | TimeoutException | java.util.concurrent.CancellationException e) {
                    LOG.warn("A Connect worker did not stop cleanly", e);
                }
            }
        }
        LOG.info("Connect workers stopped");
    }
}
