package dev.cdcconnect.delta.table;

import dev.cdcconnect.delta.changelog.ChangeRow;
import dev.cdcconnect.delta.changelog.ChangeRows;
import dev.cdcconnect.support.sink.Backoff;
import io.delta.kernel.engine.Engine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes records as change-log rows into Delta tables: buffers rows per table, writes a Parquet file when a
 * table's buffer is full, commits each table's files with the Kafka offsets they cover when its commit interval
 * has passed, and knows which offsets are safe to commit to Kafka.
 */
public final class DeltaWriter {

    private static final Logger LOG = LoggerFactory.getLogger(DeltaWriter.class);

    /** What the writer needs from the task: the dead letter queue and rewinding a partition. */
    public interface Context {
        /**
         * Hands a record that cannot be written to the dead letter queue; the future completes when the queue
         * has it. Throws (failing the task) when there is no dead letter queue.
         */
        Future<Void> report(SinkRecord record, String message, Throwable cause);

        /** Has the partition's records delivered again from this offset. */
        void rewind(TopicPartition partition, long offset);
    }

    /** Retry and timing settings. */
    public record Settings(Duration commitInterval, int retryMaxAttempts, Duration retryBackoff,
                           Duration retryBackoffMax) {
    }

    private final String root;
    private final Engine engine;
    private final ChangeRows rows;
    private final DeltaTable.Settings tableSettings;
    private final Settings settings;
    private final Context context;
    private final Map<String, DeltaTable> tables = new HashMap<>();
    /** Per partition, the offset after the last record handled (buffered, skipped or acknowledged by the DLQ). */
    private final Map<TopicPartition, Long> consumedNext = new HashMap<>();
    private final List<Future<Void>> reports = new ArrayList<>();
    private long commits;

    public DeltaWriter(String root, Engine engine, ChangeRows rows, DeltaTable.Settings tableSettings,
                       Settings settings, Context context) {
        this.root = root;
        this.engine = engine;
        this.rows = rows;
        this.tableSettings = tableSettings;
        this.settings = settings;
        this.context = context;
    }

    /** Buffers the records' rows, reporting those that cannot be written; writes files and commits what is due. */
    public void put(Collection<SinkRecord> records) {
        for (SinkRecord record : records) {
            TopicPartition partition = new TopicPartition(record.originalTopic(), record.originalKafkaPartition());
            long offset = record.originalKafkaOffset();
            try {
                Optional<ChangeRow> row = rows.map(record);
                if (row.isPresent()) {
                    DeltaTable table = table(row.get().table());
                    // Only the first record of a partition reads the table's offsets entry.
                    boolean held = table.knowsOffset(partition) ? table.holds(partition, offset)
                            : retrying("read " + table.path(), () -> table.holds(partition, offset));
                    if (!held) {
                        table.add(row.get());
                    }
                }
            } catch (DataException | IllegalArgumentException e) {
                report(record, e.getMessage(), e);
            }
            consumedNext.merge(partition, offset + 1, Math::max);
        }
        for (DeltaTable table : tables.values()) {
            if (table.fileFull()) {
                try {
                    retrying("write a file of " + table.path(), () -> {
                        table.writeFiles();
                        return null;
                    });
                } catch (CommitConflictException e) {
                    startOver(table, e);
                }
            }
        }
        commitDue(false);
        awaitReports();
    }

    /** Commits every table whose commit interval has passed, or every table with rows when {@code all}. */
    public void commitDue(boolean all) {
        long now = System.nanoTime();
        for (DeltaTable table : List.copyOf(tables.values())) {
            if (table.hasPending()
                    && (all || now - table.cycleStart() >= settings.commitInterval().toNanos())) {
                commit(table);
            }
        }
    }

    /** Commits the tables holding rows of these partitions (before the partitions go to another task). */
    public void commitPartitions(Collection<TopicPartition> partitions) {
        for (DeltaTable table : List.copyOf(tables.values())) {
            if (table.firstPending().keySet().stream().anyMatch(partitions::contains)) {
                commit(table);
            }
        }
    }

    private void commit(DeltaTable table) {
        try {
            Optional<Long> version = retrying("commit to " + table.path(), table::commit);
            if (version.isPresent()) {
                commits++;
            }
        } catch (CommitConflictException e) {
            startOver(table, e);
        }
    }

