package dev.cdcconnect.support;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a sink's records that can never be written go: the worker's dead letter queue, through its
 * {@link ErrantRecordReporter}, when the connector has one ({@code errors.tolerance=all} with
 * {@code errors.deadletterqueue.topic.name}, or error logging); else nowhere: the task fails with an error naming
 * the record and the reason.
 *
 * <p>A report is only a request: the dead letter queue's producer may refuse the record (for example
 * {@code RecordTooLargeException} over its {@code max.request.size}). The worker does not guard against that: it
 * awaits before a commit only the futures of reports still under way when {@code report} returns, and when it has
 * more than one error reporter (a dead letter queue and its log reporter) it even answers a report its producer
 * refused at once with a successful future, so such a record is lost and its offset committed. This class therefore
 * keeps every report's future per topic-partition, and catches a refusal at once from the worker's own count of
 * failed dead letter queue writes (its {@code task-error-metrics} {@code deadletterqueue-produce-failures}):
 * {@link #committable} never lets an offset be committed past a record the dead letter queue has not acknowledged,
 * and a report the dead letter queue refused, or left unacknowledged for {@link #ACKNOWLEDGE_TIMEOUT}, fails the
 * task ({@link #throwIfFailed}) with a message naming the record and the dead letter queue's error.
 *
 * <p>Thread-safe; tasks call it from their own thread.
 */
public final class DeadLetterQueue {

    /**
     * How long a report may stay unacknowledged before the task fails: past the DLQ producer's default
     * {@code delivery.timeout.ms} (2 minutes), by which its producer has answered either way.
     */
    public static final Duration ACKNOWLEDGE_TIMEOUT = Duration.ofMinutes(3);

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterQueue.class);

    private record Report(SinkRecord record, String reason, Future<Void> future, long sentNanos) {
    }

    /** The key under which a connector gives each task its index. */
    public static final String TASK_ID = "task.id";

    private static final String PRODUCE_FAILURES = "deadletterqueue-produce-failures";
    private static final String MAX_REQUEST_SIZE_OVERRIDE = "producer.override.max.request.size";
    private static final long DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;

    private final ErrantRecordReporter reporter;
    private final String target;
    private final Duration acknowledgeTimeout;
    /** The worker's error metrics of this task, when known: name and task id. */
    private final String connector;
    private final String taskId;
    /** The dead letter queue producer's limit, as the connector overrides it, else the producer's default. */
    private final long maxRequestSize;
    /** Reports not yet acknowledged, per original topic-partition, by offset. */
    private final Map<TopicPartition, TreeMap<Long, Report>> unacknowledged = new HashMap<>();
    private ConnectException failure;

    /**
     * @param reporter           the worker's reporter, or null when the connector has no dead letter queue
     * @param target             the system the sink writes to, for messages ({@code EventStoreDB}, {@code Cassandra})
     * @param acknowledgeTimeout how long a report may stay unacknowledged
     */
    public DeadLetterQueue(ErrantRecordReporter reporter, String target, Duration acknowledgeTimeout) {
        this(reporter, target, acknowledgeTimeout, Map.of());
    }

    private DeadLetterQueue(ErrantRecordReporter reporter, String target, Duration acknowledgeTimeout,
                            Map<String, String> taskProps) {
        this.reporter = reporter;
        this.target = target;
        this.acknowledgeTimeout = acknowledgeTimeout;
        this.connector = taskProps.get("name");
        this.taskId = taskProps.get(TASK_ID);
        long limit = DEFAULT_MAX_REQUEST_SIZE;
        try {
            limit = Long.parseLong(taskProps.getOrDefault(MAX_REQUEST_SIZE_OVERRIDE, "" + limit).trim());
        } catch (NumberFormatException e) {
            // the worker refuses such an override itself
        }
        this.maxRequestSize = limit;
    }

    /**
     * The dead letter queue of the task's context: none without one, or on workers older than Kafka 2.6.
     * {@code taskProps} are the task's configuration: its {@code name} and {@value #TASK_ID} (which its connector
     * sets) name the task's error metrics; without them a refusal at once is caught only when the worker's future
     * reports it.
     */
    public static DeadLetterQueue of(SinkTaskContext context, String target, Map<String, String> taskProps) {
        ErrantRecordReporter reporter;
        try {
            reporter = context == null ? null : context.errantRecordReporter();
        } catch (NoSuchMethodError | NoClassDefFoundError | UnsupportedOperationException oldWorker) {
            LOG.info("This Connect worker has no errant record reporter; records that cannot be written fail the task");
            reporter = null;
        }
        return new DeadLetterQueue(reporter, target, ACKNOWLEDGE_TIMEOUT, taskProps);
    }

    public boolean isConfigured() {
        return reporter != null;
    }

    /** {@code topic T partition P offset O}: the record's place in the topic it was consumed from. */
    public static String position(SinkRecord record) {
        return "topic " + record.originalTopic() + " partition " + record.originalKafkaPartition() + " offset "
                + record.originalKafkaOffset();
    }

    /**
     * Sends the record to the dead letter queue; its offset may be committed once the dead letter queue
     * acknowledged it.
     *
     * @throws ConnectException naming the record and the reason when there is no dead letter queue; naming the
     *                          record and the dead letter queue's error when it refused the record at once; or
     *                          the worker's own when its error tolerance is exceeded
     */
    public void report(SinkRecord record, Throwable reason) {
        String why = reason.getMessage() == null ? reason.getClass().getName() : reason.getMessage();
        String message = "Cannot write the record at " + position(record) + " to " + target + ": " + why;
        if (reporter == null) {
            throw new ConnectException(message + ". Set errors.tolerance=all and errors.deadletterqueue.topic.name "
                    + "to send such records to a dead letter queue instead.", reason);
        }
        LOG.debug("{}; sending it to the dead letter queue", message);
        double failuresBefore = produceFailures();
        Future<Void> future = reporter.report(record, reason);
        Report report = new Report(record, why, future, System.nanoTime());
        synchronized (this) {
            unacknowledged.computeIfAbsent(partition(record), p -> new TreeMap<>())
                    .put(record.originalKafkaOffset(), report);
        }
        if (produceFailures() > failuresBefore) {
            // The producer refused the record while report() ran; the worker may still answer with a success.
            fail(report, "the worker's dead letter queue producer refused it (" + sizeNote(record) + "; the worker "
                    + "logged its error as 'Could not produce message to dead letter queue')", null);
        }
        // A record the producer refused before sending (too large, ...) fails now, before anything else is written.
        collect();
        throwIfFailed();
    }

    /** Fails the task if the dead letter queue refused a record, or left one unacknowledged too long. */
    public void throwIfFailed() {
        collect();
        synchronized (this) {
            if (failure != null) {
                throw failure;
            }
        }
    }

    /**
     * The offsets, each lowered to the first record of its partition that the dead letter queue has not
     * acknowledged (the record is then delivered again after a restart): what may be committed. Does not wait.
     */
    public Map<TopicPartition, OffsetAndMetadata> committable(Map<TopicPartition, OffsetAndMetadata> offsets) {
        collect();
        Map<TopicPartition, OffsetAndMetadata> committable = new HashMap<>(offsets);
        synchronized (this) {
            for (Map.Entry<TopicPartition, TreeMap<Long, Report>> entry : unacknowledged.entrySet()) {
                OffsetAndMetadata offset = committable.get(entry.getKey());
                if (offset != null && !entry.getValue().isEmpty() && entry.getValue().firstKey() < offset.offset()) {
                    committable.put(entry.getKey(), new OffsetAndMetadata(entry.getValue().firstKey()));
                }
            }
        }
        return committable;
    }

    /**
     * Waits until the dead letter queue has acknowledged every record reported so far, at most
     * {@code timeout}.
     *
     * @throws ConnectException when it refused one, or did not acknowledge one in time
     */
    public void awaitAcknowledged(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Report next;
            synchronized (this) {
                next = unacknowledged.values().stream().flatMap(m -> m.values().stream()).findFirst().orElse(null);
            }
            throwIfFailed();
            if (next == null) {
                return;
            }
            try {
                next.future().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                // collect() turns it into the failure thrown above
            } catch (TimeoutException e) {
                fail(next, "not acknowledged within " + timeout.toMillis() + " ms", null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConnectException("Interrupted while waiting for the dead letter queue", e);
            }
        }
    }

    /** Forgets the reports of partitions the task no longer owns: their new owner gets those records again. */
    public synchronized void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(unacknowledged::remove);
    }

    /** Drops acknowledged reports; a refused one, or one unacknowledged too long, becomes the failure. */
    private void collect() {
        synchronized (this) {
            long now = System.nanoTime();
            for (TreeMap<Long, Report> reports : unacknowledged.values()) {
                for (Iterator<Report> it = reports.values().iterator(); it.hasNext(); ) {
                    Report report = it.next();
                    if (!report.future().isDone()) {
                        if (now - report.sentNanos() > acknowledgeTimeout.toNanos()) {
                            fail(report, "not acknowledged within " + acknowledgeTimeout.toMillis() + " ms", null);
                        }
                        continue;
                    }
                    try {
                        report.future().get();
                        it.remove();
                    } catch (ExecutionException e) {
                        Throwable cause = e.getCause() == null ? e : e.getCause();
                        fail(report, cause.getClass().getName() + ": " + cause.getMessage(), cause);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    } catch (java.util.concurrent.CancellationException e) {
                        fail(report, "the report was cancelled", e);
                    }
                }
            }
        }
    }

    private synchronized void fail(Report report, String dlqError, Throwable cause) {
        if (failure != null) {
            return;
        }
        failure = new ConnectException("The dead letter queue did not take the record at " + position(report.record())
                + ", which cannot be written to " + target + " (" + report.reason() + "): " + dlqError
                + ". Its offset is not committed; make the dead letter queue able to take it (for a record too large "
                + "for its producer, raise producer.override.max.request.size and the topic's max.message.bytes) "
                + "and restart the task.", cause);
        LOG.error("{}", failure.getMessage());
    }

    /**
     * The worker's count of failed dead letter queue writes of this task, or 0 when it cannot be read (unknown task,
     * metrics not in this JVM's platform MBean server). The refusal of a record before sending is counted within
     * {@code report()}, on the task's thread, so the count before and after a report tells.
     */
    private double produceFailures() {
        if (connector == null || taskId == null) {
            return 0;
        }
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            double sum = 0;
            for (ObjectName name : server.queryNames(new ObjectName("kafka.connect:type=task-error-metrics,*"), null)) {
                if (connector.equals(unquote(name.getKeyProperty("connector")))
                        && taskId.equals(unquote(name.getKeyProperty("task")))) {
                    Object value = server.getAttribute(name, PRODUCE_FAILURES);
                    sum += value instanceof Number number ? number.doubleValue() : 0;
                }
            }
            return sum;
        } catch (Exception | LinkageError e) {
            LOG.debug("Cannot read the worker's dead letter queue metrics: {}", e.toString());
            return 0;
        }
    }

    private static String unquote(String value) {
        return value == null ? null : value.startsWith("\"") ? ObjectName.unquote(value) : value;
    }

    /** What made the producer refuse the record, as far as the record's size as consumed tells it. */
    private String sizeNote(SinkRecord record) {
        try {
            Object original = null;
            try {
                original = record.getClass().getMethod("originalRecord").invoke(record);
            } catch (NoSuchMethodException e) {
                Object context = record.getClass().getMethod("context").invoke(record);
                original = context.getClass().getMethod("original").invoke(context);
            }
            if (original instanceof ConsumerRecord<?, ?> consumed) {
                long size = Math.max(0, consumed.serializedKeySize()) + Math.max(0, consumed.serializedValueSize());
                return size >= maxRequestSize
                        ? "RecordTooLargeException: the record is " + size + " bytes, over the producer's "
                                + "max.request.size of " + maxRequestSize
                        : "the record is " + size + " bytes as consumed, before the error headers; the producer's "
                                + "max.request.size is " + maxRequestSize;
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.debug("Cannot tell the record's size: {}", e.toString());
        }
        return "for example RecordTooLargeException over its max.request.size of " + maxRequestSize;
    }

    private static TopicPartition partition(SinkRecord record) {
        return new TopicPartition(record.originalTopic(), record.originalKafkaPartition());
    }
}
