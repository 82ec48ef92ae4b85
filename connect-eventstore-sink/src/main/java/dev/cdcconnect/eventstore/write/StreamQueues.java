package dev.cdcconnect.eventstore.write;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.cdcconnect.eventstore.write.StreamQueue.State;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The writer's stream queues and their states: every queue is in one {@link State}, and only the methods here move
 * it from one to the next. The ready queues wait in order for a call slot; the parked ones, out of retries, wait for a
 * call to succeed. What is known about a stream with nothing left to do is kept for its next records. Every method
 * runs with the writer's lock held.
 */
final class StreamQueues {

    private final Map<String, StreamQueue> queues = new HashMap<>();
    private final ArrayDeque<StreamQueue> ready = new ArrayDeque<>();
    private final List<StreamQueue> parked = new ArrayList<>();
    private final Cache<String, StreamProgress> idleProgress = Caffeine.newBuilder().maximumSize(100_000).build();
    /** The failure that parked the last stream, until a call succeeds; null while none is out of retries. */
    private Throwable unavailable;

    /** Queues the record for its stream; the stream's queue is made ready unless it is under way. */
    void add(Pending pending) {
        StreamQueue queue = queue(pending.stream());
        queue.pending.addLast(pending);
        makeReady(queue, false);
    }

    private StreamQueue queue(String stream) {
        StreamQueue queue = queues.get(stream);
        if (queue == null) {
            queue = new StreamQueue(stream);
            queue.progress = idleProgress.getIfPresent(stream);
            if (queue.progress != null) {
                idleProgress.invalidate(stream);
            }
            queues.put(stream, queue);
        }
        return queue;
    }

    /** The queues of streams with records or a call under way. */
    Collection<StreamQueue> all() {
        return queues.values();
    }

    /** Forgets what is known about streams with nothing left to do (the partitions' new owner may write them). */
    void forgetIdle() {
        idleProgress.invalidateAll();
    }

    boolean hasReady() {
        return !ready.isEmpty();
    }

    /** The ready queues in order; a queue removed through the iterator must be {@linkplain #calling called}. */
    Iterator<StreamQueue> readyInOrder() {
        return ready.iterator();
    }

    /** Takes the first ready queue, idle now: a call for it starts, or it is {@linkplain #retireIfIdle retired}. */
    StreamQueue nextReady() {
        StreamQueue queue = ready.pollFirst();
        queue.state = State.IDLE;
        return queue;
    }

    /**
     * Takes the first of the next {@code lookahead} ready queues that {@code wanted} accepts, idle now as
     * {@link #nextReady} leaves it, or null when none does.
     */
    StreamQueue takeReady(Predicate<StreamQueue> wanted, int lookahead) {
        Iterator<StreamQueue> it = ready.iterator();
        for (int seen = 0; it.hasNext() && seen < lookahead; seen++) {
            StreamQueue queue = it.next();
            if (wanted.test(queue)) {
                it.remove();
                queue.state = State.IDLE;
                return queue;
            }
        }
        return null;
    }

    /** A call for the queue's stream is in flight. */
    void calling(StreamQueue queue) {
        queue.state = State.CALLING;
    }

    /** A queue picked for a call that is not made after all: first in the ready order again. */
    void notCalled(StreamQueue queue) {
        queue.state = State.IDLE;
        makeReady(queue, true);
    }

    /** A call for the queue's stream ended: it goes on, unless it backs off or is parked. */
    void ended(StreamQueue queue) {
        if (queue.state == State.CALLING) {
            queue.state = State.IDLE;
        }
        makeReady(queue, false);
        retireIfIdle(queue);
    }

    /** The stream waits out a backoff before its next call. */
    void backOff(StreamQueue queue) {
        queue.state = State.BACKING_OFF;
    }

    /** The backoff is over: the stream goes first. */
    void backedOff(StreamQueue queue) {
        if (queue.state == State.BACKING_OFF) {
            queue.state = State.IDLE;
        }
        makeReady(queue, true);
    }

    /**
     * The stream is out of retries: it waits until a call succeeds ({@link #succeeded}) or the task is handed the
     * failure ({@link #unpark}). Returns whether it is the first stream out of retries since a call succeeded.
     */
    boolean park(StreamQueue queue, Throwable error) {
        queue.state = State.PARKED;
        parked.add(queue);
        boolean first = unavailable == null;
        unavailable = error;
        return first;
    }

    /** The failure that parked streams, or null while none is out of retries. */
    Throwable unavailable() {
        return unavailable;
    }

    /** A call succeeded: returns whether streams were out of retries; they go again, first. */
    boolean succeeded() {
        if (unavailable == null) {
            return false;
        }
        unavailable = null;
        unpark();
        return true;
    }

    /** The parked streams go again, first, with their retries anew. */
    void unpark() {
        for (StreamQueue queue : parked) {
            queue.state = State.IDLE;
            queue.attempts = 0;
            makeReady(queue, true);
        }
        parked.clear();
    }

    private void makeReady(StreamQueue queue, boolean first) {
        if (queue.state != State.IDLE || queue.pending.isEmpty()) {
            return;
        }
        queue.state = State.READY;
        if (first) {
            ready.addFirst(queue);
        } else {
            ready.addLast(queue);
        }
    }

    /** A stream with nothing left to do hands what is known about it to the cache of idle streams. */
    void retireIfIdle(StreamQueue queue) {
        if (queue.state == State.IDLE && queue.pending.isEmpty()) {
            queues.remove(queue.stream);
            if (queue.progress != null && !queue.reread) {
                idleProgress.put(queue.stream, queue.progress);
            }
        }
    }
}
