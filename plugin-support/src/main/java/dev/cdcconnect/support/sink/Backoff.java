package dev.cdcconnect.support.sink;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one backoff every sink retries with: exponential from {@code retry.backoff.ms}, capped at
 * {@code retry.backoff.max.ms}, with equal jitter (the wait is between half and all of that step), so that tasks
 * that failed together do not all retry together, yet each waits at least half its step.
 */
public final class Backoff {

    private Backoff() {
    }

    /** The wait before retry number {@code retry} (0 for the first retry). */
    public static Duration delay(Duration first, Duration max, int retry) {
        long step = Math.min(max.toMillis(), first.toMillis() << Math.min(Math.max(retry, 0), 20));
        long half = step / 2;
        return Duration.ofMillis(step - half + ThreadLocalRandom.current().nextLong(half + 1));
    }
}
