package dev.cdcconnect.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class ChangeEventTest {

    private static final Schema CUSTOMER = SchemaBuilder.struct().name("customers.Value")
            .field("id", Schema.INT32_SCHEMA)
            .field("email", Schema.OPTIONAL_STRING_SCHEMA)
            .build();

    private static Struct customer(int id, String email) {
        return new Struct(CUSTOMER).put("id", id).put("email", email);
    }

    private static Map<String, Object> customerMap(int id, String email) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("email", email);
        return row;
    }

    @ParameterizedTest
    @EnumSource(Envelopes.Flavor.class)
    void readsStructUpdateWithBeforeAfterAndSource(Envelopes.Flavor flavor) {
        Envelopes envelopes = Envelopes.of(flavor, "inventory", "customers");
        Struct value = envelopes.struct(Operation.UPDATE, customer(1, "a@x"), customer(1, "b@x"));

        ChangeEvent event = ChangeEvent.read(value).orElseThrow();

        assertThat(event.op()).isEqualTo(Operation.UPDATE);
        assertThat(((Struct) event.before()).get("email")).isEqualTo("a@x");
        assertThat(((Struct) event.after()).get("email")).isEqualTo("b@x");
        assertThat(event.source().table()).isEqualTo("customers");
        assertThat(event.source().database()).isEqualTo("inventory");
        assertThat(event.source().connector()).isEqualTo(flavor.connector);
        assertThat(event.rowSchema().field("email")).isNotNull();
        assertThat(event.isFlattened()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Envelopes.Flavor.class)
    void structAndMapEnvelopesReadAlike(Envelopes.Flavor flavor) {
        java.util.function.Supplier<Envelopes> envelopes = () -> Envelopes.of(flavor, "inventory", "customers")
                .gtid("3E11FA47-71CA-11E1-9E33-C80AA9429562:23");
        ChangeEvent fromStruct = ChangeEvent.read(envelopes.get().struct(Operation.DELETE, customer(7, "x@y"), null))
                .orElseThrow();
        ChangeEvent fromMap = ChangeEvent.read(envelopes.get().map(Operation.DELETE, customerMap(7, "x@y"), null))
                .orElseThrow();

        assertThat(fromMap.op()).isEqualTo(fromStruct.op()).isEqualTo(Operation.DELETE);
        assertThat(fromMap.source()).isEqualTo(fromStruct.source());
        assertThat(fromMap.transactionId()).isEqualTo(fromStruct.transactionId());
        assertThat(fromMap.tsMs()).isEqualTo(fromStruct.tsMs());
        assertThat(Fields.get(fromMap.row(), "id")).isEqualTo(Fields.get(fromStruct.row(), "id")).isEqualTo(7);
        assertThat(fromMap.after()).isNull();
    }

    @Test
    void postgresPositionIsTxIdLsnAndSequence() {
        ChangeEvent event = ChangeEvent.read(Envelopes.postgres("shop", "public", "orders").txId(900).lsn(4242)
                .map(Operation.CREATE, null, customerMap(1, null))).orElseThrow();

        assertThat(event.source().position()).containsExactly(Map.entry("txId", 900L), Map.entry("lsn", 4242L),
                Map.entry("sequence", "[\"4234\",\"4242\"]"));
        assertThat(event.transactionId()).isEqualTo("900");
        assertThat(event.source().schema()).isEqualTo("public");
    }

    @Test
    void binlogPositionIsFilePosRowAndGtid() {
        ChangeEvent event = ChangeEvent.read(Envelopes.mysql("inventory", "customers")
                .binlog("mysql-bin.000004", 9001, 2).gtid("uuid:17")
                .struct(Operation.CREATE, null, customer(1, null))).orElseThrow();

        assertThat(event.source().position()).containsEntry("file", "mysql-bin.000004")
                .containsEntry("pos", 9001L).containsEntry("row", 2L).containsEntry("gtid", "uuid:17")
                .doesNotContainKey("lsn");
        assertThat(event.transactionId()).isEqualTo("uuid:17");
    }

    @Test
    void postgresTransactionIdIsTheTxIdWhoseChangesHaveDifferentLsnsInTheTransactionBlock() {
        Envelopes envelopes = Envelopes.postgres("shop", "public", "orders").txId(900);
        ChangeEvent first = ChangeEvent.read(envelopes.lsn(4242).transaction("900:4242", 1)
                .struct(Operation.CREATE, null, customer(1, null))).orElseThrow();
        ChangeEvent second = ChangeEvent.read(envelopes.lsn(4300).transaction("900:4300", 2)
                .struct(Operation.CREATE, null, customer(2, null))).orElseThrow();

        assertThat(first.transactionId()).isEqualTo(second.transactionId()).isEqualTo("900");
        assertThat(second.transaction().totalOrder()).isEqualTo(2L);
    }

    @Test
    void binlogTransactionBlockIsTheTransactionIdWithoutGtids() {
        ChangeEvent event = ChangeEvent.read(Envelopes.mysql("inventory", "customers").binlog("mysql-bin.000004", 9001, 0)
                .transaction("file=mysql-bin.000004,pos=8800", 2).struct(Operation.CREATE, null, customer(1, null)))
                .orElseThrow();

        assertThat(event.transactionId()).isEqualTo("file=mysql-bin.000004,pos=8800");
    }

    @Test
    void envelopeWithAnUnknownOpIsEnvelopeShapedButNoEnvelope() {
        Map<String, Object> unknownOp = new LinkedHashMap<>(Map.of("op", "x", "source", Map.of("table", "t")));

        assertThat(ChangeEvent.isEnvelopeShaped(unknownOp)).isTrue();
        assertThat(ChangeEvent.isEnvelope(unknownOp)).isFalse();
        assertThat(ChangeEvent.isEnvelopeShaped(customerMap(1, "a"))).isFalse();
        assertThat(ChangeEvent.isEnvelopeShaped(Envelopes.mariadb("inventory", "customers")
                .map(Operation.CREATE, null, customerMap(1, null)))).isTrue();
    }

    @Test
    void binlogWithoutGtidHasNoTransactionId() {
        ChangeEvent event = ChangeEvent.read(Envelopes.mariadb("inventory", "customers")
                .map(Operation.CREATE, null, customerMap(1, null))).orElseThrow();

        assertThat(event.transactionId()).isNull();
    }

    @Test
    void snapshotReadIsFlaggedAsSnapshot() {
        ChangeEvent event = ChangeEvent.read(Envelopes.postgres("shop", "public", "orders").snapshot("last")
                .struct(Operation.READ, null, customer(1, null))).orElseThrow();

        assertThat(event.op()).isEqualTo(Operation.READ);
        assertThat(event.source().isSnapshot()).isTrue();
    }

    @Test
    void plainRecordsAndTombstonesAreNotChangeEvents() {
        assertThat(ChangeEvent.read(null)).isEmpty();
        assertThat(ChangeEvent.read(customer(1, "a"))).isEmpty();
        assertThat(ChangeEvent.read(customerMap(1, "a"))).isEmpty();
        assertThat(ChangeEvent.read("text")).isEmpty();
        Map<String, Object> unknownOp = new LinkedHashMap<>(Map.of("op", "x", "source", Map.of()));
        assertThat(ChangeEvent.read(unknownOp)).isEmpty();
    }

    @Test
    void flattenedRowWithOpFieldIsAChange() {
        Map<String, Object> row = customerMap(3, "c@x");
        row.put("__op", "u");
        row.put("__table", "customers");
        row.put("__source_ts_ms", 1_700_000_000_123L);
        row.put("__lsn", 777L);

        ChangeEvent event = ChangeEvent.read(row, new ConnectHeaders()).orElseThrow();

        assertThat(event.op()).isEqualTo(Operation.UPDATE);
        assertThat(event.after()).isSameAs(row);
        assertThat(event.source().table()).isEqualTo("customers");
        assertThat(event.source().tsMs()).isEqualTo(1_700_000_000_123L);
        assertThat(event.source().lsn()).isEqualTo(777L);
        assertThat(event.isFlattened()).isTrue();
    }

    @Test
    void flattenedRowWithOpHeaderOrDeletedFlagIsAChange() {
        ConnectHeaders headers = new ConnectHeaders();
        headers.addString("__op", "c");
        assertThat(ChangeEvent.read(customer(1, "a"), headers).orElseThrow().op()).isEqualTo(Operation.CREATE);

        Map<String, Object> deleted = customerMap(2, "b");
        deleted.put("__deleted", "true");
        ChangeEvent event = ChangeEvent.read(deleted, null).orElseThrow();
        assertThat(event.op()).isEqualTo(Operation.DELETE);
        assertThat(event.before()).isSameAs(deleted);
        assertThat(event.after()).isNull();
    }

    @Test
    void flattenedRowWithoutOperationIsNotAChange() {
        assertThat(ChangeEvent.read(customerMap(1, "a"), new ConnectHeaders())).isEmpty();
    }

    @Test
    void dotPathReadsNestedFields() {
        Struct value = Envelopes.postgres("shop", "public", "customers")
                .struct(Operation.CREATE, null, customer(5, "e@x"));
        assertThat(Fields.path(value, "after.email")).isEqualTo("e@x");
        assertThat(Fields.path(value, "before.email")).isNull();
        assertThat(Fields.path(value, "source.table")).isEqualTo("customers");
        assertThat(Fields.path(value, "missing.x")).isNull();
    }
}
