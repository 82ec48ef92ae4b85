package dev.cdcconnect.cassandra.write;

import dev.cdcconnect.cassandra.mapping.Change;

/** A change that cannot be written, whatever the retries: its record goes to the dead letter queue or fails the task. */
public record RecordFailure(Change change, String reason, Throwable cause) {
}
