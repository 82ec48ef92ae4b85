package dev.cdcconnect.eventstore.write;

import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where records that can never be written go: the worker's dead letter queue through its
 * {@link ErrantRecordReporter} when the connector has one ({@code errors.tolerance=all} with
 * {@code errors.deadletterqueue.topic.name}, or error logging), else nowhere: the task fails with an error naming
 * the record and the reason.
 */
public final class DeadLetterQueue {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterQueue.class);

    private final ErrantRecordReporter reporter;

    public DeadLetterQueue(ErrantRecordReporter reporter) {
        this.reporter = reporter;
    }

    /** The reporter of the task's context, or none on workers older than Kafka 2.6. */
    public static DeadLetterQueue of(SinkTaskContext context) {
        try {
            return new DeadLetterQueue(context == null ? null : context.errantRecordReporter());
        } catch (NoSuchMethodError | NoClassDefFoundError | UnsupportedOperationException oldWorker) {
            LOG.info("This Connect worker has no errant record reporter; records that cannot be written fail the task");
            return new DeadLetterQueue(null);
        }
    }

    public boolean isConfigured() {
        return reporter != null;
    }

    /**
     * Sends the record to the dead letter queue.
     *
     * @throws ConnectException naming the record and the reason when there is no dead letter queue
     */
    public void report(SinkRecord record, Throwable reason) {
        String message = "Cannot write the record at topic " + record.originalTopic() + " partition "
                + record.originalKafkaPartition() + " offset " + record.originalKafkaOffset() + " to EventStoreDB: "
                + reason.getMessage();
        if (reporter == null) {
            throw new ConnectException(message + ". Set errors.tolerance=all and errors.deadletterqueue.topic.name "
                    + "to send such records to a dead letter queue instead.", reason);
        }
        LOG.debug("{}; sent to the dead letter queue", message);
        reporter.report(record, reason);
    }
}
