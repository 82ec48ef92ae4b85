package dev.cdcconnect.eventstore.write;

import dev.cdcconnect.support.sink.Backoff;
import io.kurrent.dbclient.KurrentDBClient;
import io.kurrent.dbclient.ReadStreamOptions;
import java.time.Duration;
import java.util.Collections;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.connect.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the server offers that changes how the writer writes: whether it takes multi-stream appends (KurrentDB 25.1
 * and later), which also decides how metadata is written, so it is settled before the first record is converted.
 * An empty append session answers it: the client refuses it when the server lacks the feature, and a server that
 * has it refuses it (no requests); neither writes anything.
 */
final class ServerFeatures {

    private static final Logger LOG = LoggerFactory.getLogger(ServerFeatures.class);

    /** What asking needs from the writer: its client, its retry window, and where the answer goes. */
    interface Writer {
        /** The current client; throws {@link ServerUnreachableException} while the server cannot be reached. */
        KurrentDBClient client();

        void replaceClient(KurrentDBClient client, Throwable error);

        /** A transient failure: the retry window starts, unless it runs already. */
        void transientFailure(Throwable error);

        /** Fails the task once the retry window is over. */
        void failIfRetriedTooLong();

        /** The retriable error that hands the records back to the worker while the server cannot be used. */
        RetriableException unavailable(Throwable error);

        /** The server's answer, given once. */
        void multiStreamAnswered(boolean supported);
    }

    private final StreamWriter.Settings settings;
    private final Duration unansweredAfter;
    private final WriterMetrics metrics;
    private final Writer writer;
    private volatile Boolean multiStreamAppend;
    private volatile CompletableFuture<Void> ahead;

    ServerFeatures(StreamWriter.Settings settings, Duration unansweredAfter, WriterMetrics metrics, Writer writer) {
        this.settings = settings;
        this.unansweredAfter = unansweredAfter;
        this.metrics = metrics;
        this.writer = writer;
    }

    /** Whether multi-stream appends may be tried: configured, and not known to be missing. */
    boolean multiStreamAppendPossible() {
        return settings.multiStreamAppend() && !Boolean.FALSE.equals(multiStreamAppend);
    }

    /** A multi-stream append was refused as unknown: the server lacks the feature after all. */
    void unsupported() {
        LOG.info("EventStoreDB does not offer multi-stream appends (server before 25.1): appending stream by stream");
        multiStreamAppend = false;
    }

    /**
     * Creates the client and asks the server for its features on a thread of its own, right when the task starts:
     * the client's first connection (loading gRPC, Netty and protobuf into the plugin's class loader, opening the
     * channel, the server's feature list) then overlaps with the worker joining its group and fetching, instead of
     * holding up the first records by seconds. One attempt, never failing the task: if it does not settle the
     * question, the first records ask again, with retries. It also reads a stream that does not exist, as recovering
     * a stream's position does before its first append, so that call's path is ready too. The future completes when
     * this is over, whatever the outcome.
     */
    CompletableFuture<Void> connectAhead() {
        ahead = CompletableFuture.runAsync(() -> {
            try {
                KurrentDBClient client = writer.client();
                boolean answered = true;
                if (!settings.multiStreamAppend()) {
                    client.getServerVersion().get(unansweredAfter.toMillis(), TimeUnit.MILLISECONDS);
                } else {
                    answered = askFeatures(client);
                }
                if (answered) {
                    readAbsentStream(client);
                }
            } catch (Exception e) {
                LOG.debug("Connecting ahead of the first records failed: {}", e.toString());
            }
        }, runnable -> {
            Thread thread = new Thread(runnable, "eventstore-sink-connect");
            thread.setDaemon(true);
            thread.start();
        });
        return ahead;
    }

    /** Asks once; returns whether the server answered (with or without the feature). */
    private boolean askFeatures(KurrentDBClient client) throws InterruptedException, TimeoutException {
        try {
            askMultiStreamAppend(client);
            answered(true);
            return true;
        } catch (ExecutionException e) {
            Failure kind = Failure.classify(e);
            if (kind == Failure.UNSUPPORTED) {
                answered(false);
                return true;
            } else if (kind == Failure.CLIENT_SHUT_DOWN) {
                writer.replaceClient(client, e);
            } else if (kind != Failure.TRANSIENT) {
                answered(true);
                return true;
            }
            return false;
        }
    }

    private void readAbsentStream(KurrentDBClient client) throws InterruptedException, TimeoutException {
        try {
            client.readStream("cdc-connect-probe-" + UUID.randomUUID(),
                    ReadStreamOptions.get().backwards().fromEnd().maxCount(1))
                    .get(unansweredAfter.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            LOG.debug("Reading ahead of the first records answered {}", Failure.describe(e));
        }
    }

    /**
     * Before records are converted: waits for {@link #connectAhead} (up to the time a call may stay unanswered),
     * then, when the question is still open and there are records, asks with retries.
     *
     * @throws RetriableException when the server cannot be asked within the retries
     */
    void settle(boolean records) {
        awaitConnectedAhead();
        if (settings.multiStreamAppend() && multiStreamAppend == null && records) {
            detectMultiStreamAppend();
        }
    }

    private void awaitConnectedAhead() {
        CompletableFuture<Void> started = ahead;
        if (started == null || started.isDone()) {
            return;
        }
        try {
            started.get(unansweredAfter.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("Connecting ahead of the first records did not finish: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetriableException("Interrupted while connecting to EventStoreDB", e);
        }
    }

    private void askMultiStreamAppend(KurrentDBClient client)
            throws ExecutionException, InterruptedException, TimeoutException {
        client.multiStreamAppend(Collections.emptyIterator()).get(unansweredAfter.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void detectMultiStreamAppend() {
        Boolean supported = null;
        for (int attempt = 0; supported == null; attempt++) {
            KurrentDBClient client = null;
            Throwable failure;
            try {
                client = writer.client();
                askMultiStreamAppend(client);
                supported = true;
                continue;
            } catch (ServerUnreachableException e) {
                failure = e;
            } catch (ExecutionException e) {
                Failure kind = Failure.classify(e);
                if (kind == Failure.CLIENT_SHUT_DOWN) {
                    writer.replaceClient(client, e);
                }
                if (kind == Failure.UNSUPPORTED) {
                    supported = false;
                    continue;
                }
                if (kind != Failure.TRANSIENT && kind != Failure.CLIENT_SHUT_DOWN) {
                    // The server answered the empty session itself: it speaks the protocol.
                    supported = true;
                    continue;
                }
                failure = Failure.unwrap(e);
            } catch (TimeoutException e) {
                failure = new UnansweredCallException("asking EventStoreDB for its features", unansweredAfter);
                writer.replaceClient(client, failure);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RetriableException("Interrupted while asking EventStoreDB for its features", e);
            }
            writer.transientFailure(failure);
            writer.failIfRetriedTooLong();
            if (attempt >= settings.retryMaxAttempts()) {
                throw writer.unavailable(failure);
            }
            metrics.retries.increment();
            try {
                Thread.sleep(Backoff.delay(settings.retryBackoff(), settings.retryBackoffMax(), attempt).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RetriableException("Interrupted while asking EventStoreDB for its features", e);
            }
        }
        answered(supported);
    }

    /** Records the server's answer, once; the metadata format follows from it. */
    private void answered(boolean supported) {
        synchronized (this) {
            if (multiStreamAppend != null) {
                return;
            }
            multiStreamAppend = supported;
        }
        writer.multiStreamAnswered(supported);
    }
}
