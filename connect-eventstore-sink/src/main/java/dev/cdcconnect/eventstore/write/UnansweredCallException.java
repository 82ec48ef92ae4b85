package dev.cdcconnect.eventstore.write;

import java.time.Duration;

/**
 * An EventStoreDB call whose future the client never completed within twice its deadline. Seen when the server
 * restarts while calls are in flight: the client can lose them while it reconnects. The call's outcome is
 * unknown, so the client is replaced and the records are retried; the exact expected revision of exactly-once
 * appends makes a retry of an append that did land a no-op.
 */
final class UnansweredCallException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    UnansweredCallException(String call, Duration waited) {
        super(call + " got no answer within " + waited.toMillis() + " ms");
    }
}
