package dev.cdcconnect.delta;

import dev.cdcconnect.delta.table.Storage;
import dev.cdcconnect.support.DeadLetterQueue;
import dev.cdcconnect.support.PluginVersion;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * Writes Debezium change events into Delta Lake tables as a change log (one row per change), on a local path or
 * S3-compatible storage, without Spark: each commit carries the Kafka offsets of its rows, so every change is
 * in its table exactly once.
 */
public final class DeltaSinkConnector extends SinkConnector {

    private Map<String, String> props;

    @Override
    public String version() {
        return PluginVersion.of(getClass());
    }

    @Override
    public void start(Map<String, String> props) {
        DeltaSinkConfig config = new DeltaSinkConfig(props);
        Storage.multiWriterProblem(config, maxTasks(props)).ifPresent(problem -> {
            throw new ConfigException(problem);
        });
        this.props = Map.copyOf(props);
    }

    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config result = super.validate(connectorConfigs);
        boolean valid = result.configValues().stream().allMatch(v -> v.errorMessages().isEmpty());
        if (valid) {
            DeltaSinkConfig config;
            try {
                config = new DeltaSinkConfig(connectorConfigs);
            } catch (ConfigException e) {
                return result;
            }
            Storage.multiWriterProblem(config, maxTasks(connectorConfigs))
                    .ifPresent(problem -> result.configValues().stream()
                            .filter(v -> v.name().equals(DeltaSinkConfig.TABLE_ROOT))
                            .forEach(v -> v.addErrorMessage(problem)));
        }
        return result;
    }

    private static int maxTasks(Map<String, String> props) {
        try {
            return Integer.parseInt(props.getOrDefault("tasks.max", "1").trim());
        } catch (NumberFormatException e) {
            return 1; // the worker reports a bad tasks.max itself
        }
    }

    @Override
    public Class<? extends Task> taskClass() {
        return DeltaSinkTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> configs = new ArrayList<>();
        for (int i = 0; i < maxTasks; i++) {
            Map<String, String> config = new HashMap<>(props);
            // Names the task's error metrics, through which a record the dead letter queue refused is noticed.
            config.put(DeadLetterQueue.TASK_ID, Integer.toString(i));
            configs.add(config);
        }
        return configs;
    }

    @Override
    public void stop() {
    }

    @Override
    public ConfigDef config() {
        return DeltaSinkConfig.CONFIG_DEF;
    }
}
