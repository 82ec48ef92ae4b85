package dev.cdcconnect.eventstore.write;

import dev.cdcconnect.event.SourcePosition;
import dev.cdcconnect.eventstore.event.MappedRecord;
import io.kurrent.dbclient.StreamState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Groups the records waiting in the ready stream queues into calls, as many as the free call slots allow (at most
 * {@code concurrency} calls in flight): a stream's read first when its end must be known, a deletion alone, an
 * append of a stream's consecutive records up to the append size and the stream's limit of events, or, when the
 * server offers it, one multi-stream append of several ready streams within the append size. At most
 * {@code multiStreamConcurrency} multi-stream appends are in flight: while they are, the streams such an append
 * would take wait, and the next one takes all that gathered meanwhile (fewer, larger appends cost the client and the
 * server less per event). On the way it takes off the queues the records of revoked partitions, those the stream
 * holds already, and changes delivered again; and it fails the records of a deleted stream. Every method runs with
 * the writer's lock held.
 */
final class CallBatcher {

    /** The writer's log lines keep its logger's name. */
    private static final Logger LOG = LoggerFactory.getLogger(StreamWriter.class);

    /** How many ready streams that cannot join a multi-stream append it passes over before it stops looking. */
    private static final int MULTI_STREAM_LOOKAHEAD = 64;

    /** A call to make: built with the writer's lock held, made after unlocking. */
    sealed interface Call permits OneStreamCall, MultiStreamAppend {
        /** The streams the call is for. */
        List<StreamQueue> queues();
    }

    /** A call for one stream. */
    sealed interface OneStreamCall extends Call permits Read, Append, Delete {
        StreamQueue queue();

        @Override
        default List<StreamQueue> queues() {
            return List.of(queue());
        }
    }

    /** A read of the stream's end, for the last records it holds from the wanted partitions. */
    record Read(StreamQueue queue, Set<TopicPartition> wanted) implements OneStreamCall {
    }

    record Append(StreamQueue queue, List<Pending> batch, StreamState expected) implements OneStreamCall {
    }

    record Delete(StreamQueue queue, Pending pending, boolean hard) implements OneStreamCall {
    }

    /** One append to several streams: each stream's batch and expected state at the same index. */
    record MultiStreamAppend(List<StreamQueue> queues, List<List<Pending>> batches, List<StreamState> expected)
            implements Call {
    }

    private final StreamWriter.Settings settings;
    private final ServerFeatures features;
    private final StreamQueues queues;
    private final Buffer buffer;
    private final WriterMetrics metrics;
    private int inFlight;
    private int multiStreamInFlight;

    CallBatcher(StreamWriter.Settings settings, ServerFeatures features, StreamQueues queues, Buffer buffer,
                WriterMetrics metrics) {
        this.settings = settings;
        this.features = features;
        this.queues = queues;
        this.buffer = buffer;
        this.metrics = metrics;
    }

    /** The calls in flight. */
    int inFlight() {
        return inFlight;
    }

    /** Adds as many calls as the free call slots allow, from the ready queues in order. */
    void fill(List<Call> calls) {
        while (inFlight < settings.concurrency() && queues.hasReady()) {
            if (features.multiStreamAppendPossible()) {
                if (multiStreamInFlight >= settings.multiStreamConcurrency()) {
                    // The streams a multi-stream append would take gather for the next one; the others (a read
                    // first, a deletion, a stream written alone) go on stream by stream meanwhile.
                    StreamQueue queue = queues.takeReady(this::streamByStream, MULTI_STREAM_LOOKAHEAD);
                    if (queue == null) {
                        return;
                    }
                    Call call = next(queue);
                    if (call != null) {
                        calls.add(call);
                    } else {
                        queues.retireIfIdle(queue);
                    }
                    continue;
                }
                Call multi = multiStreamAppend();
                if (multi != null) {
                    calls.add(multi);
                    continue;
                }
            }
            StreamQueue queue = queues.nextReady();
            Call call = next(queue);
            if (call != null) {
                calls.add(call);
            } else {
                queues.retireIfIdle(queue);
            }
        }
    }

