package dev.cdcconnect.eventstore.event;

/** What a Kafka tombstone (a record with a null value, sent by Debezium after a delete) does. */
public enum TombstoneHandling {
    /** Nothing: the delete event before it already says the row is gone. */
    IGNORE("ignore"),
    /** Appends a marker event (type {@code Tombstoned} by default) whose data is the record key. */
    MARKER("marker"),
    /** Soft-deletes the stream: its events are hidden and it can be written again later. */
    DELETE("delete"),
    /** Hard-deletes (tombstones) the stream: it can never be written again. */
    TOMBSTONE("tombstone");

    private final String configName;

    TombstoneHandling(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }
}
