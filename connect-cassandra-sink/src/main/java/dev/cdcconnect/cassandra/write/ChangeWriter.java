package dev.cdcconnect.cassandra.write;

import dev.cdcconnect.cassandra.mapping.Change;
import dev.cdcconnect.cassandra.mapping.ChangeMapper;
import dev.cdcconnect.support.DeadLetterQueue;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink's writer: maps records to changes, buffers them, and has the {@link CassandraWriter} send them when
 * {@code flushRecords} are waiting, when the oldest has waited {@code flushInterval} (on a timer of its own, so no
 * further record or offset commit is needed), or when offsets are to be committed. Sending does not wait for the
 * writes: the task maps the next records while they are in flight (at most {@code write.max.concurrent.requests}).
 * Records that cannot be written go to the dead letter queue. Offsets are committable only once every record up
 * to them is written, or acknowledged by the dead letter queue, and never past the first change of a commit
 * millisecond whose changes may go on (see {@link dev.cdcconnect.cassandra.mapping.WriteTimestamps#openRunStart}).
 *
 * <p>Every method, the timer and the handling of finished writes hold this writer's lock: none runs beside the
 * task's put, commit or partition revocation. What finished writes fail with is thrown by the task's next call.
 */
public final class ChangeWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeWriter.class);

    private record Position(TopicPartition partition, long offset) {
    }

    /** Records received, with their changes, in arrival order. */
    private static final class Batch {
        final List<Change> changes = new ArrayList<>();
        final Set<Position> positions = new HashSet<>();
        final Map<TopicPartition, Long> maxOffsets = new HashMap<>();
        long oldestChange;

        void add(Batch later) {
            if (changes.isEmpty()) {
                oldestChange = later.oldestChange;
            }
            changes.addAll(later.changes);
            positions.addAll(later.positions);
            later.maxOffsets.forEach((partition, offset) -> maxOffsets.merge(partition, offset, Math::max));
        }
    }

    /** A batch whose writes were sent, and what they came to. */
    private record Flight(Batch batch, CompletableFuture<List<RecordFailure>> outcome) {
    }

    private final ChangeMapper mapper;
    private final CassandraWriter writer;
    private final DeadLetterQueue deadLetters;
    private final int flushRecords;
    private final long flushIntervalNanos;
    /** The flush timer, and the thread that handles finished writes. */
    private final ScheduledExecutorService timer;

    /** Records received and not yet sent. */
    private Batch buffer = new Batch();
    /** Batches sent, oldest first: a batch's offsets are committable once it and every earlier one are settled. */
    private final Deque<Flight> inFlight = new ArrayDeque<>();
    /** Every record received and not yet written or settled: in the buffer or in flight. */
    private final Set<Position> pending = new HashSet<>();
    private final Map<TopicPartition, OffsetAndMetadata> acknowledged = new HashMap<>();
    private ScheduledFuture<?> timedFlush;
    /** Writes still failed for a transient reason: thrown once by the next call, the records sent again later. */
    private RetriableException retry;
    /** A record that cannot be written and that no dead letter queue took, or a bug: fails the task. */
    private ConnectException failure;
    private boolean closed;

    public ChangeWriter(ChangeMapper mapper, CassandraWriter writer, DeadLetterQueue deadLetters, int flushRecords,
                        Duration flushInterval, String name) {
        this.mapper = mapper;
        this.writer = writer;
        this.deadLetters = deadLetters;
        this.flushRecords = flushRecords;
        this.flushIntervalNanos = flushInterval.toNanos();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, name + "-writer");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Buffers the records' changes; sends the buffer when it is full or its oldest change has waited long enough.
     *
     * @throws RetriableException when writes still failed for a transient reason after the retries: the records
     *                            are to be delivered again (what is buffered or was sent is kept and sent again)
     * @throws ConnectException   when a record cannot be written and no dead letter queue took it
     */
    public synchronized void put(Collection<SinkRecord> records) {
        deadLetters.throwIfFailed();
        throwFailure();
        for (SinkRecord record : records) {
            // A transform may have renamed the topic (to pick the table): offsets are the original partition's.
            Position position = new Position(originalPartition(record), record.originalKafkaOffset());
            if (!pending.add(position)) {
                // Delivered again after a retriable failure: its change is still buffered.
                continue;
            }
            buffer.positions.add(position);
            buffer.maxOffsets.merge(position.partition(), position.offset(), Math::max);
            try {
                Optional<Change> change = mapper.map(record);
                if (change.isPresent()) {
                    if (buffer.changes.isEmpty()) {
                        buffer.oldestChange = System.nanoTime();
                    }
                    buffer.changes.add(change.get());
                }
            } catch (IllegalArgumentException | DataException e) {
                report(record, e.getMessage(), e);
            }
        }
        if (buffer.changes.size() >= flushRecords || due()) {
            send();
        } else {
            scheduleFlush();
        }
    }

    /**
     * Sends what is buffered, waits for every write in flight, then answers the offsets of {@code partitions} that
     * may be committed.
     *
     * @throws RetriableException when writes still failed for a transient reason after the retries
     * @throws ConnectException   when a record cannot be written and there is no dead letter queue
     */
    public synchronized Map<TopicPartition, OffsetAndMetadata> committableOffsets(Collection<TopicPartition> partitions) {
        if (failure == null) {
            // Whatever failed before is sent again now.
            retry = null;
            send();
            awaitInFlight();
        }
        if (failure != null && !deadLetters.isConfigured()) {
            throw failure;
        }
        // A record the dead letter queue refused fails the task at the next put(); commit what is safe meanwhile.
        if (retry != null) {
            throwFailure();
        }
        try {
            deadLetters.awaitAcknowledged(DeadLetterQueue.ACKNOWLEDGE_TIMEOUT);
        } catch (ConnectException e) {
            // The dead letter queue refused a record: the next put() fails the task; commit what is safe meanwhile.
            LOG.debug("Not committing past a record the dead letter queue did not take: {}", e.getMessage());
        }
        Map<TopicPartition, OffsetAndMetadata> committable = new HashMap<>();
        for (TopicPartition partition : partitions) {
            OffsetAndMetadata acked = acknowledged.get(partition);
            if (acked != null) {
                committable.put(partition, acked);
            }
        }
        return deadLetters.committable(committable);
    }

    /** Drops what is buffered for revoked partitions: their next owner receives those records again. */
    public synchronized void closePartitions(Collection<TopicPartition> partitions) {
        awaitInFlight();
        buffer.changes.removeIf(c -> partitions.contains(originalPartition(c.record())));
        buffer.positions.removeIf(p -> partitions.contains(p.partition()));
        partitions.forEach(buffer.maxOffsets::remove);
        pending.removeIf(p -> partitions.contains(p.partition()));
        partitions.forEach(acknowledged::remove);
        deadLetters.forget(partitions);
        mapper.timestamps().forget(partitions);
    }

    /** Waits for the writes in flight and stops the timer; what is still buffered is delivered again after a restart. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            awaitInFlight();
        }
        timer.shutdownNow();
    }

    private void throwFailure() {
        if (failure != null) {
            throw failure;
        }
        if (retry != null) {
            RetriableException thrown = retry;
            retry = null;
            throw thrown;
        }
    }

    private boolean due() {
        return !buffer.changes.isEmpty() && System.nanoTime() - buffer.oldestChange >= flushIntervalNanos;
    }

    private void scheduleFlush() {
        if (closed || buffer.changes.isEmpty() || (timedFlush != null && !timedFlush.isDone())) {
            return;
        }
        long delay = Math.max(0, flushIntervalNanos - (System.nanoTime() - buffer.oldestChange));
        timedFlush = timer.schedule(this::flushIfDue, delay, TimeUnit.NANOSECONDS);
    }

    private synchronized void flushIfDue() {
        timedFlush = null;
        if (closed || failure != null || retry != null) {
            return;
        }
        if (due()) {
            send();
        } else {
            // The buffer was sent and filled again since this flush was scheduled.
            scheduleFlush();
        }
    }

    /** Sends the buffer's writes; the timer's thread settles them once they are done. */
    private void send() {
        if (buffer.positions.isEmpty() || failure != null) {
            return;
        }
        Batch batch = buffer;
        buffer = new Batch();
        CompletableFuture<List<RecordFailure>> outcome;
        try {
            outcome = batch.changes.isEmpty() ? CompletableFuture.completedFuture(List.of()) : writer.write(batch.changes);
        } catch (RuntimeException e) {
            outcome = CompletableFuture.failedFuture(e);
        }
        inFlight.addLast(new Flight(batch, outcome));
        outcome.whenCompleteAsync((result, error) -> settle(), timer);
    }

    /** Settles finished batches in the order they were sent. */
    private synchronized void settle() {
        while (!inFlight.isEmpty() && inFlight.peekFirst().outcome().isDone()) {
            Flight flight = inFlight.removeFirst();
            try {
                List<RecordFailure> failures = flight.outcome().join();
                if (failure == null) {
                    for (RecordFailure recordFailure : failures) {
                        report(recordFailure.change().record(), recordFailure.reason(), recordFailure.cause());
                    }
                    acknowledge(flight.batch());
                }
            } catch (RuntimeException e) {
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                if (cause instanceof TransientWriteException) {
                    resend(flight, cause);
                } else if (failure == null) {
                    failure = cause instanceof ConnectException connect ? connect
                            : new ConnectException("Writing to Cassandra failed: " + cause, cause);
                }
            }
        }
        notifyAll();
    }

    /**
     * Writes still failed for a transient reason: the batch and every later one go back to the buffer, to be
     * written again whole (writes are idempotent), and nothing after them is committable until they are written.
     */
    private void resend(Flight failed, Throwable cause) {
        Batch again = failed.batch();
        for (Flight later : inFlight) {
            again.add(later.batch());
        }
        inFlight.clear();
        again.add(buffer);
        buffer = again;
        retry = new RetriableException(cause.getMessage() + " (" + buffer.changes.size()
                + " changes will be written again)", cause.getCause());
        LOG.debug("{}", retry.getMessage());
    }

    private void acknowledge(Batch batch) {
        pending.removeAll(batch.positions);
        batch.maxOffsets.forEach((partition, offset) -> {
            // Not past the first change of a commit millisecond whose changes may go on: delivered again after a
            // restart, they must get the same sequence, counted from that change.
            long next = Math.min(offset + 1, mapper.timestamps().openRunStart(partition).orElse(offset + 1));
            acknowledged.merge(partition, new OffsetAndMetadata(next), (a, b) -> a.offset() >= b.offset() ? a : b);
        });
    }

    private void awaitInFlight() {
        while (!inFlight.isEmpty()) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConnectException("Interrupted while waiting for writes to Cassandra", e);
            }
        }
    }

    /** A record that cannot be written goes to the dead letter queue, or fails the task naming it. */
    private void report(SinkRecord record, String reason, Throwable cause) {
        if (deadLetters.isConfigured()) {
            LOG.warn("Cannot write the record at {} to Cassandra: {}; sending it to the dead letter queue",
                    DeadLetterQueue.position(record), reason);
        }
        deadLetters.report(record, new DataException(reason, cause));
    }

    /** The topic-partition the worker consumed the record from, before any transform renamed its topic. */
    private static TopicPartition originalPartition(SinkRecord record) {
        return new TopicPartition(record.originalTopic(), record.originalKafkaPartition());
    }
}
