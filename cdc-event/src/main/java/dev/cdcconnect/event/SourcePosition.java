package dev.cdcconnect.event;

import java.util.Optional;

/**
 * Where a streamed change sits in its source database's log, to tell a change delivered again from a later one.
 * Debezium's sources deliver at least once: after their task moves (a worker stopped, a rebalance) they send again
 * the changes since their last committed offset, as new Kafka records with the same source position.
 *
 * <ul>
 * <li>Postgres: the end LSN of the last commit Debezium had streamed before the change and the change's LSN, from
 * {@code source.sequence} ({@code ["<lastCommitLsn>","<lsn>"]}), else {@code source.lsn} alone. Ordered by the
 * pair when both changes have a commit LSN: it only grows in the order Debezium streams transactions, their
 * commit order, while a transaction's own LSNs can be lower than those of one committed before it. When either
 * has none (the transaction Debezium streams first after starting without an offset, such as after its
 * snapshot), by the LSN alone, which orders the changes of one row: a row's next change waits for the
 * transaction of its previous one to commit, so it is written later in the WAL.</li>
 * <li>MySQL and MariaDB: binlog {@code file} (by the number after its last dot), {@code pos}, {@code row}, compared
 * only between changes of one server ({@code server_id}) and binlog base name: the binlog is written in commit
 * order. GTIDs are not needed for the order.</li>
 * </ul>
 * Snapshot reads ({@code op: r}, or {@code source.snapshot} set) have no position: the rows of one snapshot share
 * one, and a change streamed after a snapshot can have a lower LSN than the snapshot (its transaction began before
 * it). Nor do changes of other connectors, or without those fields.
 */
public sealed interface SourcePosition {

    /**
     * Whether a change at this position comes after one at {@code previous} of the same source, in the same order
     * (one row, one Kafka partition): false when it is that change delivered again, or an earlier one. True when
     * the two cannot be compared (different logs, servers or binlog names).
     */
    boolean isAfter(SourcePosition previous);

    /** The position of a change, empty for snapshot reads and sources or events without one. */
    static Optional<SourcePosition> of(SourceInfo source, Operation op) {
        if (source == null || op == Operation.READ || source.isSnapshot()) {
            return Optional.empty();
        }
        String connector = source.connector();
        boolean postgres = connector == null || "postgresql".equals(connector);
        boolean binlog = connector == null || "mysql".equals(connector) || "mariadb".equals(connector);
        if (binlog && source.file() != null && !source.file().isEmpty() && source.pos() != null) {
            return Optional.of(new Binlog(source.serverId(), source.file(), source.pos(),
                    source.row() == null ? 0 : source.row()));
        }
        if (postgres) {
            return Wal.of(source.sequence(), source.lsn());
        }
        return Optional.empty();
    }

    /**
     * A Postgres change.
     *
     * @param commitLsn the end LSN of the last commit Debezium had streamed before the change, or null when it
     *                  does not say
     * @param lsn       the change's LSN
     */
    record Wal(Long commitLsn, long lsn) implements SourcePosition {

        static Optional<SourcePosition> of(String sequence, Long lsn) {
            Long commit = null;
            Long change = lsn;
            if (sequence != null) {
                String[] parts = sequence.trim().replace("[", "").replace("]", "").split(",");
                if (parts.length == 2) {
                    commit = lsnOf(parts[0]);
                    Long last = lsnOf(parts[1]);
                    change = last != null ? last : lsn;
                }
            }
            return change == null ? Optional.empty() : Optional.of(new Wal(commit, change));
        }

        private static Long lsnOf(String text) {
            String value = text.trim().replace("\"", "");
            if (value.isEmpty() || "null".equals(value)) {
                return null;
            }
            try {
                return Long.parseLong(value);
            } catch (NumberFormatException e) {
                return null;
            }
        }

        @Override
        public boolean isAfter(SourcePosition previous) {
            if (!(previous instanceof Wal before)) {
                return true;
            }
            if (commitLsn == null || before.commitLsn == null) {
                return Long.compareUnsigned(lsn, before.lsn) > 0;
            }
            int byCommit = Long.compareUnsigned(commitLsn, before.commitLsn);
            return byCommit != 0 ? byCommit > 0 : Long.compareUnsigned(lsn, before.lsn) > 0;
        }

        @Override
        public String toString() {
            return "[" + commitLsn + "," + lsn + "]";
        }
    }

    /**
     * A MySQL or MariaDB change.
     *
     * @param serverId the server that wrote the binlog, or null when unknown
     * @param file     binlog file name, such as {@code mysql-bin.000042}
     * @param pos      position of the change's event in the file
     * @param row      the change's row in the event
     */
    record Binlog(Long serverId, String file, long pos, long row) implements SourcePosition {

        @Override
        public boolean isAfter(SourcePosition previous) {
            if (!(previous instanceof Binlog before)
                    || (serverId != null && before.serverId != null && !serverId.equals(before.serverId))) {
                return true;
            }
            int byFile = compareFiles(file, before.file);
            if (byFile == Integer.MIN_VALUE) {
                return true;
            }
            if (byFile != 0) {
                return byFile > 0;
            }
            return pos != before.pos ? pos > before.pos : row > before.row;
        }

        /** Files of one binlog by their number; {@link Integer#MIN_VALUE} when they are not of one binlog. */
        private static int compareFiles(String a, String b) {
            if (a.equals(b)) {
                return 0;
            }
            int dotA = a.lastIndexOf('.');
            int dotB = b.lastIndexOf('.');
            if (dotA < 0 || dotB < 0 || !a.substring(0, dotA).equals(b.substring(0, dotB))) {
                return Integer.MIN_VALUE;
            }
            try {
                return Long.compare(Long.parseLong(a.substring(dotA + 1)), Long.parseLong(b.substring(dotB + 1)));
            } catch (NumberFormatException e) {
                return Integer.MIN_VALUE;
            }
        }

        @Override
        public String toString() {
            return (serverId == null ? "" : serverId + ":") + file + ":" + pos + ":" + row;
        }
    }
}
