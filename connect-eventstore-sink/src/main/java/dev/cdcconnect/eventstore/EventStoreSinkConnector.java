package dev.cdcconnect.eventstore;

import dev.cdcconnect.support.PluginVersion;
import dev.cdcconnect.support.Redaction;
import dev.cdcconnect.support.config.ConfigProblem;
import dev.cdcconnect.eventstore.write.ConnectionCheck;
import io.kurrent.dbclient.KurrentDBConnectionString;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Connect sink that writes Debezium change events (and plain records) into EventStoreDB / KurrentDB
 * streams, one stream per row by default ({@code customers-42}), exactly once.
 */
public final class EventStoreSinkConnector extends SinkConnector {

    private static final Logger LOG = LoggerFactory.getLogger(EventStoreSinkConnector.class);

    private Map<String, String> props;

    @Override
    public String version() {
        return PluginVersion.of(getClass());
    }

    @Override
    public void start(Map<String, String> props) {
        EventStoreSinkConfig config = new EventStoreSinkConfig(props);
        this.props = Map.copyOf(props);
        LOG.info("EventStoreDB sink {} started: {}", props.get("name"), config.summary());
    }

    @Override
    public Class<? extends Task> taskClass() {
        return EventStoreSinkTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> configs = new ArrayList<>(maxTasks);
        for (int i = 0; i < maxTasks; i++) {
            Map<String, String> config = new HashMap<>(props);
            config.put(EventStoreSinkConfig.TASK_ID, Integer.toString(i));
            configs.add(config);
        }
        return configs;
    }

    @Override
    public void stop() {
        LOG.info("EventStoreDB sink stopped");
    }

    @Override
    public ConfigDef config() {
        return EventStoreSinkConfig.CONFIG_DEF;
    }

    /** Validates each key, then the rules that involve several keys, reported on the key to change. */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config config = super.validate(connectorConfigs);
        Map<String, ConfigValue> values = config.configValues().stream()
                .collect(Collectors.toMap(ConfigValue::name, Function.identity()));
        Function<String, Object> valid = name -> {
            ConfigValue value = values.get(name);
            return value == null || !value.errorMessages().isEmpty() ? null : value.value();
        };
        for (ConfigProblem problem : EventStoreSinkConfig.crossFieldProblems(valid)) {
            ConfigProblem.report(values, problem, EventStoreSinkConfig.CONNECTION_STRING);
        }
        ConfigValue connection = values.get(EventStoreSinkConfig.CONNECTION_STRING);
        ConfigValue check = values.get(EventStoreSinkConfig.VALIDATE_CONNECTION);
        if (connection != null && connection.errorMessages().isEmpty() && check != null
                && Boolean.TRUE.equals(check.value())) {
            try {
                var settings = KurrentDBConnectionString.parseOrThrow(connection.value().toString().trim());
                ConnectionCheck.diagnose(settings, EventStoreSinkTask.CONNECTION_CHECK_TIMEOUT).ifPresent(problem ->
                        connection.addErrorMessage("Cannot reach EventStoreDB (" + EventStoreSinkConfig.VALIDATE_CONNECTION
                                + "=true): " + problem));
            } catch (RuntimeException e) {
                connection.addErrorMessage("Cannot check the connection to EventStoreDB: " + e.getMessage());
            }
        }
        if (connection != null && connection.value() != null) {
            // The worker's answer echoes each value: a connection string that carries credentials must not.
            String text = connection.value().toString();
            connection.value(text.indexOf('@') >= 0 ? Redaction.HIDDEN : Redaction.maskUrl(text));
        }
        return config;
    }
}
