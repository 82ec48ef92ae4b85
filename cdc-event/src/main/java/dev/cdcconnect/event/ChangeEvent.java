package dev.cdcconnect.event;

import java.util.Optional;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.header.Headers;

/**
 * A Debezium change event read from a Connect record value, with or without a schema: the envelope of the
 * Postgres, MySQL and MariaDB connectors ({@code before}, {@code after}, {@code source}, {@code op},
 * {@code ts_ms}, {@code transaction}), or a row already flattened by {@code ExtractNewRecordState} that
 * still says which operation made it ({@code __op} field or header, {@code __deleted}).
 *
 * <p>Row states ({@link #before()}, {@link #after()}) are returned as they are in the record: a
 * {@link Struct} for records with a schema, a {@link java.util.Map} for schemaless ones.
 */
public final class ChangeEvent {

    private static final String FLATTENED_PREFIX = "__";

    private final Operation op;
    private final Object before;
    private final Object after;
    private final SourceInfo source;
    private final TransactionInfo transaction;
    private final Long tsMs;
    private final Object message;
    private final boolean flattened;

    private ChangeEvent(Operation op, Object before, Object after, SourceInfo source,
                        TransactionInfo transaction, Long tsMs, Object message, boolean flattened) {
        this.op = op;
        this.before = before;
        this.after = after;
        this.source = source;
        this.transaction = transaction;
        this.tsMs = tsMs;
        this.message = message;
        this.flattened = flattened;
    }

    /**
     * Whether the value is a Debezium envelope: a Struct or Map with a known {@code op} code and a
     * {@code source} block.
     */
    public static boolean isEnvelope(Object value) {
        return Fields.isContainer(value)
                && Fields.get(value, "op") instanceof String code
                && Operation.fromCode(code).isPresent()
                && Fields.isContainer(Fields.get(value, "source"));
    }

    /**
     * Whether the value has the shape of a Debezium envelope, whatever its {@code op} code: a Struct or Map with a
     * string {@code op} and a {@code source} block. An envelope-shaped value that is not an {@link #isEnvelope
     * envelope} carries an operation this library does not know.
     */
    public static boolean isEnvelopeShaped(Object value) {
        return Fields.isContainer(value)
                && Fields.get(value, "op") instanceof String
                && Fields.isContainer(Fields.get(value, "source"));
    }

    /** Reads a Debezium envelope; empty when the value is not one (a plain record, a tombstone). */
    public static Optional<ChangeEvent> read(Object value) {
        if (!isEnvelope(value)) {
            return Optional.empty();
        }
        Operation op = Operation.fromCode((String) Fields.get(value, "op")).orElseThrow();
        return Optional.of(new ChangeEvent(
                op,
                Fields.get(value, "before"),
                Fields.get(value, "after"),
                SourceInfo.read(Fields.get(value, "source")),
                TransactionInfo.read(Fields.get(value, "transaction")),
                Fields.number(value, "ts_ms"),
                Fields.get(value, "message"),
                false));
    }

    /**
     * Reads a Debezium envelope, or else a row flattened by {@code ExtractNewRecordState} whose operation is
     * known from an {@code __op} field ({@code add.fields=op}), an {@code __op} header ({@code add.headers=op})
     * or {@code __deleted=true} ({@code delete.handling.mode=rewrite}). Source fields added as {@code __db},
     * {@code __schema}, {@code __table}, {@code __ts_ms}/{@code __source_ts_ms}, {@code __lsn}, {@code __sequence},
     * {@code __txId} are read too. Empty for anything else.
     */
    public static Optional<ChangeEvent> read(Object value, Headers headers) {
        Optional<ChangeEvent> envelope = read(value);
        if (envelope.isPresent()) {
            return envelope;
        }
        return readFlattened(value, headers);
    }

