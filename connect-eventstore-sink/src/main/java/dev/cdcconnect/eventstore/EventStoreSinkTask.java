package dev.cdcconnect.eventstore;

import dev.cdcconnect.eventstore.write.ConnectionCheck;
import dev.cdcconnect.eventstore.write.StreamWriter;
import dev.cdcconnect.eventstore.write.WriterMetrics;
import dev.cdcconnect.support.DeadLetterQueue;
import dev.cdcconnect.support.PluginVersion;
import io.kurrent.dbclient.KurrentDBClient;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The sink task: its lifecycle only; the {@link StreamWriter} does the writing. */
public final class EventStoreSinkTask extends SinkTask {

    private static final Logger LOG = LoggerFactory.getLogger(EventStoreSinkTask.class);

    /** How long the check of what keeps the sink from the server waits for each node. */
    static final Duration CONNECTION_CHECK_TIMEOUT = Duration.ofSeconds(2);

    /**
     * How long {@link #start} waits for the first contact with the server (client created, features asked, a read
     * answered), so that a task Connect reports RUNNING is ready to write, as sinks that connect in start() are; a
     * server not reached by then holds the task up no longer: the first records go on trying, within the retries.
     */
    static final Duration CONNECT_WAIT = Duration.ofSeconds(5);

    private EventStoreSinkConfig config;
    private WriterMetrics metrics;
    private StreamWriter writer;

    @Override
    public String version() {
        return PluginVersion.of(getClass());
    }

    @Override
    public void start(Map<String, String> props) {
        config = new EventStoreSinkConfig(props);
        String connector = props.getOrDefault("name", "eventstore-sink");
        metrics = new WriterMetrics().register(connector, config.taskId());
        DeadLetterQueue deadLetters = DeadLetterQueue.of(context, "EventStoreDB", props);
        writer = new StreamWriter(config.writerSettings(), config.eventMapper(),
                () -> KurrentDBClient.create(config.clientSettings()), deadLetters, metrics,
                () -> ConnectionCheck.diagnose(config.clientSettings(), CONNECTION_CHECK_TIMEOUT));
        awaitConnection(writer.connectAhead(), connector);
        LOG.info("EventStoreDB sink {} task {} started ({} dead letter queue): {}", connector, config.taskId(),
                deadLetters.isConfigured() ? "with a" : "without a", config.summary());
    }

    private void awaitConnection(CompletableFuture<Void> connected, String connector) {
        try {
            connected.get(CONNECT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.info("EventStoreDB sink {} task {}: the server was not reached within {} s of starting; the first "
                    + "records keep trying", connector, config.taskId(), CONNECT_WAIT.toSeconds());
        } catch (ExecutionException e) {
            LOG.debug("Connecting ahead failed: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        try {
            writer.write(records);
        } catch (RetriableException e) {
            context.timeout(config.retryBackoffMax().toMillis());
            throw e;
        }
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        return writer.committableOffsets(currentOffsets.keySet());
    }

    @Override
    public void flush(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        // preCommit() answers with the offsets whose events are written; nothing waits for a flush.
    }

    @Override
    public void open(Collection<TopicPartition> partitions) {
        LOG.info("Partitions assigned: {}", partitions);
    }

    @Override
    public void close(Collection<TopicPartition> partitions) {
        if (writer != null && !partitions.isEmpty()) {
            LOG.info("Partitions revoked: {}", partitions);
            writer.closePartitions(partitions);
        }
    }

    @Override
    public void stop() {
        if (writer != null) {
            writer.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        LOG.info("EventStoreDB sink task stopped");
    }
}
