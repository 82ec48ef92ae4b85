package dev.cdcconnect.enrich;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigValue;

/**
 * Checks every Enrich transform of a connector configuration, per-lookup keys included, before the configuration
 * is submitted: what a worker's {@code /config/validate} cannot do, since Connect validates a transform by the keys
 * it declares before it knows the lookup names. Run it with the plugin folder and the worker's libraries on the
 * class path, on the JSON body of {@code PUT /connectors/<name>/config} (or of {@code POST /connectors}) or on a
 * properties file; it prints one line per error under its full connector key and exits with 1 when there are
 * errors, 0 when there are none, 2 when the input cannot be read.
 */
public final class EnrichPreflight {

    private static final String TRANSFORMS = "transforms";
    private static final String TYPE_PREFIX = Enrich.class.getName() + "$";
    /** Keys Connect itself reads in a transform's block, not the transform. */
    private static final List<String> CONNECT_KEYS = List.of("type", "predicate", "negate", "version");

    private EnrichPreflight() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err));
    }

    static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        if (args.length != 1) {
            err.println("usage: java -cp '<enrich plugin folder>/*:<kafka libs>/*' " + EnrichPreflight.class.getName()
                    + " <connector config: .json (as PUT /connectors/<name>/config or POST /connectors takes)"
                    + " or .properties; - for standard input>");
            return 2;
        }
        Map<String, String> config;
        try {
            String text = args[0].equals("-") ? new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(args[0]));
            config = parse(text);
        } catch (IOException | RuntimeException e) {
            err.println("cannot read the connector configuration " + args[0] + ": " + e.getMessage());
            return 2;
        }
        List<String> aliases = enrichAliases(config);
        if (aliases.isEmpty()) {
            out.println("no Enrich transform in this configuration (" + TRANSFORMS + "=" + config.getOrDefault(TRANSFORMS, "")
                    + ")");
            return 0;
        }
        Map<String, List<String>> errors = check(config);
        errors.forEach((key, messages) -> messages.forEach(m -> out.println(key + ": " + m)));
        int count = errors.values().stream().mapToInt(List::size).sum();
        out.println(count == 0 ? "Enrich transforms " + aliases + ": no errors"
                : count + (count == 1 ? " error" : " errors") + " in the Enrich transforms " + aliases);
        return count == 0 ? 0 : 1;
    }

    /** The errors of every Enrich transform in a connector configuration, by full connector key, in key order. */
    public static Map<String, List<String>> check(Map<String, String> connectorConfig) {
        Map<String, List<String>> errors = new LinkedHashMap<>();
        for (String alias : enrichAliases(connectorConfig)) {
            String prefix = TRANSFORMS + "." + alias + ".";
            Map<String, String> props = new LinkedHashMap<>();
            connectorConfig.forEach((k, v) -> {
                if (k.startsWith(prefix) && !CONNECT_KEYS.contains(k.substring(prefix.length()))) {
                    props.put(k.substring(prefix.length()), v);
                }
            });
            for (ConfigValue value : EnrichConfig.validate(props).values()) {
                if (!value.errorMessages().isEmpty()) {
                    errors.computeIfAbsent(prefix + value.name(), k -> new ArrayList<>()).addAll(value.errorMessages());
                }
            }
        }
        return errors;
    }

    private static List<String> enrichAliases(Map<String, String> config) {
        List<String> aliases = new ArrayList<>();
        for (String alias : config.getOrDefault(TRANSFORMS, "").split(",")) {
            String type = config.get(TRANSFORMS + "." + alias.trim() + ".type");
            if (!alias.isBlank() && type != null && type.trim().startsWith(TYPE_PREFIX)) {
                aliases.add(alias.trim());
            }
        }
        return aliases;
    }

    /** A connector configuration: JSON, flat or under "config", or properties. */
    static Map<String, String> parse(String text) throws IOException {
        Map<String, String> config = new LinkedHashMap<>();
        if (text.strip().startsWith("{")) {
            JsonNode root = new ObjectMapper().readTree(text);
            JsonNode body = root.has("config") && root.get("config").isObject() ? root.get("config") : root;
            // fieldNames(): Jackson of Kafka 3.6 workers too
            body.fieldNames().forEachRemaining(name -> {
                JsonNode value = body.get(name);
                config.put(name, value.isValueNode() ? value.asText() : value.toString());
            });
            return config;
        }
        Properties props = new Properties();
        props.load(new StringReader(text));
        props.stringPropertyNames().forEach(k -> config.put(k, props.getProperty(k)));
        return config;
    }
}
