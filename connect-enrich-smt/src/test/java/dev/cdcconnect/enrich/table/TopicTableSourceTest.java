package dev.cdcconnect.enrich.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Tables shared by the transforms of a worker: opening and closing them. */
class TopicTableSourceTest {

    private static TableSpec spec(String lookup) {
        return new TableSpec(lookup, lookup + "s", Map.of("bootstrap.servers", "127.0.0.1:1"), Object.class, Map.of(),
                Object.class, Map.of(), List.of(), Long.MAX_VALUE, true);
    }

    @Test
    void aTableThatStopsSlowlyDoesNotHoldUpOtherTasksOpeningTheirs() throws Exception {
        CountDownLatch stopping = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TopicTableSource.FeedFactory slowToStop = (spec, table, catchUp) -> new SlowStop(
                new InMemoryTopic(spec.lookup(), spec.topic()).feed(table, catchUp), stopping, release);
        TopicTableSource closing = TopicTableSource.open(spec("slow"), Duration.ofSeconds(5), slowToStop);
        try {
            CompletableFuture<Void> closed = CompletableFuture.runAsync(closing::close);
            assertThat(stopping.await(5, TimeUnit.SECONDS)).isTrue();

            // another task (of this connector or another) configuring its transform meanwhile
            CompletableFuture<TopicTableSource> opened = CompletableFuture.supplyAsync(() -> TopicTableSource.open(
                    spec("other"), Duration.ofSeconds(5), (spec, table, catchUp) ->
                            new InMemoryTopic(spec.lookup(), spec.topic()).feed(table, catchUp)));

            TopicTableSource other = opened.get(2, TimeUnit.SECONDS);
            other.close();
            assertThat(closed).isNotDone();
            release.countDown();
            closed.get(5, TimeUnit.SECONDS);
        } finally {
            release.countDown();
        }
    }

    /** A feed whose stop takes until released, as a consumer stuck in a broker call can. */
    private record SlowStop(Feed feed, CountDownLatch stopping, CountDownLatch release) implements Feed {
        @Override
        public void start() {
            feed.start();
        }

        @Override
        public void wakeup() {
            feed.wakeup();
        }

        @Override
        public Throwable failure() {
            return feed.failure();
        }

        @Override
        public String lastError() {
            return feed.lastError();
        }

        @Override
        public long lag() {
            return feed.lag();
        }

        @Override
        public void stop(Duration timeout) {
            stopping.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            feed.stop(timeout);
        }
    }
}