    private static Optional<ChangeEvent> readFlattened(Object value, Headers headers) {
        if (!Fields.isContainer(value)) {
            return Optional.empty();
        }
        String code = Fields.string(value, FLATTENED_PREFIX + "op");
        if (code == null && headers != null) {
            Header header = headers.lastWithName(FLATTENED_PREFIX + "op");
            code = header == null || header.value() == null ? null : header.value().toString();
        }
        boolean deleted = "true".equals(Fields.string(value, FLATTENED_PREFIX + "deleted"));
        Optional<Operation> op = deleted ? Optional.of(Operation.DELETE) : Operation.fromCode(code);
        if (op.isEmpty()) {
            return Optional.empty();
        }
        Long sourceTs = Fields.number(value, FLATTENED_PREFIX + "source_ts_ms");
        SourceInfo source = new SourceInfo(
                Fields.string(value, FLATTENED_PREFIX + "connector"),
                Fields.string(value, FLATTENED_PREFIX + "name"),
                Fields.string(value, FLATTENED_PREFIX + "db"),
                Fields.string(value, FLATTENED_PREFIX + "schema"),
                Fields.string(value, FLATTENED_PREFIX + "table"),
                sourceTs,
                Fields.string(value, FLATTENED_PREFIX + "snapshot"),
                Fields.number(value, FLATTENED_PREFIX + "txId"),
                Fields.number(value, FLATTENED_PREFIX + "lsn"),
                Fields.string(value, FLATTENED_PREFIX + "sequence"),
                Fields.string(value, FLATTENED_PREFIX + "file"),
                Fields.number(value, FLATTENED_PREFIX + "pos"),
                Fields.number(value, FLATTENED_PREFIX + "row"),
                Fields.string(value, FLATTENED_PREFIX + "gtid"),
                Fields.number(value, FLATTENED_PREFIX + "server_id"));
        boolean delete = op.get() == Operation.DELETE;
        return Optional.of(new ChangeEvent(op.get(), delete ? value : null, delete ? null : value, source,
                null, Fields.number(value, FLATTENED_PREFIX + "ts_ms"), null, true));
    }

    public Operation op() {
        return op;
    }

    /** The row before the change (updates with a full replica identity, deletes), or null. */
    public Object before() {
        return before;
    }

    /** The row after the change (creates, updates, snapshot reads), or null. */
    public Object after() {
        return after;
    }

    /** The row state the change leaves behind, or for a delete the row it removed: {@code after}, else {@code before}. */
    public Object row() {
        return after != null ? after : before;
    }

    /** The schema of {@link #row()} when the record has one, else null. */
    public Schema rowSchema() {
        return row() instanceof Struct struct ? struct.schema() : null;
    }

    public SourceInfo source() {
        return source;
    }

    /** The {@code transaction} block, or null when the source connector does not provide it. */
    public TransactionInfo transaction() {
        return transaction;
    }

    /** When Debezium processed the change, epoch milliseconds, or null. */
    public Long tsMs() {
        return tsMs;
    }

    /** The {@code message} block of a logical decoding message ({@link Operation#MESSAGE}), or null. */
    public Object message() {
        return message;
    }

    /** Whether this was read from a flattened row rather than a full envelope. */
    public boolean isFlattened() {
        return flattened;
    }

    /**
     * The id of the database transaction that made the change, the same for every change of that transaction and
     * different between transactions; null when the source does not tell it.
     * <ul>
     * <li>Postgres: the transaction's {@code txId}. With transaction metadata Debezium's {@code transaction.id} is
     * {@code <txId>:<lsn>}, where the LSN is that of each change, so it differs inside one transaction: only its
     * {@code txId} part identifies the transaction.</li>
     * <li>Other sources with transaction metadata: {@code transaction.id} (MySQL and MariaDB: the GTID, or the
     * binlog position of the transaction's start without GTIDs).</li>
     * <li>MySQL and MariaDB without transaction metadata: the GTID; null without GTIDs, since {@code file} and
     * {@code pos} name each row event, not its transaction.</li>
     * </ul>
     */
    public String transactionId() {
        if (source.txId() != null) {
            return source.txId().toString();
        }
        String id = transaction == null ? null : transaction.id();
        if (id != null && "postgresql".equals(source.connector()) && id.indexOf(':') > 0) {
            return id.substring(0, id.indexOf(':'));
        }
        if (id != null) {
            return id;
        }
        return source.gtid();
    }

    @Override
    public String toString() {
        return "ChangeEvent{op=" + op + ", table=" + source.table() + ", txId=" + transactionId() + '}';
    }
}
