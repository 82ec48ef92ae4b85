package dev.cdcconnect.eventstore.write;

import io.kurrent.dbclient.KurrentDBClient;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The EventStoreDB client in use, replaced by a new one when it shuts itself down (the client gives up for good
 * after failing to discover the server {@code maxDiscoverAttempts} times) or leaves a call unanswered.
 *
 * <p>Before a replacement is created, the connection check is asked whether the server can be reached at all (at
 * most once per {@code checkInterval}): while it cannot (port closed, TLS mismatch), calls fail at once with
 * {@link ServerUnreachableException} instead of creating client after client, each of which logs a stack trace per
 * discovery attempt (thousands of lines a minute).
 */
final class Clients implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Clients.class);

    private final Supplier<KurrentDBClient> factory;
    private final WriterMetrics metrics;
    private final Supplier<Optional<String>> check;
    private final Duration checkInterval;
    private KurrentDBClient current;
    private boolean closed;
    /** A client was replaced: check the connection before creating the next one. */
    private boolean replaced;
    private long lastCheck = -1;
    private String lastProblem;

    Clients(Supplier<KurrentDBClient> factory, WriterMetrics metrics) {
        this(factory, metrics, Optional::empty, Duration.ZERO);
    }

    Clients(Supplier<KurrentDBClient> factory, WriterMetrics metrics, Supplier<Optional<String>> check,
            Duration checkInterval) {
        this.factory = factory;
        this.metrics = metrics;
        this.check = check;
        this.checkInterval = checkInterval;
    }

    /**
     * The client, created if needed; null once closed.
     *
     * @throws ServerUnreachableException when a client was replaced and the server still cannot be reached
     */
    synchronized KurrentDBClient get() {
        if (current == null && !closed) {
            if (replaced) {
                long now = System.nanoTime();
                if (lastCheck < 0 || now - lastCheck >= checkInterval.toNanos()) {
                    lastCheck = now;
                    lastProblem = check.get().orElse(null);
                }
                if (lastProblem != null) {
                    throw new ServerUnreachableException(lastProblem);
                }
            }
            current = factory.get();
            replaced = false;
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
        LOG.info("EventStoreDB client {}; creating a new one once the server can be reached", why);
        current = null;
        replaced = true;
        lastCheck = -1;
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
