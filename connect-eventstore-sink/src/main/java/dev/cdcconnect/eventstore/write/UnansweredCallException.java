package dev.cdcconnect.eventstore.write;

import java.time.Duration;

/**
 * An EventStoreDB call whose future the client did not complete long after the call's deadline. Every call carries
 * that deadline, so the client has lost the call (it can, for instance, when the server ends a call without a
 * reply, or while it reconnects after a server restart). The outcome is unknown: the client is replaced and the
 * records are retried, under the same rules as after any failure whose outcome is unknown (exact expected
 * revisions and deterministic event ids), so nothing is written twice or lost.
 */
final class UnansweredCallException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    UnansweredCallException(String call, Duration waited) {
        super(call + " got no answer within " + waited.toMillis() + " ms");
    }
}
