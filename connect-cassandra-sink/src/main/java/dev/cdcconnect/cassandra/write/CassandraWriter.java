package dev.cdcconnect.cassandra.write;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatementBuilder;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.metadata.TokenMap;
import com.datastax.oss.driver.api.core.metadata.schema.ColumnMetadata;
import com.datastax.oss.driver.api.core.metadata.schema.TableMetadata;
import com.datastax.oss.driver.api.core.type.DataType;
import com.datastax.oss.driver.api.core.type.codec.CodecNotFoundException;
import dev.cdcconnect.cassandra.mapping.Change;
import dev.cdcconnect.cassandra.mapping.ColumnValue;
import dev.cdcconnect.cassandra.mapping.TableRef;
import dev.cdcconnect.cassandra.schema.CqlValues;
import dev.cdcconnect.cassandra.schema.TableCatalog;
import dev.cdcconnect.cassandra.session.Sessions;
import dev.cdcconnect.support.sink.Backoff;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes changes to Cassandra: each as a prepared INSERT (upsert) or DELETE carrying {@code USING TIMESTAMP},
 * changes to partitions on the same replicas (or, when asked, to one partition only) together in unlogged batches
 * within the limits under which Cassandra warns of a batch, with a bounded number of writes in flight. Transient
 * failures are retried with exponential backoff; a write that keeps failing for a transient reason makes the
 * whole call fail with {@link TransientWriteException}. A change that cannot be written (no such table, a
 * value that does not fit its column, a missing key column, a write the server rejects) is returned as a
 * {@link RecordFailure} while the others are written.
 */
public final class CassandraWriter {

    private static final Logger LOG = LoggerFactory.getLogger(CassandraWriter.class);

    /** What the writer needs from the settings. */
    public record Settings(ConsistencyLevel consistency, boolean ignoreUnknownFields, int maxInFlight,
                           int batchMaxStatements, int batchMaxBytes, boolean batchByReplicaSet,
                           int batchMaxPartitions, int batchMultiPartitionMaxBytes, int retryMaxAttempts,
                           Duration retryBackoff, Duration retryBackoffMax) {
    }

    private record StatementKey(TableRef table, Change.Kind kind, List<String> columns) {
    }

    private record Bound(Change change, List<Object> rowKey, List<Object> partitionKey, List<String> columns,
                         BoundStatement statement) {
    }

    private record RowKey(TableRef table, List<Object> key) {
    }

    /** What writes share a batch: one partition, or (by replica set) partitions stored on the same nodes. */
    private record BatchKey(Object target, Object key) {
    }

    private final CqlSession session;
    private final TableCatalog catalog;
    private final CqlValues values;
    private final Settings settings;
    private final Semaphore inFlight;
    private final Map<StatementKey, PreparedStatement> prepared = new ConcurrentHashMap<>();
    private final Map<TableRef, Columns> columnsByTable = new ConcurrentHashMap<>();

    public CassandraWriter(CqlSession session, TableCatalog catalog, Settings settings) {
        this.session = session;
        this.catalog = catalog;
        this.values = new CqlValues(session.getContext().getCodecRegistry());
        this.settings = settings;
        this.inFlight = new Semaphore(settings.maxInFlight());
    }

