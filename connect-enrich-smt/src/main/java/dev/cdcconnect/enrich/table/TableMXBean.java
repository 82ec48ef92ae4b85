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

    /** How many transforms (tasks) share this table. */
    int getUsers();
}
