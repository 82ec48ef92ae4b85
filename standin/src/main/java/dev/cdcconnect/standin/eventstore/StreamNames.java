package dev.cdcconnect.standin.eventstore;

/** The server's stream-id rules ({@code SystemStreams.IsInvalidStream}). */
final class StreamNames {
    private StreamNames() {
    }

    /** Empty and {@code $$} (the metadata stream of the empty name) are refused. */
    static boolean isInvalid(String stream) {
        return stream == null || stream.isEmpty() || stream.equals("$$");
    }
}