    /** A call ended: its slot is free; its streams go on, unless they back off or are parked. */
    void ended(Call call) {
        inFlight--;
        if (call instanceof MultiStreamAppend) {
            multiStreamInFlight--;
        }
        call.queues().forEach(queues::ended);
    }

    /** The stream's next call, or null when it has nothing to write. */
    private Call next(StreamQueue queue) {
        dropStaleAndWritten(queue);
        if (queue.pending.isEmpty()) {
            return null;
        }
        if (needsRead(queue)) {
            Set<TopicPartition> wanted = new HashSet<>();
            queue.pending.forEach(p -> wanted.add(p.partition));
            calling(queue);
            return new Read(queue, wanted);
        }
        if (queue.progress == null) {
            queue.progress = new StreamProgress(StreamState.any());
        }
        if (queue.progress.tombstoned) {
            failDeletedStream(queue);
            return null;
        }
        Pending head = queue.pending.peekFirst();
        if (head.action instanceof MappedRecord.DeleteStream delete) {
            queue.pending.pollFirst();
            calling(queue);
            buffer.takeOff(List.of(head));
            return new Delete(queue, head, delete.hard());
        }
        List<Pending> batch = takeBatch(queue, settings.appendMaxBytes());
        StreamState expected = queue.progress.expected;
        calling(queue);
        buffer.takeOff(batch);
        return new Append(queue, batch, expected);
    }

    /** A call for the stream takes a slot. */
    private void calling(StreamQueue queue) {
        queues.calling(queue);
        inFlight++;
    }

    private boolean needsRead(StreamQueue queue) {
        if (queue.reread) {
            return true;
        }
        if (settings.guarantee() == DeliveryGuarantee.AT_LEAST_ONCE) {
            return false;
        }
        if (queue.progress == null) {
            if (settings.wrongExpectedVersion() == WrongExpectedVersionHandling.FAIL) {
                // Telling a foreign write from a stream that existed before needs the stream's end first.
                return true;
            }
            // A stream this writer has not met is appended to as a new one; if it exists, the server refuses the
            // append and the stream is read then. New streams, the common case, cost no read.
            queue.progress = StreamProgress.assumeNew();
            return false;
        }
        for (Pending pending : queue.pending) {
            if (!queue.progress.knows(pending.partition)) {
                return true;
            }
        }
        return false;
    }

    /** Removes from the queue's head the records of revoked partitions and those the stream already holds. */
    private void dropStaleAndWritten(StreamQueue queue) {
        while (!queue.pending.isEmpty()) {
            Pending head = queue.pending.peekFirst();
            SourcePosition last = queue.progress == null ? null : queue.progress.lastSource(head.partition);
            if (!skipped(queue, head, last)) {
                return;
            }
        }
    }

    /**
     * Takes the record at the queue's head off the queue when it is not to be written: its partition was revoked,
     * the stream holds it already, or its change was {@linkplain #redelivered delivered again} after {@code last}.
     * What the stream holds is not trusted while it is to be read again. Returns whether it took the record off.
     */
    private boolean skipped(StreamQueue queue, Pending head, SourcePosition last) {
        if (buffer.isStale(head)) {
            queue.pending.pollFirst();
            buffer.drop(head);
            return true;
        }
        if (queue.progress == null || queue.reread) {
            return false;
        }
        if (queue.progress.holds(head.partition, head.offset)) {
            queue.pending.pollFirst();
            metrics.recordsSkipped.increment();
            buffer.done(head);
            return true;
        }
        if (redelivered(queue, head, last)) {
            queue.pending.pollFirst();
            metrics.changesRedelivered.increment();
            buffer.done(head);
            return true;
        }
        return false;
    }

    /**
     * Whether the record's change is one the stream holds already, or an earlier one, delivered again by the source
     * connector in a later record: its source position is not after {@code last}, that of the record before it from
     * the same partition (null: none, or one without a position). Exactly-once only.
     */
    private boolean redelivered(StreamQueue queue, Pending pending, SourcePosition last) {
        if (pending.source == null || last == null || settings.guarantee() != DeliveryGuarantee.EXACTLY_ONCE
                || pending.source.isAfter(last)) {
            return false;
        }
        LOG.debug("Skipping {} offset {}: stream '{}' holds its change already (source position {}, the last "
                + "written from that partition {})", pending.partition, pending.offset, queue.stream, pending.source,
                last);
        return true;
    }

