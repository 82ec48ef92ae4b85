package dev.cdcconnect.delta;

import dev.cdcconnect.delta.changelog.ChangeRows;
import dev.cdcconnect.delta.table.DeltaTable;
import dev.cdcconnect.delta.table.DeltaWriter;
import dev.cdcconnect.delta.table.Storage;
import dev.cdcconnect.delta.table.TransientStorageException;
import dev.cdcconnect.support.DeadLetterQueue;
import dev.cdcconnect.support.PluginVersion;
import dev.cdcconnect.support.sink.RetryWindow;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink's task: hands records to the {@link DeltaWriter} and reports to Connect only the offsets whose rows
 * are committed to their Delta tables (or whose records the dead letter queue acknowledged).
 */
public final class DeltaSinkTask extends SinkTask {

    private static final Logger LOG = LoggerFactory.getLogger(DeltaSinkTask.class);

    private DeltaSinkConfig config;
    private DeltaWriter writer;
    private DeadLetterQueue deadLetters;
    /** Since when the storage fails with no put succeeding: the task fails once it is too long. */
    private RetryWindow retries;

    @Override
    public String version() {
        return PluginVersion.of(getClass());
    }

    @Override
    public void start(Map<String, String> props) {
        config = new DeltaSinkConfig(props);
        retries = new RetryWindow(config.retryTimeout(), Duration.ZERO);
        String connector = props.getOrDefault("name", "delta-sink");
        LOG.info("Starting Delta sink task of {}: {}", connector, config.summary());
        deadLetters = DeadLetterQueue.of(context, "Delta Lake", props);
        writer = new DeltaWriter(config.tableRoot(), Storage.engine(config), new ChangeRows(config.tableNames()),
                new DeltaTable.Settings(connector, config.partitioning() == DeltaSinkConfig.Partitioning.SOURCE_DATE,
                        config.fileMaxBytes(), config.checkpointInterval()),
                new DeltaWriter.Settings(config.commitInterval(), config.retryMaxAttempts(), config.retryBackoff(),
                        config.retryBackoffMax()),
                new DeltaWriter.Context() {
                    @Override
                    public Future<Void> report(SinkRecord record, String message, Throwable cause) {
                        return reportErrant(record, message, cause);
                    }

                    @Override
                    public void rewind(TopicPartition partition, long offset) {
                        if (context.assignment().contains(partition)) {
                            context.offset(partition, offset);
                        }
                    }
                });
    }

    /**
     * Sends the record to the dead letter queue, which keeps it from being committed until acknowledged and fails
     * the task if it is refused; without one, fails the task with the message.
     */
    private Future<Void> reportErrant(SinkRecord record, String message, Throwable cause) {
        if (!deadLetters.isConfigured()) {
            throw new ConnectException(message, cause);
        }
        LOG.warn("{}; reporting it as errant", message);
        deadLetters.report(record, new DataException(message, cause));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        deadLetters.throwIfFailed();
        try {
            writer.put(records);
            retries.succeeded();
        } catch (TransientStorageException e) {
            retries.failed(e);
            String problem = StorageProblem.whatToCheck(e, config);
            if (retries.overdue() != null) {
                throw new ConnectException("The Delta sink could not use its storage for longer than "
                        + DeltaSinkConfig.RETRY_TIMEOUT_MS + " (" + config.retryTimeout().toMillis() + " ms): "
                        + problem + ". Last error: " + e.getMessage()
                        + ". Only offsets of committed rows are committed: a restarted task writes the rest.", e);
            }
            LOG.warn("{}; {}; the records will be written again", e.getMessage(), problem);
            context.timeout(config.retryBackoffMax().toMillis());
            throw new RetriableException(e.getMessage() + ": " + problem + " (the records will be written again)", e);
        }
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        try {
            writer.commitDue(false);
        } catch (TransientStorageException e) {
            LOG.warn("{}; committing again later", e.getMessage());
        }
        // Not past a record the dead letter queue has not acknowledged.
        return deadLetters.committable(writer.committableOffsets(currentOffsets.keySet()));
    }

    @Override
    public void open(Collection<TopicPartition> partitions) {
        LOG.info("Delta sink task assigned {}", partitions);
    }

    @Override
    public void close(Collection<TopicPartition> partitions) {
        if (writer == null) {
            return;
        }
        // Rows of partitions about to move to another task are committed now, so the next owner starts after them.
        try {
            writer.commitPartitions(partitions);
        } catch (TransientStorageException e) {
            LOG.warn("{}; the next owner of {} writes their uncommitted rows", e.getMessage(), partitions);
        }
        writer.forget(partitions);
        deadLetters.forget(partitions);
    }

    @Override
    public void stop() {
        LOG.info("Delta sink task stopped");
    }
}
