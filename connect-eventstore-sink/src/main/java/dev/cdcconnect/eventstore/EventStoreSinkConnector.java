package dev.cdcconnect.eventstore;

import dev.cdcconnect.eventstore.write.ConnectionCheck;
import dev.cdcconnect.eventstore.write.ServerProbe;
import dev.cdcconnect.support.Redaction;
import dev.cdcconnect.support.config.ConfigProblem;
import dev.cdcconnect.support.sink.ConfiguredSinkConnector;
import io.kurrent.dbclient.KurrentDBConnectionString;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Connect sink that writes Debezium change events (and plain records) into EventStoreDB / KurrentDB
 * streams, one stream per row by default ({@code customers-42}), exactly once.
 */
public final class EventStoreSinkConnector extends ConfiguredSinkConnector<EventStoreSinkConfig> {

    private static final Logger LOG = LoggerFactory.getLogger(EventStoreSinkConnector.class);

    public EventStoreSinkConnector() {
        super(EventStoreSinkConfig.CONFIG_DEF, EventStoreSinkTask.class, EventStoreSinkConfig::new);
    }

    private ServerProbe probe;

    /** Logs the configuration, then asks the server for its version without waiting (see {@link ServerProbe}). */
    @Override
    protected void started(EventStoreSinkConfig config) {
        Object name = config.originals().get("name");
        LOG.info("EventStoreDB sink {} started: {}", name, config.summary());
        probe = ServerProbe.start(String.valueOf(name), config.clientSettings(), config.deadline());
    }

    @Override
    public void stop() {
        if (probe != null) {
            probe.close();
            probe = null;
        }
        LOG.info("EventStoreDB sink stopped");
    }

    @Override
    protected List<ConfigProblem> crossKeyProblems(Function<String, Object> validValues) {
        return EventStoreSinkConfig.crossFieldProblems(validValues);
    }

    /** With eventstore.validate.connection, whether the nodes can be reached, reported on the connection string. */
    @Override
    protected void check(EventStoreSinkConfig config) {
        if (!config.validateConnection()) {
            return;
        }
        String problem;
        try {
            var settings = KurrentDBConnectionString.parseOrThrow(config.connectionString());
            problem = ConnectionCheck.diagnose(settings, EventStoreSinkTask.CONNECTION_CHECK_TIMEOUT)
                    .map(p -> "Cannot reach EventStoreDB (" + EventStoreSinkConfig.VALIDATE_CONNECTION + "=true): " + p)
                    .orElse(null);
        } catch (RuntimeException e) {
            problem = "Cannot check the connection to EventStoreDB: " + e.getMessage();
        }
        if (problem != null) {
            throw ConfigProblem.withMessage(EventStoreSinkConfig.CONNECTION_STRING, problem);
        }
    }

    /** Validates as every sink does; the answer echoes the connection string without credentials. */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config config = super.validate(connectorConfigs);
        for (ConfigValue connection : config.configValues()) {
            if (connection.name().equals(EventStoreSinkConfig.CONNECTION_STRING) && connection.value() != null) {
                String text = connection.value().toString();
                connection.value(text.indexOf('@') >= 0 ? Redaction.HIDDEN : Redaction.maskUrl(text));
            }
        }
        return config;
    }
}
