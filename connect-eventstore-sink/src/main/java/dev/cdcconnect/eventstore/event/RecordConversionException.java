package dev.cdcconnect.eventstore.event;

import org.apache.kafka.connect.errors.DataException;

/**
 * A record that can never become an event as the connector is configured (no key where the stream name needs
 * one, a value that is not JSON-convertible, an event over the size limit). Retrying cannot help: the record
 * goes to the dead letter queue, or fails the task when there is none.
 */
public class RecordConversionException extends DataException {

    public RecordConversionException(String message) {
        super(message);
    }

    public RecordConversionException(String message, Throwable cause) {
        super(message, cause);
    }
}
