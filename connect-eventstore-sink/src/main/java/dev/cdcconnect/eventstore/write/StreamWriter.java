package dev.cdcconnect.eventstore.write;

import dev.cdcconnect.eventstore.event.EventMapper;
import dev.cdcconnect.eventstore.event.MappedRecord;
import dev.cdcconnect.eventstore.event.RecordConversionException;
import dev.cdcconnect.support.DeadLetterQueue;
import dev.cdcconnect.support.sink.Backoff;
import dev.cdcconnect.support.sink.RetryWindow;
import io.kurrent.dbclient.AppendResponse;
import io.kurrent.dbclient.AppendStreamRequest;
import io.kurrent.dbclient.AppendToStreamOptions;
import io.kurrent.dbclient.DeleteResult;
import io.kurrent.dbclient.DeleteStreamOptions;
import io.kurrent.dbclient.KurrentDBClient;
import io.kurrent.dbclient.MultiStreamAppendResponse;
import io.kurrent.dbclient.StreamState;
import io.kurrent.dbclient.WriteResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes sink records to EventStoreDB streams.
 *
 * <p>Records are queued per stream, in the order received. A stream has at most one call in flight, so its
 * order is kept; while it is in flight, the stream's next records wait and then go together in one append, up to
 * the maximum append size. Different streams are appended concurrently, up to a bound, and optionally together
 * in one multi-stream append. With exactly-once delivery a stream's end is read before its first append (after a
 * start, a rebalance or a conflict), records it already holds are skipped, and appends carry the exact expected
 * revision. With exactly-once delivery a change the source connector delivered again, in a later record, is skipped
 * too: a change whose source position is not after that of the last record its stream holds from the same
 * partition (known from this writer's appends, or read from the stream's end). {@link #committableOffsets} only
 * covers records whose appends were acknowledged, or that were skipped (or that the dead letter queue
 * acknowledged).
 *
 * <p>Failures: transient ones (server unavailable or busy, not the leader, deadline, a client that shut itself
 * down or left a call unanswered, which is replaced) are retried with exponential backoff; when a stream has used
 * up its retries, {@link #write} refuses new records with a {@link RetriableException} until an append succeeds
 * again. A record that can never be written (too big, deleted stream, refused content, not convertible) goes to the
 * {@link DeadLetterQueue}. Anything else fails the task.
 *
 * <p>Every call carries the deadline, so the client answers it by then, if only with DEADLINE_EXCEEDED. It can still
 * lose a call (a server that ends a call without a reply; a call handed to the client just as it shuts itself down
 * after failing to reach a restarting server): its future never completes and the stream would wait for good. A
 * call still unanswered well past its deadline ({@link #unansweredAfter}) therefore fails with
 * {@link UnansweredCallException}, which replaces the client and retries the records like any failure whose outcome
 * is unknown.
 *
 * <p>Each stream's queue is in one {@link StreamQueue.State} at a time (idle, ready, calling, backing off, parked). Every
 * EventStoreDB call (a stream's read, an append, a deletion, a multi-stream append) goes through {@link #call}, one
 * completion path. What the server offers (multi-stream appends) is settled by {@link ServerFeatures}.
 *
 * <p>{@link #write}, {@link #committableOffsets}, {@link #closePartitions} and {@link #close} are called on the
 * task's thread; completions of EventStoreDB calls arrive on the client's threads, or on the JDK's timer thread for
 * a call given up as unanswered.
 */
public final class StreamWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StreamWriter.class);

    /** How the writer behaves. */
    public record Settings(
            DeliveryGuarantee guarantee,
            WrongExpectedVersionHandling wrongExpectedVersion,
            int appendMaxBytes,
            int concurrency,
            boolean multiStreamAppend,
            long bufferMaxBytes,
            int retryMaxAttempts,
            Duration retryBackoff,
            Duration retryBackoffMax,
            int recoveryScanMaxEvents,
            Duration deadline,
            Duration retryTimeout) {
    }

    private final Settings settings;
    private volatile EventMapper mapper;
    private final Clients clients;
    private final DeadLetterQueue deadLetters;
    private final WriterMetrics metrics;
    private final ScheduledExecutorService scheduler;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final StreamQueues queues = new StreamQueues();
    private final Buffer buffer = new Buffer();
    private ConnectException fatal;
    private final ServerFeatures features;
    private final CallBatcher batcher;
    private boolean closed;
    /** What keeps the sink from reaching the server, when something does: asked before warning or failing. */
    private final Supplier<Optional<String>> diagnosis;
    /** Since when calls fail for a transient reason with none succeeding: the task fails once it is too long. */
    private final RetryWindow retries;

    public StreamWriter(Settings settings, EventMapper mapper, Supplier<KurrentDBClient> clientFactory,
                        DeadLetterQueue deadLetters, WriterMetrics metrics) {
        this(settings, mapper, clientFactory, deadLetters, metrics, Optional::empty);
    }

    /**
     * @param diagnosis what keeps the sink from reaching the server (unreachable host or port, TLS mismatch), or
     *                  empty when the connection itself works; called on the task's thread while calls fail
     */
    public StreamWriter(Settings settings, EventMapper mapper, Supplier<KurrentDBClient> clientFactory,
                        DeadLetterQueue deadLetters, WriterMetrics metrics, Supplier<Optional<String>> diagnosis) {
        this.diagnosis = diagnosis;
        this.settings = settings;
        this.mapper = mapper;
        this.metrics = metrics;
        this.clients = new Clients(clientFactory, metrics, diagnosis, settings.retryBackoffMax());
        this.deadLetters = deadLetters;
        // A warning per redelivery at most: the worker delivers refused records again after retry.backoff.max.ms.
        this.retries = new RetryWindow(settings.retryTimeout(), settings.retryBackoffMax().minusMillis(50));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "eventstore-sink-retries");
            thread.setDaemon(true);
            return thread;
        });
        this.features = new ServerFeatures(settings, unansweredAfter(), metrics, new ServerFeatures.Writer() {
            @Override
            public KurrentDBClient client() {
                return StreamWriter.this.client();
            }

            @Override
            public void replaceClient(KurrentDBClient client, Throwable error) {
                StreamWriter.this.replaceClient(client, error);
            }

            @Override
            public void transientFailure(Throwable error) {
                StreamWriter.this.transientFailure(error);
            }

            @Override
            public void failIfRetriedTooLong() {
                StreamWriter.this.failIfRetriedTooLong();
            }

            @Override
            public RetriableException unavailable(Throwable error) {
                return StreamWriter.this.unavailable(error);
            }

            @Override
            public void multiStreamAnswered(boolean supported) {
                StreamWriter.this.multiStreamAnswered(supported);
            }
        });
        this.batcher = new CallBatcher(settings, features, queues, buffer, metrics);
        metrics.gauges(this::bufferedBytes, this::inFlight);
    }

    // ---- task thread

    /**
     * Takes records in for writing; returns once they are queued (waiting while the buffer is full).
     *
     * @throws RetriableException when EventStoreDB has been failing (the records are not taken; the worker
     *                            delivers them again), or the buffer stayed full too long
     * @throws ConnectException   when the task cannot go on, or a record cannot be written and there is no
     *                            dead letter queue
     */
    public void write(Collection<SinkRecord> records) {
        reportFailures();
        deadLetters.throwIfFailed();
        throwIfFailed();
        features.settle(!records.isEmpty());
        awaitBufferSpace();
        List<Pending> accepted = new ArrayList<>(records.size());
        for (SinkRecord record : records) {
            TopicPartition partition = new TopicPartition(record.originalTopic(), record.originalKafkaPartition());
            OffsetTracker tracker = buffer.tracker(partition);
            OffsetTracker.Slot slot = tracker.register(record.originalKafkaOffset());
            if (slot == null) {
                LOG.debug("Ignoring {} offset {}: received already", partition, record.originalKafkaOffset());
                continue;
            }
            MappedRecord mapped;
            try {
                mapped = mapper.map(record);
            } catch (RecordConversionException e) {
                metrics.recordsDeadLettered.increment();
                deadLetters.report(record, e);
                slot.done();
                continue;
            }
            if (mapped instanceof MappedRecord.Append append) {
                if (append.holdsCommit()) {
                    slot.holdUntilNextDone();
                }
                accepted.add(new Pending(record, partition, append, append.size(), tracker, slot));
            } else if (mapped instanceof MappedRecord.DeleteStream delete) {
                accepted.add(new Pending(record, partition, delete, 0, tracker, slot));
            } else {
                slot.done();
            }
        }
        List<CallBatcher.Call> calls = new ArrayList<>();
        lock.lock();
        try {
            for (Pending pending : accepted) {
                queues.add(pending);
                buffer.add(pending);
            }
            pump(calls);
        } finally {
            lock.unlock();
        }
        calls.forEach(this::make);
    }

    /** For each of the given partitions that received records, the offset up to which all are done. */
    public Map<TopicPartition, OffsetAndMetadata> committableOffsets(Collection<TopicPartition> partitions) {
        try {
            reportFailures();
        } catch (ConnectException e) {
            LOG.debug("A record could not be written; the next put() fails the task: {}", e.getMessage());
        }
        // Not past a record the dead letter queue has not acknowledged (or refused).
        return deadLetters.committable(buffer.committable(partitions));
    }

    /**
     * Forgets the records of partitions the task no longer owns, once the calls in flight have finished (or
     * the deadline passed), and what it knew about streams, which the partitions' new owner may write now.
     */
    public void closePartitions(Collection<TopicPartition> partitions) {
        lock.lock();
        try {
            // Drop the revoked partitions' waiting records first, so no new call carries them, then let the calls
            // that do finish: the partitions' new owner should find the streams as this task left them.
            buffer.forget(partitions);
            mapper.forget(partitions);
            deadLetters.forget(partitions);
            int dropped = 0;
            for (StreamQueue queue : queues.all()) {
                for (Iterator<Pending> it = queue.pending.iterator(); it.hasNext(); ) {
                    Pending pending = it.next();
                    if (buffer.isStale(pending)) {
                        it.remove();
                        buffer.drop(pending);
                        dropped++;
                    }
                }
                queue.reread = true;
            }
            queues.forgetIdle();
            if (dropped > 0) {
                LOG.info("Dropped {} records of {} revoked partitions; their new owner writes them", dropped,
                        partitions.size());
            }
            long waitUntil = System.nanoTime() + settings.deadline().toNanos();
            while (!closed && buffer.flying(partitions)) {
                long left = waitUntil - System.nanoTime();
                if (left <= 0 || !changed.await(left, TimeUnit.NANOSECONDS)) {
                    break;
                }
            }
            changed.signalAll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    /** Stops writing: waits for calls in flight up to the deadline, then closes the client. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            long waitUntil = System.nanoTime() + settings.deadline().toNanos();
            while (batcher.inFlight() > 0) {
                long left = waitUntil - System.nanoTime();
                if (left <= 0 || !changed.await(left, TimeUnit.NANOSECONDS)) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
        scheduler.shutdownNow();
        clients.close();
    }

    /**
     * Creates the client and asks the server for its features on a thread of its own, right when the task starts
     * (see {@link ServerFeatures#connectAhead}); the future completes when that is over, answered or not.
     */
    public CompletableFuture<Void> connectAhead() {
        return features.connectAhead();
    }

    /** The server's answer on multi-stream appends: the metadata format follows from it. */
    private void multiStreamAnswered(boolean supported) {
        retries.succeeded();
        if (supported) {
            mapper = mapper.withMetadataValuesAsStrings();
            LOG.info("EventStoreDB offers multi-stream appends: streams are appended together, metadata values "
                    + "are written as strings");
        } else {
            LOG.info("EventStoreDB does not offer multi-stream appends (before 25.1): appending stream by stream");
        }
    }

    private void reportFailures() {
        Buffer.Failed failure;
        while ((failure = buffer.nextFailed()) != null) {
            metrics.recordsDeadLettered.increment();
            try {
                deadLetters.report(failure.pending().record, failure.reason());
            } catch (ConnectException e) {
                lock.lock();
                try {
                    if (fatal == null) {
                        fatal = e;
                    }
                } finally {
                    lock.unlock();
                }
                throw e;
            }
            failure.pending().slot.done();
        }
    }

    private void throwIfFailed() {
        failIfRetriedTooLong();
        List<CallBatcher.Call> calls = new ArrayList<>();
        Throwable failing = null;
        lock.lock();
        try {
            if (fatal != null) {
                throw fatal;
            }
            if (queues.unavailable() != null) {
                failing = queues.unavailable();
                queues.unpark();
                pump(calls);
            }
        } finally {
            lock.unlock();
        }
        calls.forEach(this::make);
        if (failing != null) {
            throw unavailable(failing);
        }
    }

    /**
     * The retriable error that hands the records back to the worker while the server cannot be used, with one WARN
     * line per backoff step at most (the worker delivers the records again after {@code retry.backoff.max.ms}),
     * saying what is wrong and how long the sink goes on trying.
     */
    private RetriableException unavailable(Throwable error) {
        Duration failing = retries.failingFor();
        String problem = problem(error);
        if (retries.warningDue()) {
            long left = Math.max(0, settings.retryTimeout().minus(failing).toSeconds());
            LOG.warn("EventStoreDB cannot be used for {} s: {}; the records will be delivered again, and the task "
                    + "fails if this lasts {} s more (retry.timeout.ms)", failing.toSeconds(), problem, left);
        }
        return new RetriableException("EventStoreDB cannot be used: " + problem
                + "; the records will be delivered again", error);
    }

    /** What is wrong, as the connection check tells it, else the failure itself. */
    private String problem(Throwable error) {
        Optional<String> diagnosed;
        try {
            diagnosed = diagnosis.get();
        } catch (RuntimeException e) {
            LOG.debug("Connection check failed: {}", e.toString());
            diagnosed = Optional.empty();
        }
        String described = Failure.describe(error);
        return diagnosed.map(d -> d + " (last error: " + described + ")").orElse(described);
    }

    /**
     * Fails the task once calls have failed, none succeeding, for longer than {@code retry.timeout.ms}.
     *
     * @throws ConnectException saying what is wrong and what to check
     */
    private void failIfRetriedTooLong() {
        Throwable error = retries.overdue();
        if (error == null) {
            return;
        }
        lock.lock();
        try {
            if (fatal != null) {
                return;
            }
        } finally {
            lock.unlock();
        }
        String message = "EventStoreDB could not be used for " + retries.failingFor().toSeconds()
                + " s, longer than retry.timeout.ms (" + settings.retryTimeout().toMillis() + " ms): "
                + problem(error);
        lock.lock();
        try {
            fatal(message, error);
            throw fatal;
        } finally {
            lock.unlock();
        }
    }

    /** A call failed for a transient reason: the retry window starts, unless it runs already. */
    private void transientFailure(Throwable error) {
        retries.failed(error);
    }

    private void awaitBufferSpace() {
        lock.lock();
        try {
            long waitUntil = System.nanoTime() + Math.max(settings.deadline().toNanos() * 3, Duration.ofSeconds(30).toNanos());
            while (buffer.bytes() >= settings.bufferMaxBytes() && fatal == null && queues.unavailable() == null
                    && !closed) {
                long left = waitUntil - System.nanoTime();
                if (left <= 0) {
                    throw new RetriableException("The EventStoreDB sink's buffer (" + settings.bufferMaxBytes()
                            + " bytes) stayed full; the records will be delivered again");
                }
                changed.await(left, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetriableException("Interrupted while waiting for buffer space", e);
        } finally {
            lock.unlock();
        }
        throwIfFailed();
    }

    // ---- scheduling; every method below runs with the lock held unless it says otherwise

    /** Starts as many calls as the free call slots allow, unless closed or failed; they are made after unlocking. */
    private void pump(List<CallBatcher.Call> calls) {
        if (!closed && fatal == null) {
            batcher.fill(calls);
        }
    }

    /** Ends a call: frees its slot, lets its streams go on (unless they back off or wait), starts what can start. */
    private void finish(List<StreamQueue> called, List<CallBatcher.Call> calls) {
        batcher.ended(called);
        pump(calls);
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
        if (immediately || closed) {
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
                pump(calls);
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
                transientFailure(error);
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
                    fatal("Another writer changed the stream: " + Failure.describe(error)
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
                    fatal("EventStoreDB refused to read stream '" + queue.stream + "': " + Failure.describe(error), error);
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
                fatal("EventStoreDB call for stream '" + queue.stream + "' failed: " + Failure.describe(error), error);
            }
        }
    }

    private void fatal(String message, Throwable cause) {
        if (fatal == null) {
            fatal = new ConnectException(message, Failure.unwrap(cause));
            LOG.error("{}", message);
        }
    }

    // ---- calls, made without the lock; their completions take it

    private void make(CallBatcher.Call call) {
        if (call instanceof CallBatcher.Read read) {
            recover(read.queue(), read.wanted());
        } else if (call instanceof CallBatcher.Append append) {
            append(append.queue(), append.batch(), append.expected());
        } else if (call instanceof CallBatcher.Delete delete) {
            delete(delete.queue(), delete.pending(), delete.hard());
        } else if (call instanceof CallBatcher.MultiStreamAppend multi) {
            multiStreamAppend(multi.queues(), multi.batches(), multi.expected());
        }
    }

    private KurrentDBClient client() {
        KurrentDBClient client = clients.get();
        if (client == null) {
            throw new IllegalStateException("the writer is closed");
        }
        return client;
    }

    private void replaceClient(KurrentDBClient client, Throwable error) {
        clients.replace(client, Failure.unwrap(error) instanceof UnansweredCallException
                ? "left a call unanswered" : "shut down after failing to reach the server");
    }

    /**
     * How long a call may stay unanswered before it is given up: twice the deadline the client applies to it,
     * plus a second, so a call the client is still processing normally has long failed or succeeded by then.
     */
    private Duration unansweredAfter() {
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
        Duration limit = unansweredAfter();
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
    private <T> void call(List<StreamQueue> called, String what, Function<KurrentDBClient, CompletableFuture<T>> request,
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
                finish(called, calls);
            } finally {
                lock.unlock();
            }
            calls.forEach(this::make);
        });
    }

    private void recover(StreamQueue queue, Set<TopicPartition> wanted) {
        call(List.of(queue), "the read of stream '" + queue.stream + "'", client -> {
            metrics.streamRecoveries.increment();
            return StreamRecovery.read(client, queue.stream, wanted, settings.recoveryScanMaxEvents());
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

    private void append(StreamQueue queue, List<Pending> batch, StreamState expected) {
        long started = System.nanoTime();
        call(List.of(queue), "an append to stream '" + queue.stream + "'", client -> client.appendToStream(
                queue.stream, AppendToStreamOptions.get().streamState(expected),
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

    private void delete(StreamQueue queue, Pending pending, boolean hard) {
        DeleteStreamOptions options = DeleteStreamOptions.get().streamState(StreamState.any());
        call(List.of(queue), "the deletion of stream '" + queue.stream + "'", client -> hard
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

    private void multiStreamAppend(List<StreamQueue> queues, List<List<Pending>> batches, List<StreamState> expected) {
        long started = System.nanoTime();
        call(queues, "an append to " + queues.size() + " streams", client -> {
            List<AppendStreamRequest> requests = new ArrayList<>(queues.size());
            for (int i = 0; i < queues.size(); i++) {
                requests.add(new AppendStreamRequest(queues.get(i).stream,
                        batches.get(i).stream().map(Pending::event).iterator(), expected.get(i)));
            }
            return client.multiStreamAppend(requests.iterator());
        }, (response, error, client) -> {
            batches.forEach(buffer::land);
            if (error != null) {
                multiStreamAppendFailed(queues, batches, error, client);
                return;
            }
            metrics.appendLatency(System.nanoTime() - started);
            metrics.appends.increment();
            metrics.multiStreamAppends.increment();
            Map<String, Long> revisions = new HashMap<>();
            for (AppendResponse output : response.getResults()) {
                revisions.put(output.getStream(), output.getStreamRevision());
            }
            for (int i = 0; i < queues.size(); i++) {
                StreamQueue queue = queues.get(i);
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
    private void multiStreamAppendFailed(List<StreamQueue> queues, List<List<Pending>> batches, Throwable error,
                                         KurrentDBClient client) {
        Failure kind = Failure.classify(error);
        if (kind == Failure.UNSUPPORTED) {
            features.unsupported();
        } else if (kind == Failure.CLIENT_SHUT_DOWN) {
            replaceClient(client, error);
        }
        if (kind == Failure.CLIENT_SHUT_DOWN || kind == Failure.TRANSIENT) {
            transientFailure(error);
        }
        LOG.debug("Multi-stream append failed ({}); appending its streams one by one", Failure.describe(error));
        for (int i = 0; i < queues.size(); i++) {
            StreamQueue queue = queues.get(i);
            queue.putBack(batches.get(i));
            queue.alone = kind != Failure.UNSUPPORTED;
        }
    }

    // ---- gauges

    private long bufferedBytes() {
        lock.lock();
        try {
            return buffer.bytes();
        } finally {
            lock.unlock();
        }
    }

    private int inFlight() {
        lock.lock();
        try {
            return batcher.inFlight();
        } finally {
            lock.unlock();
        }
    }
}
