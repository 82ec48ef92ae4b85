package dev.cdcconnect.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cdcconnect.event.Envelopes;
import dev.cdcconnect.event.Operation;
import dev.cdcconnect.testkit.connect.TestSinkTaskContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records a producer or a transform can put into a topic the sink reads, among good changes: each one the sink cannot
 * write goes to the dead letter queue with its reason (or, without one, fails the task naming topic, partition and
 * offset); the others of the batch are written, and no offset is reported past a record not written or not
 * acknowledged.
 */
class DeltaHostileRecordsTest {

    static final String TOPIC = "dbserver1.public.customers";
    static final String OTHER = "dbserver1.public.orders";
    static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    static final TopicPartition Q0 = new TopicPartition(OTHER, 0);

    static final Schema ROW = SchemaBuilder.struct().name("dbserver1.public.customers.Value")
            .field("id", Schema.INT32_SCHEMA)
            .field("name", Schema.OPTIONAL_STRING_SCHEMA)
            .build();
    /** The same source table after a transform or a producer made {@code id} a string. */
    static final Schema ID_AS_TEXT = SchemaBuilder.struct().name("dbserver1.public.customers.Value")
            .field("id", Schema.STRING_SCHEMA)
            .field("name", Schema.OPTIONAL_STRING_SCHEMA)
            .build();

    @TempDir
    Path root;

    final Envelopes postgres = Envelopes.postgres("shop", "public", "customers");

    Map<String, String> props() {
        Map<String, String> props = new HashMap<>();
        props.put("name", "lake");
        props.put("topics", TOPIC + "," + OTHER);
        props.put(DeltaSinkConfig.TABLE_ROOT, root.toString());
        props.put(DeltaSinkConfig.COMMIT_INTERVAL_MS, "3600000");
        return props;
    }

    DeltaSinkTask start(TestSinkTaskContext context) {
        DeltaSinkTask task = new DeltaSinkTask();
        task.initialize(context);
        task.start(props());
        task.open(context.assignment());
        return task;
    }

    SinkRecord change(TopicPartition partition, long offset, Struct after) {
        postgres.lsn(1000 + offset).txId(500 + offset).tsMs(1_700_000_000_000L + offset);
        Struct value = postgres.struct(Operation.CREATE, null, after);
        return new SinkRecord(partition.topic(), partition.partition(), Schema.STRING_SCHEMA, "k" + offset,
                value.schema(), value, offset);
    }

    SinkRecord good(TopicPartition partition, long offset) {
        return change(partition, offset, new Struct(ROW).put("id", (int) offset).put("name", "c" + offset));
    }

    static SinkRecord raw(TopicPartition partition, long offset, Schema schema, Object value) {
        return new SinkRecord(partition.topic(), partition.partition(), null, null, schema, value, offset);
    }

    List<Map<String, Object>> rows(String table) {
        return new DeltaReader().rows("file://" + root.resolve(table));
    }

    static List<Object> offsets(List<Map<String, Object>> rows) {
        return rows.stream().map(r -> r.get("_cdc_kafka_offset")).toList();
    }

    /** The poison of the batch below, by offset, with what its dead letter's reason must say. */
    Map<Long, SinkRecord> poison() {
        Map<Long, SinkRecord> poison = new LinkedHashMap<>();
        poison.put(2L, raw(P0, 2, Schema.STRING_SCHEMA, "just a string"));
        poison.put(4L, raw(P0, 4, Schema.BYTES_SCHEMA, "some bytes".getBytes(StandardCharsets.UTF_8)));
        poison.put(6L, change(P0, 6, new Struct(ID_AS_TEXT).put("id", "six").put("name", "c6")));
        poison.put(8L, raw(P0, 8, null, 42L));
        return poison;
    }

    List<SinkRecord> batch() {
        List<SinkRecord> batch = new ArrayList<>();
        Map<Long, SinkRecord> poison = poison();
        for (long offset = 0; offset < 10; offset++) {
            batch.add(poison.getOrDefault(offset, good(P0, offset)));
        }
        return batch;
    }

