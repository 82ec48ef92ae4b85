package dev.cdcconnect.enrich.table;

import org.apache.kafka.connect.errors.ConnectException;

/** A table can no longer be trusted (over its memory bound, keys it cannot hold, unreadable records): lookups fail. */
public final class TableException extends ConnectException {

    private static final long serialVersionUID = 1L;

    public TableException(String message) {
        super(message);
    }

    public TableException(String message, Throwable cause) {
        super(message, cause);
    }
}
