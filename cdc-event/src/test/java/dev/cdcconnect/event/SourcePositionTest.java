package dev.cdcconnect.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SourcePositionTest {

    private static SourcePosition position(Envelopes envelopes, Operation op) {
        Map<String, Object> value = envelopes.map(op, null, Map.of("id", 1));
        ChangeEvent event = ChangeEvent.read(value).orElseThrow();
        return SourcePosition.of(event.source(), event.op()).orElse(null);
    }

    private static SourcePosition postgres(String sequence, Long lsn) {
        SourceInfo source = new SourceInfo("postgresql", "s", "db", "public", "t", 1L, "false", 7L, lsn, sequence,
                null, null, null, null, null);
        return SourcePosition.of(source, Operation.UPDATE).orElse(null);
    }

    private static SourcePosition binlog(long serverId, String file, long pos, long row) {
        SourceInfo source = new SourceInfo("mysql", "s", "db", null, "t", 1L, "false", null, null, file, pos, row,
                null, serverId);
        return SourcePosition.of(source, Operation.UPDATE).orElseThrow();
    }

    @Test
    void postgresPositionIsReadFromTheSequence() {
        assertThat(position(Envelopes.postgres("db", "public", "t").lsn(26220912), Operation.UPDATE))
                .isEqualTo(new SourcePosition.Wal(26220904L, 26220912));
        assertThat(postgres("[null,\"26220456\"]", 26220456L)).isEqualTo(new SourcePosition.Wal(null, 26220456));
        assertThat(postgres(null, 26220456L)).isEqualTo(new SourcePosition.Wal(null, 26220456));
        assertThat(postgres(null, null)).isNull();
    }

    @Test
    void aPostgresChangeDeliveredAgainIsNotAfterItselfNorAfterALaterOne() {
        SourcePosition first = postgres("[\"26220800\",\"26220800\"]", 26220800L);
        SourcePosition second = postgres("[\"26220800\",\"26221048\"]", 26221048L);
        assertThat(second.isAfter(first)).isTrue();
        assertThat(postgres("[\"26220800\",\"26221048\"]", 26221048L).isAfter(second)).isFalse();
        assertThat(first.isAfter(second)).isFalse();
    }

    @Test
    void aPostgresTransactionCommittedLaterComesAfterEvenWithALowerLsn() {
        // It began before the other one and wrote its change first; the commit LSN orders the two.
        SourcePosition committedFirst = postgres("[\"500\",\"600\"]", 600L);
        SourcePosition committedLater = postgres("[\"700\",\"550\"]", 550L);
        assertThat(committedLater.isAfter(committedFirst)).isTrue();
        assertThat(committedFirst.isAfter(committedLater)).isFalse();
    }

    @Test
    void withoutACommitLsnTheLsnAloneOrders() {
        // Captured: the first transaction Debezium streamed after its snapshot, then the next one.
        SourcePosition firstStreamed = postgres("[null,\"26220456\"]", 26220456L);
        SourcePosition next = postgres("[\"26220800\",\"26220800\"]", 26220800L);
        assertThat(next.isAfter(firstStreamed)).isTrue();
        assertThat(postgres("[null,\"26220456\"]", 26220456L).isAfter(next)).isFalse();
        assertThat(postgres("[null,\"26220456\"]", 26220456L).isAfter(firstStreamed)).isFalse();
        assertThat(postgres("[null,\"26220600\"]", 26220600L).isAfter(firstStreamed)).isTrue();
    }

    @Test
    void snapshotReadsHaveNoPosition() {
        Envelopes snapshot = Envelopes.postgres("db", "public", "t").snapshot("first");
        assertThat(position(snapshot, Operation.READ)).isNull();
        assertThat(position(Envelopes.mysql("db", "t").snapshot("true"), Operation.READ)).isNull();
        // An incremental snapshot's reads say op r alone.
        assertThat(position(Envelopes.postgres("db", "public", "t"), Operation.READ)).isNull();
    }

    @Test
    void binlogPositionsFollowTheFileNumberAcrossARotation() {
        SourcePosition last = binlog(1, "mysql-bin.000009", 99_000, 0);
        SourcePosition rotated = binlog(1, "mysql-bin.000010", 4, 0);
        assertThat(rotated.isAfter(last)).isTrue();
        assertThat(last.isAfter(rotated)).isFalse();
        // By number, not by name: 000100 after 000099 and after 99.
        assertThat(binlog(1, "mysql-bin.000100", 4, 0).isAfter(binlog(1, "mysql-bin.000099", 500, 0))).isTrue();
        assertThat(binlog(1, "mysql-bin.100", 4, 0).isAfter(binlog(1, "mysql-bin.99", 500, 0))).isTrue();
    }

    @Test
    void binlogPositionsOrderByPositionThenRow() {
        SourcePosition event = binlog(1, "mysql-bin.000003", 1200, 0);
        assertThat(binlog(1, "mysql-bin.000003", 1200, 1).isAfter(event)).isTrue();
        assertThat(binlog(1, "mysql-bin.000003", 1200, 0).isAfter(event)).isFalse();
        assertThat(binlog(1, "mysql-bin.000003", 1100, 5).isAfter(event)).isFalse();
        assertThat(binlog(1, "mysql-bin.000003", 1300, 0).isAfter(event)).isTrue();
        assertThat(position(Envelopes.mariadb("db", "t").binlog("mariadb-bin.000002", 900, 1), Operation.CREATE))
                .isEqualTo(new SourcePosition.Binlog(223_344L, "mariadb-bin.000002", 900, 1));
    }

    @Test
    void positionsOfAnotherServerOrBinlogAreNeverBefore() {
        SourcePosition last = binlog(1, "mysql-bin.000120", 5000, 0);
        assertThat(binlog(2, "mysql-bin.000003", 4, 0).isAfter(last)).isTrue();
        assertThat(binlog(1, "other-bin.000003", 4, 0).isAfter(last)).isTrue();
        assertThat(binlog(1, "mysql-bin.000003", 4, 0).isAfter(postgres(null, 99L))).isTrue();
    }

    @Test
    void otherConnectorsHaveNoPosition() {
        SourceInfo sqlServer = new SourceInfo("sqlserver", "s", "db", "dbo", "t", 1L, "false", null, 5L, null,
                null, null, null, null);
        assertThat(SourcePosition.of(sqlServer, Operation.CREATE)).isEmpty();
    }
}
