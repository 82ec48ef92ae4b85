package dev.cdcconnect.eventstore.write;

import dev.cdcconnect.eventstore.event.EventMapper;
import dev.cdcconnect.eventstore.event.MappedRecord;
import dev.cdcconnect.eventstore.event.RecordConversionException;
import dev.cdcconnect.support.DeadLetterQueue;
import dev.cdcconnect.support.sink.RetryWindow;
import io.kurrent.dbclient.KurrentDBClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
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
 * call still unanswered well past its deadline ({@link Calls#unansweredAfter}) therefore fails with
 * {@link UnansweredCallException}, which replaces the client and retries the records like any failure whose outcome
 * is unknown.
 *
 * <p>The parts: each stream's queue is in one {@link StreamQueue.State} at a time (idle, ready, calling, backing
 * off, parked), moved from one to the next only by {@link StreamQueues}. {@link CallBatcher} groups the records of
 * the ready queues into calls, within the call slots. Every EventStoreDB call (a stream's read, an append, a
 * deletion, a multi-stream append) goes through {@link Calls}, one completion path. {@link Buffer} holds the records
 * from their arrival until they are done. What the server offers (multi-stream appends) is settled by
 * {@link ServerFeatures}. This class takes the records in, hands back the offsets to commit, and tells the task when
 * it cannot go on.
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
            int multiStreamConcurrency,
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

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final StreamQueues queues = new StreamQueues();
    private final Buffer buffer = new Buffer();
    private ConnectException fatal;
    private final ServerFeatures features;
    private final CallBatcher batcher;
    private final Calls calls;
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
        this.features = new ServerFeatures(settings, Calls.unansweredAfter(settings), metrics,
                new ServerFeatures.Writer() {
            @Override
            public KurrentDBClient client() {
                return StreamWriter.this.calls.client();
            }

            @Override
            public void replaceClient(KurrentDBClient client, Throwable error) {
                StreamWriter.this.calls.replaceClient(client, error);
            }

            @Override
            public void transientFailure(Throwable error) {
                retries.failed(error);
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
        this.calls = new Calls(settings, clients, features, queues, batcher, buffer, retries, metrics, lock, changed,
                new Calls.Writer() {
            @Override
            public void fatal(String message, Throwable cause) {
                StreamWriter.this.fatal(message, cause);
            }

            @Override
            public boolean closed() {
                return closed;
            }

            @Override
            public void pump(List<CallBatcher.Call> next) {
                StreamWriter.this.pump(next);
            }
        });
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
        List<CallBatcher.Call> next = new ArrayList<>();
        lock.lock();
        try {
            for (Pending pending : accepted) {
                queues.add(pending);
                buffer.add(pending);
            }
            pump(next);
        } finally {
            lock.unlock();
        }
        next.forEach(calls::make);
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
        calls.close();
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
        List<CallBatcher.Call> next = new ArrayList<>();
        Throwable failing = null;
        lock.lock();
        try {
            if (fatal != null) {
                throw fatal;
            }
            if (queues.unavailable() != null) {
                failing = queues.unavailable();
                queues.unpark();
                pump(next);
            }
        } finally {
            lock.unlock();
        }
        next.forEach(calls::make);
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

    // ---- with the lock held

    /** Starts as many calls as the free call slots allow, unless closed or failed; they are made after unlocking. */
    private void pump(List<CallBatcher.Call> next) {
        if (!closed && fatal == null) {
            batcher.fill(next);
        }
    }

    private void fatal(String message, Throwable cause) {
        if (fatal == null) {
            fatal = new ConnectException(message, Failure.unwrap(cause));
            LOG.error("{}", message);
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
