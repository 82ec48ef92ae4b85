package dev.cdcconnect.delta;

import dev.cdcconnect.delta.table.Storage;
import dev.cdcconnect.support.config.ConfigProblem;
import dev.cdcconnect.support.sink.ConfiguredSinkConnector;
import java.util.Map;

/**
 * Writes Debezium change events into Delta Lake tables as a change log (one row per change), on a local path or
 * S3-compatible storage, without Spark: each commit carries the Kafka offsets of its rows, so every change is
 * in its table exactly once.
 */
public final class DeltaSinkConnector extends ConfiguredSinkConnector<DeltaSinkConfig> {

    public DeltaSinkConnector() {
        super(DeltaSinkConfig.CONFIG_DEF, DeltaSinkTask.class, DeltaSinkConnector::parse);
    }

    /** The configuration, refused (at start and by validate) when its tasks could overwrite each other's commits. */
    private static DeltaSinkConfig parse(Map<String, String> props) {
        DeltaSinkConfig config = new DeltaSinkConfig(props);
        Storage.multiWriterProblem(config, maxTasks(props)).ifPresent(problem -> {
            throw ConfigProblem.withMessage(DeltaSinkConfig.TABLE_ROOT, problem);
        });
        return config;
    }

    private static int maxTasks(Map<String, String> props) {
        try {
            return Integer.parseInt(props.getOrDefault("tasks.max", "1").trim());
        } catch (NumberFormatException e) {
            return 1; // the worker reports a bad tasks.max itself
        }
    }
}
