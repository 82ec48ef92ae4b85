package dev.cdcconnect.enrich.table;

/**
 * What a topic-fed lookup table reports over JMX, under
 * {@code dev.cdcconnect.enrich:type=lookup-table,lookup=<name>,topic=<topic>,id=<n>}.
 */
public interface TableMXBean {

    String getTopic();

    /** Rows held now. */
    long getRows();

    /** Estimated heap of the rows, keys and map entries, in bytes. */
    long getEstimatedBytes();

    /** The bound on {@link #getEstimatedBytes()} ({@code lookup.<name>.table.max.bytes}). */
    long getMaxBytes();

    /** Whether the table has read its topic up to the end offsets it had at start. */
    boolean isLoaded();

    /** Records read from the topic so far. */
    long getRecordsApplied();

    /** Offsets between the table and the end offsets fetched last. */
    long getLag();

    /**
     * Records of the topic skipped because the converters or the table could not read them
     * ({@code lookup.<name>.topic.unreadable=skip}).
     */
    long getUnreadableRecords();

    /** The latest of those: topic, partition, offset and why; empty when none. */
    String getLastUnreadableRecord();

    /** How many transforms (tasks) share this table. */
    int getUsers();
}
