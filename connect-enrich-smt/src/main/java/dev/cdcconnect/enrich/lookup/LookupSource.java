package dev.cdcconnect.enrich.lookup;

import java.time.Duration;

/**
 * Where a lookup finds rows by key: a table fed by a Kafka topic, or a database query.
 *
 * <p>Failures are told apart by type: {@link org.apache.kafka.connect.errors.RetriableException} when the
 * source cannot answer now (unreachable, still loading), {@link KeyTypeMismatchException} when the key's type
 * can never match, {@link org.apache.kafka.connect.errors.ConnectException} for anything a retry cannot fix.
 */
public interface LookupSource extends AutoCloseable {

    /** The row for a normalised key (see {@link LookupKeys}), or null when the source has none. */
    Row find(Object key);

    /**
     * After a miss, waits at most {@code timeout} for the row to arrive (a topic table catches up with its
     * topic as of now; a database is queried again with backoff); returns it, or null when it is still
     * missing.
     */
    Row await(Object key, Duration timeout);

    /**
     * The columns rows have now, or null while unknown (a topic table that has seen no row). Records with a
     * schema get their lookup fields from this layout.
     */
    RowLayout layout();

    /** Stops background work and releases connections. */
    @Override
    void close();
}
