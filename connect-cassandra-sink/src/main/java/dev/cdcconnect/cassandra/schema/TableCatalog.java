package dev.cdcconnect.cassandra.schema;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.metadata.schema.KeyspaceMetadata;
import com.datastax.oss.driver.api.core.metadata.schema.TableMetadata;
import com.datastax.oss.driver.api.core.type.DataType;
import com.datastax.oss.driver.api.core.type.DataTypes;
import com.datastax.oss.driver.api.core.type.UserDefinedType;
import dev.cdcconnect.cassandra.mapping.Change;
import dev.cdcconnect.cassandra.mapping.ColumnValue;
import dev.cdcconnect.cassandra.mapping.StructMode;
import dev.cdcconnect.cassandra.mapping.TableRef;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The target tables as the cluster describes them: looked up in the driver's schema metadata, created from a
 * record's schema when {@code table.create} is on, and checked at start against what the settings name.
 */
public final class TableCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(TableCatalog.class);

    private final CqlSession session;
    private final boolean create;
    private final int replicationFactor;
    private final String localDatacenter;
    private final StructMode structMode;
    private final Map<TableRef, TableMetadata> tables = new ConcurrentHashMap<>();

    public TableCatalog(CqlSession session, boolean create, int replicationFactor, String localDatacenter,
                        StructMode structMode) {
        this.session = session;
        this.create = create;
        this.replicationFactor = replicationFactor;
        this.localDatacenter = localDatacenter;
        this.structMode = structMode;
    }

    /**
     * The table a change goes to; created from the change when missing and {@code table.create} is on.
     *
     * @throws IllegalArgumentException when the table does not exist (and is not to be created) or cannot be
     *                                  created from this record
     */
    public TableMetadata table(Change change) {
        TableMetadata known = tables.get(change.table());
        if (known != null) {
            return known;
        }
        synchronized (this) {
            Optional<TableMetadata> found = lookup(change.table(), true);
            if (found.isEmpty()) {
                if (!create) {
                    throw new IllegalArgumentException(missing(change.table()) + "; create it, or set table.create=true");
                }
                createFrom(change);
                found = lookup(change.table(), true);
                if (found.isEmpty()) {
                    throw new IllegalStateException("table " + change.table() + " was created but is not in the schema");
                }
            }
            tables.put(change.table(), found.get());
            return found.get();
        }
    }

    /** Forgets what is known of a table, so its definition is read again (after a schema change). */
    public void forget(TableRef table) {
        tables.remove(table);
    }

    /**
     * Problems with a table known at start (it must exist, unless created later, and have the named columns):
     * one message per problem, empty when it fits.
     */
    public List<String> check(TableRef table, Collection<String> columns) {
        Optional<TableMetadata> found = lookup(table, true);
        if (found.isEmpty()) {
            return create ? List.of() : List.of(missing(table));
        }
        List<String> problems = new ArrayList<>();
        TreeSet<String> absent = new TreeSet<>();
        for (String column : columns) {
            if (found.get().getColumn(CqlIdentifier.fromInternal(column)).isEmpty()) {
                absent.add(column);
            }
        }
        if (!absent.isEmpty()) {
            problems.add("table " + table + " has no column(s) " + absent + " named in column.mapping; its columns are "
                    + columnNames(found.get()));
        }
        return problems;
    }

    /** The column names of a table, for messages. */
    public static List<String> columnNames(TableMetadata table) {
        return table.getColumns().keySet().stream().map(CqlIdentifier::asInternal).toList();
    }

    private String missing(TableRef table) {
        Optional<KeyspaceMetadata> keyspace = session.getMetadata().getKeyspace(table.keyspace());
        if (keyspace.isEmpty()) {
            return "keyspace " + table.keyspace().asCql(true) + " does not exist (for table " + table + ")";
        }
        return "table " + table + " does not exist; keyspace " + table.keyspace().asCql(true) + " has "
                + keyspace.get().getTables().keySet().stream().map(CqlIdentifier::asInternal).sorted().toList();
    }

    private Optional<TableMetadata> lookup(TableRef table, boolean refreshWhenMissing) {
        Optional<TableMetadata> found = session.getMetadata().getKeyspace(table.keyspace())
                .flatMap(k -> k.getTable(table.table()));
        if (found.isEmpty() && refreshWhenMissing) {
            // Tables created by others since the session opened may not be in its metadata yet.
            session.refreshSchema();
            return lookup(table, false);
        }
        return found;
    }

    private void createFrom(Change change) {
        TableRef table = change.table();
        List<String> keyColumns = change.key().keySet().stream().filter(k -> k != null).toList();
        if (keyColumns.isEmpty()) {
            throw new IllegalArgumentException("cannot create table " + table + ": table.create takes the primary key "
                    + "from the record key's fields, and this record's key is "
                    + (change.key().isEmpty() ? "null" : "not a struct"));
        }
        String keyspace = table.keyspace().asCql(true);
        session.execute("CREATE KEYSPACE IF NOT EXISTS " + keyspace + " WITH replication = {'class': "
                + "'NetworkTopologyStrategy', '" + localDatacenter + "': " + replicationFactor + "}");
        StringBuilder ddl = new StringBuilder("CREATE TABLE IF NOT EXISTS ").append(table).append(" (");
        java.util.LinkedHashMap<String, ColumnValue> columns = new java.util.LinkedHashMap<>(change.key());
        change.columns().forEach(columns::putIfAbsent);
        for (Map.Entry<String, ColumnValue> column : columns.entrySet()) {
            Schema schema = column.getValue().schema();
            if (schema == null) {
                throw new IllegalArgumentException("cannot create table " + table + " from a record without a schema "
                        + "(field " + column.getValue().field() + "); create the table, or use a converter with schemas");
            }
            ddl.append(CqlIdentifier.fromInternal(column.getKey()).asCql(true)).append(' ')
                    .append(columnType(table, column.getKey(), schema).asCql(true, true)).append(", ");
        }
        ddl.append("PRIMARY KEY ((").append(String.join(", ", keyColumns.stream()
                .map(k -> CqlIdentifier.fromInternal(k).asCql(true)).toList())).append(")))");
        LOG.info("Creating table {}: {}", table, ddl);
        session.execute(ddl.toString());
    }

    private DataType columnType(TableRef table, String column, Schema schema) {
        boolean nestedRow = schema.type() == Schema.Type.STRUCT
                && (schema.name() == null || !schema.name().startsWith("io.debezium."));
        if (nestedRow && structMode == StructMode.UDT) {
            String typeName = table.table().asInternal() + "_" + column;
            StringBuilder ddl = new StringBuilder("CREATE TYPE IF NOT EXISTS ")
                    .append(table.keyspace().asCql(true)).append('.').append(CqlIdentifier.fromInternal(typeName).asCql(true))
                    .append(" (");
            List<String> fields = new ArrayList<>();
            for (Field f : schema.fields()) {
                fields.add(CqlIdentifier.fromInternal(f.name().toLowerCase(java.util.Locale.ROOT)).asCql(true) + " "
                        + CqlValues.typeFor(f.schema()).asCql(true, true));
            }
            ddl.append(String.join(", ", fields)).append(')');
            session.execute(ddl.toString());
            UserDefinedType udt = session.getMetadata().getKeyspace(table.keyspace())
                    .flatMap(k -> k.getUserDefinedType(CqlIdentifier.fromInternal(typeName)))
                    .orElseThrow(() -> new IllegalStateException("type " + typeName + " was created but is not in the schema"));
            return udt.copy(true);
        }
        return nestedRow ? DataTypes.TEXT : CqlValues.typeFor(schema);
    }
}
