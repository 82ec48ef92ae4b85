package dev.cdcconnect.it.avro;

import dev.cdcconnect.testkit.registry.SchemaRegistryServer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The key and value converter settings of a connector that reads or writes Avro through a schema registry with
 * Apicurio's converter (loaded from its plugin.path folder), as a user puts them in a connector's configuration.
 */
final class AvroConverters {

    static final String AVRO_CONVERTER = "io.apicurio.registry.utils.converter.AvroConverter";

    private AvroConverters() {
    }

    /**
     * Avro keys and values; schemas registered on first use under the topic-name subjects ({@code <topic>-key},
     * {@code <topic>-value}); records framed as Confluent's converters frame them (a zero byte and the schema's
     * 4-byte id), so Confluent's deserializers and console tools read the topics too.
     */
    static Map<String, String> avro(SchemaRegistryServer registry) {
        Map<String, String> config = new LinkedHashMap<>();
        for (String side : new String[] {"key", "value"}) {
            String prefix = side + ".converter";
            config.put(prefix, AVRO_CONVERTER);
            config.put(prefix + ".apicurio.registry.url", registry.apicurioApiUrl());
            config.put(prefix + ".apicurio.registry.auto-register", "true");
            config.put(prefix + ".apicurio.registry.find-latest", "true");
            // Confluent's framing; apicurio.registry.as-confluent alone does not switch from the default 8-byte id
            config.put(prefix + ".apicurio.registry.id-handler", "io.apicurio.registry.serde.Legacy4ByteIdHandler");
            config.put(prefix + ".apicurio.registry.use-id", "contentId");
            config.put(prefix + ".apicurio.registry.headers.enabled", "false");
        }
        return config;
    }

    /** The worker's default made explicit: JSON with schemas, keys and values. */
    static Map<String, String> json() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
        config.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        return config;
    }

    /** The configuration with the converter settings put over it. */
    static Map<String, String> with(Map<String, String> connector, Map<String, String> converters) {
        Map<String, String> config = new LinkedHashMap<>(connector);
        config.putAll(converters);
        return config;
    }
}
