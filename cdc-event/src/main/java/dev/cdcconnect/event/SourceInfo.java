package dev.cdcconnect.event;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code source} block of a Debezium change event, normalised across connectors. Postgres reports
 * {@code txId} and {@code lsn}; MySQL and MariaDB report the binlog {@code file}, {@code pos}, {@code row}
 * and, with GTIDs on, {@code gtid}. Fields a connector does not report are null.
 *
 * @param connector  connector type: {@code postgresql}, {@code mysql}, {@code mariadb}, ...
 * @param name       the logical server name ({@code topic.prefix})
 * @param database   source database
 * @param schema     source schema (Postgres), else null
 * @param table      source table
 * @param tsMs       when the change was committed in the database, epoch milliseconds
 * @param snapshot   {@code true}, {@code first}, {@code last}, {@code incremental}, ... or null/{@code false}
 * @param txId       Postgres transaction id
 * @param lsn        Postgres log sequence number of the change
 * @param sequence   Postgres {@code sequence}: a JSON array of two strings, the LSN of the last commit Debezium had
 *                   processed before the change (or null) and the change's LSN, as in {@code ["33816952","33816960"]}
 * @param file       binlog file name
 * @param pos        binlog position of the event
 * @param row        row index within the binlog event
 * @param gtid       global transaction id (MySQL/MariaDB with GTIDs)
 * @param serverId   binlog server id
 */
public record SourceInfo(
        String connector,
        String name,
        String database,
        String schema,
        String table,
        Long tsMs,
        String snapshot,
        Long txId,
        Long lsn,
        String sequence,
        String file,
        Long pos,
        Long row,
        String gtid,
        Long serverId) {

    static final SourceInfo EMPTY =
            new SourceInfo(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);

    /** A source block without Postgres' {@code sequence}. */
    public SourceInfo(String connector, String name, String database, String schema, String table, Long tsMs,
                      String snapshot, Long txId, Long lsn, String file, Long pos, Long row, String gtid,
                      Long serverId) {
        this(connector, name, database, schema, table, tsMs, snapshot, txId, lsn, null, file, pos, row, gtid,
                serverId);
    }

    /** Reads a source block given as a Struct or Map; an absent block gives an all-null instance. */
    public static SourceInfo read(Object source) {
        if (!Fields.isContainer(source)) {
            return EMPTY;
        }
        return new SourceInfo(
                Fields.string(source, "connector"),
                Fields.string(source, "name"),
                Fields.string(source, "db"),
                Fields.string(source, "schema"),
                Fields.string(source, "table"),
                Fields.number(source, "ts_ms"),
                Fields.string(source, "snapshot"),
                Fields.number(source, "txId"),
                Fields.number(source, "lsn"),
                Fields.string(source, "sequence"),
                Fields.string(source, "file"),
                Fields.number(source, "pos"),
                Fields.number(source, "row"),
                Fields.string(source, "gtid"),
                Fields.number(source, "server_id"));
    }

    /** Whether the change was read by a snapshot rather than streamed from the log. */
    public boolean isSnapshot() {
        return snapshot != null && !snapshot.isEmpty() && !"false".equals(snapshot);
    }

    /**
     * The change's position in the source log, as the connector reports it: {@code lsn} (and {@code txId},
     * {@code sequence}) for Postgres, {@code file}/{@code pos}/{@code row} (and {@code gtid}) for the binlog connectors. Only
     * non-null entries, in a stable order.
     */
    public Map<String, Object> position() {
        Map<String, Object> position = new LinkedHashMap<>();
        putIfPresent(position, "txId", txId);
        putIfPresent(position, "lsn", lsn);
        putIfPresent(position, "sequence", sequence);
        putIfPresent(position, "file", file);
        putIfPresent(position, "pos", pos);
        putIfPresent(position, "row", row);
        putIfPresent(position, "gtid", gtid);
        putIfPresent(position, "server_id", serverId);
        return position;
    }

    private static void putIfPresent(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
