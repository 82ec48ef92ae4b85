package dev.cdcconnect.infer.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cdcconnect.infer.store.SnapshotCodec;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

class TopicSchemaTest {

    private static InferenceSettings settings(NestedMode mode, ArrayMode arrays, Map<String, TypeHint> hints) {
        return new InferenceSettings(mode, "_", arrays, false, 16, hints);
    }

    private static TopicSchema topicSchema(InferenceSettings settings) {
        return new TopicSchema(settings, new JsonText(settings.maxDepth()), true);
    }

    private static Map<String, Object> doc(Object... keyValues) {
        Map<String, Object> doc = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            doc.put((String) keyValues[i], keyValues[i + 1]);
        }
        return doc;
    }

    private static Map<String, Schema.Type> types(Schema schema) {
        Map<String, Schema.Type> types = new LinkedHashMap<>();
        for (Field f : schema.fields()) {
            types.put(f.name(), f.schema().type());
        }
        return types;
    }

    @Test
    void restartedSchemaIsNeverNarrowerThanTheStoredOne() {
        InferenceSettings settings = settings(NestedMode.FLATTEN, ArrayMode.JSON, Map.of());
        TopicSchema before = topicSchema(settings);
        before.infer(doc("id", 1L, "qty", 2L));
        before.infer(doc("id", 2L, "qty", 2.5, "ref", "A-1"));
        before.infer(doc("id", 3L, "ref", 7L, "customer", doc("name", "ann")));
        Schema learned = before.schema();

        TopicSchema after = topicSchema(settings);
        after.restore(SnapshotCodec.decode(SnapshotCodec.encode(before.snapshot())));
        Struct narrow = (Struct) after.infer(doc("id", 4L, "qty", 1L, "ref", 8L));

        assertThat(after.schema()).isEqualTo(learned);
        assertThat(after.version()).isEqualTo(before.version());
        assertThat(types(after.schema())).containsExactly(Map.entry("id", Schema.Type.INT64),
                Map.entry("qty", Schema.Type.FLOAT64), Map.entry("ref", Schema.Type.STRING),
                Map.entry("customer_name", Schema.Type.STRING));
        assertThat(narrow.get("qty")).isEqualTo(1.0);
        assertThat(narrow.get("ref")).isEqualTo("8");
    }

    @Test
    void restoredNestedStructsAndArraysKeepTheirTypes() {
        InferenceSettings settings = settings(NestedMode.STRUCT, ArrayMode.ARRAY, Map.of());
        TopicSchema before = topicSchema(settings);
        before.infer(doc("c", doc("n", "x", "q", 1.5), "tags", List.of("a")));
        TopicSchema after = topicSchema(settings);
        after.restore(SnapshotCodec.decode(SnapshotCodec.encode(before.snapshot())));
        assertThat(after.schema()).isEqualTo(before.schema());
        Struct value = (Struct) after.infer(doc("c", doc("q", 2L), "tags", List.of("b")));
        assertThat(value.getStruct("c").get("q")).isEqualTo(2.0);
        assertThat(after.version()).isEqualTo(1);
    }

    @Test
    void schemasStoredByTwoTasksAreUnited() {
        InferenceSettings settings = settings(NestedMode.FLATTEN, ArrayMode.JSON, Map.of());
        TopicSchema a = topicSchema(settings);
        a.infer(doc("id", 1L, "qty", 2.5));
        TopicSchema b = topicSchema(settings);
        b.infer(doc("id", 1L));
        b.infer(doc("id", 1L, "note", "x"));
        b.infer(doc("id", 1L, "qty", 3L));

        TopicSchema merged = topicSchema(settings);
        merged.restore(b.snapshot());
        assertThat(merged.widen(a.snapshot())).isTrue();
        assertThat(types(merged.schema())).containsEntry("qty", Schema.Type.FLOAT64).containsKeys("id", "note");
        assertThat(merged.version()).isGreaterThan(b.version());
    }

    @Test
    void hintedFieldsAreStoredInPlaceAndRestoredWithTheirHint() {
        InferenceSettings settings = settings(NestedMode.FLATTEN, ArrayMode.JSON,
                Map.of("price", TypeHint.parse("decimal(10,2)")));
        TopicSchema schema = topicSchema(settings);
        schema.infer(doc("id", 1L, "price", 2.5));
        assertThat(schema.snapshot().root().fields()).containsExactly(FieldSpec.primitive("id", "int64"),
                FieldSpec.primitive("price", "float64"));
        TopicSchema restored = topicSchema(settings);
        restored.restore(SnapshotCodec.decode(SnapshotCodec.encode(schema.snapshot())));
        assertThat(restored.schema()).isEqualTo(schema.schema());
        Struct value = (Struct) restored.infer(doc("id", 2L, "price", 3.25));
        assertThat(value.schema()).isSameAs(restored.schema());
        assertThat(restored.version()).isEqualTo(schema.version());
    }

    @Test
    void seededFieldsWidenButStartWithTheirType() {
        TopicSchema schema = topicSchema(settings(NestedMode.FLATTEN, ArrayMode.JSON, Map.of()));
        assertThat(schema.widen(List.of(FieldSpec.parse("qty", "float64")))).isTrue();
        Struct value = (Struct) schema.infer(doc("qty", 1L, "x", true));
        assertThat(value.get("qty")).isEqualTo(1.0);
        schema.infer(doc("qty", "many"));
        assertThat(schema.schema().field("qty").schema().type()).isEqualTo(Schema.Type.STRING);
    }
}
