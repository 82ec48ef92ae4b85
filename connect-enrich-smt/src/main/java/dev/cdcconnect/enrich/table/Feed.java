package dev.cdcconnect.enrich.table;

import java.time.Duration;

/**
 * What applies a topic's records to a {@link TopicTable} and serves {@link CatchUp} requests: in a worker, a
 * {@link TableFollower} with its own consumer.
 */
interface Feed {

    void start();

    /** New catch-up requests are waiting: serve them now rather than after the current poll. */
    void wakeup();

    /** Why the feed stopped, or null while it runs. */
    Throwable failure();

    /** The latest error the feed is retrying past, or null. */
    String lastError();

    /** Offsets between the table and the end offsets fetched last. */
    long lag();

    void stop(Duration timeout);
}
