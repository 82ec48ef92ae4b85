package dev.cdcconnect.delta.table;

/** A commit that another writer's commit got in the way of; nothing of it is in the table. */
public final class CommitConflictException extends RuntimeException {

    public CommitConflictException(String message) {
        super(message);
    }

    public CommitConflictException(String message, Throwable cause) {
        super(message, cause);
    }
}
