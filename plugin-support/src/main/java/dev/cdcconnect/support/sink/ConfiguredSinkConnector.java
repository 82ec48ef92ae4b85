package dev.cdcconnect.support.sink;

import dev.cdcconnect.support.PluginVersion;
import dev.cdcconnect.support.config.ConfigProblem;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * What the bundle's sink connectors share: the version their build wrote, the configuration read at start, each
 * task's configuration with its index ({@link SinkConfig#TASK_ID}), and a {@code /config/validate} that reports
 * every problem on the key it names: each key's own check, then the checks across keys, then, once every key is
 * valid, the whole configuration and {@link #check} (such as whether the target can be reached). A sink names its
 * keys, task and configuration class, and adds only what is its own.
 *
 * @param <C> the sink's configuration
 */
public abstract class ConfiguredSinkConnector<C extends AbstractConfig> extends SinkConnector {

    private final ConfigDef definition;
    private final Class<? extends Task> taskClass;
    private final Function<Map<String, String>, C> parser;
    private Map<String, String> props;

    /**
     * @param definition the sink's keys
     * @param taskClass  the sink's task
     * @param parser     reads the configuration; throws a {@link ConfigException} (ideally a {@link ConfigProblem})
     *                   if it is wrong
     */
    protected ConfiguredSinkConnector(ConfigDef definition, Class<? extends Task> taskClass,
                                      Function<Map<String, String>, C> parser) {
        this.definition = definition;
        this.taskClass = taskClass;
        this.parser = parser;
    }

    /** Called when the connector starts, with its configuration. */
    protected void started(C config) {
    }

    /**
     * Problems across keys, each on the key to change; {@code validValues} gives a key's value, or null when its own
     * check failed. None by default.
     */
    protected List<ConfigProblem> crossKeyProblems(Function<String, Object> validValues) {
        return List.of();
    }

    /**
     * Checks beyond the settings themselves, once every one is valid, such as whether the target can be reached;
     * throws a {@link ConfigProblem} naming the key to change. Nothing by default.
     */
    protected void check(C config) {
    }

    @Override
    public String version() {
        return PluginVersion.of(getClass());
    }

    @Override
    public ConfigDef config() {
        return definition;
    }

    @Override
    public Class<? extends Task> taskClass() {
        return taskClass;
    }

    @Override
    public void start(Map<String, String> props) {
        C config = parser.apply(props);
        this.props = Map.copyOf(props);
        started(config);
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> configs = new ArrayList<>(maxTasks);
        for (int i = 0; i < maxTasks; i++) {
            Map<String, String> config = new HashMap<>(props);
            // Names the task's metrics, among them the worker's error metrics through which the task learns
            // whether the dead letter queue took a record.
            config.put(SinkConfig.TASK_ID, Integer.toString(i));
            configs.add(config);
        }
        return configs;
    }

    @Override
    public void stop() {
    }

    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config config = super.validate(connectorConfigs);
        Map<String, ConfigValue> values = new LinkedHashMap<>();
        config.configValues().forEach(v -> values.put(v.name(), v));
        // A library's ConfigException names no key: it goes on the first key, where a form shows it first.
        String otherwise = config().configKeys().keySet().iterator().next();
        Function<String, Object> validValues = name -> {
            ConfigValue value = values.get(name);
            return value == null || !value.errorMessages().isEmpty() ? null : value.value();
        };
        crossKeyProblems(validValues).forEach(problem -> ConfigProblem.report(values, problem, otherwise));
        if (values.values().stream().allMatch(v -> v.errorMessages().isEmpty())) {
            try {
                check(parser.apply(connectorConfigs));
            } catch (ConfigException e) {
                ConfigProblem.report(values, e, otherwise);
            }
        }
        return config;
    }
}
