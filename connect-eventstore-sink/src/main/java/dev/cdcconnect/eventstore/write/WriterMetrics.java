package dev.cdcconnect.eventstore.write;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import javax.management.JMException;
import javax.management.MBeanServer;
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
    private ObjectName registered;

    void appendLatency(long nanos) {
        latencyNanosTotal.add(nanos);
        latencyCount.increment();
        latencyNanosMax.accumulateAndGet(nanos, Math::max);
    }

    void gauges(LongSupplier buffered, IntSupplier flying) {
        this.bufferedBytes = buffered;
        this.inFlight = flying;
    }

    /** Registers the MBean under the connector and task names; a clash is logged, not fatal. */
    public WriterMetrics register(String connector, String task) {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName("dev.cdcconnect.eventstore:type=sink-task-metrics,connector="
                    + ObjectName.quote(connector) + ",task=" + ObjectName.quote(task));
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
            server.registerMBean(this, name);
            registered = name;
        } catch (JMException e) {
            LOG.warn("Cannot register the sink task metrics in JMX: {}", e.toString());
        }
        return this;
    }

    @Override
    public void close() {
        if (registered != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(registered);
            } catch (JMException e) {
                LOG.debug("Sink task metrics were already unregistered: {}", e.toString());
            }
            registered = null;
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