    /**
     * Consecutive appends from the queue's head, up to the byte budget and the stream's limit of events (at least
     * one); the stream's end is known.
     */
    private List<Pending> takeBatch(StreamQueue queue, int budget) {
        List<Pending> batch = new ArrayList<>();
        // The source positions of the changes taken so far, by partition: a change delivered again may follow its
        // first copy within one batch.
        Map<TopicPartition, SourcePosition> taken = null;
        int bytes = 0;
        while (!queue.pending.isEmpty()) {
            Pending pending = queue.pending.peekFirst();
            SourcePosition last = taken != null && taken.containsKey(pending.partition) ? taken.get(pending.partition)
                    : queue.progress.lastSource(pending.partition);
            if (skipped(queue, pending, last)) {
                continue;
            }
            if (!(pending.action instanceof MappedRecord.Append)
                    || (!batch.isEmpty() && (bytes + pending.size > budget || batch.size() >= queue.maxBatchEvents))) {
                break;
            }
            batch.add(queue.pending.pollFirst());
            bytes += pending.size;
            if (taken == null) {
                taken = new HashMap<>(2);
            }
            taken.put(pending.partition, pending.source);
        }
        return batch;
    }

    private void failDeletedStream(StreamQueue queue) {
        Pending pending;
        while ((pending = queue.pending.pollFirst()) != null) {
            if (pending.action instanceof MappedRecord.DeleteStream) {
                buffer.done(pending);
            } else {
                buffer.failed(pending, new ConnectException("stream '" + queue.stream + "' is deleted"));
            }
        }
    }

    /** Whether a multi-stream append with {@code budget} bytes left can take the queue's next records. */
    private boolean joinsMultiStream(StreamQueue queue, int budget) {
        return !(queue.alone || queue.pending.isEmpty() || needsRead(queue) || queue.progress == null
                || queue.progress.tombstoned || !(queue.pending.peekFirst().action instanceof MappedRecord.Append)
                || queue.pending.peekFirst().size > budget);
    }

    /** Whether the ready queue's next call is one of its own: no multi-stream append can take its records. */
    private boolean streamByStream(StreamQueue queue) {
        dropStaleAndWritten(queue);
        return !joinsMultiStream(queue, settings.appendMaxBytes());
    }

    /**
     * Gathers ready streams into one multi-stream append, each stream once, within the append size; null when
     * fewer than two streams can go (the caller then appends the next stream alone).
     */
    private Call multiStreamAppend() {
        List<StreamQueue> picked = new ArrayList<>();
        List<List<Pending>> batches = new ArrayList<>();
        List<StreamState> expected = new ArrayList<>();
        int budget = settings.appendMaxBytes();
        int passedOver = 0;
        for (Iterator<StreamQueue> it = queues.readyInOrder(); it.hasNext() && budget > 0
                && passedOver < MULTI_STREAM_LOOKAHEAD; ) {
            StreamQueue queue = it.next();
            dropStaleAndWritten(queue);
            if (!joinsMultiStream(queue, budget)) {
                // Left in the ready queue for the stream-by-stream path (a read first, a delete, ...).
                passedOver++;
                continue;
            }
            List<Pending> batch = takeBatch(queue, budget);
            if (batch.isEmpty()) {
                continue;
            }
            for (Pending pending : batch) {
                budget -= pending.size;
            }
            it.remove();
            queues.calling(queue);
            picked.add(queue);
            batches.add(batch);
            expected.add(queue.progress.expected);
        }
        if (picked.size() == 1) {
            StreamQueue queue = picked.get(0);
            queue.putBack(batches.get(0));
            queues.notCalled(queue);
            return null;
        }
        if (picked.isEmpty()) {
            return null;
        }
        inFlight++;
        multiStreamInFlight++;
        batches.forEach(buffer::takeOff);
        return new MultiStreamAppend(picked, batches, expected);
    }
}