    @Test
    void eachMalformedOrWronglyTypedRecordGoesToTheDeadLetterQueueWithItsReasonAndTheRestIsWritten() {
        TestSinkTaskContext context = new TestSinkTaskContext(true, P0);
        DeltaSinkTask task = start(context);

        task.put(batch());
        assertThat(task.preCommit(Map.of(P0, new OffsetAndMetadata(10)))).as("nothing committed to the table yet")
                .containsEntry(P0, new OffsetAndMetadata(0));
        task.close(List.of(P0));

        Map<Long, String> reasons = new LinkedHashMap<>();
        context.reported().forEach(r -> reasons.put(r.record().kafkaOffset(), r.error().getMessage()));
        assertThat(reasons).containsOnlyKeys(2L, 4L, 6L, 8L);
        reasons.forEach((offset, reason) -> assertThat(reason).contains(TOPIC + "-0 offset " + offset));
        assertThat(reasons.get(2L)).contains("the value is a String, not a change event or a row (Struct or Map)");
        assertThat(reasons.get(4L)).contains("the value is a byte[], not a change event or a row (Struct or Map)");
        assertThat(reasons.get(6L)).contains("column id is INT in the table but the record's value is STRING");
        assertThat(reasons.get(8L)).contains("the value is a Long");
        assertThat(offsets(rows("customers"))).containsExactly(0L, 1L, 3L, 5L, 7L, 9L);
    }

    @Test
    void withoutADeadLetterQueueTheFirstMalformedRecordFailsTheTaskNamingTopicPartitionAndOffset() {
        TestSinkTaskContext context = new TestSinkTaskContext(false, P0);
        DeltaSinkTask task = start(context);

        Throwable failure = catchThrowable(() -> task.put(batch()));

        assertThat(failure).isInstanceOf(ConnectException.class)
                .hasMessageContaining("Cannot write record " + TOPIC + "-0 offset 2 to Delta")
                .hasMessageContaining("the value is a String");
        assertThat(task.preCommit(Map.of(P0, new OffsetAndMetadata(10))).get(P0))
                .as("committable offset after the failure").satisfiesAnyOf(
                        o -> assertThat(o).isNull(), o -> assertThat(o.offset()).isLessThanOrEqualTo(2));
        assertThat(root.resolve("customers/_delta_log")).as("no commit with the failed batch").doesNotExist();
    }

    @Test
    void aRecordWithoutKeyIsWrittenTheTableNeedsNoKey() {
        TestSinkTaskContext context = new TestSinkTaskContext(false, P0);
        DeltaSinkTask task = start(context);
        SinkRecord keyless = good(P0, 1).newRecord(TOPIC, 0, null, null, good(P0, 1).valueSchema(),
                good(P0, 1).value(), 1L);

        task.put(List.of(good(P0, 0), keyless, good(P0, 2)));
        task.close(List.of(P0));

        assertThat(offsets(rows("customers"))).containsExactly(0L, 1L, 2L);
        assertThat(context.reported()).isEmpty();
    }

    @Test
    void aRecordOfSeveralMegabytesIsWrittenWhole() {
        TestSinkTaskContext context = new TestSinkTaskContext(true, P0);
        DeltaSinkTask task = start(context);
        String big = "x".repeat(6 * 1024 * 1024);

        task.put(List.of(good(P0, 0), change(P0, 1, new Struct(ROW).put("id", 1).put("name", big)), good(P0, 2)));
        task.close(List.of(P0));

        List<Map<String, Object>> rows = rows("customers");
        assertThat(offsets(rows)).containsExactly(0L, 1L, 2L);
        assertThat((String) rows.get(1).get("name")).hasSize(big.length()).isEqualTo(big);
        assertThat(context.reported()).isEmpty();
    }

