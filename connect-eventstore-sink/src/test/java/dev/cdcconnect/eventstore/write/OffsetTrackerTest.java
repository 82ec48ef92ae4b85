package dev.cdcconnect.eventstore.write;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OffsetTrackerTest {

    @Test
    void theCommitPointOnlyMovesOverAContiguousRunOfDoneRecords() {
        OffsetTracker tracker = new OffsetTracker();
        OffsetTracker.Slot a = tracker.register(10);
        OffsetTracker.Slot b = tracker.register(11);
        OffsetTracker.Slot c = tracker.register(15);

        assertThat(tracker.committable()).isEmpty();
        b.done();
        c.done();
        assertThat(tracker.committable()).isEmpty();
        a.done();
        assertThat(tracker.committable()).hasValue(16);
    }

    @Test
    void offsetsReceivedAgainAreRefused() {
        OffsetTracker tracker = new OffsetTracker();
        tracker.register(5).done();

        assertThat(tracker.register(5)).isNull();
        assertThat(tracker.register(3)).isNull();
        assertThat(tracker.register(6)).isNotNull();
        assertThat(tracker.committable()).hasValue(6);
    }

    @Test
    void aHoldingRecordKeepsTheCommitPointAtItUntilTheRecordAfterItIsDone() {
        OffsetTracker tracker = new OffsetTracker();
        tracker.register(7).done();
        OffsetTracker.Slot delete = tracker.register(8);
        delete.holdUntilNextDone();
        delete.done();

        assertThat(tracker.committable()).hasValue(8);
        OffsetTracker.Slot tombstone = tracker.register(9);
        assertThat(tracker.committable()).hasValue(8);
        tombstone.done();
        assertThat(tracker.committable()).hasValue(10);
    }
}
