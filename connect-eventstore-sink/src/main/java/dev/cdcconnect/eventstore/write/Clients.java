package dev.cdcconnect.eventstore.write;

import io.kurrent.dbclient.KurrentDBClient;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The EventStoreDB client in use, replaced by a new one when it shuts itself down (the client gives up for good
 * after failing to discover the server {@code maxDiscoverAttempts} times) or leaves a call unanswered.
 */
final class Clients implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Clients.class);

    private final Supplier<KurrentDBClient> factory;
    private final WriterMetrics metrics;
    private KurrentDBClient current;
    private boolean closed;

    Clients(Supplier<KurrentDBClient> factory, WriterMetrics metrics) {
        this.factory = factory;
        this.metrics = metrics;
    }

    synchronized KurrentDBClient get() {
        if (current == null && !closed) {
            current = factory.get();
        }
        return current;
    }

    /**
     * Replaces the client if {@code failed} is still the one in use (several calls see the same failure);
     * {@code why} completes the log line.
     */
    synchronized void replace(KurrentDBClient failed, String why) {
        if (closed || current != failed) {
            return;
        }
        LOG.info("EventStoreDB client {}; creating a new one", why);
        current = null;
        metrics.clientRecreations.increment();
        shutdownQuietly(failed);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (current != null) {
            shutdownQuietly(current);
            current = null;
        }
    }

    private static void shutdownQuietly(KurrentDBClient client) {
        try {
            client.shutdown();
        } catch (RuntimeException e) {
            LOG.debug("EventStoreDB client shutdown failed: {}", e.toString());
        }
    }
}
