package dev.cdcconnect.enrich.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CatchUpTest {

    private final CatchUp catchUp = new CatchUp();

    @Test
    void completesOnceEveryPartitionReachesTheEndOffsetsFetchedAfterTheRequest() {
        CatchUp.Waiter waiter = catchUp.request();
        assertThat(waiter.targeted()).isFalse();

        List<CatchUp.Waiter> taken = catchUp.takeUntargeted();
        catchUp.target(taken, Map.of(0, 10L, 1, 5L));
        assertThat(waiter.targeted()).isTrue();

        catchUp.advance(0, 10);
        assertThat(waiter.done()).isNotDone();
        catchUp.advance(1, 5);
        assertThat(waiter.done()).isDone();
    }

    @Test
    void anAlreadyCaughtUpTableCompletesAtOnce() {
        catchUp.advance(0, 42);
        CatchUp.Waiter waiter = catchUp.request();

        catchUp.target(catchUp.takeUntargeted(), Map.of(0, 42L));

        assertThat(waiter.done()).isDone();
    }

    @Test
    void emptyPartitionsCountAsReached() {
        CatchUp.Waiter waiter = catchUp.request();

        catchUp.target(catchUp.takeUntargeted(), Map.of(0, 0L));

        assertThat(waiter.done()).isDone();
    }

    @Test
    void requestsArrivingDuringAFetchWaitForTheNextOne() {
        CatchUp.Waiter first = catchUp.request();
        List<CatchUp.Waiter> taken = catchUp.takeUntargeted();
        CatchUp.Waiter second = catchUp.request();

        catchUp.target(taken, Map.of(0, 3L));
        catchUp.advance(0, 3);

        assertThat(first.done()).isDone();
        assertThat(second.done()).isNotDone();
        assertThat(catchUp.hasUntargeted()).isTrue();
    }

    @Test
    void waitersGivenBackAfterAFailedFetchAreServedLater() {
        CatchUp.Waiter waiter = catchUp.request();
        catchUp.giveBack(catchUp.takeUntargeted());

        assertThat(catchUp.hasUntargeted()).isTrue();
        catchUp.target(catchUp.takeUntargeted(), Map.of(0, 0L));
        assertThat(waiter.done()).isDone();
    }

    @Test
    void failAllCompletesEveryWaiterExceptionally() {
        CatchUp.Waiter untargeted = catchUp.request();
        CatchUp.Waiter targeted = catchUp.request();
        catchUp.target(List.of(targeted), Map.of(0, 9L));
        catchUp.takeUntargeted();
        catchUp.giveBack(List.of(untargeted));

        catchUp.failAll(new IllegalStateException("gone"));

        assertThat(untargeted.done()).isCompletedExceptionally();
        assertThat(targeted.done()).isCompletedExceptionally();
    }

    @Test
    void lagIsTheOffsetsLeftToTheEnd() {
        catchUp.advance(0, 7);
        catchUp.advance(1, 2);

        assertThat(catchUp.lag(Map.of(0, 10L, 1, 2L))).isEqualTo(3);
    }
}
