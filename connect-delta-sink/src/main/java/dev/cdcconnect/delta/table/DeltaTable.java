package dev.cdcconnect.delta.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cdcconnect.delta.changelog.ChangeLogColumns;
import dev.cdcconnect.delta.changelog.ChangeRow;
import dev.cdcconnect.delta.changelog.DeltaTypes;
import io.delta.kernel.DataWriteContext;
import io.delta.kernel.Operation;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.Transaction;
import io.delta.kernel.TransactionCommitResult;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.hook.PostCommitHook;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterable;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.DataException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Delta table being written: its schema, the rows buffered for it, the Parquet files written and not yet
 * committed, and per Kafka partition the offsets the table holds.
 *
 * <p>The Kafka offsets are kept in the table itself: every commit carries, for each topic-partition it has rows
 * of, a domain metadata entry {@code cdcconnect.offsets/<connector>/<topic>/<partition>} whose value is the
 * offset after the last row of that partition in the table. Records below it are in the table already and are
 * skipped. A commit whose partitions' entries changed since the sink read them (another task wrote the same
 * records) fails, and {@link CommitConflictException} tells the caller to start over from the table's state.
 */
public final class DeltaTable {

    private static final Logger LOG = LoggerFactory.getLogger(DeltaTable.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ENGINE_INFO = "cdc-connect Delta sink";

    /** How a table is written; the same for every table of a task. */
    public record Settings(String connector, boolean partitionBySourceDate, long fileMaxBytes,
                           int checkpointInterval) {
    }

    /** A Parquet file written for this table and not yet committed. */
    private record WrittenFile(Map<String, Literal> partitionValues, DataFileStatus status) {
    }

    private final String name;
    private final String path;
    private final Engine engine;
    private final Table table;
    private final Settings settings;

    private boolean exists;
    private StructType schema;
    private List<String> partitionColumns = List.of();
    private Map<String, Integer> positions = Map.of();
    private DataType[] tableTypes = new DataType[0];
    /** The columns of the last row shape seen and where they go in the table (-1: not in it). */
    private List<String> lastColumns;
    private int[] lastPositions;
    /** The columns of the last row shape whose columns a table not created yet has taken. */
    private List<String> proposedColumns;

    private final Map<TopicPartition, Long> committedNext = new HashMap<>();
    private final Map<TopicPartition, Long> firstPending = new HashMap<>();
    private final Map<TopicPartition, Long> pendingNext = new HashMap<>();
    /** Buffered rows per source date (null key: not partitioned, or no date). */
    private final Map<Integer, RowBatch> buffered = new HashMap<>();
    /** A row's values in table order while it is added; empty between rows. */
    private Object[] scratch = new Object[0];
    private long bufferedBytes;
    private long pendingRows;
    private final List<WrittenFile> written = new ArrayList<>();
    private Transaction txn;
    /** Whether {@link #txn} was committed, successfully or not: Kernel commits a transaction once. */
    private boolean attempted;
    private long cycleStart = -1;

    DeltaTable(String name, String path, Engine engine, Settings settings) {
        this.name = name;
        this.path = path;
        this.engine = engine;
        this.settings = settings;
        this.table = Table.forPath(engine, path);
        load();
    }

    /** Reads the table's schema and partitioning, or learns that it does not exist yet. */
    private void load() {
        try {
            Snapshot snapshot = table.getLatestSnapshot(engine);
            exists = true;
            setSchema(snapshot.getSchema(), snapshot.getPartitionColumnNames());
        } catch (TableNotFoundException e) {
            exists = false;
            schema = null;
            positions = Map.of();
            tableTypes = new DataType[0];
            lastColumns = null;
            proposedColumns = null;
        }
    }

    private void setSchema(StructType newSchema, List<String> partitions) {
        schema = newSchema;
        partitionColumns = List.copyOf(partitions);
        Map<String, Integer> p = new HashMap<>();
        for (int i = 0; i < newSchema.length(); i++) {
            p.put(newSchema.at(i).getName(), i);
        }
        positions = p;
        tableTypes = new DataType[newSchema.length()];
        for (int i = 0; i < newSchema.length(); i++) {
            tableTypes[i] = newSchema.at(i).getDataType();
        }
        lastColumns = null;
        proposedColumns = null;
    }

    /** Where each of these columns is in the table; the same for every row of one shape, so computed once. */
    private int[] positionsOf(List<String> columns) {
        if (columns != lastColumns) {
            int[] target = new int[columns.size()];
            for (int i = 0; i < target.length; i++) {
                target[i] = positions.getOrDefault(columns.get(i), -1);
            }
            lastColumns = columns;
            lastPositions = target;
        }
        return lastPositions;
    }

    public String name() {
        return name;
    }

    public String path() {
        return path;
    }

    /** Whether {@link #holds} answers for this partition without reading the table. */
    public boolean knowsOffset(TopicPartition partition) {
        return pendingNext.containsKey(partition) || committedNext.containsKey(partition);
    }

    /** Whether the table holds (or has buffered) the record at this offset of that partition already. */
    public boolean holds(TopicPartition partition, long offset) {
        Long next = pendingNext.get(partition);
        if (next == null) {
            next = committedNext(partition);
        }
        return offset < next;
    }

    /** The offset after the last row of the partition in the table, from its offsets entry; 0 when none. */
    private long committedNext(TopicPartition partition) {
        Long known = committedNext.get(partition);
        if (known != null) {
            return known;
        }
        long next = 0;
        try {
            Snapshot snapshot = table.getLatestSnapshot(engine);
            next = readOffset(snapshot, partition);
        } catch (TableNotFoundException e) {
            // No table, no rows.
        }
        committedNext.put(partition, next);
        return next;
    }

    private long readOffset(Snapshot snapshot, TopicPartition partition) {
        Optional<String> config = snapshot.getDomainMetadata(domain(partition));
        if (config.isEmpty()) {
            return 0;
        }
        try {
            JsonNode node = JSON.readTree(config.get());
            return node.path("next_offset").asLong(0);
        } catch (IOException e) {
            throw new IllegalStateException("Table " + path + " has an unreadable offsets entry " + domain(partition)
                    + ": " + config.get(), e);
        }
    }

    /** The domain metadata entry holding a partition's offset for this connector. */
    public String domain(TopicPartition partition) {
        return "cdcconnect.offsets/" + settings.connector() + "/" + partition.topic() + "/" + partition.partition();
    }

    /**
     * Buffers a row. Its columns must be in the table (new tables take the columns of their first rows), with the
     * same type or one that widens into it.
     *
     * @throws DataException when the row does not fit the table
     */
    public void add(ChangeRow row) {
        if ((schema == null || (!exists && txn == null)) && row.columns() != proposedColumns) {
            // Rows of one shape come with the same column list: its columns are taken once.
            propose(row);
            proposedColumns = row.columns();
        }
        if (scratch.length != schema.length()) {
            scratch = new Object[schema.length()];
        }
        Object[] values = scratch;
        try {
            buffer(row, values);
        } finally {
            Arrays.fill(values, null);
        }
        if (cycleStart < 0) {
            cycleStart = System.nanoTime();
        }
        firstPending.putIfAbsent(row.partition(), row.offset());
        pendingNext.put(row.partition(), row.offset() + 1);
    }

    private void buffer(ChangeRow row, Object[] values) {
        List<String> columns = row.columns();
        int[] target = positionsOf(columns);
        for (int i = 0; i < target.length; i++) {
            Object value = row.values()[i];
            int position = target[i];
            if (position < 0) {
                if (value == null) {
                    continue;
                }
                String column = columns.get(i);
                throw new DataException("column " + column + " (" + DeltaTypes.sqlName(row.types().get(i)) + ") is not in Delta table "
                        + path + ": Delta Kernel cannot add a column to an existing table; add it "
                        + "(for example ALTER TABLE delta.`" + path + "` ADD COLUMNS (" + column + " "
                        + DeltaTypes.sqlName(row.types().get(i)) + ") in Spark) and restart the task");
            }
            DataType tableType = tableTypes[position];
            DataType rowType = row.types().get(i);
            values[position] = rowType == tableType ? value : DeltaTypes.widen(value, rowType, tableType, columns.get(i));
        }
        Integer partitionKey = null;
        if (partitionColumns.contains(ChangeLogColumns.SOURCE_DATE)) {
            partitionKey = row.sourceDate();
            values[positions.get(ChangeLogColumns.SOURCE_DATE)] = partitionKey;
        }
        RowBatch rows = buffered.get(partitionKey);
        if (rows == null) {
            rows = new RowBatch(schema);
            buffered.put(partitionKey, rows);
        }
        rows.add(values);
        bufferedBytes += estimate(values);
        pendingRows++;
    }

    /** A table not created yet takes the columns of its rows, in the order first seen. */
    private void propose(ChangeRow row) {
        List<StructField> fields = schema == null ? new ArrayList<>() : new ArrayList<>(schema.fields());
        boolean changed = false;
        for (int i = 0; i < row.columns().size(); i++) {
            String column = row.columns().get(i);
            if (!positions.containsKey(column) && fields.stream().noneMatch(f -> f.getName().equals(column))) {
                fields.add(new StructField(column, row.types().get(i), true));
                changed = true;
            }
        }
        List<String> partitions = partitionColumns;
        if (schema == null && settings.partitionBySourceDate()) {
            fields.add(new StructField(ChangeLogColumns.SOURCE_DATE, ChangeLogColumns.SOURCE_DATE_TYPE, true));
            partitions = List.of(ChangeLogColumns.SOURCE_DATE);
            changed = true;
        }
        if (changed) {
            setSchema(new StructType(fields), partitions);
            // Rows buffered before have nulls in the new columns.
            for (RowBatch rows : buffered.values()) {
                rows.extend(schema);
            }
        }
    }

    private static long estimate(Object[] values) {
        long bytes = 16 + 8L * values.length;
        for (Object v : values) {
            if (v instanceof String s) {
                bytes += 40 + s.length();
            } else if (v instanceof byte[] b) {
                bytes += 16 + b.length;
            } else if (v instanceof BigDecimal) {
                bytes += 48;
            } else if (v != null) {
                bytes += 16;
            }
        }
        return bytes;
    }

    /** Whether the buffered rows fill a file. */
    public boolean fileFull() {
        return bufferedBytes >= settings.fileMaxBytes();
    }

    /** Whether rows are waiting to be committed. */
    public boolean hasPending() {
        return pendingRows > 0;
    }

    /** Nanos ({@link System#nanoTime()}) when the oldest uncommitted row arrived, or -1. */
    public long cycleStart() {
        return cycleStart;
    }

    /** The lowest uncommitted offset of each partition with rows waiting. */
    public Map<TopicPartition, Long> firstPending() {
        return Map.copyOf(firstPending);
    }

    /** Writes the buffered rows as Parquet files (one per partition value), to be committed later. */
    public void writeFiles() {
        if (buffered.isEmpty()) {
            return;
        }
        Transaction transaction = transaction();
        Row state = transaction.getTransactionState(engine);
        StructType tableSchema = transaction.getSchema(engine);
        for (Map.Entry<Integer, RowBatch> entry : new ArrayList<>(buffered.entrySet())) {
            Map<String, Literal> partitionValues = partitionValues(entry.getKey());
            CloseableIterator<FilteredColumnarBatch> data = Transaction.transformLogicalData(engine, state,
                    single(new FilteredColumnarBatch(entry.getValue().batch(tableSchema), Optional.empty())),
                    partitionValues);
            DataWriteContext context = Transaction.getWriteContext(engine, state, partitionValues);
            try (CloseableIterator<DataFileStatus> files = engine.getParquetHandler().writeParquetFiles(
                    context.getTargetDirectory(), data, context.getStatisticsColumns())) {
                while (files.hasNext()) {
                    written.add(new WrittenFile(partitionValues, files.next()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Writing a Parquet file of table " + path + " failed", e);
            }
            buffered.remove(entry.getKey());
        }
        bufferedBytes = 0;
    }

    private Map<String, Literal> partitionValues(Integer sourceDate) {
        if (!partitionColumns.contains(ChangeLogColumns.SOURCE_DATE)) {
            return Map.of();
        }
        Map<String, Literal> values = new HashMap<>();
        values.put(ChangeLogColumns.SOURCE_DATE, sourceDate == null ? Literal.ofNull(ChangeLogColumns.SOURCE_DATE_TYPE)
                : Literal.ofDate(sourceDate));
        return values;
    }

    /** The transaction of this commit cycle: built once, when the first file is written or at the commit. */
    private Transaction transaction() {
        if (txn == null) {
            if (!exists) {
                try {
                    txn = table.createTransactionBuilder(engine, ENGINE_INFO, Operation.CREATE_TABLE)
                            .withSchema(engine, schema)
                            .withPartitionColumns(engine, partitionColumns)
                            .withTableProperties(engine, Map.of("delta.checkpointInterval",
                                    Integer.toString(settings.checkpointInterval())))
                            .withDomainMetadataSupported()
                            .build(engine);
                } catch (io.delta.kernel.exceptions.TableAlreadyExistsException e) {
                    // Another task created it first: fine when it has the columns this one would have created.
                    StructType proposed = schema;
                    List<String> proposedPartitions = partitionColumns;
                    load();
                    if (!exists || !schema.equals(proposed) || !partitionColumns.equals(proposedPartitions)) {
                        throw new CommitConflictException("Delta table " + path + " was created by another writer "
                                + "with other columns than this task's rows have", e);
                    }
                }
            }
            if (txn == null) {
                txn = table.createTransactionBuilder(engine, ENGINE_INFO, Operation.WRITE)
                        .withDomainMetadataSupported()
                        .build(engine);
            }
        }
        return txn;
    }

    /**
     * Commits the written files and the buffered rows, with each partition's next offset, as one Delta commit.
     *
     * @return the version committed, or empty when there was nothing to commit
     * @throws CommitConflictException when another writer committed rows of the same partitions, or changed the
     *                                 table, since this cycle began: nothing of this cycle is committed
     */
    public Optional<Long> commit() {
        if (pendingRows == 0) {
            return Optional.empty();
        }
        if (attempted) {
            // A commit that failed: the files stay, a new transaction sees whether the failed one got in after all.
            txn = null;
            attempted = false;
        }
        writeFiles();
        Transaction transaction = transaction();
        checkOffsets(transaction);
        Map<TopicPartition, Long> next = new LinkedHashMap<>(pendingNext);
        next.forEach((partition, offset) -> transaction.addDomainMetadata(domain(partition),
                "{\"topic\":" + JSON.valueToTree(partition.topic()) + ",\"partition\":" + partition.partition()
                        + ",\"next_offset\":" + offset + "}"));
        Row state = transaction.getTransactionState(engine);
        List<Row> actions = new ArrayList<>();
        for (WrittenFile file : written) {
            DataWriteContext context = Transaction.getWriteContext(engine, state, file.partitionValues());
            try (CloseableIterator<Row> rows = Transaction.generateAppendActions(engine, state, single(file.status()),
                    context)) {
                rows.forEachRemaining(actions::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        TransactionCommitResult result;
        attempted = true;
        try {
            result = transaction.commit(engine, CloseableIterable.inMemoryIterable(single(actions)));
        } catch (io.delta.kernel.exceptions.ConcurrentWriteException
                 | io.delta.kernel.exceptions.TableAlreadyExistsException e) {
            throw new CommitConflictException("Delta table " + path + " changed while the sink wrote to it: "
                    + e.getMessage(), e);
        } catch (IllegalStateException e) {
            // Kernel allows one commit per transaction: a commit that failed after writing its log entry.
            throw new CommitConflictException("Commit to Delta table " + path + " ended in an unknown state: "
                    + e.getMessage(), e);
        }
        long rows = pendingRows;
        int files = written.size();
        committedNext.putAll(next);
        exists = true;
        clearCycle();
        LOG.debug("Committed version {} of {}: {} rows in {} files", result.getVersion(), path, rows, files);
        for (PostCommitHook hook : result.getPostCommitHooks()) {
            if (hook.getType() == PostCommitHook.PostCommitHookType.CHECKPOINT
                    || hook.getType() == PostCommitHook.PostCommitHookType.CHECKSUM_SIMPLE) {
                try {
                    hook.threadSafeInvoke(engine);
                } catch (IOException | RuntimeException e) {
                    // The commit stands; a later checkpoint covers this one.
                    LOG.warn("Post-commit {} of {} version {} failed: {}", hook.getType(), path,
                            result.getVersion(), e.toString());
                }
            }
        }
        return Optional.of(result.getVersion());
    }

    /** Every partition's offsets entry must still be what this sink last read or wrote. */
    private void checkOffsets(Transaction transaction) {
        if (!exists) {
            return;
        }
        Snapshot snapshot = table.getSnapshotAsOfVersion(engine, transaction.getReadTableVersion());
        for (TopicPartition partition : pendingNext.keySet()) {
            long inTable = readOffset(snapshot, partition);
            long expected = committedNext.getOrDefault(partition, 0L);
            if (inTable != expected) {
                throw new CommitConflictException("Delta table " + path + " holds " + partition + " up to offset "
                        + inTable + ", not " + expected + " as this task read: another task wrote the same records");
            }
        }
    }

    /**
     * Drops everything not committed (the files written stay unreferenced, as after any failed Delta write) and
     * forgets what it knew of the table, so it is read again.
     *
     * @return the lowest dropped offset of each partition: where its records must be delivered again from
     */
    public Map<TopicPartition, Long> abort() {
        Map<TopicPartition, Long> dropped = Map.copyOf(firstPending);
        clearCycle();
        committedNext.clear();
        load();
        return dropped;
    }

    private void clearCycle() {
        buffered.clear();
        written.clear();
        bufferedBytes = 0;
        pendingRows = 0;
        firstPending.clear();
        pendingNext.clear();
        txn = null;
        attempted = false;
        cycleStart = -1;
    }

    /** Forgets the partitions' offsets (they are read from the table again when their records come back). */
    public void forget(Iterable<TopicPartition> partitions) {
        partitions.forEach(committedNext::remove);
    }

    private static <T> CloseableIterator<T> single(T element) {
        return single(List.of(element));
    }

    private static <T> CloseableIterator<T> single(List<T> elements) {
        var it = elements.iterator();
        return new CloseableIterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public T next() {
                return it.next();
            }

            @Override
            public void close() {
            }
        };
    }
}
