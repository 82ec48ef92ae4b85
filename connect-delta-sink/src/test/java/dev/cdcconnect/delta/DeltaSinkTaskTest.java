package dev.cdcconnect.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cdcconnect.event.Envelopes;
import dev.cdcconnect.event.Operation;
import dev.cdcconnect.testkit.connect.TestSinkTaskContext;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeltaSinkTaskTest {

    static final String TOPIC = "dbserver1.public.customers";
    static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    static final TopicPartition P1 = new TopicPartition(TOPIC, 1);

    static final Schema ROW = SchemaBuilder.struct().name("dbserver1.public.customers.Value")
            .field("id", Schema.INT32_SCHEMA)
            .field("first_name", Schema.OPTIONAL_STRING_SCHEMA)
            .field("balance", Decimal.builder(2).parameter("connect.decimal.precision", "10").optional().build())
            .field("born", SchemaBuilder.int32().name("io.debezium.time.Date").optional().build())
            .field("joined", Date.builder().optional().build())
            .field("seen", SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp").optional().build())
            .field("changed", SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").optional().build())
            .field("photo", Schema.OPTIONAL_BYTES_SCHEMA)
            .build();

    @TempDir
    Path root;

    final Envelopes postgres = Envelopes.postgres("shop", "public", "customers");

    Map<String, String> props(String... extra) {
        Map<String, String> props = new HashMap<>();
        props.put("name", "lake");
        props.put("topics", TOPIC);
        props.put(DeltaSinkConfig.TABLE_ROOT, root.toString());
        props.put(DeltaSinkConfig.COMMIT_INTERVAL_MS, "3600000");
        for (int i = 0; i < extra.length; i += 2) {
            props.put(extra[i], extra[i + 1]);
        }
        return props;
    }

    static Struct customer(int id, String name) {
        return new Struct(ROW).put("id", id).put("first_name", name)
                .put("balance", new BigDecimal("1234.50"))
                .put("born", (int) LocalDate.of(1990, 5, 17).toEpochDay())
                .put("joined", java.util.Date.from(Instant.parse("2024-02-29T00:00:00Z")))
                .put("seen", 1_700_000_000_123_456L)
                .put("changed", "2024-03-01T10:15:30.250+02:00")
                .put("photo", new byte[] {1, 2, 3});
    }

    /** A customer row after the source table got a column, {@code loyalty BIGINT}. */
    static Struct customerWithLoyalty(int id, String name) {
        SchemaBuilder wider = SchemaBuilder.struct().name("dbserver1.public.customers.Value");
        ROW.fields().forEach(f -> wider.field(f.name(), f.schema()));
        wider.field("loyalty", Schema.OPTIONAL_INT64_SCHEMA);
        Struct row = new Struct(wider.build());
        Struct base = customer(id, name);
        base.schema().fields().forEach(f -> row.put(f.name(), base.get(f)));
        return row.put("loyalty", 5L);
    }

    SinkRecord change(TopicPartition partition, long offset, Operation op, Struct before, Struct after) {
        postgres.lsn(1000 + offset).txId(500 + offset).tsMs(1_700_000_000_000L + offset);
        Struct value = postgres.struct(op, before, after);
        return new SinkRecord(partition.topic(), partition.partition(), null, null, value.schema(), value, offset);
    }

    List<SinkRecord> inserts(TopicPartition partition, long from, long to) {
        List<SinkRecord> records = new ArrayList<>();
        for (long offset = from; offset < to; offset++) {
            records.add(change(partition, offset, Operation.CREATE, null, customer((int) offset, "c" + offset)));
        }
        return records;
    }

    DeltaSinkTask start(TestSinkTaskContext context, Map<String, String> props) {
        DeltaSinkTask task = new DeltaSinkTask();
        task.initialize(context);
        task.start(props);
        task.open(context.assignment());
        return task;
    }

    String table() {
        return "file://" + root.resolve("customers");
    }

    @Test
    void writesEveryChangeAsARowWithDeltaTypes() {
        TestSinkTaskContext context = new TestSinkTaskContext(false, P0);
        DeltaSinkTask task = start(context, props());
        task.put(List.of(
                change(P0, 0, Operation.CREATE, null, customer(1, "Ann")),
                change(P0, 1, Operation.UPDATE, customer(1, "Ann"), customer(1, "HUSEYIN")),
                change(P0, 2, Operation.DELETE, customer(1, "HUSEYIN"), null)));
        task.close(List.of(P0));
        task.stop();

        List<Map<String, Object>> rows = new DeltaReader().rows(table());
        assertThat(rows).extracting(r -> r.get("_cdc_op")).containsExactly("c", "u", "d");
        assertThat(rows).extracting(r -> r.get("first_name")).containsExactly("Ann", "HUSEYIN", "HUSEYIN");
        Map<String, Object> first = rows.get(0);
        assertThat(first.get("id")).isEqualTo(1);
        assertThat(first.get("balance")).isEqualTo(new BigDecimal("1234.50"));
        assertThat(first.get("born")).isEqualTo(LocalDate.of(1990, 5, 17));
        assertThat(first.get("joined")).isEqualTo(LocalDate.of(2024, 2, 29));
        assertThat(first.get("seen")).isEqualTo(LocalDateTime.parse("2023-11-14T22:13:20.123456"));
        assertThat(first.get("changed")).isEqualTo(Instant.parse("2024-03-01T08:15:30.250Z"));
        assertThat((byte[]) first.get("photo")).containsExactly(1, 2, 3);
        assertThat(first.get("_cdc_source_ts")).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
        assertThat(first.get("_cdc_tx_id")).isEqualTo("500");
        assertThat(first.get("_cdc_lsn")).isEqualTo(1000L);
        assertThat(first.get("_cdc_kafka_topic")).isEqualTo(TOPIC);
        assertThat(first.get("_cdc_kafka_partition")).isEqualTo(0);
        assertThat(rows).extracting(r -> r.get("_cdc_kafka_offset")).containsExactly(0L, 1L, 2L);
        assertThat(new DeltaReader().snapshot(table()).getSchema().get("balance").getDataType())
                .isEqualTo(new io.delta.kernel.types.DecimalType(10, 2));
    }

    @Test
    void everyNumberTypeBooleanAndTheirNullsReadBack() {
        Schema schema = SchemaBuilder.struct().name("dbserver1.public.customers.Value")
                .field("id", Schema.INT32_SCHEMA)
                .field("tiny", Schema.OPTIONAL_INT8_SCHEMA)
                .field("small", Schema.OPTIONAL_INT16_SCHEMA)
                .field("big", Schema.OPTIONAL_INT64_SCHEMA)
                .field("ratio", Schema.OPTIONAL_FLOAT32_SCHEMA)
                .field("score", Schema.OPTIONAL_FLOAT64_SCHEMA)
                .field("active", Schema.OPTIONAL_BOOLEAN_SCHEMA)
                .field("note", Schema.OPTIONAL_STRING_SCHEMA)
                .build();
        DeltaSinkTask task = start(new TestSinkTaskContext(false, P0), props());
        task.put(List.of(
                change(P0, 0, Operation.CREATE, null, new Struct(schema).put("id", 1).put("tiny", (byte) -7)
                        .put("small", (short) 30_000).put("big", Long.MIN_VALUE).put("ratio", 0.25f)
                        .put("score", -1.5e300).put("active", true).put("note", "x")),
                change(P0, 1, Operation.CREATE, null, new Struct(schema).put("id", 2)),
                change(P0, 2, Operation.CREATE, null, new Struct(schema).put("id", 3).put("tiny", Byte.MAX_VALUE)
                        .put("small", Short.MIN_VALUE).put("big", Long.MAX_VALUE).put("ratio", Float.MAX_VALUE)
                        .put("score", 0.0).put("active", false).put("note", ""))));
        task.close(List.of(P0));

        List<Map<String, Object>> rows = new DeltaReader().rows(table());
        assertThat(rows).extracting(r -> r.get("id")).containsExactly(1, 2, 3);
        assertThat(rows).extracting(r -> r.get("tiny")).containsExactly((byte) -7, null, Byte.MAX_VALUE);
        assertThat(rows).extracting(r -> r.get("small")).containsExactly((short) 30_000, null, Short.MIN_VALUE);
        assertThat(rows).extracting(r -> r.get("big")).containsExactly(Long.MIN_VALUE, null, Long.MAX_VALUE);
        assertThat(rows).extracting(r -> r.get("ratio")).containsExactly(0.25f, null, Float.MAX_VALUE);
        assertThat(rows).extracting(r -> r.get("score")).containsExactly(-1.5e300, null, 0.0);
        assertThat(rows).extracting(r -> r.get("active")).containsExactly(true, null, false);
        assertThat(rows).extracting(r -> r.get("note")).containsExactly("x", null, "");
        assertThat(rows).extracting(r -> r.get("_cdc_kafka_offset")).containsExactly(0L, 1L, 2L);
    }

    @Test
    void aNewTableTakesTheColumnsOfEveryRowBeforeItsFirstFileAndEarlierRowsHaveNoValueInLaterOnes() {
        DeltaSinkTask task = start(new TestSinkTaskContext(false, P0), props());
        task.put(inserts(P0, 0, 2));
        task.put(List.of(change(P0, 2, Operation.CREATE, null, customerWithLoyalty(2, "Bo"))));
        task.put(inserts(P0, 3, 5));
        task.close(List.of(P0));

        List<Map<String, Object>> rows = new DeltaReader().rows(table());
        assertThat(rows).extracting(r -> r.get("loyalty")).containsExactly(null, null, 5L, null, null);
        assertThat(rows).extracting(r -> r.get("first_name")).containsExactly("c0", "c1", "Bo", "c3", "c4");
        assertThat(rows).extracting(r -> r.get("balance")).containsOnly(new BigDecimal("1234.50"));
        assertThat(rows).extracting(r -> r.get("_cdc_lsn")).containsExactly(1000L, 1001L, 1002L, 1003L, 1004L);
    }

    @Test
    void aFlattenedStructRowLeavesOutItsDoubleUnderscoreFields() {
        Schema flattened = SchemaBuilder.struct().name("dbserver1.public.customers.Value")
                .field("id", Schema.INT32_SCHEMA)
                .field("first_name", Schema.OPTIONAL_STRING_SCHEMA)
                .field("__op", Schema.OPTIONAL_STRING_SCHEMA)
                .field("__source_ts_ms", Schema.OPTIONAL_INT64_SCHEMA)
                .field("__deleted", Schema.OPTIONAL_STRING_SCHEMA)
                .build();
        DeltaSinkTask task = start(new TestSinkTaskContext(false, P0), props());
        task.put(List.of(
                new SinkRecord(TOPIC, 0, null, null, flattened, new Struct(flattened).put("id", 1)
                        .put("first_name", "Ann").put("__op", "c").put("__source_ts_ms", 1_700_000_000_000L)
                        .put("__deleted", "false"), 0),
                new SinkRecord(TOPIC, 0, null, null, flattened, new Struct(flattened).put("id", 1)
                        .put("first_name", "Ann").put("__op", "d").put("__source_ts_ms", 1_700_000_001_000L)
                        .put("__deleted", "true"), 1)));
        task.close(List.of(P0));

        List<Map<String, Object>> rows = new DeltaReader().rows(table());
        assertThat(rows).extracting(r -> r.get("_cdc_op")).containsExactly("c", "d");
        assertThat(rows).extracting(r -> r.get("first_name")).containsExactly("Ann", "Ann");
        assertThat(rows).extracting(r -> r.get("_cdc_source_ts"))
                .containsExactly(Instant.ofEpochMilli(1_700_000_000_000L), Instant.ofEpochMilli(1_700_000_001_000L));
        assertThat(new DeltaReader().snapshot(table()).getSchema().fieldNames())
                .doesNotContain("__op", "__source_ts_ms", "__deleted").contains("id", "first_name");
    }

    @Test
    void preCommitReportsOnlyOffsetsWhoseRowsAreCommitted() throws Exception {
        TestSinkTaskContext context = new TestSinkTaskContext(false, P0);
        DeltaSinkTask task = start(context, props(DeltaSinkConfig.COMMIT_INTERVAL_MS, "300"));
        task.put(inserts(P0, 0, 10));
        Map<TopicPartition, OffsetAndMetadata> current = Map.of(P0, new OffsetAndMetadata(10));
        assertThat(task.preCommit(current)).containsEntry(P0, new OffsetAndMetadata(0));
        assertThat(Files.exists(root.resolve("customers/_delta_log"))).isFalse();

        long deadline = System.nanoTime() + 10_000_000_000L;
        Map<TopicPartition, OffsetAndMetadata> committable = task.preCommit(current);
        while (!committable.get(P0).equals(new OffsetAndMetadata(10)) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            committable = task.preCommit(current);
        }
        assertThat(committable).containsEntry(P0, new OffsetAndMetadata(10));
        assertThat(new DeltaReader().rows(table())).hasSize(10);
        task.stop();
    }

    @Test
    void restartAfterACrashSkipsWhatTheTableHolds() {
        TestSinkTaskContext context = new TestSinkTaskContext(false, P0);
        DeltaSinkTask first = start(context, props());
        first.put(inserts(P0, 0, 50));
        first.close(List.of(P0));
        first.open(List.of(P0));
        first.put(inserts(P0, 50, 80));
        // The worker dies: rows 50..79 were never committed, and Kafka has no offset committed at all.

        DeltaSinkTask second = start(new TestSinkTaskContext(false, P0), props());
        second.put(inserts(P0, 0, 100));
        second.close(List.of(P0));

        List<Map<String, Object>> rows = new DeltaReader().rows(table());
        assertThat(rows).extracting(r -> r.get("_cdc_kafka_offset"))
                .containsExactlyElementsOf(Stream.iterate(0L, i -> i + 1).limit(100).toList());
    }

    @Test
    void twoTasksWriteOneTableEachWithItsPartitions() {
        DeltaSinkTask a = start(new TestSinkTaskContext(false, P0), props());
        DeltaSinkTask b = start(new TestSinkTaskContext(false, P1), props());
        a.put(inserts(P0, 0, 30));
        b.put(inserts(P1, 0, 20));
        a.close(List.of(P0));
        b.close(List.of(P1));
        a.open(List.of(P0));
        b.open(List.of(P1));
        b.put(inserts(P1, 20, 40));
        a.put(inserts(P0, 30, 40));
        b.close(List.of(P1));
        a.close(List.of(P0));

        List<Map<String, Object>> rows = new DeltaReader().rows(table());
        assertThat(rows.stream().filter(r -> r.get("_cdc_kafka_partition").equals(0))).hasSize(40);
        assertThat(rows.stream().filter(r -> r.get("_cdc_kafka_partition").equals(1))).hasSize(40);
        assertThat(rows.stream().map(r -> r.get("_cdc_kafka_partition") + "/" + r.get("_cdc_kafka_offset")).distinct())
                .hasSize(80);
    }

    @Test
    void aTaskThatLostItsPartitionToAnotherDoesNotDuplicateRows() {
        TestSinkTaskContext zombieContext = new TestSinkTaskContext(false, P0);
        DeltaSinkTask zombie = start(zombieContext, props());
        zombie.put(inserts(P0, 0, 10));
        zombie.close(List.of(P0));
        zombie.open(List.of(P0));
        zombie.put(inserts(P0, 10, 30));
        // Meanwhile the partition went to another task, which wrote the same records first.
        DeltaSinkTask owner = start(new TestSinkTaskContext(false, P0), props());
        owner.put(inserts(P0, 10, 40));
        owner.close(List.of(P0));
        // The zombie's commit conflicts: it drops its rows and reads the partition again from where it had them.
        zombie.close(List.of(P0));
        assertThat(zombieContext.rewound()).containsEntry(P0, 10L);

        List<Map<String, Object>> rows = new DeltaReader().rows(table());
        assertThat(rows).extracting(r -> r.get("_cdc_kafka_offset"))
                .containsExactlyElementsOf(Stream.iterate(0L, i -> i + 1).limit(40).toList());
    }

    @Test
    void filesRollBySizeAndOneCommitCarriesThemAll() {
        DeltaSinkTask task = start(new TestSinkTaskContext(false, P0), props(DeltaSinkConfig.FILE_MAX_BYTES, "65536"));
        for (int from = 0; from < 3000; from += 500) {
            task.put(inserts(P0, from, from + 500));
        }
        task.close(List.of(P0));
        DeltaReader reader = new DeltaReader();
        assertThat(reader.rows(table())).hasSize(3000);
        assertThat(reader.commits(table())).isEqualTo(1);
        try (Stream<Path> files = Files.list(root.resolve("customers"))) {
            assertThat(files.filter(f -> f.toString().endsWith(".parquet")).count()).isGreaterThan(3);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void schemalessAndFlattenedChangesAreRowsToo() {
        TestSinkTaskContext context = new TestSinkTaskContext(false, P0);
        DeltaSinkTask task = start(context, props());
        Map<String, Object> after = new LinkedHashMap<>();
        after.put("id", 7L);
        after.put("first_name", "Mia");
        Map<String, Object> envelope = postgres.map(Operation.CREATE, null, after);
        Map<String, Object> flattened = new LinkedHashMap<>(after);
        flattened.put("first_name", "Mo");
        flattened.put("__op", "u");
        flattened.put("__table", "customers");
        flattened.put("__source_ts_ms", 1_700_000_000_500L);
        task.put(List.of(new SinkRecord(TOPIC, 0, null, null, null, envelope, 0),
                new SinkRecord(TOPIC, 0, null, null, null, flattened, 1),
                new SinkRecord(TOPIC, 0, null, null, null, null, 2)));
        task.close(List.of(P0));

        List<Map<String, Object>> rows = new DeltaReader().rows(table());
        assertThat(rows).extracting(r -> r.get("_cdc_op")).containsExactly("c", "u");
        assertThat(rows).extracting(r -> r.get("first_name")).containsExactly("Mia", "Mo");
        assertThat(rows).extracting(r -> r.get("id")).containsExactly(7L, 7L);
        assertThat(rows.get(1)).doesNotContainKey("__op");
        assertThat(rows.get(1).get("_cdc_source_ts")).isEqualTo(Instant.ofEpochMilli(1_700_000_000_500L));
    }

    @Test
    void aNarrowedTypeGoesToTheDeadLetterQueueAndTheRestIsWritten() {
        TestSinkTaskContext context = new TestSinkTaskContext(true, P0);
        DeltaSinkTask task = start(context, props());
        task.put(inserts(P0, 0, 2));
        task.close(List.of(P0));
        task.open(List.of(P0));
        Schema narrowed = SchemaBuilder.struct().name("dbserver1.public.customers.Value")
                .field("id", Schema.INT32_SCHEMA).field("first_name", Schema.OPTIONAL_STRING_SCHEMA)
                .field("balance", Schema.OPTIONAL_FLOAT32_SCHEMA).build();
        SinkRecord poison = change(P0, 2, Operation.CREATE, null,
                new Struct(narrowed).put("id", 3).put("first_name", "x").put("balance", 1.5f));
        task.put(List.of(poison));
        task.put(inserts(P0, 3, 5));
        // The errant record counts as handled once the queue has it; rows 3 and 4 are not committed yet.
        assertThat(task.preCommit(Map.of(P0, new OffsetAndMetadata(5)))).containsEntry(P0, new OffsetAndMetadata(3));
        task.close(List.of(P0));

        assertThat(context.reported()).hasSize(1);
        assertThat(context.reported().get(0).error().getMessage())
                .contains(TOPIC + "-0 offset 2")
                .contains("column balance is DECIMAL(10,2) in the table but the record's value is FLOAT");
        assertThat(new DeltaReader().rows(table())).extracting(r -> r.get("_cdc_kafka_offset"))
                .containsExactly(0L, 1L, 3L, 4L);
    }

    @Test
    void aRecordTheDeadLetterQueueRefusesFailsTheTaskNamingItAndItsOffsetIsNotCommitted() {
        TestSinkTaskContext context = new TestSinkTaskContext(new org.apache.kafka.common.errors.RecordTooLargeException(
                "The message is 2097252 bytes when serialized which is larger than 1048576, which is the value of "
                        + "the max.request.size configuration."), P0);
        DeltaSinkTask task = start(context, props());
        task.put(inserts(P0, 0, 2));
        task.close(List.of(P0));
        task.open(List.of(P0));
        Schema narrowed = SchemaBuilder.struct().name("dbserver1.public.customers.Value")
                .field("id", Schema.INT32_SCHEMA).field("first_name", Schema.OPTIONAL_STRING_SCHEMA)
                .field("balance", Schema.OPTIONAL_FLOAT32_SCHEMA).build();
        SinkRecord poison = change(P0, 2, Operation.CREATE, null,
                new Struct(narrowed).put("id", 3).put("first_name", "x").put("balance", 1.5f));

        Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> {
            task.put(List.of(poison));
            task.put(inserts(P0, 3, 5));
        });

        assertThat(failure).isInstanceOf(ConnectException.class)
                .hasMessageContaining("The dead letter queue did not take the record at topic " + TOPIC
                        + " partition 0 offset 2, which cannot be written to Delta Lake")
                .hasMessageContaining("RecordTooLargeException");
        OffsetAndMetadata committable = task.preCommit(Map.of(P0, new OffsetAndMetadata(5))).get(P0);
        assertThat(committable == null ? 0 : committable.offset()).as("committable offset").isLessThanOrEqualTo(2);
    }

    @Test
    void withoutADeadLetterQueueANewColumnFailsTheTaskNamingTheRecord() {
        DeltaSinkTask task = start(new TestSinkTaskContext(false, P0), props());
        task.put(inserts(P0, 0, 1));
        task.close(List.of(P0));
        task.open(List.of(P0));
        Struct row = customerWithLoyalty(2, "Bo");

        assertThatThrownBy(() -> task.put(List.of(change(P0, 1, Operation.CREATE, null, row))))
                .isInstanceOf(ConnectException.class)
                .hasMessageContaining(TOPIC + "-0 offset 1")
                .hasMessageContaining("column loyalty (BIGINT) is not in Delta table")
                .hasMessageContaining("ADD COLUMNS");
    }

    @Test
    void partitionsBySourceCommitDate() {
        DeltaSinkTask task = start(new TestSinkTaskContext(false, P0),
                props(DeltaSinkConfig.PARTITION_BY, "source-date"));
        List<SinkRecord> records = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            postgres.tsMs(Instant.parse("2024-06-0" + (1 + i % 2) + "T12:00:00Z").toEpochMilli());
            Struct value = postgres.struct(Operation.CREATE, null, customer(i, "d" + i));
            records.add(new SinkRecord(TOPIC, 0, null, null, value.schema(), value, i));
        }
        task.put(records);
        task.close(List.of(P0));

        DeltaReader reader = new DeltaReader();
        assertThat(reader.snapshot(table()).getPartitionColumnNames()).containsExactly("_cdc_source_date");
        assertThat(reader.rows(table())).extracting(r -> r.get("_cdc_source_date"))
                .containsExactly(LocalDate.of(2024, 6, 1), LocalDate.of(2024, 6, 2), LocalDate.of(2024, 6, 1),
                        LocalDate.of(2024, 6, 2));
        assertThat(Files.isDirectory(root.resolve("customers/_cdc_source_date=2024-06-01"))).isTrue();
    }

    @Test
    void aCheckpointIsWrittenEveryIntervalCommitsAndReadersStartFromIt() throws Exception {
        TestSinkTaskContext context = new TestSinkTaskContext(false, P0);
        DeltaSinkTask task = start(context, props(DeltaSinkConfig.CHECKPOINT_INTERVAL, "3"));
        for (int commit = 0; commit < 8; commit++) {
            task.put(inserts(P0, commit * 10L, commit * 10L + 10));
            task.close(List.of(P0));
            task.open(List.of(P0));
        }
        task.close(List.of(P0));
        task.stop();

        Path log = root.resolve("customers/_delta_log");
        try (Stream<Path> files = Files.list(log)) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".checkpoint.parquet")).sorted())
                    .containsExactly("00000000000000000003.checkpoint.parquet",
                            "00000000000000000006.checkpoint.parquet");
        }
        assertThat(Files.readString(log.resolve("_last_checkpoint"))).contains("\"version\":6");
        // Without the commits the checkpoint replaces (as after log clean-up), only the checkpoint gives the state.
        for (int version = 0; version < 6; version++) {
            Files.delete(log.resolve(String.format("%020d.json", version)));
        }
        DeltaReader reader = new DeltaReader();
        assertThat(reader.snapshot(table()).getVersion()).isEqualTo(7);
        assertThat(reader.rows(table())).extracting(r -> r.get("_cdc_kafka_offset"))
                .containsExactlyElementsOf(Stream.iterate(0L, i -> i + 1).limit(80).toList());
        // The offsets in the checkpoint's domain metadata: a restarted task skips what the table holds.
        DeltaSinkTask restarted = start(new TestSinkTaskContext(false, P0), props(DeltaSinkConfig.CHECKPOINT_INTERVAL, "3"));
        restarted.put(inserts(P0, 0, 85));
        restarted.close(List.of(P0));
        restarted.stop();
        assertThat(reader.rows(table())).extracting(r -> r.get("_cdc_kafka_offset"))
                .containsExactlyElementsOf(Stream.iterate(0L, i -> i + 1).limit(85).toList());
    }

    @Test
    void tasksWritingOneTableConcurrentlyLoseAndRepeatNoRow() throws Exception {
        int tasks = 4;
        int batches = 12;
        int batchSize = 50;
        List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < tasks; p++) {
            partitions.add(new TopicPartition(TOPIC, p));
        }
        long end = (long) batches * batchSize;
        Map<TopicPartition, List<SinkRecord>> records = new HashMap<>();
        partitions.forEach(p -> records.put(p, inserts(p, 0, end)));
        var pool = java.util.concurrent.Executors.newFixedThreadPool(tasks);
        try {
            List<java.util.concurrent.Future<?>> running = new ArrayList<>();
            var startLine = new java.util.concurrent.CyclicBarrier(tasks);
            for (TopicPartition partition : partitions) {
                running.add(pool.submit(() -> {
                    TestSinkTaskContext context = new TestSinkTaskContext(false, partition);
                    DeltaSinkTask task = start(context, props());
                    startLine.await();
                    long next = 0;
                    for (int round = 0; next < end && round < 10 * batches; round++) {
                        long to = Math.min(end, next + batchSize);
                        task.put(records.get(partition).subList((int) next, (int) to));
                        // A commit per batch (as when partitions are revoked), so the tasks race for versions.
                        task.close(List.of(partition));
                        task.open(List.of(partition));
                        // What the worker does when a task rewinds: deliver again from there.
                        Long rewound = context.rewound().remove(partition);
                        next = rewound != null ? rewound : to;
                    }
                    task.stop();
                    return null;
                }));
            }
            for (var future : running) {
                future.get(5, java.util.concurrent.TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }

        DeltaReader reader = new DeltaReader();
        List<Map<String, Object>> rows = reader.rows(table());
        assertThat(rows).hasSize(tasks * batches * batchSize);
        for (TopicPartition partition : partitions) {
            assertThat(rows.stream().filter(r -> r.get("_cdc_kafka_partition").equals(partition.partition()))
                    .map(r -> r.get("_cdc_kafka_offset")))
                    .containsExactlyElementsOf(Stream.iterate(0L, i -> i + 1).limit(batches * batchSize).toList());
        }
        assertThat(reader.commits(table())).isGreaterThan(tasks);
    }

    @Test
    void aNewSourceColumnGoesToTheDeadLetterQueueNamingTheColumnAndTheRestIsWritten() {
        TestSinkTaskContext context = new TestSinkTaskContext(true, P0);
        DeltaSinkTask task = start(context, props());
        task.put(inserts(P0, 0, 2));
        task.close(List.of(P0));
        task.open(List.of(P0));
        task.put(List.of(change(P0, 2, Operation.CREATE, null, customerWithLoyalty(2, "Bo"))));
        task.put(inserts(P0, 3, 5));
        task.close(List.of(P0));

        assertThat(context.reported()).hasSize(1);
        assertThat(context.reported().get(0).record().kafkaOffset()).isEqualTo(2);
        assertThat(context.reported().get(0).error().getMessage())
                .contains(TOPIC + "-0 offset 2")
                .contains("column loyalty (BIGINT) is not in Delta table")
                .contains("ADD COLUMNS (loyalty BIGINT)");
        assertThat(new DeltaReader().rows(table())).extracting(r -> r.get("_cdc_kafka_offset"))
                .containsExactly(0L, 1L, 3L, 4L);
    }

    @Test
    void deltaKernelStillCannotAddAColumnToATable() {
        // Why a new source column is an errant record: when a Delta Kernel upgrade allows this, the sink can
        // add nullable columns instead.
        DeltaSinkTask task = start(new TestSinkTaskContext(false, P0), props());
        task.put(inserts(P0, 0, 1));
        task.close(List.of(P0));
        task.stop();
        var engine = io.delta.kernel.defaults.engine.DefaultEngine.create(new org.apache.hadoop.conf.Configuration());
        var table = io.delta.kernel.Table.forPath(engine, table());
        var schema = table.getLatestSnapshot(engine).getSchema()
                .add("loyalty", io.delta.kernel.types.LongType.LONG, true);

        assertThatThrownBy(() -> table.createTransactionBuilder(engine, "test", io.delta.kernel.Operation.WRITE)
                .withSchema(engine, schema).build(engine))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("Evolution is not currently supported");
    }
}
