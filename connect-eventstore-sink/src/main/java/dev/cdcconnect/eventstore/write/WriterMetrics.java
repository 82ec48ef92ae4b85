package dev.cdcconnect.eventstore.write;

import dev.cdcconnect.support.JmxRegistration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Counters of one writer, readable in JMX through {@link WriterMetricsMXBean}. */
public final class WriterMetrics implements WriterMetricsMXBean, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WriterMetrics.class);

    final LongAdder eventsAppended = new LongAdder();
    final LongAdder appends = new LongAdder();
    final LongAdder multiStreamAppends = new LongAdder();
    final LongAdder recordsSkipped = new LongAdder();
    final LongAdder changesRedelivered = new LongAdder();
    final LongAdder recordsDeadLettered = new LongAdder();
    final LongAdder streamsDeleted = new LongAdder();
    final LongAdder streamRecoveries = new LongAdder();
    final LongAdder retries = new LongAdder();
    final LongAdder wrongExpectedVersions = new LongAdder();
    final LongAdder clientRecreations = new LongAdder();
    private final LongAdder latencyNanosTotal = new LongAdder();
    private final LongAdder latencyCount = new LongAdder();
    private final AtomicLong latencyNanosMax = new AtomicLong();
    private volatile LongSupplier bufferedBytes = () -> 0;
    private volatile IntSupplier inFlight = () -> 0;
    private JmxRegistration registration;

    void appendLatency(long nanos) {
        latencyNanosTotal.add(nanos);
        latencyCount.increment();
        latencyNanosMax.accumulateAndGet(nanos, Math::max);
    }

    void gauges(LongSupplier buffered, IntSupplier flying) {
        this.bufferedBytes = buffered;
        this.inFlight = flying;
    }

    /**
     * Registers the MBean under the connector and task names, taking the name over from a predecessor task still
     * stopping; a failure is logged, not fatal.
     */
    public WriterMetrics register(String connector, String task) {
        try {
            registration = JmxRegistration.register(new ObjectName(
                    "dev.cdcconnect.eventstore:type=sink-task-metrics,connector=" + ObjectName.quote(connector)
                            + ",task=" + ObjectName.quote(task)), this);
        } catch (MalformedObjectNameException e) {
            LOG.warn("Cannot register the sink task metrics in JMX: {}", e.toString());
        }
        return this;
    }

    /** Unregisters the MBean, unless a newer task of the same name has registered its own since. */
    @Override
    public void close() {
        if (registration != null) {
            registration.close();
            registration = null;
        }
    }

    @Override
    public long getEventsAppended() {
        return eventsAppended.sum();
    }

    @Override
    public long getAppends() {
        return appends.sum();
    }

    @Override
    public long getMultiStreamAppends() {
        return multiStreamAppends.sum();
    }

    @Override
    public long getRecordsSkipped() {
        return recordsSkipped.sum();
    }

    @Override
    public long getChangesRedelivered() {
        return changesRedelivered.sum();
    }

    @Override
    public long getRecordsDeadLettered() {
        return recordsDeadLettered.sum();
    }

    @Override
    public long getStreamsDeleted() {
        return streamsDeleted.sum();
    }

    @Override
    public long getStreamRecoveries() {
        return streamRecoveries.sum();
    }

    @Override
    public long getRetries() {
        return retries.sum();
    }

    @Override
    public long getWrongExpectedVersions() {
        return wrongExpectedVersions.sum();
    }

    @Override
    public long getClientRecreations() {
        return clientRecreations.sum();
    }

    @Override
    public double getAppendLatencyAvgMs() {
        long count = latencyCount.sum();
        return count == 0 ? 0 : latencyNanosTotal.sum() / (double) count / 1_000_000.0;
    }

    @Override
    public double getAppendLatencyMaxMs() {
        return latencyNanosMax.get() / 1_000_000.0;
    }

    @Override
    public long getBufferedBytes() {
        return bufferedBytes.getAsLong();
    }

    @Override
    public int getInFlight() {
        return inFlight.getAsInt();
    }
}
