package dev.cdcconnect.support.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryWindowTest {

    @Test
    void theWindowIsOverOnlyAfterFailuresLastedLongerThanTheTimeoutWithNoSuccess() throws InterruptedException {
        RetryWindow window = new RetryWindow(Duration.ofMillis(30), Duration.ofHours(1));
        IllegalStateException first = new IllegalStateException("first");
        IllegalStateException last = new IllegalStateException("last");

        assertThat(window.overdue()).isNull();
        assertThat(window.failingFor()).isZero();
        window.failed(first);
        assertThat(window.overdue()).isNull();
        Thread.sleep(60);
        window.failed(last);

        assertThat(window.overdue()).isSameAs(last);
        assertThat(window.failingFor()).isGreaterThanOrEqualTo(Duration.ofMillis(60));

        window.succeeded();
        assertThat(window.overdue()).isNull();
        assertThat(window.failingFor()).isZero();
        window.failed(first);
        assertThat(window.overdue()).as("a new window starts after a success").isNull();
    }

    @Test
    void oneWarningPerIntervalAtMost() {
        RetryWindow paced = new RetryWindow(Duration.ofMinutes(5), Duration.ofHours(1));
        assertThat(paced.warningDue()).isTrue();
        assertThat(paced.warningDue()).isFalse();

        RetryWindow unpaced = new RetryWindow(Duration.ofMinutes(5), Duration.ZERO);
        assertThat(unpaced.warningDue()).isTrue();
        assertThat(unpaced.warningDue()).isTrue();
    }
}
