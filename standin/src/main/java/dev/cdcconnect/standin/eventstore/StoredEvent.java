package dev.cdcconnect.standin.eventstore;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * An event as the stand-in stored it: what a reader of the stream gets back.
 *
 * <p>{@code metadata} is the user metadata exactly as appended through the v1 Append; for events appended through
 * the v2 multi-stream append it is the JSON object a v1 reader sees (the record properties plus {@code $schema.name}
 * and {@code $schema.format}). {@code position} is the event's commit (= prepare) position in {@code $all}.
 * The arrays are shared with the store: do not modify them.
 */
public record StoredEvent(
        String stream,
        long revision,
        UUID eventId,
        String eventType,
        String contentType,
        byte[] data,
        byte[] metadata,
        Instant created,
        long position) {

    /** The data as UTF-8 text (JSON events). */
    public String dataAsString() {
        return new String(data, StandardCharsets.UTF_8);
    }

    /** The user metadata as UTF-8 text. */
    public String metadataAsString() {
        return new String(metadata, StandardCharsets.UTF_8);
    }

    /** Whether the event was appended with content type {@code application/json}. */
    public boolean isJson() {
        return "application/json".equals(contentType);
    }

    @Override
    public String toString() {
        return "StoredEvent{" + stream + "@" + revision + ", id=" + eventId + ", type=" + eventType
                + ", position=" + position + ", data=" + dataAsString() + ", metadata=" + metadataAsString() + "}";
    }
}
