package dev.cdcconnect.eventstore.write;

import java.util.ArrayDeque;
import java.util.List;

/** The records waiting for one stream, what is known about it, and where its queue is ({@link State}). */
final class StreamQueue {

    /** Where a stream's queue is; a stream has at most one call in flight, so its order is kept. */
    enum State {
        /** Nothing under way: ready as soon as it has records. */
        IDLE,
        /** In the ready queue, waiting for a free call slot. */
        READY,
        /** A call for it is in flight: no other may start. */
        CALLING,
        /** Waiting out a backoff before its next call. */
        BACKING_OFF,
        /** Out of retries: waits until a call succeeds, or the task is handed the failure. */
        PARKED
    }

    final String stream;
    final ArrayDeque<Pending> pending = new ArrayDeque<>();
    StreamProgress progress;
    State state = State.IDLE;
    /** Re-read the stream before the next append (after a conflict, or a rebalance). */
    boolean reread;
    /** The last multi-stream append with this stream failed: next time alone, to see why. */
    boolean alone;
    int attempts;
    int maxBatchEvents = Integer.MAX_VALUE;

    StreamQueue(String stream) {
        this.stream = stream;
    }

    /** Puts the records of a call that did not write them back at the queue's head, in their order. */
    void putBack(List<Pending> batch) {
        for (int i = batch.size() - 1; i >= 0; i--) {
            pending.addFirst(batch.get(i));
        }
    }
}
