package dev.cdcconnect.cassandra.write;

import dev.cdcconnect.cassandra.mapping.Change;
import dev.cdcconnect.cassandra.mapping.ChangeMapper;
import dev.cdcconnect.support.DeadLetterQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 * The sink's writer: maps records to changes, buffers them, and has the {@link CassandraWriter} apply them when
 * {@code flushRecords} are waiting, when the oldest has waited {@code flushInterval} (on a timer of its own, so no
 * further record or offset commit is needed), or when offsets are to be committed. Records that cannot be written
 * go to the dead letter queue. Offsets are committable only once every record up to them is written, or
 * acknowledged by the dead letter queue, and never past the first change of a commit millisecond whose changes
 * may go on (see {@link dev.cdcconnect.cassandra.mapping.WriteTimestamps#openRunStart}).
 *
 * <p>Every method, and the timer's flush, holds this writer's lock: a timed flush never runs beside the task's
 * put, commit or partition revocation. A failure of a timed flush is thrown by the task's next {@link #put}.
 */
public final class ChangeWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeWriter.class);

    private record Position(TopicPartition partition, long offset) {
    }

    private final ChangeMapper mapper;
    private final CassandraWriter writer;
    private final DeadLetterQueue deadLetters;
    private final int flushRecords;
    private final long flushIntervalNanos;
    private final ScheduledExecutorService timer;

    /** Changes waiting to be written, in arrival order. */
    private final List<Change> buffer = new ArrayList<>();
    /** Every record received and not yet written or settled, with the changes buffered for it. */
    private final Set<Position> pending = new HashSet<>();
    private final Map<TopicPartition, Long> pendingMaxOffset = new HashMap<>();
    private final Map<TopicPartition, OffsetAndMetadata> acknowledged = new HashMap<>();
    private long oldestBuffered;
    private ScheduledFuture<?> timedFlush;
    /** What a timed flush failed with: thrown by the next put. */
    private ConnectException timedFlushFailure;
    private boolean closed;

    public ChangeWriter(ChangeMapper mapper, CassandraWriter writer, DeadLetterQueue deadLetters, int flushRecords,
                        Duration flushInterval, String name) {
        this.mapper = mapper;
        this.writer = writer;
        this.deadLetters = deadLetters;
        this.flushRecords = flushRecords;
        this.flushIntervalNanos = flushInterval.toNanos();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, name + "-flush");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Buffers the records' changes; writes the buffer when it is full or its oldest change has waited long enough.
     *
     * @throws RetriableException when writes still fail for a transient reason after the retries (here or in a
     *                            timed flush): the records are to be delivered again, the buffer is kept
     * @throws ConnectException   when a record cannot be written and the dead letter queue does not take it
     */
    public synchronized void put(Collection<SinkRecord> records) {
        deadLetters.throwIfFailed();
        if (timedFlushFailure != null) {
            ConnectException failure = timedFlushFailure;
            // A retriable failure is thrown once (the worker then delivers the records again); any other fails the task.
            if (failure instanceof RetriableException) {
                timedFlushFailure = null;
            }
            throw failure;
        }
        for (SinkRecord record : records) {
            // A transform may have renamed the topic (to pick the table): offsets are the original partition's.
            Position position = new Position(originalPartition(record), record.originalKafkaOffset());
            if (!pending.add(position)) {
                // Delivered again after a retriable failure: its change is still buffered.
                continue;
            }
            pendingMaxOffset.merge(position.partition(), position.offset(), Math::max);
            try {
                Optional<Change> change = mapper.map(record);
                if (change.isPresent()) {
                    if (buffer.isEmpty()) {
                        oldestBuffered = System.nanoTime();
                    }
                    buffer.add(change.get());
                }
            } catch (IllegalArgumentException | DataException e) {
                report(record, e.getMessage(), e);
            }
        }
        if (buffer.size() >= flushRecords || (!buffer.isEmpty() && waited() >= flushIntervalNanos)) {
            flush();
        } else if (!buffer.isEmpty()) {
            scheduleFlush();
        }
    }

    /**
     * Writes what is buffered, then answers the offsets of {@code partitions} that may be committed.
     *
     * @throws RetriableException when writes still fail for a transient reason after the retries
     */
    public synchronized Map<TopicPartition, OffsetAndMetadata> committableOffsets(Collection<TopicPartition> partitions) {
        if (timedFlushFailure == null || timedFlushFailure instanceof RetriableException) {
            try {
                flush();
            } catch (ConnectException e) {
                if (e instanceof RetriableException) {
                    throw e;
                }
                // The dead letter queue refused a record: the next put() fails the task; commit what is safe meanwhile.
                LOG.debug("Not committing past a record the dead letter queue did not take: {}", e.getMessage());
            }
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
        buffer.removeIf(c -> partitions.contains(originalPartition(c.record())));
        pending.removeIf(p -> partitions.contains(p.partition()));
        partitions.forEach(pendingMaxOffset::remove);
        partitions.forEach(acknowledged::remove);
        deadLetters.forget(partitions);
        mapper.timestamps().forget(partitions);
    }

    /** Stops the timer, after any flush under way; what is still buffered is delivered again after a restart. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        timer.shutdownNow();
    }

    private long waited() {
        return System.nanoTime() - oldestBuffered;
    }

    private void scheduleFlush() {
        if (closed || (timedFlush != null && !timedFlush.isDone())) {
            return;
        }
        long delay = Math.max(0, flushIntervalNanos - waited());
        timedFlush = timer.schedule(this::flushIfDue, delay, TimeUnit.NANOSECONDS);
    }

    private synchronized void flushIfDue() {
        if (closed || timedFlushFailure != null || buffer.isEmpty()) {
            return;
        }
        if (waited() < flushIntervalNanos) {
            // The buffer was written and filled again since this flush was scheduled.
            timedFlush = timer.schedule(this::flushIfDue, flushIntervalNanos - waited(), TimeUnit.NANOSECONDS);
            return;
        }
        try {
            flush();
        } catch (ConnectException e) {
            LOG.debug("A timed flush failed; the next put reports it: {}", e.getMessage());
            timedFlushFailure = e;
        } catch (RuntimeException e) {
            timedFlushFailure = new ConnectException("Writing to Cassandra failed: " + e, e);
        }
    }

    private void flush() {
        if (!buffer.isEmpty()) {
            List<RecordFailure> failures;
            try {
                failures = writer.write(List.copyOf(buffer));
            } catch (TransientWriteException e) {
                throw new RetriableException(e.getMessage() + " (" + buffer.size() + " changes will be written again)", e);
            }
            for (RecordFailure failure : failures) {
                report(failure.change().record(), failure.reason(), failure.cause());
            }
        }
        deadLetters.awaitAcknowledged(DeadLetterQueue.ACKNOWLEDGE_TIMEOUT);
        pendingMaxOffset.forEach((partition, offset) -> {
            // Not past the first change of a commit millisecond whose changes may go on: delivered again after a
            // restart, they must get the same sequence, counted from that change.
            long next = Math.min(offset + 1, mapper.timestamps().openRunStart(partition).orElse(offset + 1));
            acknowledged.merge(partition, new OffsetAndMetadata(next), (a, b) -> a.offset() >= b.offset() ? a : b);
        });
        buffer.clear();
        pending.clear();
        pendingMaxOffset.clear();
        if (timedFlushFailure instanceof RetriableException) {
            // written since: the records need not be delivered again
            timedFlushFailure = null;
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