    @Test
    void deeplyNestedStructsArraysAndMapsAreWrittenAsJsonText() {
        TestSinkTaskContext context = new TestSinkTaskContext(true, P0);
        DeltaSinkTask task = start(context);
        int depth = 200;
        Schema leaf = SchemaBuilder.struct().name("leaf").field("v", Schema.INT32_SCHEMA).build();
        Schema nested = leaf;
        for (int i = 0; i < depth; i++) {
            nested = SchemaBuilder.struct().name("level" + i).optional().field("inner", nested).build();
        }
        Schema arrayOfStructs = SchemaBuilder.array(leaf).optional().build();
        Schema mapOfStructs = SchemaBuilder.map(Schema.STRING_SCHEMA, leaf).optional().build();
        Schema row = SchemaBuilder.struct().name("dbserver1.public.customers.Value")
                .field("id", Schema.INT32_SCHEMA)
                .field("deep", nested)
                .field("list", arrayOfStructs)
                .field("map", mapOfStructs)
                .build();
        Object deep = new Struct(leaf).put("v", 7);
        Schema level = leaf;
        for (int i = 0; i < depth; i++) {
            level = nestedAt(nested, i);
            deep = new Struct(level).put("inner", deep);
        }
        Struct after = new Struct(row).put("id", 1).put("deep", deep)
                .put("list", List.of(new Struct(leaf).put("v", 1), new Struct(leaf).put("v", 2)))
                .put("map", Map.of("a", new Struct(leaf).put("v", 3)));

        task.put(List.of(good(P0, 0), change(P0, 1, after)));
        task.close(List.of(P0));

        assertThat(context.reported()).isEmpty();
        Map<String, Object> written = rows("customers").get(1);
        assertThat((String) written.get("deep")).startsWith("{\"inner\":".repeat(depth) + "{\"v\":7}")
                .endsWith("}".repeat(depth + 1));
        assertThat(written.get("list")).isEqualTo("[{\"v\":1},{\"v\":2}]");
        assertThat(written.get("map")).isEqualTo("{\"a\":{\"v\":3}}");
    }

    @Test
    void aSchemalessValueNestedDeeperThanAnyJsonParserAllowsIsWrittenOrReportedNeverCrashesTheTask() {
        TestSinkTaskContext context = new TestSinkTaskContext(true, P0);
        DeltaSinkTask task = start(context);
        Object deep = Map.of("v", 7L);
        for (int i = 0; i < 20_000; i++) {
            deep = Map.of("inner", i % 2 == 0 ? deep : List.of(deep));
        }
        Map<String, Object> value = new HashMap<>();
        value.put("id", 1L);
        value.put("deep", deep);
        Map<String, Object> plain = new HashMap<>();
        plain.put("id", 0L);
        plain.put("deep", "flat");

        task.put(List.of(raw(P0, 0, null, plain), raw(P0, 1, null, value), raw(P0, 2, null, plain)));
        task.close(List.of(P0));

        assertThat(context.reported()).singleElement().satisfies(r -> {
            assertThat(r.record().kafkaOffset()).isEqualTo(1L);
            assertThat(r.error().getMessage()).contains(TOPIC + "-0 offset 1").contains("column deep: cannot write")
                    .contains("nesting depth");
        });
        assertThat(offsets(rows("customers"))).containsExactly(0L, 2L);
    }

    @Test
    void aPoisonedRecordInEachOfTwoTopicsIsReportedAndTheRestOfBothIsWritten() {
        TestSinkTaskContext context = new TestSinkTaskContext(true, P0, Q0);
        DeltaSinkTask task = start(context);

        task.put(List.of(good(P0, 0), raw(P0, 1, Schema.STRING_SCHEMA, "poison"), good(Q0, 0), good(P0, 2),
                raw(Q0, 1, Schema.BYTES_SCHEMA, new byte[] {1}), good(Q0, 2)));
        assertThat(task.preCommit(Map.of(P0, new OffsetAndMetadata(3), Q0, new OffsetAndMetadata(3))))
                .containsEntry(P0, new OffsetAndMetadata(0)).containsEntry(Q0, new OffsetAndMetadata(0));
        task.close(List.of(P0, Q0));

        assertThat(context.reported()).extracting(r -> r.error().getMessage())
                .anySatisfy(m -> assertThat(m).contains(TOPIC + "-0 offset 1"))
                .anySatisfy(m -> assertThat(m).contains(OTHER + "-0 offset 1"))
                .hasSize(2);
        // Both topics' changes are of the same source table.
        assertThat(rows("customers")).extracting(r -> r.get("_cdc_kafka_topic") + "/" + r.get("_cdc_kafka_offset"))
                .containsExactlyInAnyOrder(TOPIC + "/0", TOPIC + "/2", OTHER + "/0", OTHER + "/2");
    }

    private static Schema nestedAt(Schema outermost, int index) {
        // index 0 is the innermost wrapper (level0), the outermost is level(depth-1).
        Schema s = outermost;
        while (!s.name().equals("level" + index)) {
            s = s.field("inner").schema();
        }
        return s;
    }
}
