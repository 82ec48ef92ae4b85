package dev.cdcconnect.event;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;

/**
 * Builds Debezium change events shaped as the Postgres, MySQL and MariaDB connectors emit them, as a Struct
 * (JsonConverter/Avro with schemas) or as a Map (JsonConverter with {@code schemas.enable=false}). Shared with
 * other modules' tests through this module's test-jar.
 *
 * <p>As Debezium's are, each envelope built is at a later source position than the one before (the LSN, or the
 * binlog position, grows with each), unless {@link #lsn} or {@link #binlog} set one, which then stays.
 */
public final class Envelopes {

    /** Which connector's {@code source} block to build. */
    public enum Flavor {
        POSTGRES("postgresql"), MYSQL("mysql"), MARIADB("mariadb");

        final String connector;

        Flavor(String connector) {
            this.connector = connector;
        }
    }

    private final Flavor flavor;
    private final String serverName;
    private final String database;
    private final String schemaName;
    private final String table;
    private long tsMs = 1_700_000_000_000L;
    private long txId = 771;
    private long lsn = 33_816_960L;
    private String file = "binlog.000003";
    private long pos = 1_204;
    private long row = 0;
    private boolean positionSet;
    private String gtid;
    private String snapshot = "false";
    private String transactionId;
    private long totalOrder;

    private Envelopes(Flavor flavor, String serverName, String database, String schemaName, String table) {
        this.flavor = flavor;
        this.serverName = serverName;
        this.database = database;
        this.schemaName = schemaName;
        this.table = table;
    }

    public static Envelopes postgres(String database, String schema, String table) {
        return new Envelopes(Flavor.POSTGRES, "dbserver1", database, schema, table);
    }

    public static Envelopes mysql(String database, String table) {
        return new Envelopes(Flavor.MYSQL, "dbserver1", database, null, table);
    }

    public static Envelopes mariadb(String database, String table) {
        return new Envelopes(Flavor.MARIADB, "dbserver1", database, null, table);
    }

    public static Envelopes of(Flavor flavor, String database, String table) {
        return flavor == Flavor.POSTGRES ? postgres(database, "public", table)
                : new Envelopes(flavor, "dbserver1", database, null, table);
    }

    public Envelopes tsMs(long value) { this.tsMs = value; return this; }
    public Envelopes txId(long value) { this.txId = value; return this; }
    public Envelopes lsn(long value) { this.lsn = value; this.positionSet = true; return this; }
    public Envelopes binlog(String fileName, long position, long rowIndex) {
        this.file = fileName; this.pos = position; this.row = rowIndex; this.positionSet = true; return this;
    }

    /** After an envelope is built: the next one is at a later position, unless one was set. */
    private void advance() {
        if (!positionSet) {
            lsn += 8;
            pos += 100;
        }
    }
    public Envelopes gtid(String value) { this.gtid = value; return this; }
    public Envelopes snapshot(String value) { this.snapshot = value; return this; }
    /** Adds a {@code transaction} block (provide.transaction.metadata=true) with this id. */
    public Envelopes transaction(String id, long order) { this.transactionId = id; this.totalOrder = order; return this; }

    public Flavor flavor() {
        return flavor;
    }

    /** The source block's schema for this flavour. */
    public Schema sourceSchema() {
        SchemaBuilder b = SchemaBuilder.struct().name("io.debezium.connector." + flavor.connector + ".Source")
                .field("version", Schema.STRING_SCHEMA)
                .field("connector", Schema.STRING_SCHEMA)
                .field("name", Schema.STRING_SCHEMA)
                .field("ts_ms", Schema.INT64_SCHEMA)
                .field("snapshot", Schema.OPTIONAL_STRING_SCHEMA)
                .field("db", Schema.STRING_SCHEMA)
                .field("sequence", Schema.OPTIONAL_STRING_SCHEMA);
        if (flavor == Flavor.POSTGRES) {
            b.field("schema", Schema.STRING_SCHEMA)
                    .field("table", Schema.STRING_SCHEMA)
                    .field("txId", Schema.OPTIONAL_INT64_SCHEMA)
                    .field("lsn", Schema.OPTIONAL_INT64_SCHEMA)
                    .field("xmin", Schema.OPTIONAL_INT64_SCHEMA);
        } else {
            b.field("table", Schema.OPTIONAL_STRING_SCHEMA)
                    .field("server_id", Schema.INT64_SCHEMA)
                    .field("gtid", Schema.OPTIONAL_STRING_SCHEMA)
                    .field("file", Schema.STRING_SCHEMA)
                    .field("pos", Schema.INT64_SCHEMA)
                    .field("row", Schema.INT32_SCHEMA)
                    .field("thread", Schema.OPTIONAL_INT64_SCHEMA)
                    .field("query", Schema.OPTIONAL_STRING_SCHEMA);
        }
        return b.build();
    }

