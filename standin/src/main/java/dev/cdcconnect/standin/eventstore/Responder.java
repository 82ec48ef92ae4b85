package dev.cdcconnect.standin.eventstore;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Sends append replies after the configured added latency without holding a thread per waiting call, so many
 * appends can be in flight at once, as against a server that waits for its disk before acknowledging.
 */
final class Responder implements AutoCloseable {
    private final Faults faults;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        var thread = new Thread(r, "eventstore-stand-in-replies");
        thread.setDaemon(true);
        return thread;
    });

    Responder(Faults faults) {
        this.faults = faults;
    }

    void afterAppendLatency(Runnable reply) {
        long latency = faults.appendLatencyNanos();
        if (latency <= 0) {
            sendQuietly(reply);
        } else {
            scheduler.schedule(() -> sendQuietly(reply), latency, TimeUnit.NANOSECONDS);
        }
    }

    /** A client that gave up (deadline, cancel) or a restart in between leaves nobody to answer. */
    private static void sendQuietly(Runnable reply) {
        try {
            reply.run();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.CANCELLED) {
                throw e;
            }
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
