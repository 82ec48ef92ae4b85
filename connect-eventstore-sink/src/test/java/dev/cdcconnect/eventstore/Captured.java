package dev.cdcconnect.eventstore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Records captured from real Debezium 3.5 connectors on the embedded Connect cluster (one JSON line per record:
 * offset, key and value payloads as JsonConverter wrote them), read as the sink receives them from JsonConverter
 * with {@code schemas.enable=false}: maps.
 */
final class Captured {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Captured() {
    }

    /** The records of {@code captured/<topic>.jsonl}, in offset order, on partition 0 of the topic. */
    static List<SinkRecord> records(String topic) {
        String resource = "/captured/" + topic + ".jsonl";
        try (InputStream in = Captured.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no resource " + resource);
            }
            List<SinkRecord> records = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = JSON.readTree(line);
                records.add(new SinkRecord(topic, 0, null, value(node.get("key")), null, value(node.get("value")),
                        node.get("offset").asLong()));
            }
            return records;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Object value(JsonNode node) {
        return node == null || node.isNull() ? null : JSON.convertValue(node, Map.class);
    }
}
