package dev.cdcconnect.eventstore.write;

import io.kurrent.dbclient.KurrentDBClient;
import io.kurrent.dbclient.KurrentDBClientSettings;
import io.kurrent.dbclient.ReadStreamOptions;
import io.kurrent.dbclient.ServerVersion;
import java.time.Duration;
import java.util.Collections;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connector's first contact with EventStoreDB, on a thread of its own when the connector starts: asks the server
 * for its version and logs it, then makes the calls a task makes first, without writing anything. It never fails or holds up the connector (its tasks report what is wrong with the
 * server); it serves the tasks on the same worker: the first client in the plugin's class loader loads gRPC, Netty
 * and protobuf, which takes from 0.8 s on an idle machine to several seconds on a busy one, and done here it overlaps
 * with the rebalance that starts the tasks, instead of holding up their first records.
 */
public final class ServerProbe implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServerProbe.class);

    private final String connector;
    private final KurrentDBClientSettings settings;
    private final Duration timeout;
    private final Thread thread;
    private KurrentDBClient client;
    private boolean closed;

    private ServerProbe(String connector, KurrentDBClientSettings settings, Duration timeout) {
        this.connector = connector;
        this.settings = settings;
        this.timeout = timeout;
        this.thread = new Thread(this::probe, "eventstore-sink-probe-" + connector);
        thread.setDaemon(true);
    }

    /** Starts asking; {@code timeout} bounds the wait for the answer. */
    public static ServerProbe start(String connector, KurrentDBClientSettings settings, Duration timeout) {
        ServerProbe probe = new ServerProbe(connector, settings, timeout);
        probe.thread.start();
        return probe;
    }

    private void probe() {
        long started = System.nanoTime();
        KurrentDBClient created = null;
        try {
            created = KurrentDBClient.create(settings);
            synchronized (this) {
                if (closed) {
                    return;
                }
                client = created;
            }
            Optional<ServerVersion> version = created.getServerVersion()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("EventStoreDB sink {}: the server answers, version {} ({} ms to reach it)", connector,
                    version.map(v -> v.getMajor() + "." + v.getMinor() + "." + v.getPatch()).orElse("not reported (before 21.10)"),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            // The calls a task makes first, answered without writing anything: an empty multi-stream append (refused
            // for having no requests, or unknown to older servers) and a read of a stream that does not exist.
            exercise(created.multiStreamAppend(Collections.emptyIterator()));
            exercise(created.readStream("cdc-connect-probe-" + UUID.randomUUID(),
                    ReadStreamOptions.get().backwards().fromEnd().maxCount(1)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // The tasks retry, and report the problem with what to check: one report is enough.
            LOG.debug("EventStoreDB sink {}: the server did not answer the connector: {}", connector,
                    Failure.describe(e));
        } finally {
            shutdown(created);
        }
    }

    private void exercise(CompletableFuture<?> call) throws InterruptedException {
        try {
            call.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("EventStoreDB sink {}: probe call answered {}", connector, Failure.describe(e));
        }
    }

    /** Stops asking and closes the client, if the answer has not come yet. */
    @Override
    public void close() {
        KurrentDBClient open;
        synchronized (this) {
            closed = true;
            open = client;
            client = null;
        }
        shutdown(open);
        thread.interrupt();
    }

    /** Whether the probe has finished (answered, failed or closed). */
    public boolean isDone() {
        return !thread.isAlive();
    }

    private synchronized void shutdown(KurrentDBClient created) {
        if (created == null) {
            return;
        }
        if (client == created) {
            client = null;
        }
        try {
            created.shutdown();
        } catch (RuntimeException e) {
            LOG.debug("EventStoreDB client shutdown failed: {}", e.toString());
        }
    }
}
