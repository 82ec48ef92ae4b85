package dev.cdcconnect.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.cdcconnect.cassandra.mapping.ChangeMapper;
import dev.cdcconnect.cassandra.mapping.TableRef;
import dev.cdcconnect.cassandra.schema.TableCatalog;
import dev.cdcconnect.cassandra.session.Sessions;
import dev.cdcconnect.cassandra.write.CassandraWriter;
import dev.cdcconnect.cassandra.write.ChangeWriter;
import dev.cdcconnect.support.DeadLetterQueue;
import dev.cdcconnect.support.PluginVersion;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The sink task: its lifecycle only; the {@link ChangeWriter} buffers, writes and tracks committable offsets. */
public final class CassandraSinkTask extends SinkTask {

    private static final Logger LOG = LoggerFactory.getLogger(CassandraSinkTask.class);

    private CassandraSinkConfig config;
    private CqlSession session;
    private ChangeWriter writer;

    @Override
    public String version() {
        return PluginVersion.of(getClass());
    }

    @Override
    public void start(Map<String, String> props) {
        config = new CassandraSinkConfig(props);
        LOG.info("Starting Cassandra sink task: {}", config.summary());
        try {
            session = Sessions.open(config);
        } catch (ConfigException e) {
            throw new ConnectException(e.getMessage(), e);
        }
        TableCatalog catalog = new TableCatalog(session, config.createTables(), config.createReplicationFactor(),
                config.localDatacenter(), config.structMode());
        checkTables(catalog, props);
        ChangeMapper mapper = new ChangeMapper(config.tableNames(), config.columnMapping(), config.structMode());
        CassandraWriter cassandra = new CassandraWriter(session, catalog, new CassandraWriter.Settings(
                config.consistencyLevel(), config.ignoreUnknownFields(), config.maxConcurrentRequests(),
                config.batchMaxStatements(), config.batchMaxBytes(), config.batchByReplicaSet(),
                config.batchMaxPartitions(), config.batchMultiPartitionMaxBytes(),
                config.retryMaxAttempts(), config.retryBackoff(), config.retryBackoffMax()));
        writer = new ChangeWriter(mapper, cassandra, DeadLetterQueue.of(context, "Cassandra", props),
                config.flushRecords(), config.flushInterval(),
                "cassandra-sink-" + props.getOrDefault("name", "task") + "-" + props.getOrDefault(DeadLetterQueue.TASK_ID, "0"));
    }

    /** Tables known before any record (explicit mappings, templates of ${topic} only) must exist and fit. */
    private void checkTables(TableCatalog catalog, Map<String, String> props) {
        String topics = props.getOrDefault("topics", "");
        List<String> problems = new ArrayList<>();
        for (String topic : topics.split(",")) {
            if (topic.isBlank()) {
                continue;
            }
            Optional<TableRef> table = config.tableNames().resolveWithoutRecord(topic.trim());
            table.ifPresent(t -> problems.addAll(catalog.check(t, config.columnMapping().columnsFor(topic.trim()))));
        }
        if (!problems.isEmpty()) {
            session.close();
            throw new ConnectException("The target tables do not fit: " + String.join("; ", problems));
        }
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        try {
            writer.put(records);
        } catch (RetriableException e) {
            context.timeout(config.retryBackoffMax().toMillis());
            throw e;
        }
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        try {
            return writer.committableOffsets(currentOffsets.keySet());
        } catch (RetriableException e) {
            context.timeout(config.retryBackoffMax().toMillis());
            throw e;
        }
    }

    @Override
    public void open(Collection<TopicPartition> partitions) {
        LOG.info("Cassandra sink task assigned {}", partitions);
    }

    @Override
    public void close(Collection<TopicPartition> partitions) {
        if (writer != null) {
            writer.closePartitions(partitions);
        }
    }

    @Override
    public void stop() {
        if (writer != null) {
            writer.close();
        }
        if (session != null) {
            session.close();
        }
        LOG.info("Cassandra sink task stopped");
    }
}