    /** Drops a table's uncommitted rows and has their records delivered again, to be checked against the table. */
    private void startOver(DeltaTable table, CommitConflictException e) {
        Map<TopicPartition, Long> dropped = table.abort();
        LOG.warn("{}; its uncommitted rows are read again from Kafka ({})", e.getMessage(), dropped);
        dropped.forEach((partition, offset) -> {
            consumedNext.computeIfPresent(partition, (p, next) -> Math.min(next, offset));
            context.rewind(partition, offset);
        });
    }

    /**
     * The offsets Kafka may commit: per partition, up to the first record not yet committed to its table (or
     * handed to the dead letter queue). Only partitions in {@code assigned}.
     */
    public Map<TopicPartition, OffsetAndMetadata> committableOffsets(Collection<TopicPartition> assigned) {
        awaitReports();
        Map<TopicPartition, Long> safe = new HashMap<>(consumedNext);
        for (DeltaTable table : tables.values()) {
            table.firstPending().forEach((partition, offset) -> safe.merge(partition, offset, Math::min));
        }
        Map<TopicPartition, OffsetAndMetadata> committable = new HashMap<>();
        for (TopicPartition partition : assigned) {
            Long offset = safe.get(partition);
            if (offset != null) {
                committable.put(partition, new OffsetAndMetadata(offset));
            }
        }
        return committable;
    }

    /** Forgets partitions no longer assigned: their offsets are read from the tables again if they come back. */
    public void forget(Collection<TopicPartition> partitions) {
        Set<TopicPartition> gone = new HashSet<>(partitions);
        for (DeltaTable table : tables.values()) {
            if (table.firstPending().keySet().stream().anyMatch(gone::contains)) {
                // Rows of a revoked partition that could not be committed: their next owner writes them. Rows of
                // partitions this task keeps are read again.
                table.abort().forEach((partition, offset) -> {
                    if (!gone.contains(partition)) {
                        consumedNext.computeIfPresent(partition, (p, next) -> Math.min(next, offset));
                        context.rewind(partition, offset);
                    }
                });
            }
            table.forget(gone);
        }
        gone.forEach(consumedNext::remove);
    }

    /** Commits made since the writer started. */
    public long commits() {
        return commits;
    }

    private DeltaTable table(String name) {
        DeltaTable table = tables.get(name);
        if (table == null) {
            String path = root + "/" + name;
            table = retrying("open " + path, () -> new DeltaTable(name, path, engine, tableSettings));
            tables.put(name, table);
            LOG.info("Writing Delta table {}", path);
        }
        return table;
    }

    private void report(SinkRecord record, String reason, Throwable cause) {
        String message = "Cannot write record " + record.originalTopic() + "-" + record.originalKafkaPartition()
                + " offset " + record.originalKafkaOffset() + " to Delta: " + reason;
        reports.add(context.report(record, message, cause));
    }

    private void awaitReports() {
        try {
            for (Future<Void> report : reports) {
                report.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException("Interrupted while reporting errant records", e);
        } catch (ExecutionException e) {
            throw new ConnectException("Reporting an errant record failed: " + e.getCause().getMessage(), e.getCause());
        } finally {
            reports.clear();
        }
    }

    /** Runs a storage operation, retrying transient failures with backoff. */
    private <T> T retrying(String what, Supplier<T> operation) {
        for (int attempt = 0; ; attempt++) {
            try {
                return operation.get();
            } catch (RuntimeException e) {
                if (!Storage.isTransient(e) || e instanceof CommitConflictException) {
                    throw e;
                }
                if (attempt >= settings.retryMaxAttempts()) {
                    throw new TransientStorageException("Could not " + what + " after " + (attempt + 1)
                            + " attempts: " + e.getMessage(), e);
                }
                long backoff = Backoff.delay(settings.retryBackoff(), settings.retryBackoffMax(), attempt).toMillis();
                LOG.info("Could not {} ({}); retrying in {} ms", what, e.getMessage(), backoff);
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new ConnectException("Interrupted while retrying to " + what, ie);
                }
            }
        }
    }
}
