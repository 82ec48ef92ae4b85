package dev.cdcconnect.support.sink;

import dev.cdcconnect.support.DeadLetterQueue;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;

/** What every sink's configuration has: the {@code retry.*} settings of its writes and the task's index. */
public abstract class SinkConfig extends AbstractConfig {

    public static final String RETRY_MAX_ATTEMPTS = "retry.max.attempts";

    public static final String RETRY_BACKOFF_MS = "retry.backoff.ms";
    private static final String RETRY_BACKOFF_MS_DOC = "Wait before the first retry; doubled for each next one, "
            + "up to retry.backoff.max.ms. Each wait is between half and all of its step, so that tasks that failed "
            + "together do not retry together.";

    public static final String RETRY_BACKOFF_MAX_MS = "retry.backoff.max.ms";
    private static final String RETRY_BACKOFF_MAX_MS_DOC = "Longest wait between retries.";

    public static final String RETRY_TIMEOUT_MS = "retry.timeout.ms";

    /** Set by the connector on each task's configuration: its index, naming its metrics. */
    public static final String TASK_ID = DeadLetterQueue.TASK_ID;

    protected SinkConfig(ConfigDef definition, Map<?, ?> originals) {
        super(definition, originals);
    }

    /**
     * Defines the retry keys in {@code group}, as orders 1 to 3.
     *
     * @param maxAttemptsDoc what {@code retry.max.attempts} retries, in this sink's words
     * @return the last order used
     */
    protected static int defineRetries(ConfigDef def, String group, String maxAttemptsDoc) {
        int order = 0;
        def.define(RETRY_MAX_ATTEMPTS, Type.INT, 5, ConfigDef.Range.between(0, 1000), Importance.LOW,
                maxAttemptsDoc, group, ++order, Width.SHORT, "Retries");
        def.define(RETRY_BACKOFF_MS, Type.LONG, 200L, ConfigDef.Range.between(1L, 600_000L), Importance.LOW,
                RETRY_BACKOFF_MS_DOC, group, ++order, Width.SHORT, "Retry backoff (ms)");
        def.define(RETRY_BACKOFF_MAX_MS, Type.LONG, 5_000L, ConfigDef.Range.between(1L, 3_600_000L),
                Importance.LOW, RETRY_BACKOFF_MAX_MS_DOC, group, ++order, Width.SHORT, "Max retry backoff (ms)");
        return order;
    }

    /**
     * Defines {@code retry.timeout.ms} in {@code group} at {@code order}: how long the target may fail, with no
     * write succeeding, before the task fails (default 5 minutes).
     *
     * @param doc what the sink does meanwhile and then, in its words
     */
    protected static void defineRetryTimeout(ConfigDef def, String group, int order, String doc) {
        def.define(RETRY_TIMEOUT_MS, Type.LONG, 300_000L, ConfigDef.Range.between(1_000L, 7L * 24 * 3600 * 1000),
                Importance.MEDIUM, doc, group, order, Width.SHORT, "Retry timeout (ms)");
    }

    /** How long the target may fail, with no write succeeding, before the task fails (sinks that define it). */
    public Duration retryTimeout() {
        return Duration.ofMillis(getLong(RETRY_TIMEOUT_MS));
    }

    public int retryMaxAttempts() {
        return getInt(RETRY_MAX_ATTEMPTS);
    }

    public Duration retryBackoff() {
        return Duration.ofMillis(getLong(RETRY_BACKOFF_MS));
    }

    /** The longest wait between retries: never shorter than the first. */
    public Duration retryBackoffMax() {
        return Duration.ofMillis(Math.max(getLong(RETRY_BACKOFF_MAX_MS), getLong(RETRY_BACKOFF_MS)));
    }
}