    private static final Schema TRANSACTION_SCHEMA = SchemaBuilder.struct().optional()
            .name("event.block")
            .field("id", Schema.STRING_SCHEMA)
            .field("total_order", Schema.INT64_SCHEMA)
            .field("data_collection_order", Schema.INT64_SCHEMA)
            .build();

    /** The envelope schema for rows of the given schema. */
    public Schema envelopeSchema(Schema rowSchema) {
        String prefix = serverName + "." + database + "." + (schemaName == null ? "" : schemaName + ".") + table;
        Schema optionalRow = rowSchema.isOptional() ? rowSchema : copyOptional(rowSchema);
        return SchemaBuilder.struct().name(prefix + ".Envelope")
                .field("before", optionalRow)
                .field("after", optionalRow)
                .field("source", sourceSchema())
                .field("transaction", TRANSACTION_SCHEMA)
                .field("op", Schema.STRING_SCHEMA)
                .field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA)
                .build();
    }

    private static Schema copyOptional(Schema rowSchema) {
        SchemaBuilder b = SchemaBuilder.struct().name(rowSchema.name()).optional();
        rowSchema.fields().forEach(f -> b.field(f.name(), f.schema()));
        return b.build();
    }

    /** A Struct envelope; {@code before}/{@code after} are Structs of one row schema (either may be null). */
    public Struct struct(Operation op, Struct before, Struct after) {
        Struct any = after != null ? after : before;
        if (any == null) {
            throw new IllegalArgumentException("a row is needed to know the row schema");
        }
        Schema envelopeSchema = envelopeSchema(any.schema());
        Schema rowSchema = envelopeSchema.field("after").schema();
        Struct envelope = new Struct(envelopeSchema)
                .put("before", before == null ? null : reschema(before, rowSchema))
                .put("after", after == null ? null : reschema(after, rowSchema))
                .put("source", sourceStruct(envelopeSchema.field("source").schema()))
                .put("op", op.code())
                .put("ts_ms", tsMs + 5);
        if (transactionId != null) {
            envelope.put("transaction", new Struct(TRANSACTION_SCHEMA).put("id", transactionId)
                    .put("total_order", totalOrder).put("data_collection_order", totalOrder));
        }
        envelope.validate();
        advance();
        return envelope;
    }

    private static Struct reschema(Struct row, Schema schema) {
        if (row.schema() == schema) {
            return row;
        }
        Struct copy = new Struct(schema);
        schema.fields().forEach(f -> copy.put(f.name(), row.get(f.name())));
        return copy;
    }

    private Struct sourceStruct(Schema schema) {
        Struct s = new Struct(schema).put("version", "3.5.0.Final").put("connector", flavor.connector)
                .put("name", serverName).put("ts_ms", tsMs).put("snapshot", snapshot).put("db", database);
        if (flavor == Flavor.POSTGRES) {
            s.put("schema", schemaName).put("table", table).put("txId", txId).put("lsn", lsn)
                    .put("sequence", "[\"" + (lsn - 8) + "\",\"" + lsn + "\"]");
        } else {
            s.put("table", table).put("server_id", 223_344L).put("gtid", gtid).put("file", file)
                    .put("pos", pos).put("row", (int) row);
        }
        return s;
    }

    /** A schemaless envelope, as JsonConverter with schemas.enable=false gives it; rows are Maps (or null). */
    public Map<String, Object> map(Operation op, Map<String, Object> before, Map<String, Object> after) {
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("version", "3.5.0.Final");
        source.put("connector", flavor.connector);
        source.put("name", serverName);
        source.put("ts_ms", tsMs);
        source.put("snapshot", snapshot);
        source.put("db", database);
        if (flavor == Flavor.POSTGRES) {
            source.put("sequence", "[\"" + (lsn - 8) + "\",\"" + lsn + "\"]");
            source.put("schema", schemaName);
            source.put("table", table);
            source.put("txId", txId);
            source.put("lsn", lsn);
            source.put("xmin", null);
        } else {
            source.put("table", table);
            source.put("server_id", 223_344L);
            source.put("gtid", gtid);
            source.put("file", file);
            source.put("pos", pos);
            source.put("row", (int) row);
            source.put("thread", 7L);
            source.put("query", null);
        }
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("before", before);
        envelope.put("after", after);
        envelope.put("source", source);
        if (transactionId != null) {
            Map<String, Object> tx = new LinkedHashMap<>();
            tx.put("id", transactionId);
            tx.put("total_order", totalOrder);
            tx.put("data_collection_order", totalOrder);
            envelope.put("transaction", tx);
        } else {
            envelope.put("transaction", null);
        }
        envelope.put("op", op.code());
        envelope.put("ts_ms", tsMs + 5);
        advance();
        return envelope;
    }
}
