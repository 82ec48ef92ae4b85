package dev.cdcconnect.eventstore.write;

/** How appends guard against writing a record twice. */
public enum DeliveryGuarantee {
    /**
     * Before its first write a stream's last events are read to learn its revision and the Kafka position of
     * the last record it holds; records at or before that position are skipped and appends carry the exact
     * expected revision. Needs each stream to be fed from one topic-partition at a time (the default stream
     * name per row key does that).
     */
    EXACTLY_ONCE("exactly-once"),
    /**
     * Appends with expected state {@code any}. Records redelivered after a failure are written again unless
     * EventStoreDB still remembers their event ids (a cache that a restart empties). For streams fed from
     * several partitions or producers.
     */
    AT_LEAST_ONCE("at-least-once");

    private final String configName;

    DeliveryGuarantee(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }
}
