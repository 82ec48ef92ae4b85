package dev.cdcconnect.support.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private static final Duration FIRST = Duration.ofMillis(200);
    private static final Duration MAX = Duration.ofMillis(5_000);

    @Test
    void eachWaitIsBetweenHalfAndAllOfItsDoublingStepUpToTheLongest() {
        long[] steps = {200, 400, 800, 1600, 3200, 5000, 5000};
        for (int retry = 0; retry < steps.length; retry++) {
            for (int i = 0; i < 200; i++) {
                assertThat(Backoff.delay(FIRST, MAX, retry).toMillis()).as("retry %d", retry)
                        .isBetween(steps[retry] / 2, steps[retry]);
            }
        }
        assertThat(Backoff.delay(FIRST, MAX, 1_000).toMillis()).isBetween(2_500L, 5_000L);
    }

    @Test
    void tasksThatFailedTogetherDoNotAllWaitAlike() {
        Set<Long> waits = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            waits.add(Backoff.delay(FIRST, MAX, 3).toMillis());
        }
        assertThat(waits).hasSizeGreaterThan(10);
    }
}
