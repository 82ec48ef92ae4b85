package dev.cdcconnect.support.config;

import java.io.File;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * The validators of the plugins' configurations. Each says what it accepts in {@code toString()}, which the
 * configuration reference and {@code /config/validate} show as the valid values, and each rejects a value with a
 * {@link ConfigProblem} naming the key, the value and what would be valid.
 */
public final class Validators {

    private Validators() {
    }

    /**
     * A string value that {@code parser} reads (the value null when the key has no default and none is given); an
     * {@link IllegalArgumentException} of the parser is the reason the value is rejected.
     */
    public static ConfigDef.Validator parsing(String accepts, Function<String, ?> parser) {
        return new Described(accepts, (name, value) -> parser.apply(value == null ? null : value.toString()));
    }

    /** A list value (Type.LIST) that {@code parser} reads, as {@link #parsing}. */
    @SuppressWarnings("unchecked")
    public static ConfigDef.Validator list(String accepts, Function<List<String>, ?> parser) {
        return new Described(accepts, (name, value) -> parser.apply(value == null ? List.of() : (List<String>) value));
    }

    /**
     * A value checked by {@code check}, which throws an {@link IllegalArgumentException} saying why a value is
     * wrong (or a {@link ConfigException}).
     */
    public static ConfigDef.Validator of(String accepts, BiConsumer<String, Object> check) {
        return new Described(accepts, check);
    }

    /** Empty, or the path of a file the worker can read. */
    public static ConfigDef.Validator readableFile(String accepts) {
        return new Described(accepts, (name, value) -> {
            String path = value == null ? "" : value.toString().trim();
            if (!path.isEmpty() && !(new File(path).isFile() && new File(path).canRead())) {
                throw new IllegalArgumentException("must be a readable file on the worker");
            }
        });
    }

    /**
     * {@code host:port} entries of a list value (a port may be left out unless {@code portRequired}); an empty
     * list passes unless {@code required}.
     */
    public static ConfigDef.Validator hostPorts(boolean portRequired, boolean required) {
        String accepts = portRequired ? "host:port,..." : "host[:port][,host[:port]...]";
        return new Described(accepts, (name, value) -> {
            List<?> entries = value instanceof List<?> list ? list : List.of();
            if (required && entries.isEmpty()) {
                throw new IllegalArgumentException("at least one host is needed");
            }
            for (Object entry : entries) {
                String text = String.valueOf(entry).trim();
                int colon = text.lastIndexOf(':');
                if ((colon < 0 ? text : text.substring(0, colon)).isEmpty()) {
                    throw new IllegalArgumentException("'" + entry + "' has no host");
                }
                if (colon < 0 ? portRequired : !isPort(text.substring(colon + 1))) {
                    throw new IllegalArgumentException("'" + entry + "' has no valid port (1-65535)");
                }
            }
        });
    }

    private static boolean isPort(String text) {
        if (!text.matches("\\d{1,5}")) {
            return false;
        }
        int port = Integer.parseInt(text);
        return port >= 1 && port <= 65535;
    }

    /** One of a few words, in any case. */
    public static OneOf oneOf(String... allowed) {
        return new OneOf(List.of(allowed));
    }

    /** One of the names {@code name} gives the constants of an enum, in any case. */
    @SafeVarargs
    public static <E extends Enum<E>> OneOf oneOf(Function<E, String> name, E... values) {
        return new OneOf(Arrays.stream(values).map(name).toList());
    }

    /** One of an enum's constant names in lower case, in any case. */
    @SafeVarargs
    public static <E extends Enum<E>> OneOf oneOf(E... values) {
        return oneOf(e -> e.name().toLowerCase(Locale.ROOT), values);
    }

    /** One of a few words, in any case; also recommends them to UIs. */
    public record OneOf(List<String> allowed) implements ConfigDef.Validator, ConfigDef.Recommender {

        public OneOf {
            allowed = List.copyOf(allowed);
        }

        @Override
        public void ensureValid(String name, Object value) {
            if (value == null || allowed.stream().noneMatch(a -> a.equalsIgnoreCase(value.toString().trim()))) {
                throw new ConfigProblem(name, value, "must be " + this);
            }
        }

        @Override
        public List<Object> validValues(String name, Map<String, Object> parsedConfig) {
            return List.copyOf(allowed);
        }

        @Override
        public boolean visible(String name, Map<String, Object> parsedConfig) {
            return true;
        }

        @Override
        public String toString() {
            return "one of: " + String.join(", ", allowed);
        }
    }

    /** A check and what it accepts, which every message it gives names. */
    private record Described(String accepts, BiConsumer<String, Object> check) implements ConfigDef.Validator {

        @Override
        public void ensureValid(String name, Object value) {
            try {
                check.accept(name, value);
            } catch (ConfigException e) {
                throw ConfigProblem.withMessage(name, e.getMessage() + " (valid: " + accepts + ")");
            } catch (IllegalArgumentException e) {
                throw new ConfigProblem(name, value, e.getMessage() + " (valid: " + accepts + ")");
            }
        }

        @Override
        public String toString() {
            return accepts;
        }
    }
}
