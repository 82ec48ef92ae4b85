package dev.cdcconnect.infer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

class InferSchemaValueTest {

    private final InferSchema.Value<SinkRecord> transform = new InferSchema.Value<>();

    @AfterEach
    void close() {
        transform.close();
    }

    private SinkRecord apply(String json) {
        return apply(Records.json("orders", 7, json));
    }

    private SinkRecord apply(SinkRecord record) {
        SinkRecord out = transform.apply(record);
        if (out.value() instanceof Struct struct) {
            struct.validate();
        }
        return out;
    }

    private void configure(String... keyValues) {
        Map<String, String> props = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put(keyValues[i], keyValues[i + 1]);
        }
        transform.configure(props);
    }

    private static Schema.Type type(SinkRecord record, String field) {
        return record.valueSchema().field(field).schema().type();
    }

    private static Object get(SinkRecord record, String field) {
        return ((Struct) record.value()).get(field);
    }

    @Test
    void jsonTypesGetWideDefaultsAndEveryFieldIsOptional() {
        configure();
        SinkRecord out = apply("{\"id\":17,\"price\":9.5,\"paid\":true,\"customer\":\"ann\"}");

        assertThat(type(out, "id")).isEqualTo(Schema.Type.INT64);
        assertThat(type(out, "price")).isEqualTo(Schema.Type.FLOAT64);
        assertThat(type(out, "paid")).isEqualTo(Schema.Type.BOOLEAN);
        assertThat(type(out, "customer")).isEqualTo(Schema.Type.STRING);
        assertThat(out.valueSchema().fields()).allSatisfy(f -> assertThat(f.schema().isOptional()).isTrue());
        assertThat(out.valueSchema().version()).isEqualTo(1);
        assertThat(get(out, "id")).isEqualTo(17L);
        assertThat(get(out, "price")).isEqualTo(9.5);
        assertThat(get(out, "paid")).isEqualTo(true);
        assertThat(get(out, "customer")).isEqualTo("ann");
    }

    @Test
    void tombstonePassesThrough() {
        configure();
        SinkRecord tombstone = Records.keyed("orders", 3, "k", null);
        assertThat(transform.apply(tombstone)).isSameAs(tombstone);
    }

    @Test
    void recordWithSchemaPassesThroughUntouched() {
        configure();
        Schema schema = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA).build();
        SinkRecord record = Records.value("orders", 1, schema, new Struct(schema).put("id", 1));
        assertThat(transform.apply(record)).isSameAs(record);
    }

    @Test
    void jsonTextFromStringConverterIsParsed() {
        configure();
        SinkRecord out = apply(Records.value("orders", 1, Schema.OPTIONAL_STRING_SCHEMA, "{\"id\":1,\"n\":\"x\"}"));
        assertThat(get(out, "id")).isEqualTo(1L);
        assertThat(get(out, "n")).isEqualTo("x");
    }

    @Test
    void jsonBytesFromByteArrayConverterAreParsed() {
        configure();
        byte[] bytes = "{\"id\":1,\"a\":{\"b\":2}}".getBytes(StandardCharsets.UTF_8);
        SinkRecord out = apply(Records.value("orders", 1, Schema.OPTIONAL_BYTES_SCHEMA, bytes));
        assertThat(get(out, "a_b")).isEqualTo(2L);
    }

    @Test
    void nestedObjectsAreFlattenedWithTheDelimiter() {
        configure("flatten.delimiter", "__");
        SinkRecord out = apply("{\"customer\":{\"name\":\"ann\",\"address\":{\"city\":\"Oslo\"}}}");
        assertThat(get(out, "customer__name")).isEqualTo("ann");
        assertThat(get(out, "customer__address__city")).isEqualTo("Oslo");
        assertThat(out.valueSchema().fields()).hasSize(2);
    }

    @Test
    void nestedObjectsCanBeStructs() {
        configure("nested.mode", "struct");
        SinkRecord out = apply("{\"customer\":{\"name\":\"ann\",\"address\":{\"city\":\"Oslo\"}}}");
        Schema customer = out.valueSchema().field("customer").schema();
        assertThat(customer.type()).isEqualTo(Schema.Type.STRUCT);
        assertThat(customer.isOptional()).isTrue();
        Struct value = (Struct) get(out, "customer");
        assertThat(value.getStruct("address").getString("city")).isEqualTo("Oslo");
    }

    @Test
    void nestedObjectsCanBeJsonText() {
        configure("nested.mode", "json");
        SinkRecord out = apply("{\"customer\":{\"name\":\"ann\",\"tier\":2}}");
        assertThat(type(out, "customer")).isEqualTo(Schema.Type.STRING);
        assertThat(get(out, "customer")).asString().contains("\"name\":\"ann\"").contains("\"tier\":2");
    }

    @Test
    void arraysAreJsonTextByDefault() {
        configure();
        SinkRecord out = apply("{\"items\":[{\"sku\":\"a\",\"qty\":2}],\"tags\":[\"x\",\"y\"]}");
        assertThat(type(out, "items")).isEqualTo(Schema.Type.STRING);
        // JsonConverter hands objects over as HashMaps, so the key order inside the text is the map's
        assertThat(get(out, "items")).isIn("[{\"sku\":\"a\",\"qty\":2}]", "[{\"qty\":2,\"sku\":\"a\"}]");
        assertThat(get(out, "tags")).isEqualTo("[\"x\",\"y\"]");
    }

    @Test
    void arraysWhoseElementsAgreeCanBeConnectArrays() {
        configure("array.mode", "array");
        SinkRecord out = apply("{\"tags\":[\"x\",\"y\"],\"sizes\":[1,2.5],\"mixed\":[1,\"a\"],\"objects\":[{\"a\":1}]}");
        assertThat(out.valueSchema().field("tags").schema().valueSchema().type()).isEqualTo(Schema.Type.STRING);
        assertThat(get(out, "tags")).isEqualTo(List.of("x", "y"));
        assertThat(out.valueSchema().field("sizes").schema().valueSchema().type()).isEqualTo(Schema.Type.FLOAT64);
        assertThat(get(out, "sizes")).isEqualTo(List.of(1.0, 2.5));
        assertThat(type(out, "mixed")).isEqualTo(Schema.Type.STRING);
        assertThat(get(out, "mixed")).isEqualTo("[1,\"a\"]");
        assertThat(get(out, "objects")).isEqualTo("[{\"a\":1}]");
    }

    @Test
    void arrayWhoseElementsStopAgreeingBecomesJsonText() {
        configure("array.mode", "array", "type.conflicts", "widen");
        apply("{\"tags\":[1,2]}");
        SinkRecord out = apply("{\"tags\":[\"a\"]}");
        assertThat(type(out, "tags")).isEqualTo(Schema.Type.STRING);
        assertThat(get(out, "tags")).isEqualTo("[\"a\"]");
        assertThat(get(apply("{\"tags\":[1,2]}"), "tags")).isEqualTo("[1,2]");

        apply("{\"codes\":[\"a\"]}");
        SinkRecord numbers = apply("{\"codes\":[1.5]}");
        assertThat(type(numbers, "codes")).isEqualTo(Schema.Type.STRING);
        assertThat(get(numbers, "codes")).isEqualTo("[1.5]");
    }

    @Test
    void floatArrayTakesIntegerElementsWithoutChanging() {
        configure("array.mode", "array");
        SinkRecord floats = apply("{\"sizes\":[1.5]}");
        SinkRecord ints = apply("{\"sizes\":[2,3]}");
        assertThat(ints.valueSchema()).isSameAs(floats.valueSchema());
        assertThat(get(ints, "sizes")).isEqualTo(List.of(2.0, 3.0));
        assertThat(get(apply("{\"sizes\":[]}"), "sizes")).isEqualTo(List.of());
    }

    @Test
    void widensIntToFloatAcrossRecords() {
        configure("type.conflicts", "widen");
        SinkRecord first = apply("{\"qty\":2}");
        SinkRecord second = apply("{\"qty\":2.5}");
        SinkRecord third = apply("{\"qty\":3}");
        assertThat(type(first, "qty")).isEqualTo(Schema.Type.INT64);
        assertThat(type(second, "qty")).isEqualTo(Schema.Type.FLOAT64);
        assertThat(third.valueSchema()).isSameAs(second.valueSchema());
        assertThat(get(third, "qty")).isEqualTo(3.0);
        assertThat(second.valueSchema().version()).isEqualTo(2);
    }

    @Test
    void otherConflictsWidenToStringHoldingTheJsonText() {
        configure("type.conflicts", "widen");
        apply("{\"ref\":12,\"flag\":true,\"meta\":\"plain\"}");
        SinkRecord out = apply("{\"ref\":\"A-12\",\"flag\":1,\"meta\":{\"k\":[1,2]}}");
        assertThat(type(out, "ref")).isEqualTo(Schema.Type.STRING);
        assertThat(get(out, "ref")).isEqualTo("A-12");
        assertThat(get(out, "flag")).isEqualTo("1");
        // flattening still applies to an object under a field once seen as text: meta_k is its own field
        assertThat(get(out, "meta_k")).isEqualTo("[1,2]");
        SinkRecord later = apply("{\"ref\":13,\"flag\":false}");
        assertThat(get(later, "ref")).isEqualTo("13");
        assertThat(get(later, "flag")).isEqualTo("false");
    }

    @Test
    void structThatTurnsScalarWidensToStringInStructMode() {
        configure("nested.mode", "struct", "type.conflicts", "widen");
        apply("{\"meta\":{\"k\":1}}");
        SinkRecord out = apply("{\"meta\":5}");
        assertThat(type(out, "meta")).isEqualTo(Schema.Type.STRING);
        assertThat(get(out, "meta")).isEqualTo("5");
        assertThat(get(apply("{\"meta\":{\"k\":1}}"), "meta")).isEqualTo("{\"k\":1}");
    }

    @Test
    void fieldFirstSeenAsNullTakesTypeOfFirstNonNullValue() {
        configure();
        SinkRecord first = apply("{\"id\":1,\"discount\":null}");
        assertThat(first.valueSchema().field("discount")).isNull();
        SinkRecord second = apply("{\"id\":2,\"discount\":0.5}");
        assertThat(type(second, "discount")).isEqualTo(Schema.Type.FLOAT64);
        SinkRecord third = apply("{\"id\":3,\"discount\":null}");
        assertThat(third.valueSchema()).isSameAs(second.valueSchema());
        assertThat(get(third, "discount")).isNull();
    }

    @Test
    void optionalFieldsComingAndGoingKeepOneSchemaInstance() {
        configure();
        apply("{\"id\":1,\"note\":\"a\"}");
        SinkRecord withCoupon = apply("{\"id\":2,\"coupon\":\"X\"}");
        Schema schema = withCoupon.valueSchema();
        for (int i = 0; i < 20; i++) {
            String json = switch (i % 4) {
                case 0 -> "{\"id\":1}";
                case 1 -> "{\"id\":1,\"note\":\"b\"}";
                case 2 -> "{\"coupon\":\"Y\",\"id\":1}";
                default -> "{\"note\":null,\"coupon\":\"Z\",\"id\":4}";
            };
            assertThat(apply(json).valueSchema()).isSameAs(schema);
        }
        assertThat(schema.version()).isEqualTo(2);
        assertThat(schema.fields()).extracting(f -> f.name()).containsExactlyInAnyOrder("id", "note", "coupon");
        assertThat(schema.fields().get(2).name()).isEqualTo("coupon");
    }

    @Test
    void theSameShapeGivesTheSameSchemaInstance() {
        configure();
        SinkRecord a = apply("{\"id\":1,\"c\":{\"n\":\"x\"}}");
        SinkRecord b = apply("{\"c\":{\"n\":\"y\"},\"id\":2}");
        assertThat(b.valueSchema()).isSameAs(a.valueSchema());
    }

    @Test
    void topicsLearnSeparateSchemas() {
        configure();
        SinkRecord orders = apply(Records.json("orders", 1, "{\"id\":1}"));
        SinkRecord users = apply(Records.json("users", 1, "{\"id\":\"u1\"}"));
        assertThat(type(orders, "id")).isEqualTo(Schema.Type.INT64);
        assertThat(type(users, "id")).isEqualTo(Schema.Type.STRING);
    }

    @Test
    void isoTextStaysStringUnlessDetectionIsEnabled() {
        configure();
        SinkRecord out = apply("{\"at\":\"2024-05-01T10:15:30Z\",\"day\":\"2024-05-01\"}");
        assertThat(type(out, "at")).isEqualTo(Schema.Type.STRING);
        assertThat(type(out, "day")).isEqualTo(Schema.Type.STRING);
    }

    @Test
    void isoTextIsDetectedWhenEnabled() {
        configure("iso8601.detect", "true", "type.conflicts", "widen");
        SinkRecord out = apply("{\"at\":\"2024-05-01T10:15:30+02:00\",\"day\":\"2024-05-01\",\"n\":\"2024\"}");
        assertThat(out.valueSchema().field("at").schema().name()).isEqualTo(Timestamp.LOGICAL_NAME);
        assertThat(get(out, "at")).isEqualTo(java.util.Date.from(Instant.parse("2024-05-01T08:15:30Z")));
        assertThat(out.valueSchema().field("day").schema().name()).isEqualTo(Date.LOGICAL_NAME);
        assertThat(get(out, "day")).isEqualTo(new java.util.Date(LocalDate.parse("2024-05-01").toEpochDay() * 86_400_000L));
        assertThat(type(out, "n")).isEqualTo(Schema.Type.STRING);

        SinkRecord widened = apply("{\"at\":\"2024-05-02 08:00:00\",\"day\":\"2024-05-02T01:00:00Z\"}");
        assertThat(widened.valueSchema().field("day").schema().name()).isEqualTo(Timestamp.LOGICAL_NAME);
        SinkRecord text = apply("{\"at\":\"soon\"}");
        assertThat(type(text, "at")).isEqualTo(Schema.Type.STRING);
        assertThat(get(text, "at")).isEqualTo("soon");
    }

    @Test
    void typeHintsPinTypesOverInference() {
        configure("type.hints", "price:decimal(10,2), created_at:timestamp, day:date, id:int32, payload:json,"
                + "at:time, ok:boolean, code:string, customer.zip:int16");
        SinkRecord out = apply("{\"id\":42,\"price\":19.999,\"created_at\":\"2024-05-01T10:15:30Z\","
                + "\"day\":\"2024-05-01\",\"payload\":{\"a\":[1,\"x\"]},\"at\":\"10:15:30\",\"ok\":\"true\","
                + "\"code\":7,\"customer\":{\"zip\":\"0150\"}}");

        Schema price = out.valueSchema().field("price").schema();
        assertThat(price.name()).isEqualTo(Decimal.LOGICAL_NAME);
        assertThat(price.parameters()).containsEntry("connect.decimal.precision", "10").containsEntry("scale", "2");
        assertThat(get(out, "price")).isEqualTo(new BigDecimal("20.00"));
        assertThat(get(out, "created_at")).isEqualTo(java.util.Date.from(Instant.parse("2024-05-01T10:15:30Z")));
        assertThat(out.valueSchema().field("day").schema().name()).isEqualTo(Date.LOGICAL_NAME);
        assertThat(type(out, "id")).isEqualTo(Schema.Type.INT32);
        assertThat(get(out, "id")).isEqualTo(42);
        assertThat(out.valueSchema().field("payload").schema().name()).isEqualTo("io.debezium.data.Json");
        assertThat(get(out, "payload")).isEqualTo("{\"a\":[1,\"x\"]}");
        assertThat(out.valueSchema().field("at").schema().name()).isEqualTo(Time.LOGICAL_NAME);
        assertThat(get(out, "at")).isEqualTo(new java.util.Date((10 * 3600 + 15 * 60 + 30) * 1000L));
        assertThat(get(out, "ok")).isEqualTo(true);
        assertThat(get(out, "code")).isEqualTo("7");
        assertThat(get(out, "customer_zip")).isEqualTo((short) 150);
    }

    @Test
    void timestampHintReadsEpochMillis() {
        configure("type.hints", "created_at:timestamp");
        SinkRecord out = apply("{\"created_at\":1714558530000}");
        assertThat(get(out, "created_at")).isEqualTo(new java.util.Date(1714558530000L));
    }

    @Test
    void hintedFieldKeepsItsTypeWhateverComesLater() {
        configure("type.hints", "price:decimal(10,2)");
        SinkRecord first = apply("{\"price\":10}");
        SinkRecord second = apply("{\"price\":10.5}");
        assertThat(second.valueSchema()).isSameAs(first.valueSchema());
        assertThat(get(first, "price")).isEqualTo(new BigDecimal("10.00"));
        assertThat(get(second, "price")).isEqualTo(new BigDecimal("10.50"));
    }

    @Test
    void valueAHintCannotHoldFailsTheRecordNamingFieldAndHint() {
        configure("type.hints", "id:int32");
        apply("{\"id\":1}");
        assertThatThrownBy(() -> apply("{\"id\":\"abc\"}"))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("topic orders partition 0 offset 7")
                .hasMessageContaining("field 'id' has type hint int32 but its value \"abc\" is not a number");
        assertThatThrownBy(() -> apply("{\"id\":3000000000}"))
                .hasMessageContaining("out of range");
        assertThatThrownBy(() -> apply("{\"id\":1.5}"))
                .hasMessageContaining("has a fraction");
    }

    @Test
    void keyIsBuiltFromValueFieldsWhenTheRecordHasNone() {
        configure("key.fields", "order_id,store_id");
        SinkRecord out = apply("{\"order_id\":17,\"store_id\":3,\"qty\":1}");
        Struct key = (Struct) out.key();
        assertThat(key.getInt64("order_id")).isEqualTo(17L);
        assertThat(key.getInt64("store_id")).isEqualTo(3L);
        assertThat(out.keySchema().field("order_id").schema().isOptional()).isFalse();
        key.validate();
        SinkRecord next = apply("{\"order_id\":18,\"store_id\":3,\"note\":\"new field\"}");
        assertThat(next.keySchema()).isSameAs(out.keySchema());
    }

    @Test
    void everyKeyFormIsReplacedByTheKeyBuiltFromTheValue() {
        configure("key.fields", "order_id");
        Schema structKey = SchemaBuilder.struct().field("id", Schema.STRING_SCHEMA).build();
        List<SinkRecord> forms = List.of(
                new SinkRecord("orders", 0, Schema.OPTIONAL_STRING_SCHEMA, "k-1", null, value(17), 1),
                new SinkRecord("orders", 0, Schema.OPTIONAL_STRING_SCHEMA, "{\"order_id\":17}", null, value(17), 2),
                new SinkRecord("orders", 0, null, "17", null, value(17), 3),
                new SinkRecord("orders", 0, null, Records.schemaless("{\"order_id\":17}"), null, value(17), 4),
                new SinkRecord("orders", 0, null, 17L, null, value(17), 5),
                new SinkRecord("orders", 0, Schema.OPTIONAL_BYTES_SCHEMA, new byte[] {(byte) 0xff, 0}, null,
                        value(17), 6),
                new SinkRecord("orders", 0, structKey, new Struct(structKey).put("id", "x"), null, value(17), 7),
                new SinkRecord("orders", 0, null, null, null, value(17), 8));
        Schema keySchema = null;
        for (SinkRecord form : forms) {
            SinkRecord out = apply(form);
            assertThat(out.key()).as("key %s", form.key()).isInstanceOf(Struct.class);
            assertThat(((Struct) out.key()).getInt64("order_id")).isEqualTo(17L);
            keySchema = keySchema == null ? out.keySchema() : keySchema;
            assertThat(out.keySchema()).isSameAs(keySchema);
        }
    }

    @Test
    void tombstoneKeyBecomesTheKeyStructTypedAsTheValueTypesIt() {
        configure("key.fields", "order_id");
        Schema keySchema = apply("{\"order_id\":17,\"qty\":1}").keySchema();
        for (Object key : List.of("99001", "{\"order_id\":99001}", Records.schemaless("{\"order_id\":99001}"),
                99001L, "99001".getBytes(StandardCharsets.UTF_8))) {
            SinkRecord out = apply(new SinkRecord("orders", 0, null, key, null, null, 9));
            assertThat(out.value()).isNull();
            assertThat(out.keySchema()).as("key %s", key).isSameAs(keySchema);
            assertThat(((Struct) out.key()).getInt64("order_id")).isEqualTo(99001L);
        }
        for (Object key : List.of("k-1", "{\"id\":1}", "1.5")) {
            assertThatThrownBy(() -> apply(new SinkRecord("orders", 0, Schema.OPTIONAL_STRING_SCHEMA, key, null,
                    null, 10))).as("key %s", key).isInstanceOf(DataException.class)
                    .hasMessageContaining("tombstone at topic orders partition 0 offset 10")
                    .hasMessageContaining("order_id");
        }
        assertThatThrownBy(() -> apply(new SinkRecord("orders", 0, null, null, null, null, 11)))
                .isInstanceOf(DataException.class).hasMessageContaining("without a key names no row to delete");
    }

    @Test
    void tombstoneBeforeAnyValueFailsClearly() {
        configure("key.fields", "order_id");
        assertThatThrownBy(() -> apply(new SinkRecord("orders", 0, null, "5", null, null, 3)))
                .isInstanceOf(DataException.class).hasMessageContaining("before any value of the topic");
    }

    private static Object value(long orderId) {
        return Records.schemaless("{\"order_id\":" + orderId + ",\"qty\":1}");
    }

    @Test
    void missingKeyFieldFailsTheRecord() {
        configure("key.fields", "order_id");
        apply("{\"order_id\":17}");
        assertThatThrownBy(() -> apply("{\"qty\":1}"))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("topic orders partition 0 offset 7")
                .hasMessageContaining("key field 'order_id' is missing or null in the value");
    }

    @Test
    void textThatIsNotJsonFailsNamingTopicPartitionAndOffset() {
        configure();
        assertThatThrownBy(() -> apply(Records.value("orders", 41, Schema.OPTIONAL_STRING_SCHEMA, "order 17, 2 items")))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith("InferSchema could not infer the value schema of the record at topic orders"
                        + " partition 0 offset 41: not valid JSON text");
    }

    @Test
    void duplicateKeysInJsonTextFailRatherThanDropAValue() {
        configure();
        assertThatThrownBy(() -> apply(Records.value("orders", 1, Schema.STRING_SCHEMA, "{\"a\":1,\"a\":2}")))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("Duplicate field 'a'");
    }

    @Test
    void topLevelArrayFails() {
        configure();
        assertThatThrownBy(() -> apply("[{\"id\":1}]"))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("offset 7")
                .hasMessageContaining("the document is a JSON array, but an object is needed");
        assertThatThrownBy(() -> apply("42"))
                .hasMessageContaining("the document is a JSON number, but an object is needed");
    }

    @Test
    void nestingDeeperThanTheLimitFails() {
        configure("max.depth", "3");
        apply("{\"a\":{\"b\":{\"c\":1}}}");
        assertThatThrownBy(() -> apply("{\"a\":{\"b\":{\"c\":{\"d\":1}}}}"))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("offset 7")
                .hasMessageContaining("field 'a.b.c' nests deeper than max.depth=3");
        assertThatThrownBy(() -> apply("{\"a\":{\"b\":{\"c\":[1]}}}"))
                .hasMessageContaining("field 'a.b.c' nests deeper than max.depth=3");
        assertThatThrownBy(() -> apply(Records.value("orders", 7, Schema.STRING_SCHEMA, "{\"a\":[[[[1]]]]}")))
                .hasMessageContaining("nests deeper than max.depth=3");
    }

    @Test
    void twoFieldsThatFlattenToOneNameFail() {
        configure();
        assertThatThrownBy(() -> apply(Records.value("orders", 9,
                Schema.STRING_SCHEMA, "{\"a_b\":1,\"a\":{\"b\":2}}")))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("topic orders partition 0 offset 9")
                .hasMessageContaining("source fields 'a_b' and 'a.b' both flatten to 'a_b'");
    }

    @Test
    void flattenCollisionIsCaughtOnceBothPathsAreKnown() {
        configure();
        apply(Records.value("orders", 1, Schema.STRING_SCHEMA, "{\"a_b\":1}"));
        SinkRecord other = apply(Records.value("orders", 2, Schema.STRING_SCHEMA, "{\"a\":{\"b\":2}}"));
        assertThat(get(other, "a_b")).isEqualTo(2L);
        assertThatThrownBy(() -> apply(Records.value("orders", 3, Schema.STRING_SCHEMA, "{\"a\":{\"b\":2},\"a_b\":1}")))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("offset 3")
                .hasMessageContaining("both flatten to 'a_b'");
    }

    @Test
    void aRejectedRecordDoesNotWidenTheSchema() {
        configure("type.hints", "id:int32");
        SinkRecord first = apply("{\"id\":1}");
        assertThatThrownBy(() -> apply("{\"id\":\"x\",\"brand_new\":true}")).isInstanceOf(DataException.class);
        SinkRecord after = apply("{\"id\":2}");
        assertThat(after.valueSchema()).isSameAs(first.valueSchema());
        assertThat(after.valueSchema().field("brand_new")).isNull();
    }

    @Test
    void inputIsNeverMutated() {
        configure("key.fields", "id");
        Map<String, Object> customer = new LinkedHashMap<>(Map.of("name", "ann"));
        List<Object> items = new ArrayList<>(List.of(1L, 2L));
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("id", 1);
        value.put("customer", customer);
        value.put("items", items);
        value.put("none", null);
        Map<String, Object> copy = new LinkedHashMap<>(value);
        SinkRecord record = Records.value("orders", 1, value);
        SinkRecord out = apply(record);
        assertThat(value).isEqualTo(copy);
        assertThat(customer).isEqualTo(Map.of("name", "ann"));
        assertThat(items).containsExactly(1L, 2L);
        assertThat(record.value()).isSameAs(value);
        assertThat(record.key()).isNull();
        assertThat(get(out, "id")).isEqualTo(1L);
    }

    @Test
    void seededFieldsExistBeforeAnyRecordShowsThem() {
        configure("schema.seed", "orders:qty:float64, orders:tags:array<string>, users:id:string");
        SinkRecord out = apply("{\"id\":1,\"qty\":2}");
        assertThat(type(out, "qty")).isEqualTo(Schema.Type.FLOAT64);
        assertThat(get(out, "qty")).isEqualTo(2.0);
        assertThat(out.valueSchema().field("tags").schema().type()).isEqualTo(Schema.Type.ARRAY);
        assertThat(type(out, "id")).isEqualTo(Schema.Type.INT64);
    }

    @Test
    void versionComesFromTheBuild() {
        assertThat(transform.version()).isNotBlank().doesNotContain("${");
    }

    @Test
    void valueThatNeedsAPublishedTypeToChangeIsRejectedNamingFieldAndValueAndTheSchemaStays() {
        configure();
        SinkRecord first = apply("{\"order_id\":1,\"gift\":true}");
        assertThatThrownBy(() -> apply(Records.json("orders", 41, "{\"order_id\":99001,\"gift\":\"yes\"}")))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("topic orders partition 0 offset 41")
                .hasMessageContaining("field 'gift' is boolean in the published schema")
                .hasMessageContaining("its value \"yes\" is a string")
                .hasMessageContaining("left as it was");
        SinkRecord later = apply("{\"order_id\":2,\"gift\":false}");
        assertThat(later.valueSchema()).isSameAs(first.valueSchema());
        assertThat(later.valueSchema().version()).isEqualTo(1);
    }

    @Test
    void noValueIsChangedByDefault() {
        configure();
        SinkRecord first = apply("{\"id\":1,\"qty\":42,\"ref\":7,\"paid\":true,\"note\":\"n\",\"w\":1.5}");
        for (String changed : List.of("{\"qty\":42.5}", "{\"ref\":\"A-7\"}", "{\"paid\":\"no\"}",
                "{\"note\":12}", "{\"note\":false}", "{\"w\":9007199254740993}")) {
            assertThatThrownBy(() -> apply(changed)).as(changed).isInstanceOf(DataException.class)
                    .hasMessageContaining("in the published schema");
        }
        // values the published types hold exactly still go through, into the same schema
        SinkRecord exact = apply("{\"id\":2,\"qty\":3,\"w\":2,\"note\":\"m\"}");
        assertThat(exact.valueSchema()).isSameAs(first.valueSchema());
        assertThat(get(exact, "w")).isEqualTo(2.0);
    }

    @Test
    void fieldsAbsentForLongAndNestedObjectsAppearingLaterAreAddedByDefault() {
        configure();
        for (int i = 0; i < 1000; i++) {
            apply("{\"id\":" + i + "}");
        }
        SinkRecord later = apply("{\"id\":1000,\"late\":\"here\",\"meta\":{\"source\":\"web\"}}");
        assertThat(later.valueSchema().fields()).extracting(f -> f.name())
                .containsExactly("id", "late", "meta_source");
        assertThat(get(later, "late")).isEqualTo("here");
        assertThat(get(later, "meta_source")).isEqualTo("web");
    }

    @Test
    void recordWiderThanMaxFieldsIsRejectedAndTheSchemaStays() {
        configure();
        SinkRecord first = apply("{\"id\":1}");
        StringBuilder wide = new StringBuilder("{\"id\":2");
        for (int i = 0; i < 2000; i++) {
            wide.append(",\"f").append(i).append("\":").append(i);
        }
        String json = wide.append('}').toString();
        assertThatThrownBy(() -> apply(json)).isInstanceOf(DataException.class)
                .hasMessageContaining("take the schema to 2001 fields, more than max.fields=1000");
        assertThat(apply("{\"id\":3}").valueSchema()).isSameAs(first.valueSchema());
    }

    @Test
    void maxFieldsCountsNestedFieldsAcrossRecords() {
        configure("max.fields", "3", "nested.mode", "struct");
        apply("{\"id\":1,\"c\":{\"a\":1}}");
        apply("{\"id\":1,\"c\":{\"b\":1}}");
        assertThatThrownBy(() -> apply("{\"c\":{\"d\":1}}")).isInstanceOf(DataException.class)
                .hasMessageContaining("take the schema to 4 fields, more than max.fields=3 (it has 3)");
    }

    @Test
    void iso8601DetectionNeverDropsMicroseconds() {
        configure("iso8601.detect", "true");
        SinkRecord micros = apply("{\"at\":\"2024-03-01T13:45:30.123456Z\",\"t\":\"2024-03-01T13:45:30.123Z\"}");
        assertThat(type(micros, "at")).isEqualTo(Schema.Type.STRING);
        assertThat(get(micros, "at")).isEqualTo("2024-03-01T13:45:30.123456Z");
        assertThat(micros.valueSchema().field("t").schema().name()).isEqualTo(Timestamp.LOGICAL_NAME);
        assertThatThrownBy(() -> apply("{\"t\":\"2024-03-01T13:45:30.123456Z\"}"))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("field 't' is timestamp in the published schema")
                .hasMessageContaining("\"2024-03-01T13:45:30.123456Z\" is a string");
    }

    @Test
    void timestampHintRefusesWhatItWouldTruncateOrMisread() {
        configure("type.hints", "t:timestamp");
        assertThatThrownBy(() -> apply("{\"t\":\"2024-03-01T13:45:30.123456Z\"}"))
                .isInstanceOf(DataException.class).hasMessageContaining("use timestamp(micros)");
        // Debezium's MicroTimestamp read as milliseconds would be the year 56132
        assertThatThrownBy(() -> apply("{\"t\":1709300730123456}"))
                .isInstanceOf(DataException.class).hasMessageContaining("use timestamp(micros)");
        assertThat(get(apply("{\"t\":1709300730123}"), "t")).isEqualTo(new java.util.Date(1709300730123L));
    }

    @Test
    void timestampMicrosHintReadsDebeziumMicroTimestampsAndIsoTextToTheMicrosecond() {
        configure("type.hints", "t:timestamp(micros)");
        SinkRecord number = apply("{\"t\":1709300730123456}");
        assertThat(number.valueSchema().field("t").schema().name()).isEqualTo("io.debezium.time.MicroTimestamp");
        assertThat(number.valueSchema().field("t").schema().type()).isEqualTo(Schema.Type.INT64);
        assertThat(get(number, "t")).isEqualTo(1709300730123456L);
        assertThat(get(apply("{\"t\":\"2024-03-01T13:45:30.123456Z\"}"), "t")).isEqualTo(1709300730123456L);
        assertThat(get(apply("{\"t\":\"2024-03-01T14:45:30.123456+01:00\"}"), "t")).isEqualTo(1709300730123456L);
        assertThatThrownBy(() -> apply("{\"t\":\"2024-03-01T13:45:30.123456789Z\"}"))
                .isInstanceOf(DataException.class).hasMessageContaining("more precise than the microsecond");
    }

    @Test
    void decimalBase64HintReadsDebeziumPreciseDecimals() {
        configure("type.hints", "price:decimal(10,2,base64)");
        // 12345 unscaled is 0x3039; -1 is 0xff; Debezium writes the bytes as base64 in schemaless JSON
        assertThat(get(apply("{\"price\":\"MDk=\"}"), "price")).isEqualTo(new BigDecimal("123.45"));
        assertThat(get(apply("{\"price\":\"/w==\"}"), "price")).isEqualTo(new BigDecimal("-0.01"));
        // a variable-scale decimal: {"scale":1,"value":"Aw=="} is 0.3
        assertThat(get(apply("{\"price\":{\"scale\":1,\"value\":\"Aw==\"}}"), "price"))
                .isEqualTo(new BigDecimal("0.30"));
        assertThatThrownBy(() -> apply("{\"price\":{\"scale\":3,\"value\":\"MDk=\"}}"))
                .isInstanceOf(DataException.class).hasMessageContaining("more than 2 decimals");
        assertThatThrownBy(() -> apply("{\"price\":\"no*base64\"}"))
                .isInstanceOf(DataException.class).hasMessageContaining("not base64");
    }

    @Test
    void decimalHintOnDebeziumBase64SaysWhichHintReadsIt() {
        configure("type.hints", "price:decimal(10,2)");
        assertThatThrownBy(() -> apply("{\"price\":\"MDk=\"}"))
                .isInstanceOf(DataException.class).hasMessageContaining("use decimal(10,2,base64)");
    }

    @Test
    void timeHintsKeepOrRefuseDigitsBelowTheMillisecond() {
        configure("type.hints", "t:time,m:time(micros)");
        assertThatThrownBy(() -> apply("{\"t\":\"13:45:30.123456\"}"))
                .isInstanceOf(DataException.class).hasMessageContaining("use time(micros)");
        SinkRecord out = apply("{\"m\":\"13:45:30.123456\"}");
        assertThat(out.valueSchema().field("m").schema().name()).isEqualTo("io.debezium.time.MicroTime");
        assertThat(get(out, "m")).isEqualTo(49_530_123_456L);
        assertThat(get(apply("{\"m\":49530123456}"), "m")).isEqualTo(49_530_123_456L);
        assertThatThrownBy(() -> apply("{\"m\":86400000000}"))
                .isInstanceOf(DataException.class).hasMessageContaining("microseconds within a day");
    }
}
