package dev.cdcconnect.infer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

class InferSchemaKeyTest {

    private final InferSchema.Key<SinkRecord> transform = new InferSchema.Key<>();

    @AfterEach
    void close() {
        transform.close();
    }

    private static SinkRecord keyed(Object key) {
        return new SinkRecord("orders", 2, null, key, null, Records.schemaless("{\"qty\":1}"), 11);
    }

    @Test
    void objectKeyBecomesAStruct() {
        transform.configure(Map.of());
        SinkRecord out = transform.apply(keyed(Records.schemaless("{\"order_id\":17,\"store\":{\"id\":3}}")));
        Struct key = (Struct) out.key();
        key.validate();
        assertThat(key.getInt64("order_id")).isEqualTo(17L);
        assertThat(key.getInt64("store_id")).isEqualTo(3L);
        assertThat(out.keySchema().version()).isEqualTo(1);
        assertThat(out.valueSchema()).isNull();
        assertThat(out.value()).isEqualTo(Map.of("qty", 1L));
    }

    @Test
    void bareJsonKeyGetsAPrimitiveSchema() {
        transform.configure(Map.of("type.conflicts", "widen"));
        SinkRecord number = transform.apply(keyed(17L));
        assertThat(number.keySchema().type()).isEqualTo(Schema.Type.INT64);
        assertThat(number.key()).isEqualTo(17L);
        // JsonConverter gives a JSON string key as a schemaless String: a key, not JSON text
        SinkRecord text = transform.apply(keyed("order-18"));
        assertThat(text.keySchema().type()).isEqualTo(Schema.Type.STRING);
        assertThat(text.key()).isEqualTo("order-18");
        assertThat(transform.apply(keyed(19L)).key()).isEqualTo("19");
    }

    @Test
    void jsonTextKeyFromStringConverterIsParsed() {
        transform.configure(Map.of());
        SinkRecord record = new SinkRecord("orders", 0, Schema.STRING_SCHEMA, "{\"id\":5}", null, null, 3);
        SinkRecord out = transform.apply(record);
        assertThat(((Struct) out.key()).getInt64("id")).isEqualTo(5L);
    }

    @Test
    void keyWithSchemaPassesThrough() {
        transform.configure(Map.of());
        Schema schema = SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).build();
        SinkRecord record = new SinkRecord("orders", 0, schema, new Struct(schema).put("id", 1L), null, null, 3);
        assertThat(transform.apply(record)).isSameAs(record);
    }

    @Test
    void nullKeyPassesThrough() {
        transform.configure(Map.of());
        SinkRecord record = keyed(null);
        assertThat(transform.apply(record)).isSameAs(record);
    }

    @Test
    void tombstoneKeepsItsInferredKey() {
        transform.configure(Map.of());
        SinkRecord tombstone = new SinkRecord("orders", 0, null, Records.schemaless("{\"id\":5}"), null, null, 4);
        SinkRecord out = transform.apply(tombstone);
        assertThat(out.value()).isNull();
        assertThat(((Struct) out.key()).getInt64("id")).isEqualTo(5L);
    }

    @Test
    void keyFieldsBuildAKeyFromAValueThatHasASchema() {
        transform.configure(Map.of("key.fields", "id"));
        Schema schema = SchemaBuilder.struct().field("id", Schema.OPTIONAL_INT64_SCHEMA)
                .field("n", Schema.OPTIONAL_STRING_SCHEMA).build();
        SinkRecord record = new SinkRecord("orders", 0, null, null, schema,
                new Struct(schema).put("id", 9L).put("n", "x"), 5);
        SinkRecord out = transform.apply(record);
        assertThat(((Struct) out.key()).getInt64("id")).isEqualTo(9L);
        assertThat(out.keySchema().field("id").schema().isOptional()).isFalse();
        assertThat(out.value()).isSameAs(record.value());
    }

    @Test
    void keysWidenLikeValues() {
        transform.configure(Map.of("type.conflicts", "widen"));
        SinkRecord first = transform.apply(keyed(Records.schemaless("{\"id\":1}")));
        SinkRecord second = transform.apply(keyed(Records.schemaless("{\"id\":1.5}")));
        assertThat(first.keySchema().field("id").schema().type()).isEqualTo(Schema.Type.INT64);
        assertThat(second.keySchema().field("id").schema().type()).isEqualTo(Schema.Type.FLOAT64);
        assertThat(second.keySchema().version()).isEqualTo(2);
    }

    @Test
    void badKeyFailsNamingTheKeyAndTheRecord() {
        transform.configure(Map.of());
        SinkRecord record = new SinkRecord("orders", 2, Schema.STRING_SCHEMA, "{oops", null, null, 12);
        assertThatThrownBy(() -> transform.apply(record))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith("InferSchema could not infer the key schema of the record at topic orders "
                        + "partition 2 offset 12: not valid JSON text");
        assertThatThrownBy(() -> transform.apply(keyed(Records.schemaless("[1,2]"))))
                .hasMessageContaining("the document is a JSON array, but an object is needed");
    }
}
