package dev.cdcconnect.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.cdcconnect.cassandra.session.Sessions;
import dev.cdcconnect.support.DeadLetterQueue;
import dev.cdcconnect.support.PluginVersion;
import dev.cdcconnect.support.config.ConfigProblem;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * Writes Debezium change events (and flattened or enriched rows) to Apache Cassandra tables: upserts and
 * deletes by key, each with a write timestamp from the source commit position, so that replays and
 * out-of-order delivery never let an older change win.
 */
public final class CassandraSinkConnector extends SinkConnector {

    private static final Set<String> CONNECTION_KEYS = Set.of(CassandraSinkConfig.CONTACT_POINTS,
            CassandraSinkConfig.PORT, CassandraSinkConfig.LOCAL_DATACENTER, CassandraSinkConfig.USERNAME,
            CassandraSinkConfig.PASSWORD, CassandraSinkConfig.SSL_ENABLED, CassandraSinkConfig.SSL_TRUSTSTORE_PATH,
            CassandraSinkConfig.SSL_TRUSTSTORE_PASSWORD, CassandraSinkConfig.SSL_TRUSTSTORE_TYPE);

    private Map<String, String> props;

    @Override
    public String version() {
        return PluginVersion.of(getClass());
    }

    @Override
    public void start(Map<String, String> props) {
        new CassandraSinkConfig(props);
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return CassandraSinkTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> configs = new ArrayList<>();
        for (int i = 0; i < maxTasks; i++) {
            Map<String, String> config = new HashMap<>(props);
            // The task's index names its worker metrics, where it learns whether the dead letter queue took a record.
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
        return CassandraSinkConfig.CONFIG_DEF;
    }

    /**
     * Besides each key's own checks: the checks across keys, and, when the connection settings are valid, a
     * session opened with them, so wrong credentials, trust store or data center show on their key.
     */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config config = super.validate(connectorConfigs);
        Map<String, ConfigValue> byName = new HashMap<>();
        config.configValues().forEach(v -> byName.put(v.name(), v));
        boolean clean = config.configValues().stream().allMatch(v -> v.errorMessages().isEmpty());
        if (!clean) {
            return config;
        }
        CassandraSinkConfig parsed;
        try {
            parsed = new CassandraSinkConfig(connectorConfigs);
        } catch (ConfigException e) {
            ConfigProblem.report(byName, e, CassandraSinkConfig.CONTACT_POINTS);
            return config;
        }
        if (CONNECTION_KEYS.stream().allMatch(k -> byName.get(k) == null || byName.get(k).errorMessages().isEmpty())) {
            try (CqlSession ignored = Sessions.open(parsed)) {
                // The session opened: the connection settings work.
            } catch (ConfigException e) {
                ConfigProblem.report(byName, e, CassandraSinkConfig.CONTACT_POINTS);
            }
        }
        return config;
    }
}
