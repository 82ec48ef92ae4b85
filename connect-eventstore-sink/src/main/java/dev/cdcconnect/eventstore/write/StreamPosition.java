package dev.cdcconnect.eventstore.write;

import io.kurrent.dbclient.StreamState;

/** Readable forms of the client's expected stream states. */
final class StreamPosition {

    private StreamPosition() {
    }

    static String describe(StreamState state) {
        if (state == null) {
            return "unknown";
        }
        long raw = state.toRawLong();
        if (raw >= 0) {
            return "revision " + raw;
        }
        return switch ((int) raw) {
            case -1 -> "no stream";
            case -2 -> "any";
            case -4 -> "stream exists";
            default -> "state " + raw;
        };
    }
}
