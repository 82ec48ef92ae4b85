package dev.cdcconnect.eventstore.write;

import java.util.ArrayDeque;
import java.util.OptionalLong;

/**
 * The offsets of one topic-partition that are on their way, in the order they were received, and how far they
 * are all done: the offset the worker may commit is the first one not yet done, or the one after the last
 * received when every one is. Records finish out of order (different streams), the commit point only moves
 * over a contiguous run of finished ones, and not past a record that {@linkplain Slot#holdUntilNextDone holds} it
 * while the record after it is not done.
 */
final class OffsetTracker {

    /** One record's place in the order; {@link #done()} may be called from any thread, once or more. */
    final class Slot {
        private final long offset;
        private boolean done;
        private boolean holds;

        private Slot(long offset) {
            this.offset = offset;
        }

        void done() {
            synchronized (OffsetTracker.this) {
                done = true;
            }
        }

        /**
         * Keeps the commit point at this record, even once done, until the record after it is done too: a task
         * that starts on the partition then receives this record again (a delete, whose stream its tombstone needs).
         */
        void holdUntilNextDone() {
            synchronized (OffsetTracker.this) {
                holds = true;
            }
        }
    }

    private final ArrayDeque<Slot> slots = new ArrayDeque<>();
    private long committable = -1;
    private long lastRegistered = -1;

    /**
     * Registers the next offset received, or returns null when it is not after the last one registered: the
     * record was received already (offsets of a partition only grow while it stays assigned).
     */
    synchronized Slot register(long offset) {
        if (offset <= lastRegistered) {
            return null;
        }
        lastRegistered = offset;
        advance();
        Slot slot = new Slot(offset);
        slots.addLast(slot);
        return slot;
    }

    /** The offset to commit (the next one to consume), or empty when nothing was received and done yet. */
    synchronized OptionalLong committable() {
        advance();
        return committable < 0 ? OptionalLong.empty() : OptionalLong.of(committable);
    }

    /** Lets go of the done slots at the head, so memory holds only what is still on its way. */
    private void advance() {
        while (!slots.isEmpty() && slots.peekFirst().done) {
            Slot head = slots.pollFirst();
            if (head.holds && (slots.isEmpty() || !slots.peekFirst().done)) {
                slots.addFirst(head);
                return;
            }
            committable = head.offset + 1;
        }
    }
}
