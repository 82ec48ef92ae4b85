package dev.cdcconnect.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.data.UdtValue;
import dev.cdcconnect.event.Envelopes;
import dev.cdcconnect.event.Operation;
import dev.cdcconnect.testkit.cassandra.CassandraServer;
import dev.cdcconnect.testkit.connect.TestSinkTaskContext;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The task against a real Cassandra node: what ends up in the tables, what is reported, what is committed. */
class CassandraSinkTaskTest {

    private static final CassandraServer CASSANDRA = CassandraServer.shared();
    private static final String KS = "sink_task";
    private static final String TOPIC = "dbserver1.public.customers";

    private static final Schema KEY = SchemaBuilder.struct().name("customers.Key").field("id", Schema.INT32_SCHEMA).build();
    private static final Schema CUSTOMER = SchemaBuilder.struct().name("customers.Value")
            .field("id", Schema.INT32_SCHEMA)
            .field("name", Schema.OPTIONAL_STRING_SCHEMA)
            .field("email", Schema.OPTIONAL_STRING_SCHEMA)
            .build();

    private final List<CassandraSinkTask> tasks = new ArrayList<>();
    private long offset;

    @BeforeAll
    static void keyspace() {
        CASSANDRA.createKeyspace(KS);
    }

    @AfterEach
    void stopTasks() {
        tasks.forEach(CassandraSinkTask::stop);
    }

    // ---- envelopes: create, update, read upsert; delete deletes; tombstones ignored

    @Test
    void createUpdateAndSnapshotReadUpsertTheAfterRow() {
        String table = customersTable("upserts");
        CassandraSinkTask task = start(new TestSinkTaskContext(false), props(table));

        task.put(List.of(
                change(Operation.READ, 1_000, null, customer(1, "Ann", "ann@a")),
                change(Operation.CREATE, 2_000, null, customer(2, "Bob", "bob@b")),
                change(Operation.UPDATE, 3_000, customer(2, "Bob", "bob@b"), customer(2, "Bobby", null))));
        commit(task);

        assertThat(rows(table)).containsExactly("1|Ann|ann@a", "2|Bobby|null");
    }

    @Test
    void deleteRemovesTheRowByKeyAndTombstonesChangeNothing() {
        String table = customersTable("deletes");
        CassandraSinkTask task = start(new TestSinkTaskContext(false), props(table));

        task.put(List.of(
                change(Operation.CREATE, 1_000, null, customer(1, "Ann", "a")),
                change(Operation.CREATE, 1_000, null, customer(2, "Bob", "b")),
                change(Operation.DELETE, 2_000, customer(1, "Ann", "a"), null),
                tombstone(1),
                change(Operation.CREATE, 3_000, null, customer(3, "Cy", "c"))));
        Map<TopicPartition, OffsetAndMetadata> committed = commit(task);

        assertThat(rows(table)).containsExactly("2|Bob|b", "3|Cy|c");
        // committed past the tombstone, up to the last commit millisecond, whose changes may go on
        assertThat(committed.get(new TopicPartition(TOPIC, 0)).offset()).isEqualTo(offset - 1);
    }

    @Test
    void writesCarryTheSourceCommitTimeAndTheirRankAmongTheChangesOfItsMillisecond() {
        String table = customersTable("write_time");
        CassandraSinkTask task = start(new TestSinkTaskContext(false), props(table));
        Envelopes tx = Envelopes.postgres("shop", "public", "customers").tsMs(1_700_000_000_123L);

        task.put(List.of(record(key(1), tx.struct(Operation.CREATE, null, customer(1, "Ann", "a"))),
                record(key(2), tx.struct(Operation.CREATE, null, customer(2, "Bob", "b"))),
                record(key(3), tx.tsMs(1_700_000_000_124L).struct(Operation.CREATE, null, customer(3, "Cy", "c")))));
        commit(task);

        assertThat(CASSANDRA.execute("SELECT id, WRITETIME(name) AS w FROM " + KS + "." + table))
                .extracting(r -> r.getInt("id") + "@" + r.getLong("w"))
                .containsExactlyInAnyOrder("1@1700000000123000", "2@1700000000123001", "3@1700000000124000");
    }

    @Test
    void transactionsCommittedInTheSameMillisecondApplyInCommitOrder() {
        String table = customersTable("same_ms");
        CassandraSinkTask task = start(new TestSinkTaskContext(false), props(table));
        Envelopes first = Envelopes.postgres("shop", "public", "customers").tsMs(7_000).txId(1001);
        Envelopes second = Envelopes.postgres("shop", "public", "customers").tsMs(7_000).txId(1002);

        // with equal write timestamps Cassandra would keep the larger value, the first one's
        task.put(List.of(record(key(1), first.struct(Operation.CREATE, null, customer(1, "zed", "z"))),
                record(key(9), first.struct(Operation.CREATE, null, customer(9, "other", "o"))),
                record(key(1), second.struct(Operation.UPDATE, null, customer(1, "amy", "a")))));
        commit(task);

        assertThat(rows(table)).containsExactly("1|amy|a", "9|other|o");
    }

