package dev.cdcconnect.eventstore.event;

/** What an event's data holds. */
public enum DataFormat {
    /**
     * The row as the change left it ({@code after}), or for a delete the row it removed ({@code before}); the
     * {@code message} block for logical decoding messages; {@code {}} for truncates; a plain record's value.
     */
    ROW("row"),
    /** The whole record value: the Debezium envelope, a flattened row, or a plain record's value. */
    ENVELOPE("envelope"),
    /** {@code {"before": ..., "after": ...}}. */
    BEFORE_AFTER("before-after");

    private final String configName;

    DataFormat(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }
}
