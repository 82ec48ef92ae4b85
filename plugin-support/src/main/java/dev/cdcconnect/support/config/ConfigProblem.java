package dev.cdcconnect.support.config;

import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;

/**
 * A configuration problem that knows the key to report it on, so {@code /config/validate} shows it there without
 * reading the key back out of the message. Its message is Kafka's: {@code Invalid value V for configuration KEY: ...}.
 */
public class ConfigProblem extends ConfigException {

    private final String key;

    /** A bad value of {@code key}; pass {@link dev.cdcconnect.support.Redaction#HIDDEN} for a secret. */
    public ConfigProblem(String key, Object value, String reason) {
        super(key, value, reason);
        this.key = key;
    }

    /** A problem on {@code key} whose message is given whole. */
    public static ConfigProblem withMessage(String key, String message) {
        return new ConfigProblem(key, message);
    }

    private ConfigProblem(String key, String message) {
        super(message);
        this.key = key;
    }

    /** The key to report this problem on. */
    public String key() {
        return key;
    }

    /** The key a problem names, when it is a {@link ConfigProblem}. */
    public static Optional<String> keyOf(ConfigException problem) {
        return problem instanceof ConfigProblem keyed ? Optional.of(keyed.key) : Optional.empty();
    }

    /**
     * Adds a problem to the answer of {@code /config/validate}, by key: on its key, or on {@code otherwise} when it
     * names none (a library's {@link ConfigException}).
     */
    public static void report(Map<String, ConfigValue> values, ConfigException problem, String otherwise) {
        String key = keyOf(problem).orElse(otherwise);
        values.computeIfAbsent(key, ConfigValue::new).addErrorMessage(problem.getMessage());
    }
}
