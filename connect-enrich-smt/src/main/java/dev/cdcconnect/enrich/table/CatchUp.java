package dev.cdcconnect.enrich.table;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Tells callers when a table has applied everything its topic held at some moment. A caller asks with
 * {@link #request()}; the thread that consumes the topic then fetches the end offsets ({@link #takeUntargeted()},
 * {@link #target}) and reports its position after each batch ({@link #advance}); the request completes once
 * every partition's position has reached its end offset. Positions are consumer positions, so offsets skipped
 * by compaction or taken by transaction markers count as applied.
 */
final class CatchUp {

    /** One caller's wish to see the table caught up with the end offsets fetched after it asked. */
    static final class Waiter {
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private volatile Map<Integer, Long> target;

        CompletableFuture<Void> done() {
            return done;
        }

        /** Whether the end offsets to reach are known: false means the topic could not be asked yet. */
        boolean targeted() {
            return target != null;
        }
    }

    private final Map<Integer, Long> positions = new HashMap<>();
    private final List<Waiter> untargeted = new ArrayList<>();
    private final List<Waiter> targeted = new ArrayList<>();

    synchronized Waiter request() {
        Waiter waiter = new Waiter();
        untargeted.add(waiter);
        return waiter;
    }

    synchronized boolean hasUntargeted() {
        return !untargeted.isEmpty();
    }

    /** Takes the waiters that need end offsets; the caller fetches them, then calls {@link #target} or {@link #giveBack}. */
    synchronized List<Waiter> takeUntargeted() {
        List<Waiter> taken = new ArrayList<>(untargeted);
        untargeted.clear();
        return taken;
    }

    /** Returns waiters whose end offsets could not be fetched, to be tried again. */
    synchronized void giveBack(List<Waiter> waiters) {
        for (Waiter w : waiters) {
            if (!w.done.isDone()) {
                untargeted.add(w);
            }
        }
    }

    /** Sets the end offsets (partition to offset) the waiters need, fetched after they asked. */
    synchronized void target(List<Waiter> waiters, Map<Integer, Long> endOffsets) {
        Map<Integer, Long> target = Map.copyOf(endOffsets);
        for (Waiter w : waiters) {
            if (!w.done.isDone()) {
                w.target = target;
                targeted.add(w);
            }
        }
        completeReached();
    }

    /** Reports the consumer's position (the next offset to read) in a partition. */
    synchronized void advance(int partition, long position) {
        Long previous = positions.put(partition, position);
        if (previous == null || previous != position) {
            completeReached();
        }
    }

    synchronized long position(int partition) {
        return positions.getOrDefault(partition, 0L);
    }

    /** Forgets a waiter whose caller gave up. */
    synchronized void cancel(Waiter waiter) {
        untargeted.remove(waiter);
        targeted.remove(waiter);
    }

    /** Fails every waiter, now and later requests are the caller's business. */
    synchronized void failAll(Throwable cause) {
        untargeted.forEach(w -> w.done.completeExceptionally(cause));
        targeted.forEach(w -> w.done.completeExceptionally(cause));
        untargeted.clear();
        targeted.clear();
    }

    /** How many offsets remain to reach the latest known target, summed over partitions; 0 when none is known. */
    synchronized long lag(Map<Integer, Long> endOffsets) {
        long lag = 0;
        for (Map.Entry<Integer, Long> e : endOffsets.entrySet()) {
            lag += Math.max(0, e.getValue() - positions.getOrDefault(e.getKey(), 0L));
        }
        return lag;
    }

    private void completeReached() {
        targeted.removeIf(w -> {
            if (reached(w.target)) {
                w.done.complete(null);
                return true;
            }
            return false;
        });
    }

    private boolean reached(Map<Integer, Long> target) {
        for (Map.Entry<Integer, Long> e : target.entrySet()) {
            if (positions.getOrDefault(e.getKey(), 0L) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Copies of the positions, for status reports. */
    synchronized Map<Integer, Long> positions() {
        return new HashMap<>(positions);
    }
}