    @Test
    void aTopicRenamedByATransformCommitsTheOffsetsOfTheTopicItWasConsumedFrom() {
        String table = customersTable("renamed_topic");
        CassandraSinkTask task = start(new TestSinkTaskContext(false), props(table, "write.flush.records", "1000",
                "write.flush.interval.ms", "600000"));
        TopicPartition consumed = new TopicPartition("dbserver1.public.customers_v1", 3);
        Struct value = Envelopes.postgres("shop", "public", "customers").tsMs(1_000)
                .struct(Operation.CREATE, null, customer(1, "Ann", "a"));
        Struct next = Envelopes.postgres("shop", "public", "customers").tsMs(2_000)
                .struct(Operation.CREATE, null, customer(2, "Bob", "b"));
        // as a RegexRouter in front of the sink hands them over
        task.put(List.of(renamed(value, consumed, 41), renamed(next, consumed, 42)));
        Map<TopicPartition, OffsetAndMetadata> committed = task.preCommit(
                Map.of(consumed, new OffsetAndMetadata(43)));

        assertThat(rows(table)).containsExactly("1|Ann|a", "2|Bob|b");
        // past the first record; more changes of the last commit millisecond may follow
        assertThat(committed).containsExactly(Map.entry(consumed, new OffsetAndMetadata(42)));

        Struct later = Envelopes.postgres("shop", "public", "customers").tsMs(3_000)
                .struct(Operation.UPDATE, customer(1, "Ann", "a"), customer(1, "Anna", "a"));
        task.put(List.of(renamed(later, consumed, 43)));
        // revoked before it is written: the partition's next owner writes it
        task.close(List.of(consumed));
        task.preCommit(Map.of());

        assertThat(rows(table)).containsExactly("1|Ann|a", "2|Bob|b");
    }

    private static SinkRecord renamed(Struct value, TopicPartition consumed, long offset) {
        return new SinkRecord(TOPIC, 0, KEY, key(value.getStruct("after") != null ? value.getStruct("after").getInt32("id")
                : value.getStruct("before").getInt32("id")), value.schema(), value, offset, null,
                TimestampType.NO_TIMESTAMP_TYPE, null, consumed.topic(), consumed.partition(), offset);
    }

    // ---- order safety and idempotence

    @Test
    void aRestartInTheMiddleOfATransactionDeliversItFromItsStartSoItsLaterChangeStillWins() {
        String table = customersTable("restart_mid_tx");
        Map<String, String> props = props(table, "write.flush.records", "1000", "write.flush.interval.ms", "600000");
        Envelopes tx = Envelopes.postgres("shop", "public", "customers").tsMs(5_000).txId(901);
        Envelopes next = Envelopes.postgres("shop", "public", "customers").tsMs(6_000).txId(902);
        // one transaction changes a row twice; with equal write timestamps Cassandra would keep the larger value
        List<SinkRecord> log = List.of(
                record(key(1), tx.struct(Operation.CREATE, null, customer(1, "zed", "first"))),
                record(key(1), tx.struct(Operation.UPDATE, null, customer(1, "amy", "second"))),
                record(key(2), next.struct(Operation.CREATE, null, customer(2, "bob", "b"))));

        CassandraSinkTask first = start(new TestSinkTaskContext(false), props);
        first.put(log.subList(0, 1));
        long committed = first.preCommit(Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(offset)))
                .get(new TopicPartition(TOPIC, 0)).offset();
        first.stop();
        // more changes of its commit millisecond may follow: the commit stays at its first one
        assertThat(committed).isEqualTo(log.get(0).kafkaOffset());

        CassandraSinkTask restarted = start(new TestSinkTaskContext(false), props);
        restarted.put(log.stream().filter(r -> r.kafkaOffset() >= committed).toList());
        Map<TopicPartition, OffsetAndMetadata> after = commit(restarted);

