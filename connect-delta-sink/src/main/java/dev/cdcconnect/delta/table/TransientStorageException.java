package dev.cdcconnect.delta.table;

/** Storage failed for a reason that may pass (unreachable, timeout, throttled) and retries did not outlast it. */
public final class TransientStorageException extends RuntimeException {

    public TransientStorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
