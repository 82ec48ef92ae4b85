package dev.cdcconnect.cassandra.write;

/** Writes still failed for a transient reason after every retry; the records are to be delivered again. */
public final class TransientWriteException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public TransientWriteException(String message, Throwable cause) {
        super(message, cause);
    }
}