        assertThat(rows(table)).containsExactly("1|amy|second", "2|bob|b");
        // a later millisecond has begun: the first one is complete and committed, the new one held back
        assertThat(after.get(new TopicPartition(TOPIC, 0)).offset()).isEqualTo(log.get(2).kafkaOffset());
    }

    @Test
    void anOlderChangeReplayedAfterANewerOneDoesNotWin() {
        String table = customersTable("replay_older");
        CassandraSinkTask task = start(new TestSinkTaskContext(false), props(table));
        SinkRecord older = change(Operation.UPDATE, 1_000, null, customer(1, "old", "old@x"));
        SinkRecord newer = change(Operation.UPDATE, 2_000, null, customer(1, "new", "new@x"));

        task.put(List.of(newer));
        commit(task);
        task.put(List.of(older));
        commit(task);
        task.put(List.of(newer, older));
        commit(task);

        assertThat(rows(table)).containsExactly("1|new|new@x");
    }

    @Test
    void aDeletedRowStaysDeletedWhenItsInsertIsReplayed() {
        String table = customersTable("replay_insert");
        CassandraSinkTask task = start(new TestSinkTaskContext(false), props(table));
        SinkRecord insert = change(Operation.CREATE, 1_000, null, customer(1, "Ann", "a"));
        SinkRecord delete = change(Operation.DELETE, 2_000, customer(1, "Ann", "a"), null);

        task.put(List.of(insert, delete));
        commit(task);
        task.put(List.of(insert));
        commit(task);

        assertThat(rows(table)).isEmpty();
    }

    @Test
    void changesOfOneTransactionApplyInOrderWithoutTransactionMetadata() {
        String table = customersTable("one_tx");
        CassandraSinkTask task = start(new TestSinkTaskContext(false), props(table));
        Envelopes tx = Envelopes.postgres("shop", "public", "customers").tsMs(5_000).txId(900);

        task.put(List.of(
                record(key(1), tx.struct(Operation.CREATE, null, customer(1, "first", null))),
                record(key(1), tx.struct(Operation.UPDATE, null, customer(1, "second", null))),
                record(key(1), tx.struct(Operation.UPDATE, null, customer(1, "third", null)))));
        commit(task);

        assertThat(rows(table)).containsExactly("1|third|null");
    }

    // ---- flattened and enriched records

    @Test
    void flattenedRowsAreWrittenWithoutTheirMetadataFields() {
        String table = customersTable("flattened");
        CassandraSinkTask task = start(new TestSinkTaskContext(false), props(table));
        Schema flat = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA).field("name", Schema.OPTIONAL_STRING_SCHEMA)
                .field("email", Schema.OPTIONAL_STRING_SCHEMA).field("__op", Schema.STRING_SCHEMA)
                .field("__source_ts_ms", Schema.INT64_SCHEMA).field("__deleted", Schema.STRING_SCHEMA).build();

        task.put(List.of(
                record(key(1), new Struct(flat).put("id", 1).put("name", "Ann").put("email", "a").put("__op", "c")
                        .put("__source_ts_ms", 1_000L).put("__deleted", "false")),
                record(key(2), new Struct(flat).put("id", 2).put("name", "Bob").put("email", "b").put("__op", "c")
                        .put("__source_ts_ms", 1_000L).put("__deleted", "false")),
                record(key(2), new Struct(flat).put("id", 2).put("name", "Bob").put("email", "b").put("__op", "d")
                        .put("__source_ts_ms", 2_000L).put("__deleted", "true"))));
        commit(task);

        assertThat(rows(table)).containsExactly("1|Ann|a");
    }

    private static final Schema USER = SchemaBuilder.struct().name("user").optional()
            .field("name", Schema.OPTIONAL_STRING_SCHEMA).field("email", Schema.OPTIONAL_STRING_SCHEMA).build();
    private static final Schema ORDER = SchemaBuilder.struct().name("orders.Value")
            .field("id", Schema.INT32_SCHEMA).field("amount", Decimal.schema(2))
            .field("user", USER).build();

    private SinkRecord enrichedOrder(int id, String amount, String userName, long ts) {
        Struct order = new Struct(ORDER).put("id", id).put("amount", new BigDecimal(amount))
                .put("user", userName == null ? null : new Struct(USER).put("name", userName).put("email", userName + "@x"));
        Struct value = Envelopes.postgres("shop", "public", "orders").tsMs(ts).struct(Operation.CREATE, null, order);
        return new SinkRecord("dbserver1.public.orders", 0, KEY, new Struct(KEY).put("id", id), value.schema(), value, offset++);
    }

    @Test
    void nestedLookupFieldsAreFlattenedToColumnsOrMappedExplicitly() {
        String table = "orders_flat";
        CASSANDRA.execute("CREATE TABLE " + KS + "." + table
                + " (id int PRIMARY KEY, amount decimal, user_email text, customer_name text)");
        CassandraSinkTask task = start(new TestSinkTaskContext(false), orderProps(table, "column.mapping", "user.name=customer_name"));

        task.put(List.of(enrichedOrder(1, "12.50", "ann", 1_000), enrichedOrder(2, "3.00", null, 1_000)));
        commit(task);

        List<Row> rows = CASSANDRA.execute("SELECT id, amount, user_email, customer_name FROM " + KS + "." + table);
        Map<Integer, Row> byId = new HashMap<>();
        rows.forEach(r -> byId.put(r.getInt("id"), r));
        assertThat(byId.get(1).getBigDecimal("amount")).isEqualByComparingTo("12.50");
        assertThat(byId.get(1).getString("customer_name")).isEqualTo("ann");
        assertThat(byId.get(1).getString("user_email")).isEqualTo("ann@x");
        assertThat(byId.get(2).getString("customer_name")).isNull();
    }

    @Test
    void nestedLookupAsUserDefinedType() {
        CASSANDRA.execute("CREATE TYPE " + KS + ".person (name text, email text)",
                "CREATE TABLE " + KS + ".orders_udt (id int PRIMARY KEY, amount decimal, user frozen<person>)");
        CassandraSinkTask task = start(new TestSinkTaskContext(false), orderProps("orders_udt", "struct.mode", "udt"));

        task.put(List.of(enrichedOrder(1, "12.50", "ann", 1_000)));
        commit(task);

        UdtValue user = CASSANDRA.execute("SELECT user FROM " + KS + ".orders_udt WHERE id = 1").get(0).getUdtValue("user");
        assertThat(user.getString("name")).isEqualTo("ann");
        assertThat(user.getString("email")).isEqualTo("ann@x");
    }

    @Test
    void nestedLookupAsJsonText() {
        CASSANDRA.execute("CREATE TABLE " + KS + ".orders_json (id int PRIMARY KEY, amount decimal, user text)");
        CassandraSinkTask task = start(new TestSinkTaskContext(false), orderProps("orders_json", "struct.mode", "json"));

        task.put(List.of(enrichedOrder(1, "12.50", "ann", 1_000)));
        commit(task);

        assertThat(CASSANDRA.execute("SELECT user FROM " + KS + ".orders_json WHERE id = 1").get(0).getString("user"))
                .isEqualTo("{\"name\":\"ann\",\"email\":\"ann@x\"}");
    }

    // ---- tables: created from the record schema, or checked

    @Test
    void createsTheTableFromTheRecordSchema() {
        Schema schema = SchemaBuilder.struct().name("invoices.Value").field("id", Schema.INT64_SCHEMA)
                .field("total", Decimal.schema(2)).field("due", Date.SCHEMA).field("issued", Timestamp.SCHEMA)
                .field("paid", Schema.BOOLEAN_SCHEMA).field("user", USER).build();
        Schema key = SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).build();
        Struct row = new Struct(schema).put("id", 7L).put("total", new BigDecimal("99.90"))
                .put("due", java.util.Date.from(Instant.parse("2024-03-01T00:00:00Z")))
                .put("issued", java.util.Date.from(Instant.parse("2024-02-01T10:15:30Z"))).put("paid", true)
                .put("user", new Struct(USER).put("name", "ann").put("email", "a@x"));
        Struct value = Envelopes.postgres("shop", "public", "invoices").tsMs(1_000).struct(Operation.CREATE, null, row);
        CassandraSinkTask task = start(new TestSinkTaskContext(false), props("unused", "cassandra.keyspace", "sink_created",
                "table.name.template", "${table}", "table.create", "true", "struct.mode", "udt", "topics", "invoices"));

        task.put(List.of(new SinkRecord("invoices", 0, key, new Struct(key).put("id", 7L), value.schema(), value, 0)));
        commit(task);

        Row written = CASSANDRA.execute("SELECT * FROM sink_created.invoices WHERE id = 7").get(0);
        assertThat(written.getBigDecimal("total")).isEqualByComparingTo("99.90");
        assertThat(written.getLocalDate("due")).isEqualTo(LocalDate.of(2024, 3, 1));
        assertThat(written.getInstant("issued")).isEqualTo(Instant.parse("2024-02-01T10:15:30Z"));
        assertThat(written.getBoolean("paid")).isTrue();
        assertThat(written.getUdtValue("user").getString("name")).isEqualTo("ann");
        CASSANDRA.execute("DROP KEYSPACE sink_created");
    }

    @Test
    void startFailsNamingAMissingTable() {
        TestSinkTaskContext context = new TestSinkTaskContext(false);
        CassandraSinkTask task = new CassandraSinkTask();
        task.initialize(context);

        assertThatThrownBy(() -> task.start(props("no_such_table")))
                .isInstanceOf(ConnectException.class)
                .hasMessageContaining("table sink_task.no_such_table does not exist");
    }

    @Test
    void startFailsNamingMappedColumnsTheTableLacks() {
        String table = customersTable("mapped_missing");
        CassandraSinkTask task = new CassandraSinkTask();
        task.initialize(new TestSinkTaskContext(false));

        assertThatThrownBy(() -> task.start(props(table, "column.mapping", "name=full_name,email=mail")))
                .isInstanceOf(ConnectException.class)
                .hasMessageContaining("has no column(s) [full_name, mail]");
    }

    // ---- permanent per-record failures

    @Test
    void aValueThatDoesNotFitGoesToTheDeadLetterQueueAndTheOthersAreWritten() {
        CASSANDRA.execute("CREATE TABLE " + KS + ".typed (id int PRIMARY KEY, name uuid, email text)");
        TestSinkTaskContext context = new TestSinkTaskContext(true);
        CassandraSinkTask task = start(context, props("typed"));

        task.put(List.of(change(Operation.CREATE, 1_000, null, customer(1, "not-a-uuid", "a")),
                change(Operation.CREATE, 1_000, null,
                        customer(2, "3f1c1b9e-7c43-4d5e-9a43-7c2f6e0a1b2c", "b")),
                change(Operation.CREATE, 2_000, null, customer(3, null, "c"))));
        Map<TopicPartition, OffsetAndMetadata> committed = commit(task);

        assertThat(CASSANDRA.execute("SELECT id FROM " + KS + ".typed")).extracting(r -> r.getInt("id"))
                .containsExactlyInAnyOrder(2, 3);
        assertThat(context.reported()).hasSize(1);
        assertThat(context.reported().get(0).record().kafkaOffset()).isEqualTo(offset - 3);
        assertThat(context.reported().get(0).error().getMessage())
                .contains("field name", "'not-a-uuid' is not a UUID");
        // committed past the reported record, up to the last commit millisecond, whose changes may go on
        assertThat(committed.get(new TopicPartition(TOPIC, 0)).offset()).isEqualTo(offset - 1);
    }

    @Test
    void aRecordTheDeadLetterQueueRefusesFailsTheTaskNamingItAndItsOffsetIsNotCommitted() {
        CASSANDRA.execute("CREATE TABLE " + KS + ".refused (id int PRIMARY KEY, name uuid, email text)");
        TestSinkTaskContext context = new TestSinkTaskContext(new org.apache.kafka.common.errors.RecordTooLargeException(
                "The message is 2097252 bytes when serialized which is larger than 1048576, which is the value of "
                        + "the max.request.size configuration."));
        CassandraSinkTask task = start(context, props("refused"));
        long refused = offset + 1;
        List<SinkRecord> records = List.of(
                change(Operation.CREATE, 1_000, null, customer(1, "3f1c1b9e-7c43-4d5e-9a43-7c2f6e0a1b2c", "a")),
                change(Operation.CREATE, 1_000, null, customer(2, "not-a-uuid", "b")),
                change(Operation.CREATE, 2_000, null, customer(3, null, "c")));

        Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> {
            task.put(records);
            commit(task);
            task.put(List.of());
        });

        assertThat(failure).isInstanceOf(ConnectException.class)
                .hasMessageContaining("The dead letter queue did not take the record at topic " + TOPIC
                        + " partition 0 offset " + refused + ", which cannot be written to Cassandra")
                .hasMessageContaining("RecordTooLargeException").hasMessageContaining("max.request.size");
        OffsetAndMetadata committed = commit(task).get(new TopicPartition(TOPIC, 0));
        assertThat(committed == null ? 0 : committed.offset()).as("committed offset").isLessThanOrEqualTo(refused);
    }

    @Test
    void withoutADeadLetterQueueTheTaskFailsNamingTopicPartitionOffsetAndReason() {
        String table = customersTable("no_dlq");
        CassandraSinkTask task = start(new TestSinkTaskContext(false), props(table));
        Schema noId = SchemaBuilder.struct().field("name", Schema.STRING_SCHEMA).build();
        Struct value = Envelopes.postgres("shop", "public", "customers").struct(Operation.CREATE, null,
                new Struct(noId).put("name", "x"));

        assertThatThrownBy(() -> {
            task.put(List.of(new SinkRecord(TOPIC, 0, null, null, value.schema(), value, 41)));
            commit(task);
        }).isInstanceOf(ConnectException.class)
                .hasMessageContaining("Cannot write the record at topic " + TOPIC + " partition 0 offset 41 to Cassandra")
                .hasMessageContaining("missing primary key column(s) [id]");
    }

    @Test
    void aFieldWithoutAColumnIsReportedUnlessIgnored() {
        CASSANDRA.execute("CREATE TABLE " + KS + ".narrow (id int PRIMARY KEY, name text)");
        TestSinkTaskContext strict = new TestSinkTaskContext(true);
        CassandraSinkTask task = start(strict, props("narrow"));
        task.put(List.of(change(Operation.CREATE, 1_000, null, customer(1, "Ann", "a"))));
        commit(task);
        assertThat(strict.reported().get(0).error().getMessage()).contains("field(s) email have no column in sink_task.narrow");

        CassandraSinkTask lenient = start(new TestSinkTaskContext(true), props("narrow", "table.unknown.fields", "ignore"));
        lenient.put(List.of(change(Operation.CREATE, 1_000, null, customer(1, "Ann", "a"))));
        commit(lenient);
        assertThat(CASSANDRA.execute("SELECT name FROM " + KS + ".narrow WHERE id = 1").get(0).getString(0)).isEqualTo("Ann");
    }

    // ---- batching, consistency, transient failures and commits

    @Test
    void manyRowsOfFewPartitionsAreWrittenInPartitionBatches() {
        CASSANDRA.execute("CREATE TABLE " + KS + ".lines (order_id int, line int, sku text, PRIMARY KEY ((order_id), line))");
        Schema key = SchemaBuilder.struct().field("order_id", Schema.INT32_SCHEMA).field("line", Schema.INT32_SCHEMA).build();
        Schema line = SchemaBuilder.struct().field("order_id", Schema.INT32_SCHEMA).field("line", Schema.INT32_SCHEMA)
                .field("sku", Schema.STRING_SCHEMA).build();
        CassandraSinkTask task = start(new TestSinkTaskContext(false), props("lines", "write.batch.max.statements", "20",
                "write.max.concurrent.requests", "4"));
        List<SinkRecord> records = new ArrayList<>();
        for (int order = 0; order < 10; order++) {
            for (int l = 0; l < 50; l++) {
                Struct row = new Struct(line).put("order_id", order).put("line", l).put("sku", "sku-" + order + "-" + l);
                Struct value = Envelopes.postgres("shop", "public", "lines").tsMs(1_000).struct(Operation.CREATE, null, row);
                records.add(new SinkRecord("lines", 0, key, new Struct(key).put("order_id", order).put("line", l),
                        value.schema(), value, offset++));
            }
        }

        task.put(records);
        commit(task);

        assertThat(CASSANDRA.execute("SELECT COUNT(*) FROM " + KS + ".lines").get(0).getLong(0)).isEqualTo(500);
        assertThat(CASSANDRA.execute("SELECT sku FROM " + KS + ".lines WHERE order_id = 9 AND line = 49").get(0)
                .getString(0)).isEqualTo("sku-9-49");
    }

    @Test
    @Timeout(120)
    void aRowCassandraRejectsInAPartitionBatchGoesToTheDeadLetterQueueAndTheOthersOfTheBatchAreWritten() {
        CASSANDRA.execute("CREATE TABLE " + KS + ".skus (order_id int, sku text, qty int, PRIMARY KEY ((order_id), sku))");
        Schema key = SchemaBuilder.struct().field("order_id", Schema.INT32_SCHEMA).field("sku", Schema.STRING_SCHEMA).build();
        Schema line = SchemaBuilder.struct().field("order_id", Schema.INT32_SCHEMA).field("sku", Schema.STRING_SCHEMA)
                .field("qty", Schema.INT32_SCHEMA).build();
        TestSinkTaskContext context = new TestSinkTaskContext(true);
        // One batch of the partition's rows, up to a size Cassandra refuses; then each row on its own.
        CassandraSinkTask task = start(context, orderProps("skus", "write.flush.records", "1000",
                "write.flush.interval.ms", "600000", "write.batch.max.bytes", "1048576",
                "write.max.concurrent.requests", "1"));
        String tooLongForAKey = "x".repeat(70_000);
        List<SinkRecord> records = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String sku = i == 4 ? tooLongForAKey : "sku-" + i;
            Struct row = new Struct(line).put("order_id", 1).put("sku", sku).put("qty", i);
            Struct value = Envelopes.postgres("shop", "public", "orders").tsMs(1_000).struct(Operation.CREATE, null, row);
            records.add(new SinkRecord("dbserver1.public.orders", 0, key, new Struct(key).put("order_id", 1).put("sku", sku),
                    value.schema(), value, offset++));
        }

        task.put(records);
        task.preCommit(Map.of(new TopicPartition("dbserver1.public.orders", 0), new OffsetAndMetadata(offset)));

        assertThat(CASSANDRA.execute("SELECT qty FROM " + KS + ".skus WHERE order_id = 1"))
                .extracting(r -> r.getInt("qty")).containsExactlyInAnyOrder(0, 1, 2, 3, 5, 6, 7, 8, 9);
        assertThat(context.reported()).hasSize(1);
        assertThat(context.reported().get(0).record().kafkaOffset()).isEqualTo(offset - 6);
        assertThat(context.reported().get(0).error().getMessage()).contains("Cassandra rejected the write");
    }

    @Test
    void rowsOfManyPartitionsShareBatchesByReplicaSetByDefault() {
        String table = customersTable("replica_set");
        CassandraSinkTask task = start(new TestSinkTaskContext(false), props(table, "write.batch.max.statements", "25"));
        List<SinkRecord> records = new ArrayList<>();
        for (int id = 0; id < 300; id++) {
            records.add(change(Operation.CREATE, 1_000, null, customer(id, "n" + id, null)));
        }
        records.add(change(Operation.DELETE, 2_000, customer(7, "n7", null), null));

        task.put(records);
        commit(task);

        assertThat(rows(table)).hasSize(299).contains("0|n0|null", "299|n299|null").doesNotContain("7|n7|null");
    }

    @Test
    void batchesAcrossPartitionsStayBelowTheSizeAtWhichCassandraWarns() {
        // Rows of about 1 KiB, one per partition: by default a batch across partitions ends before 5 KiB, so the node
        // logs no "Batch for [...] is of size ..., exceeding specified threshold" for it; up to 32 KiB it does.
        String quiet = customersTable("wide_default");
        String loud = customersTable("wide_32k");
        String name = "n".repeat(1_000);
        for (String table : List.of(quiet, loud)) {
            CassandraSinkTask task = start(new TestSinkTaskContext(false), table.equals(quiet) ? props(table)
                    : props(table, "write.batch.multi.partition.max.bytes", "32768"));
            List<SinkRecord> records = new ArrayList<>();
            for (int id = 0; id < 200; id++) {
                records.add(change(Operation.CREATE, 1_000, null, customer(id, name + id, null)));
            }
            task.put(records);
            commit(task);
            assertThat(rows(table)).hasSize(200);
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(CASSANDRA.logTail(20_000)).contains("Batch for [" + KS + "." + loud + "] is of size"));
        assertThat(CASSANDRA.logTail(20_000)).doesNotContain("Batch for [" + KS + "." + quiet + "]");
    }

    @Test
    void unavailableReplicasAreRetriedThenReportedAsRetriableAndNothingIsCommittedUntilWritten() {
        CASSANDRA.execute("CREATE KEYSPACE sink_rf3 WITH replication = {'class': 'NetworkTopologyStrategy', "
                + "'datacenter1': 3}", "CREATE TABLE sink_rf3.customers (id int PRIMARY KEY, name text, email text)");
        TestSinkTaskContext context = new TestSinkTaskContext(false);
        CassandraSinkTask task = start(context, props("customers", "cassandra.keyspace", "sink_rf3",
                "retry.max.attempts", "2", "retry.backoff.ms", "50", "write.flush.records", "1000",
                "write.flush.interval.ms", "600000"));
        SinkRecord record = change(Operation.CREATE, 1_000, null, customer(1, "Ann", "a"));
        SinkRecord later = change(Operation.CREATE, 2_000, null, customer(2, "Bob", "b"));
        Map<TopicPartition, OffsetAndMetadata> current = Map.of(new TopicPartition(TOPIC, 0),
                new OffsetAndMetadata(offset));

        task.put(List.of(record, later));
        assertThatThrownBy(() -> task.preCommit(current))
                .isInstanceOf(RetriableException.class)
                .hasMessageContaining("UnavailableException");
        assertThat(context.timeoutMs()).isPositive();

        CASSANDRA.execute("ALTER KEYSPACE sink_rf3 WITH replication = {'class': 'NetworkTopologyStrategy', "
                + "'datacenter1': 1}");
        task.put(List.of(record, later));
        Map<TopicPartition, OffsetAndMetadata> committed = task.preCommit(current);

        // past the record, up to the last commit millisecond, whose changes may go on
        assertThat(committed.get(new TopicPartition(TOPIC, 0)).offset()).isEqualTo(later.kafkaOffset());
        assertThat(CASSANDRA.execute("SELECT name FROM sink_rf3.customers WHERE id = 1").get(0).getString(0)).isEqualTo("Ann");
        CASSANDRA.execute("DROP KEYSPACE sink_rf3");
    }

    @Test
    void theConsistencyLevelIsConfigurable() {
        CASSANDRA.execute("CREATE KEYSPACE sink_cl WITH replication = {'class': 'NetworkTopologyStrategy', "
                + "'datacenter1': 3}", "CREATE TABLE sink_cl.customers (id int PRIMARY KEY, name text, email text)");
        CassandraSinkTask task = start(new TestSinkTaskContext(false), props("customers", "cassandra.keyspace", "sink_cl",
                "write.consistency.level", "ONE"));

        task.put(List.of(change(Operation.CREATE, 1_000, null, customer(1, "Ann", "a"))));
        commit(task);

        assertThat(CASSANDRA.execute("SELECT name FROM sink_cl.customers WHERE id = 1").get(0).getString(0)).isEqualTo("Ann");
        CASSANDRA.execute("DROP KEYSPACE sink_cl");
    }

    @Test
    void recordsWaitInTheBufferAndPreCommitReturnsOffsetsOnlyOnceWritten() {
        String table = customersTable("buffered");
        CassandraSinkTask task = start(new TestSinkTaskContext(false), props(table, "write.flush.records", "1000",
                "write.flush.interval.ms", "600000"));

        task.put(List.of(change(Operation.CREATE, 1_000, null, customer(1, "Ann", "a")),
                change(Operation.CREATE, 2_000, null, customer(2, "Bob", "b"))));
        assertThat(rows(table)).isEmpty();
        Map<TopicPartition, OffsetAndMetadata> committed = commit(task);

        assertThat(rows(table)).containsExactly("1|Ann|a", "2|Bob|b");
        // past the first record, up to the last commit millisecond, whose changes may go on
        assertThat(committed.get(new TopicPartition(TOPIC, 0)).offset()).isEqualTo(offset - 1);
    }

    @Test
    void aRecordPutOnceIsWrittenWhenTheFlushIntervalPassesWithoutAnotherPutOrCommit() {
        String table = customersTable("timed");
        CassandraSinkTask task = start(new TestSinkTaskContext(false), props(table, "write.flush.records", "1000",
                "write.flush.interval.ms", "100"));

        task.put(List.of(change(Operation.CREATE, 1_000, null, customer(1, "Ann", "a"))));

        // The worker calls put() again only when its consumer polls records or a commit is due (seconds later).
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                .untilAsserted(() -> assertThat(rows(table)).containsExactly("1|Ann|a"));
        assertThat(commit(task).get(new TopicPartition(TOPIC, 0)).offset()).isEqualTo(offset - 1);
    }

    @Test
    void aRecordATimedFlushCannotWriteGoesToTheDeadLetterQueueOrFailsTheNextPut() {
        CASSANDRA.execute("CREATE TABLE " + KS + ".timed_narrow (id int PRIMARY KEY, name text)");
        TestSinkTaskContext withQueue = new TestSinkTaskContext(true);
        CassandraSinkTask reporting = start(withQueue, props("timed_narrow", "write.flush.records", "1000",
                "write.flush.interval.ms", "100"));
        reporting.put(List.of(change(Operation.CREATE, 1_000, null, customer(1, "Ann", "a"))));
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                .untilAsserted(() -> assertThat(withQueue.reported()).hasSize(1));
        assertThat(withQueue.reported().get(0).error().getMessage()).contains("field(s) email have no column");

        CassandraSinkTask failing = start(new TestSinkTaskContext(false), props("timed_narrow", "write.flush.records", "1000",
                "write.flush.interval.ms", "100", "table.unknown.fields", "fail"));
        Struct narrow = new Struct(SchemaBuilder.struct().name("customers.Value").field("id", Schema.INT32_SCHEMA)
                .field("name", Schema.OPTIONAL_STRING_SCHEMA).build()).put("id", 2).put("name", "Bob");
        SinkRecord bad = change(Operation.CREATE, 2_000, null, customer(3, "Cy", "c"));
        failing.put(List.of(record(key(2), Envelopes.postgres("shop", "public", "customers").tsMs(2_000)
                .struct(Operation.CREATE, null, narrow)), bad));
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).untilAsserted(() -> assertThat(
                CASSANDRA.execute("SELECT name FROM " + KS + ".timed_narrow WHERE id = 2")).hasSize(1));

        assertThatThrownBy(() -> failing.put(List.of())).isInstanceOf(ConnectException.class)
                .hasMessageContaining("Cannot write the record at topic " + TOPIC + " partition 0 offset "
                        + bad.kafkaOffset() + " to Cassandra");
    }

    // ---- security and the local data center

    @Test
    void aWrongLocalDataCenterFailsTheStartNamingTheClustersDataCenters() {
        String table = customersTable("wrong_dc");
        CassandraSinkTask task = new CassandraSinkTask();
        task.initialize(new TestSinkTaskContext(false));

        assertThatThrownBy(() -> task.start(props(table, "cassandra.local.datacenter", "dc9")))
                .isInstanceOf(ConnectException.class)
                .hasMessageContaining("cassandra.local.datacenter")
                .hasMessageContaining("[datacenter1]");
    }

    @Test
    void wrongCredentialsFailTheStart() {
        String table = customersTable("wrong_password");
        CassandraSinkTask task = new CassandraSinkTask();
        task.initialize(new TestSinkTaskContext(false));

        assertThatThrownBy(() -> task.start(props(table, "cassandra.password", "nope")))
                .isInstanceOf(ConnectException.class)
                .hasMessageContaining("cassandra.username")
                .hasMessageContaining("Authentication error");
    }

    @Test
    void writesOverTlsTrustingTheNodesCertificate() {
        String table = customersTable("over_tls");
        CassandraSinkTask task = start(new TestSinkTaskContext(false), props(table, "cassandra.ssl.enabled", "true",
                "cassandra.ssl.truststore.path", CASSANDRA.trustStore().orElseThrow().toString(),
                "cassandra.ssl.truststore.password", CASSANDRA.trustStorePassword()));

        task.put(List.of(change(Operation.CREATE, 1_000, null, customer(1, "Ann", "a"))));
        commit(task);

        assertThat(rows(table)).containsExactly("1|Ann|a");
    }

    @Test
    void tlsWithoutTrustingTheNodesCertificateFailsTheStart() {
        String table = customersTable("tls_untrusted");
        CassandraSinkTask task = new CassandraSinkTask();
        task.initialize(new TestSinkTaskContext(false));

        assertThatThrownBy(() -> task.start(props(table, "cassandra.ssl.enabled", "true")))
                .isInstanceOf(ConnectException.class)
                .hasMessageContaining("cannot open a session with Cassandra");
    }

    // ---- helpers

    private String customersTable(String name) {
        CASSANDRA.execute("CREATE TABLE " + KS + "." + name + " (id int PRIMARY KEY, name text, email text)");
        return name;
    }

    private Map<String, String> props(String table, String... overrides) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("cassandra.contact.points", CASSANDRA.contactPoint());
        props.put("cassandra.local.datacenter", CASSANDRA.dataCenter());
        props.put("cassandra.username", CASSANDRA.username());
        props.put("cassandra.password", CASSANDRA.password());
        props.put("cassandra.keyspace", KS);
        props.put("topics", TOPIC);
        props.put("topic.table.mapping", TOPIC + "=" + table);
        props.put("write.flush.records", "1");
        for (int i = 0; i < overrides.length; i += 2) {
            props.put(overrides[i], overrides[i + 1]);
        }
        if (props.containsKey("table.create")) {
            props.remove("topic.table.mapping");
        }
        return props;
    }

    private Map<String, String> orderProps(String table, String... overrides) {
        Map<String, String> props = props(table, overrides);
        props.put("topics", "dbserver1.public.orders");
        props.put("topic.table.mapping", "dbserver1.public.orders=" + table);
        return props;
    }

    private CassandraSinkTask start(TestSinkTaskContext context, Map<String, String> props) {
        CassandraSinkTask task = new CassandraSinkTask();
        task.initialize(context);
        task.start(props);
        tasks.add(task);
        return task;
    }

    private Map<TopicPartition, OffsetAndMetadata> commit(CassandraSinkTask task) {
        return task.preCommit(Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(offset)));
    }

    private static Struct customer(int id, String name, String email) {
        return new Struct(CUSTOMER).put("id", id).put("name", name).put("email", email);
    }

    private static Struct key(int id) {
        return new Struct(KEY).put("id", id);
    }

    private SinkRecord change(Operation op, long sourceTs, Struct before, Struct after) {
        Struct row = after != null ? after : before;
        Struct value = Envelopes.postgres("shop", "public", "customers").tsMs(sourceTs).struct(op, before, after);
        return record(key(row.getInt32("id")), value);
    }

    private SinkRecord record(Struct key, Struct value) {
        return new SinkRecord(TOPIC, 0, KEY, key, value.schema(), value, offset++);
    }

    private SinkRecord tombstone(int id) {
        return new SinkRecord(TOPIC, 0, KEY, key(id), null, null, offset++);
    }

    private static List<String> rows(String table) {
        List<String> rows = new ArrayList<>();
        for (Row row : CASSANDRA.execute("SELECT id, name, email FROM " + KS + "." + table)) {
            rows.add(row.getInt("id") + "|" + row.getString("name") + "|" + row.getString("email"));
        }
        rows.sort(null);
        return rows;
    }
}