    /**
     * Binds the changes and sends their writes, waiting only while {@code maxInFlight} writes are in flight; the
     * answer completes once every write is acknowledged or has failed.
     *
     * @return the changes that cannot be written, with the reason; failed with {@link TransientWriteException}
     * when a write still failed for a transient reason after the retries
     */
    public CompletableFuture<List<RecordFailure>> write(List<Change> changes) {
        List<RecordFailure> failures = new ArrayList<>();
        Map<RowKey, List<Bound>> latest = new LinkedHashMap<>();
        for (Change change : changes) {
            try {
                Bound bound = bind(change);
                keepLatest(latest.computeIfAbsent(new RowKey(change.table(), bound.rowKey()), k -> new ArrayList<>()), bound);
            } catch (IllegalArgumentException | CodecNotFoundException e) {
                failures.add(new RecordFailure(change, e.getMessage(), e));
            } catch (RuntimeException e) {
                if (Failures.isTransient(e)) {
                    return CompletableFuture.failedFuture(new TransientWriteException("Cannot prepare the write of "
                            + change.position() + " to " + change.table() + ": " + Failures.describe(e),
                            Failures.unwrap(e)));
                }
                failures.add(new RecordFailure(change, Failures.describe(e), Failures.unwrap(e)));
            }
        }
        // Each partition's writes, then the partitions that may share a batch, each partition's writes kept together.
        Map<BatchKey, List<Bound>> partitions = new LinkedHashMap<>();
        for (List<Bound> row : latest.values()) {
            for (Bound bound : row) {
                partitions.computeIfAbsent(partitionKey(bound), k -> new ArrayList<>()).add(bound);
            }
        }
        Optional<TokenMap> tokens = settings.batchByReplicaSet() ? session.getMetadata().getTokenMap() : Optional.empty();
        Map<BatchKey, List<Bound>> groups = new LinkedHashMap<>();
        for (Map.Entry<BatchKey, List<Bound>> partition : partitions.entrySet()) {
            groups.computeIfAbsent(groupKey(partition.getKey(), partition.getValue().get(0), tokens),
                    k -> new ArrayList<>()).addAll(partition.getValue());
        }
        List<CompletableFuture<List<RecordFailure>>> outcomes = new ArrayList<>();
        for (List<Bound> group : groups.values()) {
            int from = 0;
            while (from < group.size()) {
                int to = chunkEnd(group, from);
                outcomes.add(send(group.subList(from, to)));
                from = to;
            }
        }
        return CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)).thenApply(done -> {
            outcomes.forEach(outcome -> failures.addAll(outcome.join()));
            return failures;
        });
    }

    /** The writes of a batch (or a single write): the records Cassandra rejects, or a transient failure. */
    private CompletableFuture<List<RecordFailure>> send(List<Bound> chunk) {
        return submit(statement(chunk)).handle((ok, error) -> error == null ? null : Failures.unwrap(error))
                .thenCompose(failure -> {
                    if (failure == null) {
                        return CompletableFuture.completedFuture(List.of());
                    }
                    if (Failures.isTransient(failure)) {
                        return CompletableFuture.failedFuture(new TransientWriteException("Writes to Cassandra still "
                                + "fail after " + settings.retryMaxAttempts() + " retries: "
                                + Failures.describe(failure), failure));
                    }
                    if (chunk.size() == 1) {
                        return CompletableFuture.completedFuture(List.of(rejected(chunk.get(0), failure)));
                    }
                    // Find the statements the server rejects: the others of the batch are written on their own (sent
                    // from a thread of their own: sending waits for room among the writes in flight).
                    return CompletableFuture.supplyAsync(() -> chunk.stream().map(bound -> send(List.of(bound))).toList())
                            .thenCompose(singles -> CompletableFuture.allOf(singles.toArray(CompletableFuture[]::new))
                                    .thenApply(done -> singles.stream().flatMap(single -> single.join().stream()).toList()));
                });
    }

    private int chunkEnd(List<Bound> writes, int from) {
        return chunkEnd(writes, from, new Limits(settings.batchMaxStatements(), settings.batchMaxBytes(),
                        settings.batchMaxPartitions(), settings.batchMultiPartitionMaxBytes()),
                bound -> bound.statement().computeSizeInBytes(session.getContext()), CassandraWriter::partitionKey);
    }

    /**
     * How far one batch goes: statements and bytes of any batch; partitions, and bytes once it spans more than one
     * partition (Cassandra warns of an unlogged batch across more than 10 partitions, or across partitions and
     * larger than 5 KiB, by default, and checks neither for a batch of one partition).
     */
    record Limits(int maxStatements, long maxBytes, int maxPartitions, long multiPartitionMaxBytes) {
    }

    /**
     * Where the batch of {@code writes} starting at {@code from} ends: before the write that would take it over
     * any of the {@code limits}; a batch holds at least one write. A partition's writes must be adjacent.
     */
    static <T> int chunkEnd(List<T> writes, int from, Limits limits, ToLongFunction<T> size,
                            Function<T, Object> partition) {
        int maxEnd = Math.min(writes.size(), from + limits.maxStatements());
        if (maxEnd - from == 1) {
            return maxEnd;
        }
        long bytes = size.applyAsLong(writes.get(from));
        int partitions = 1;
        Object last = partition.apply(writes.get(from));
        for (int i = from + 1; i < maxEnd; i++) {
            T write = writes.get(i);
            Object current = partition.apply(write);
            if (!current.equals(last)) {
                partitions++;
                last = current;
            }
            bytes += size.applyAsLong(write);
            if (bytes > limits.maxBytes() || partitions > limits.maxPartitions()
                    || (partitions > 1 && bytes > limits.multiPartitionMaxBytes())) {
                return i;
            }
        }
        return maxEnd;
    }

    private static BatchKey partitionKey(Bound bound) {
        return new BatchKey(bound.change().table(), bound.partitionKey());
    }

    /** The batches a partition's writes may share: those of partitions on the same replicas, or its own. */
    private static BatchKey groupKey(BatchKey partition, Bound bound, Optional<TokenMap> tokens) {
        ByteBuffer routingKey = bound.statement().getRoutingKey();
        if (tokens.isPresent() && routingKey != null) {
            Set<Node> replicas = tokens.get().getReplicas(bound.change().table().keyspace(), routingKey);
            if (!replicas.isEmpty()) {
                return new BatchKey(bound.change().table().keyspace(), replicas);
            }
        }
        return partition;
    }

    private RecordFailure rejected(Bound bound, Throwable failure) {
        return new RecordFailure(bound.change(), "Cassandra rejected the write to " + bound.change().table() + ": "
                + Failures.describe(failure), Failures.unwrap(failure));
    }

    /**
     * Keeps, of the changes to one row, only those a later one does not make pointless: a later delete
     * supersedes everything, a later upsert supersedes upserts of no more columns.
     */
    private static void keepLatest(List<Bound> row, Bound next) {
        for (int i = row.size() - 1; i >= 0; i--) {
            Bound earlier = row.get(i);
            if (supersedes(next, earlier)) {
                row.remove(i);
            } else if (supersedes(earlier, next)) {
                return;
            }
        }
        row.add(next);
    }

    private static boolean supersedes(Bound a, Bound b) {
        if (a.change().timestamp() < b.change().timestamp()) {
            return false;
        }
        if (a.change().kind() == Change.Kind.DELETE) {
            return true;
        }
        return b.change().kind() == Change.Kind.UPSERT && new HashSet<>(a.columns()).containsAll(b.columns());
    }

    private Statement<?> statement(List<Bound> chunk) {
        if (chunk.size() == 1) {
            return chunk.get(0).statement();
        }
        List<BatchableStatement<?>> statements = chunk.stream().<BatchableStatement<?>>map(Bound::statement).toList();
        return BatchStatement.newInstance(DefaultBatchType.UNLOGGED, statements)
                .setExecutionProfileName(Sessions.BATCH_PROFILE)
                .setConsistencyLevel(settings.consistency())
                .setIdempotent(true);
    }

    private CompletableFuture<Void> submit(Statement<?> statement) {
        try {
            inFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        done.whenComplete((ignored, failure) -> inFlight.release());
        attempt(statement, 0, done);
        return done;
    }

    private void attempt(Statement<?> statement, int attempt, CompletableFuture<Void> done) {
        session.executeAsync(statement).whenComplete((result, failure) -> {
            if (failure == null) {
                done.complete(null);
            } else if (Failures.isTransient(failure) && attempt < settings.retryMaxAttempts()) {
                long delay = backoff(attempt);
                LOG.debug("Write failed ({}), retry {} of {} in {} ms", Failures.describe(failure), attempt + 1,
                        settings.retryMaxAttempts(), delay);
                CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS)
                        .execute(() -> attempt(statement, attempt + 1, done));
            } else {
                done.completeExceptionally(Failures.unwrap(failure));
            }
        });
    }

    private long backoff(int attempt) {
        return Backoff.delay(settings.retryBackoff(), settings.retryBackoffMax(), attempt).toMillis();
    }

    // ---- binding

    private Bound bind(Change change) {
        TableMetadata table = catalog.table(change);
        Columns columnsOfTable = columns(change.table(), table);
        Set<String> unknown = change.kind() == Change.Kind.UPSERT ? columnsOfTable.unknown(change) : Set.of();
        if (!unknown.isEmpty()) {
            // The table may have gained columns since it was read.
            catalog.forget(change.table());
            table = catalog.table(change);
            columnsOfTable = columns(change.table(), table);
            unknown = columnsOfTable.unknown(change);
        }
        List<ColumnMetadata> primaryKey = table.getPrimaryKey();
        Map<String, ColumnValue> keyValues = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (ColumnMetadata column : primaryKey) {
            String name = column.getName().asInternal();
            ColumnValue value = change.key().get(name);
            if (value == null && primaryKey.size() == 1) {
                value = change.key().get(null);
            }
            if (value == null) {
                value = change.columns().get(name);
            }
            if (value == null || value.value() == null) {
                missing.add(name);
            } else {
                keyValues.put(name, value);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("missing primary key column(s) " + missing + " of " + change.table()
                    + ": neither the record key nor the row has a value for them");
        }
        return change.kind() == Change.Kind.UPSERT ? bindUpsert(change, table, columnsOfTable, keyValues, unknown)
                : bindDelete(change, table, columnsOfTable, keyValues);
    }

    private Bound bindUpsert(Change change, TableMetadata table, Columns columnsOfTable,
                             Map<String, ColumnValue> keyValues, Set<String> unknown) {
        Map<String, ColumnValue> columns = new LinkedHashMap<>(keyValues);
        change.columns().forEach(columns::putIfAbsent);
        if (!unknown.isEmpty()) {
            if (!settings.ignoreUnknownFields()) {
                String fields = unknown.stream().map(c -> change.columns().get(c).field() + (c.equals(
                        change.columns().get(c).field()) ? "" : " (column " + c + ")")).collect(Collectors.joining(", "));
                throw new IllegalArgumentException("field(s) " + fields + " have no column in " + change.table()
                        + "; its columns are " + TableCatalog.columnNames(table)
                        + " (set table.unknown.fields=ignore to leave such fields out)");
            }
            columns.keySet().removeAll(unknown);
        }
        List<String> names = List.copyOf(columns.keySet());
        PreparedStatement statement = prepared(new StatementKey(change.table(), Change.Kind.UPSERT, names), () ->
                "INSERT INTO " + change.table() + " (" + names.stream().map(CassandraWriter::cql)
                        .collect(Collectors.joining(", ")) + ") VALUES (" + String.join(", ", java.util.Collections.nCopies(names.size(), "?"))
                        + ") USING TIMESTAMP ?");
        BoundStatementBuilder builder = statement.boundStatementBuilder();
        Map<String, Object> keys = new HashMap<>();
        int i = 0;
        for (Map.Entry<String, ColumnValue> column : columns.entrySet()) {
            builder = set(builder, i++, column.getValue(), columnsOfTable, column.getKey(), change, keyValues, keys);
        }
        builder = builder.setLong(i, change.timestamp());
        return bound(change, table, keys, names, builder);
    }

    private Bound bindDelete(Change change, TableMetadata table, Columns columnsOfTable,
                             Map<String, ColumnValue> keyValues) {
        List<String> names = List.copyOf(keyValues.keySet());
        PreparedStatement statement = prepared(new StatementKey(change.table(), Change.Kind.DELETE, names), () ->
                "DELETE FROM " + change.table() + " USING TIMESTAMP ? WHERE " + names.stream()
                        .map(n -> cql(n) + " = ?").collect(Collectors.joining(" AND ")));
        BoundStatementBuilder builder = statement.boundStatementBuilder().setLong(0, change.timestamp());
        Map<String, Object> keys = new HashMap<>();
        int i = 1;
        for (Map.Entry<String, ColumnValue> column : keyValues.entrySet()) {
            builder = set(builder, i++, column.getValue(), columnsOfTable, column.getKey(), change, keyValues, keys);
        }
        return bound(change, table, keys, List.of(), builder);
    }

    /** The bound write, with its row and partition key (the key columns' values as bound, in key order). */
    private Bound bound(Change change, TableMetadata table, Map<String, Object> keys, List<String> columns,
                        BoundStatementBuilder builder) {
        List<Object> rowKey = new ArrayList<>(table.getPrimaryKey().size());
        List<Object> partitionKey = new ArrayList<>(table.getPartitionKey().size());
        for (ColumnMetadata column : table.getPrimaryKey()) {
            rowKey.add(keys.get(column.getName().asInternal()));
        }
        for (ColumnMetadata column : table.getPartitionKey()) {
            partitionKey.add(keys.get(column.getName().asInternal()));
        }
        BoundStatement statement = builder.setConsistencyLevel(settings.consistency()).setIdempotence(true).build();
        return new Bound(change, rowKey, partitionKey, columns, statement);
    }

    /** Binds a column's value; a key column's value as bound is kept in {@code keys}. */
    private BoundStatementBuilder set(BoundStatementBuilder builder, int index, ColumnValue value, Columns table,
                                      String column, Change change, Map<String, ColumnValue> keyValues,
                                      Map<String, Object> keys) {
        DataType type = table.type(column);
        Object converted;
        try {
            converted = values.convert(value.value(), value.schema(), type);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("field " + value.field() + " (column " + column + " of "
                    + change.table() + "): " + e.getMessage(), e);
        }
        if (keyValues.get(column) == value) {
            keys.put(column, converted);
        }
        return converted == null ? builder.setToNull(index) : builder.set(index, converted, values.codec(type));
    }


    /** The column types of one version of a table's metadata, by internal name. */
    private record Columns(TableMetadata table, Map<String, DataType> byName) {

        DataType type(String name) {
            DataType type = byName.get(name);
            if (type == null) {
                throw new IllegalStateException("no column " + name + " in " + table.getKeyspace().asCql(true) + "."
                        + table.getName().asCql(true));
            }
            return type;
        }

        /** The change's columns the table lacks; empty (and not allocated) when it has them all. */
        Set<String> unknown(Change change) {
            Set<String> unknown = null;
            for (String column : change.columns().keySet()) {
                if (!byName.containsKey(column)) {
                    if (unknown == null) {
                        unknown = new TreeSet<>();
                    }
                    unknown.add(column);
                }
            }
            return unknown == null ? Set.of() : unknown;
        }
    }

    /** The columns of the table as {@code table} describes it: looked up once per version of its metadata. */
    private Columns columns(TableRef ref, TableMetadata table) {
        Columns known = columnsByTable.get(ref);
        if (known != null && known.table() == table) {
            return known;
        }
        Map<String, DataType> byName = new HashMap<>();
        table.getColumns().forEach((id, metadata) -> byName.put(id.asInternal(), metadata.getType()));
        Columns columns = new Columns(table, byName);
        columnsByTable.put(ref, columns);
        return columns;
    }

    private PreparedStatement prepared(StatementKey key, java.util.function.Supplier<String> cql) {
        PreparedStatement statement = prepared.get(key);
        if (statement == null) {
            statement = session.prepare(cql.get());
            prepared.put(key, statement);
        }
        return statement;
    }

    private static String cql(String column) {
        return CqlIdentifier.fromInternal(column).asCql(true);
    }
}
