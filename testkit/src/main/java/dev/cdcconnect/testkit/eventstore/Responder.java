package dev.cdcconnect.testkit.eventstore;

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
            reply.run();
        } else {
            scheduler.schedule(reply, latency, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
