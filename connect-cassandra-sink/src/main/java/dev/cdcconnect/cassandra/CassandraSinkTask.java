package dev.cdcconnect.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.cdcconnect.cassandra.mapping.Change;
import dev.cdcconnect.cassandra.mapping.ChangeMapper;
import dev.cdcconnect.cassandra.mapping.TableRef;
import dev.cdcconnect.cassandra.schema.TableCatalog;
import dev.cdcconnect.cassandra.session.Sessions;
import dev.cdcconnect.cassandra.write.CassandraWriter;
import dev.cdcconnect.cassandra.write.RecordFailure;
import dev.cdcconnect.cassandra.write.TransientWriteException;
import dev.cdcconnect.support.DeadLetterQueue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink's task: maps each record to a change, buffers changes, and has the writer apply them when the buffer
 * is full, has waited long enough, or offsets are to be committed. Offsets are returned for commit only once
 * every record up to them is written, or was reported as one that cannot be.
 */
public final class CassandraSinkTask extends SinkTask {

    private static final Logger LOG = LoggerFactory.getLogger(CassandraSinkTask.class);

    private record Position(TopicPartition partition, long offset) {
    }

    private CassandraSinkConfig config;
    private CqlSession session;
    private ChangeMapper mapper;
    private CassandraWriter writer;
    private DeadLetterQueue deadLetters;

    /** Changes waiting to be written, in arrival order. */
    private final List<Change> buffer = new ArrayList<>();
    /** Every record received and not yet written or settled, with the changes buffered for it. */
    private final Set<Position> pending = new HashSet<>();
    private final Map<TopicPartition, Long> pendingMaxOffset = new HashMap<>();
    private final Map<TopicPartition, OffsetAndMetadata> acknowledged = new HashMap<>();
    private long oldestBuffered = -1;

    @Override
    public String version() {
        return Version.get();
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
        mapper = new ChangeMapper(config.tableNames(), config.columnMapping(), config.structMode());
        writer = new CassandraWriter(session, catalog, new CassandraWriter.Settings(config.consistencyLevel(),
                config.ignoreUnknownFields(), config.maxConcurrentRequests(), config.batchMaxStatements(),
                config.batchMaxBytes(), config.batchByReplicaSet(), config.retryMaxAttempts(), config.retryBackoff(),
                config.retryBackoffMax()));
        deadLetters = DeadLetterQueue.of(context, "Cassandra", props);
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
        deadLetters.throwIfFailed();
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
        boolean full = buffer.size() >= config.flushRecords();
        boolean waited = !buffer.isEmpty()
                && System.nanoTime() - oldestBuffered >= config.flushInterval().toNanos();
        if (full || waited) {
            flushBuffer();
        }
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        try {
            flushBuffer();
        } catch (ConnectException e) {
            if (e instanceof RetriableException) {
                throw e;
            }
            // The dead letter queue refused a record: the next put() fails the task; commit what is safe meanwhile.
            LOG.debug("Not committing past a record the dead letter queue did not take: {}", e.getMessage());
        }
        Map<TopicPartition, OffsetAndMetadata> committable = new HashMap<>();
        for (TopicPartition partition : currentOffsets.keySet()) {
            OffsetAndMetadata acked = acknowledged.get(partition);
            if (acked != null) {
                committable.put(partition, acked);
            }
        }
        return deadLetters.committable(committable);
    }

    private void flushBuffer() {
        if (!buffer.isEmpty()) {
            List<RecordFailure> failures;
            try {
                failures = writer.write(List.copyOf(buffer));
            } catch (TransientWriteException e) {
                context.timeout(config.retryBackoffMax().toMillis());
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
    }

    /** A record that cannot be written goes to the dead letter queue, or fails the task naming it. */
    private void report(SinkRecord record, String reason, Throwable cause) {
        if (deadLetters.isConfigured()) {
            LOG.warn("Cannot write the record at {} to Cassandra: {}; sending it to the dead letter queue",
                    DeadLetterQueue.position(record), reason);
        }
        deadLetters.report(record, new DataException(reason, cause));
    }

    @Override
    public void open(Collection<TopicPartition> partitions) {
        LOG.info("Cassandra sink task assigned {}", partitions);
    }

    @Override
    public void close(Collection<TopicPartition> partitions) {
        // Whatever is still buffered for these partitions will be delivered to their next owner.
        buffer.removeIf(c -> partitions.contains(originalPartition(c.record())));
        pending.removeIf(p -> partitions.contains(p.partition()));
        partitions.forEach(pendingMaxOffset::remove);
        partitions.forEach(acknowledged::remove);
        if (deadLetters != null) {
            deadLetters.forget(partitions);
        }
        if (mapper != null) {
            mapper.timestamps().forget(partitions);
        }
    }

    /** The topic-partition the worker consumed the record from, before any transform renamed its topic. */
    private static TopicPartition originalPartition(SinkRecord record) {
        return new TopicPartition(record.originalTopic(), record.originalKafkaPartition());
    }

    @Override
    public void stop() {
        if (session != null) {
            session.close();
        }
        LOG.info("Cassandra sink task stopped");
    }
}
