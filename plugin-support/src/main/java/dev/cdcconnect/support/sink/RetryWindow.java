package dev.cdcconnect.support.sink;

import java.time.Duration;

/**
 * How long a sink's writes have failed for a transient reason with none succeeding, against
 * {@code retry.timeout.ms}: the task fails once that is over. Also paces the WARN lines that say the target cannot be
 * used, one per {@code warnEvery} at most. Safe to use from the task's thread and a client's threads.
 */
public final class RetryWindow {

    private final Duration timeout;
    private final long warnEveryNanos;
    /** Since when calls fail (System.nanoTime()), or -1 while they do not. */
    private long since = -1;
    private Throwable lastFailure;
    private long lastWarning = -1;

    public RetryWindow(Duration timeout, Duration warnEvery) {
        this.timeout = timeout;
        this.warnEveryNanos = warnEvery.toNanos();
    }

    /** A call failed for a transient reason: the window starts, unless it runs already. */
    public synchronized void failed(Throwable error) {
        if (since < 0) {
            since = System.nanoTime();
        }
        lastFailure = error;
    }

    /** A call succeeded: the window closes. */
    public synchronized void succeeded() {
        since = -1;
    }

    /** How long calls have failed; zero while they do not. */
    public synchronized Duration failingFor() {
        return since < 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - since);
    }

    /** The last failure once calls have failed for longer than the timeout; null before that. */
    public synchronized Throwable overdue() {
        return since >= 0 && System.nanoTime() - since > timeout.toNanos() ? lastFailure : null;
    }

    /** Whether a warning is due now (none said within the last {@code warnEvery}); if so, it counts as said. */
    public synchronized boolean warningDue() {
        long now = System.nanoTime();
        if (lastWarning >= 0 && now - lastWarning < warnEveryNanos) {
            return false;
        }
        lastWarning = now;
        return true;
    }
}
