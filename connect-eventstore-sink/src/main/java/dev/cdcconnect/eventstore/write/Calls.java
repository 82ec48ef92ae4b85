package dev.cdcconnect.eventstore.write;

import dev.cdcconnect.support.sink.Backoff;
import dev.cdcconnect.support.sink.RetryWindow;
import io.kurrent.dbclient.AppendResponse;
import io.kurrent.dbclient.AppendStreamRequest;
import io.kurrent.dbclient.AppendToStreamOptions;
import io.kurrent.dbclient.DeleteStreamOptions;
import io.kurrent.dbclient.KurrentDBClient;
import io.kurrent.dbclient.StreamState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.apache.kafka.connect.errors.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer's EventStoreDB calls and their one completion path. Every call kind (a stream's read, an append, a
 * deletion, a multi-stream append) is made by {@link #call} without the writer's lock, given up once unanswered well
 * past its deadline, and its outcome handled with the lock held: what the stream holds now, the records done, or the
 * failure handled (the records put back and retried after a backoff, the stream parked when out of retries, a record
 * dead-lettered, or the task failed). Then the call ends ({@link #finish}) and the calls that can start are made.
 * Completions arrive on the client's threads, on the JDK's timer thread for a call given up as unanswered, and
 * backoffs end on the writer's retry thread.
 */
final class Calls implements AutoCloseable {

    /** The writer's log lines keep its logger's name. */
    private static final Logger LOG = LoggerFactory.getLogger(StreamWriter.class);

    /** What the completions need from the writer; called with the lock held. */
    interface Writer {
        /** The task cannot go on: the first such failure is kept and handed to the task. */
        void fatal(String message, Throwable cause);

        /** Whether the writer is closed: no backoff is waited out then. */
        boolean closed();

        /** Adds the calls that can start now, unless the writer is closed or failed. */
        void pump(List<CallBatcher.Call> calls);
    }

    private final StreamWriter.Settings settings;
    private final Clients clients;
    private final ServerFeatures features;
    private final StreamQueues queues;
    private final CallBatcher batcher;
    private final Buffer buffer;
    private final RetryWindow retries;
    private final WriterMetrics metrics;
    private final ReentrantLock lock;
    private final Condition changed;
    private final Writer writer;
    private final Duration unansweredAfter;
    private final ScheduledExecutorService scheduler;

    Calls(StreamWriter.Settings settings, Clients clients, ServerFeatures features, StreamQueues queues,
          CallBatcher batcher, Buffer buffer, RetryWindow retries, WriterMetrics metrics, ReentrantLock lock,
          Condition changed, Writer writer) {
        this.settings = settings;
        this.clients = clients;
        this.features = features;
        this.queues = queues;
        this.batcher = batcher;
        this.buffer = buffer;
        this.retries = retries;
        this.metrics = metrics;
        this.lock = lock;
        this.changed = changed;
        this.writer = writer;
        this.unansweredAfter = unansweredAfter(settings);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "eventstore-sink-retries");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Makes the call, without the lock. */
    void make(CallBatcher.Call call) {
        if (call instanceof CallBatcher.Read read) {
            recover(read);
        } else if (call instanceof CallBatcher.Append append) {
            append(append);
        } else if (call instanceof CallBatcher.Delete delete) {
            delete(delete);
        } else if (call instanceof CallBatcher.MultiStreamAppend multi) {
            multiStreamAppend(multi);
        }
    }

    /** The client in use. */
    KurrentDBClient client() {
        KurrentDBClient client = clients.get();
        if (client == null) {
            throw new IllegalStateException("the writer is closed");
        }
        return client;
    }

    /** Replaces the client that made a call the client failed (it shut down, or left the call unanswered). */
    void replaceClient(KurrentDBClient client, Throwable error) {
        clients.replace(client, Failure.unwrap(error) instanceof UnansweredCallException
                ? "left a call unanswered" : "shut down after failing to reach the server");
    }

    /**
     * How long a call may stay unanswered before it is given up: twice the deadline the client applies to it,
     * plus a second, so a call the client is still processing normally has long failed or succeeded by then.
     */
    static Duration unansweredAfter(StreamWriter.Settings settings) {
        return settings.deadline().multipliedBy(2).plusSeconds(1);
    }

    /**
     * The call's outcome, or {@link UnansweredCallException} once the call has been unanswered for
     * {@link #unansweredAfter}. The JDK's timer behind {@link CompletableFuture#orTimeout} is a daemon thread shared
     * by the JVM and cancels the timeout as soon as the call completes: nothing of it needs stopping, so it cannot
     * hold up a task's stop or the JVM's exit. A call given up here is handled on that timer thread; the handling
     * only takes the writer's lock briefly and starts calls without waiting for them.
     */
    private <T> CompletableFuture<T> answered(CompletableFuture<T> call, String what) {
        Duration limit = unansweredAfter;
        return call.copy().orTimeout(limit.toMillis(), TimeUnit.MILLISECONDS).exceptionallyCompose(error -> {
            if (error instanceof java.util.concurrent.TimeoutException) {
                LOG.warn("EventStoreDB client left {} unanswered for {} ms; replacing the client and retrying",
                        what, limit.toMillis());
                return CompletableFuture.failedFuture(new UnansweredCallException(what, limit));
            }
            return CompletableFuture.failedFuture(error);
        });
    }

    /** How one call's outcome is handled, with the lock held; {@code client} made the call (null if none could). */
    private interface Outcome<T> {
        void handle(T result, Throwable error, KurrentDBClient client);
    }

    /**
     * Makes one EventStoreDB call for the given streams, without the lock: takes the client, makes the call (a
     * failure to make it is its outcome), gives it up once unanswered, and on completion handles the outcome with
     * the lock held, then ends the call ({@link #finish}) and starts the calls that can start. Every call kind goes
     * through here.
     */
    private <T> void call(CallBatcher.Call call, String what, Function<KurrentDBClient, CompletableFuture<T>> request,
                          Outcome<T> outcome) {
        KurrentDBClient client = null;
        CompletableFuture<T> result;
        try {
            client = client();
            result = answered(request.apply(client), what);
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        KurrentDBClient used = client;
        result.whenComplete((value, error) -> {
            List<CallBatcher.Call> calls = new ArrayList<>();
            lock.lock();
            try {
                outcome.handle(value, error, used);
                finish(call, calls);
            } finally {
                lock.unlock();
            }
            calls.forEach(this::make);
        });
    }

    private void recover(CallBatcher.Read read) {
        StreamQueue queue = read.queue();
        call(read, "the read of stream '" + queue.stream + "'", client -> {
            metrics.streamRecoveries.increment();
            return StreamRecovery.read(client, queue.stream, read.wanted(), settings.recoveryScanMaxEvents());
        }, (progress, error, client) -> {
            if (error != null) {
                failed(queue, List.of(), error, client);
                return;
            }
            if (queue.progress == null || queue.reread) {
                if (queue.progress != null) {
                    // What this writer wrote itself stays true, even where the read stopped short of it.
                    queue.progress.written.forEach((partition, last) ->
                            progress.wrote(partition, last.offset(), last.source()));
                }
                queue.progress = progress;
            } else {
                queue.progress.merge(progress);
            }
            if (settings.guarantee() == DeliveryGuarantee.AT_LEAST_ONCE) {
                queue.progress.expected = StreamState.any();
            }
            queue.reread = false;
            retries.succeeded();
        });
    }

    private void append(CallBatcher.Append append) {
        StreamQueue queue = append.queue();
        List<Pending> batch = append.batch();
        long started = System.nanoTime();
        call(append, "an append to stream '" + queue.stream + "'", client -> client.appendToStream(
                queue.stream, AppendToStreamOptions.get().streamState(append.expected()),
                batch.stream().map(Pending::event).iterator()), (written, error, client) -> {
            queue.alone = false;
            buffer.land(batch);
            if (error != null) {
                failed(queue, batch, error, client);
                return;
            }
            metrics.appendLatency(System.nanoTime() - started);
            metrics.appends.increment();
            if (settings.guarantee() == DeliveryGuarantee.EXACTLY_ONCE) {
                queue.progress.expected = written.getNextExpectedRevision();
            }
            done(queue, batch);
            succeeded(queue);
        });
    }

    /** Records of a stream that were appended: the stream holds them now. */
    private void done(StreamQueue queue, List<Pending> batch) {
        for (Pending pending : batch) {
            queue.progress.wrote(pending.partition, pending.offset, pending.source);
            buffer.done(pending);
        }
        metrics.eventsAppended.add(batch.size());
    }

    private void delete(CallBatcher.Delete delete) {
        StreamQueue queue = delete.queue();
        Pending pending = delete.pending();
        boolean hard = delete.hard();
        DeleteStreamOptions options = DeleteStreamOptions.get().streamState(StreamState.any());
        call(delete, "the deletion of stream '" + queue.stream + "'", client -> hard
                ? client.tombstoneStream(queue.stream, options)
                : client.deleteStream(queue.stream, options), (deleted, error, client) -> {
            buffer.land(List.of(pending));
            Failure kind = error == null ? null : Failure.classify(error);
            if (error != null && kind != Failure.STREAM_DELETED) {
                failed(queue, List.of(pending), error, client);
                return;
            }
            metrics.streamsDeleted.increment();
            if (hard || kind == Failure.STREAM_DELETED) {
                queue.progress.tombstoned = true;
            }
            buffer.done(pending);
            succeeded(queue);
        });
    }

    private void multiStreamAppend(CallBatcher.MultiStreamAppend multi) {
        List<StreamQueue> called = multi.queues();
        List<List<Pending>> batches = multi.batches();
        long started = System.nanoTime();
        call(multi, "an append to " + called.size() + " streams", client -> {
            List<AppendStreamRequest> requests = new ArrayList<>(called.size());
            for (int i = 0; i < called.size(); i++) {
                requests.add(new AppendStreamRequest(called.get(i).stream,
                        batches.get(i).stream().map(Pending::event).iterator(), multi.expected().get(i)));
            }
            return client.multiStreamAppend(requests.iterator());
        }, (response, error, client) -> {
            batches.forEach(buffer::land);
            if (error != null) {
                multiStreamAppendFailed(called, batches, error, client);
                return;
            }
            metrics.appendLatency(System.nanoTime() - started);
            metrics.appends.increment();
            metrics.multiStreamAppends.increment();
            Map<String, Long> revisions = new HashMap<>();
            for (AppendResponse output : response.getResults()) {
                revisions.put(output.getStream(), output.getStreamRevision());
            }
            for (int i = 0; i < called.size(); i++) {
                StreamQueue queue = called.get(i);
                Long revision = revisions.get(queue.stream);
                if (settings.guarantee() == DeliveryGuarantee.EXACTLY_ONCE) {
                    queue.progress.expected = revision == null ? null : StreamState.streamRevision(revision);
                    queue.reread |= revision == null;
                }
                done(queue, batches.get(i));
                succeeded(queue);
            }
        });
    }

    /** A failed multi-stream append: its streams go again one by one, to see why (unless the server lacks it). */
    private void multiStreamAppendFailed(List<StreamQueue> called, List<List<Pending>> batches, Throwable error,
                                         KurrentDBClient client) {
        Failure kind = Failure.classify(error);
        if (kind == Failure.UNSUPPORTED) {
            features.unsupported();
        } else if (kind == Failure.CLIENT_SHUT_DOWN) {
            replaceClient(client, error);
        }
        if (kind == Failure.CLIENT_SHUT_DOWN || kind == Failure.TRANSIENT) {
            retries.failed(error);
        }
        LOG.debug("Multi-stream append failed ({}); appending its streams one by one", Failure.describe(error));
        for (int i = 0; i < called.size(); i++) {
            StreamQueue queue = called.get(i);
            queue.putBack(batches.get(i));
            queue.alone = kind != Failure.UNSUPPORTED;
        }
    }

    /** Ends a call: frees its slot, lets its streams go on (unless they back off or wait), starts what can start. */
    private void finish(CallBatcher.Call call, List<CallBatcher.Call> calls) {
        batcher.ended(call);
        writer.pump(calls);
        changed.signalAll();
    }

    private void succeeded(StreamQueue queue) {
        retries.succeeded();
        queue.attempts = 0;
        queue.maxBatchEvents = Integer.MAX_VALUE;
        if (queues.succeeded()) {
            LOG.info("EventStoreDB appends succeed again");
        }
    }

    /** A transient failure: retried after a backoff, or the stream is parked when out of retries. */
    private void retryLater(StreamQueue queue, Throwable error, boolean immediately) {
        queue.attempts++;
        metrics.retries.increment();
        if (queue.attempts > settings.retryMaxAttempts()) {
            if (queues.park(queue, error)) {
                LOG.warn("EventStoreDB calls failed {} times in a row ({}); new records wait until appends succeed",
                        queue.attempts, Failure.describe(error));
            }
            return;
        }
        if (immediately || writer.closed()) {
            return;
        }
        long delay = Backoff.delay(settings.retryBackoff(), settings.retryBackoffMax(), queue.attempts - 1).toMillis();
        LOG.debug("Retrying stream '{}' in {} ms after: {}", queue.stream, delay, Failure.describe(error));
        queues.backOff(queue);
        scheduler.schedule(() -> {
            List<CallBatcher.Call> calls = new ArrayList<>();
            lock.lock();
            try {
                queues.backedOff(queue);
                writer.pump(calls);
            } finally {
                lock.unlock();
            }
            calls.forEach(this::make);
        }, delay, TimeUnit.MILLISECONDS);
    }

    /**
     * Handles a failed call of a stream: {@code batch} holds the records it carried (put back at the queue's
     * head unless they failed for good); empty for a read.
     */
    private void failed(StreamQueue queue, List<Pending> batch, Throwable error, KurrentDBClient client) {
        Failure kind = Failure.classify(error);
        switch (kind) {
            case TRANSIENT, CLIENT_SHUT_DOWN -> {
                if (kind == Failure.CLIENT_SHUT_DOWN) {
                    replaceClient(client, error);
                }
                retries.failed(error);
                queue.putBack(batch);
                retryLater(queue, error, false);
            }
            case WRONG_EXPECTED_VERSION -> {
                queue.putBack(batch);
                if (queue.progress != null && queue.progress.assumedNew) {
                    // The stream was not new after all: read it to learn what it holds.
                    queue.reread = true;
                    return;
                }
                metrics.wrongExpectedVersions.increment();
                if (settings.wrongExpectedVersion() == WrongExpectedVersionHandling.FAIL) {
                    writer.fatal("Another writer changed the stream: " + Failure.describe(error)
                            + " (wrong.expected.version.handling=fail)", error);
                    return;
                }
                LOG.debug("Stream '{}' changed under the sink ({}); reading its end again", queue.stream,
                        Failure.describe(error));
                queue.reread = true;
                retryLater(queue, error, queue.attempts == 0);
            }
            case STREAM_DELETED -> {
                queue.putBack(batch);
                if (queue.progress == null) {
                    queue.progress = new StreamProgress(StreamState.any());
                }
                queue.progress.tombstoned = true;
            }
            case TOO_BIG, INVALID -> {
                if (batch.isEmpty()) {
                    writer.fatal("EventStoreDB refused to read stream '" + queue.stream + "': "
                            + Failure.describe(error), error);
                } else if (batch.size() > 1) {
                    // Find the record the server refuses: smaller appends until it is alone.
                    queue.maxBatchEvents = Math.max(1, batch.size() / 2);
                    queue.putBack(batch);
                } else {
                    Pending pending = batch.get(0);
                    buffer.failed(pending, new ConnectException("EventStoreDB refused the event for stream '"
                            + queue.stream + "': " + Failure.describe(error), Failure.unwrap(error)));
                }
            }
            default -> {
                queue.putBack(batch);
                writer.fatal("EventStoreDB call for stream '" + queue.stream + "' failed: "
                        + Failure.describe(error), error);
            }
        }
    }

    /** Stops waiting out backoffs. */
    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
