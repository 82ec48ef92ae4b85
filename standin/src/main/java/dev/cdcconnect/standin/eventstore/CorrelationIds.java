package dev.cdcconnect.standin.eventstore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** Reads {@code $correlationId} from an event's user metadata as the server's projections do. */
final class CorrelationIds {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CorrelationIds() {
    }

    /** The metadata's {@code $correlationId} string, or null if the metadata is not a JSON object carrying one. */
    static String of(StoredEvent event) {
        if (event.metadata().length == 0) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(event.metadata());
            var id = node == null ? null : node.get("$correlationId");
            return id != null && id.isTextual() ? id.asText() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
