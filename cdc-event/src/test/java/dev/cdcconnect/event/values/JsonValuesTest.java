package dev.cdcconnect.event.values;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.junit.jupiter.api.Test;

class JsonValuesTest {

    private static final JsonValues NUMBERS = new JsonValues(JsonValues.DecimalFormat.NUMBER);
    private static final JsonValues STRINGS = new JsonValues(JsonValues.DecimalFormat.STRING);

    private static String json(JsonValues values, Object value, Schema schema) {
        return new String(values.toBytes(value, schema), StandardCharsets.UTF_8);
    }

    @Test
    void connectLogicalTypesHaveDocumentedForms() {
        Schema schema = SchemaBuilder.struct()
                .field("price", Decimal.schema(2))
                .field("born", org.apache.kafka.connect.data.Date.SCHEMA)
                .field("opens", Time.SCHEMA)
                .field("seen", Timestamp.SCHEMA)
                .field("photo", Schema.BYTES_SCHEMA)
                .build();
        Struct row = new Struct(schema)
                .put("price", new BigDecimal("12345678901234567890.05"))
                .put("born", Date.from(LocalDate.of(2024, 3, 1).atStartOfDay().toInstant(java.time.ZoneOffset.UTC)))
                .put("opens", new Date(13 * 3_600_000L + 45 * 60_000L + 10_123L))
                .put("seen", Date.from(Instant.parse("2024-03-01T13:45:10.123Z")))
                .put("photo", new byte[] {1, 2, 3});

        assertThat(json(NUMBERS, row, schema)).isEqualTo("{\"price\":12345678901234567890.05,\"born\":\"2024-03-01\","
                + "\"opens\":\"13:45:10.123\",\"seen\":\"2024-03-01T13:45:10.123Z\",\"photo\":\"AQID\"}");
        assertThat(json(STRINGS, row, schema)).startsWith("{\"price\":\"12345678901234567890.05\"");
    }

    @Test
    void debeziumTemporalTypesHaveIsoForms() {
        Schema schema = SchemaBuilder.struct()
                .field("d", SchemaBuilder.int32().name("io.debezium.time.Date").build())
                .field("t", SchemaBuilder.int64().name("io.debezium.time.MicroTime").build())
                .field("ts", SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp").build())
                .field("ms", SchemaBuilder.int64().name("io.debezium.time.Timestamp").build())
                .field("z", SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").build())
                .build();
        long micros = Instant.parse("2024-03-01T13:45:10.123456Z").getEpochSecond() * 1_000_000L + 123_456L;
        Struct row = new Struct(schema)
                .put("d", (int) LocalDate.of(2024, 3, 1).toEpochDay())
                .put("t", (13 * 3600L + 45 * 60 + 10) * 1_000_000L + 5)
                .put("ts", micros)
                .put("ms", Instant.parse("2024-03-01T13:45:10.120Z").toEpochMilli())
                .put("z", "2024-03-01T13:45:10.123+01:00");

        assertThat(json(NUMBERS, row, schema)).isEqualTo("{\"d\":\"2024-03-01\",\"t\":\"13:45:10.000005\","
                + "\"ts\":\"2024-03-01T13:45:10.123456\",\"ms\":\"2024-03-01T13:45:10.120\","
                + "\"z\":\"2024-03-01T13:45:10.123+01:00\"}");
    }

    @Test
    void variableScaleDecimalAndJsonColumnsAreWrittenAsValues() {
        Schema vsd = SchemaBuilder.struct().name("io.debezium.data.VariableScaleDecimal")
                .field("scale", Schema.INT32_SCHEMA).field("value", Schema.BYTES_SCHEMA).optional().build();
        Schema schema = SchemaBuilder.struct()
                .field("n", vsd)
                .field("doc", SchemaBuilder.string().name("io.debezium.data.Json").optional().build())
                .field("bad", SchemaBuilder.string().name("io.debezium.data.Json").optional().build())
                .build();
        Struct row = new Struct(schema)
                .put("n", new Struct(vsd).put("scale", 3).put("value", BigInteger.valueOf(-12345).toByteArray()))
                .put("doc", "{\"a\": [1, true]}")
                .put("bad", "{not json");

        assertThat(json(NUMBERS, row, schema)).isEqualTo("{\"n\":-12.345,\"doc\":{\"a\":[1,true]},\"bad\":\"{not json\"}");
    }

    @Test
    void schemalessValuesAreWrittenAsTheyAre() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", 1);
        row.put("score", 2.5);
        row.put("tags", List.of("a", "b"));
        row.put("blob", ByteBuffer.wrap(new byte[] {1, 2, 3}));
        row.put("nested", Map.of("k", new BigDecimal("1.10")));
        row.put("none", null);
        row.put("nan", Double.NaN);

        assertThat(json(NUMBERS, row, null)).isEqualTo("{\"id\":1,\"score\":2.5,\"tags\":[\"a\",\"b\"],"
                + "\"blob\":\"AQID\",\"nested\":{\"k\":1.10},\"none\":null,\"nan\":\"NaN\"}");
    }

    @Test
    void mapsWithStructKeysBecomePairs() {
        Schema keySchema = SchemaBuilder.struct().field("a", Schema.INT32_SCHEMA).build();
        Schema mapSchema = SchemaBuilder.map(keySchema, Schema.STRING_SCHEMA).build();

        assertThat(json(NUMBERS, Map.of(new Struct(keySchema).put("a", 1), "x"), mapSchema))
                .isEqualTo("[[{\"a\":1},\"x\"]]");
    }

    @Test
    void textFormIsUnquoted() {
        assertThat(NUMBERS.toText("a\"b", Schema.STRING_SCHEMA)).isEqualTo("a\"b");
        assertThat(NUMBERS.toText(42L, Schema.INT64_SCHEMA)).isEqualTo("42");
        assertThat(NUMBERS.toText(Date.from(Instant.parse("2024-03-01T00:00:00Z")),
                org.apache.kafka.connect.data.Date.SCHEMA)).isEqualTo("2024-03-01");
    }

    @Test
    void timesPastMidnightAndDurationsAreWrittenAsTheDatabasesWriteThem() {
        Schema schema = SchemaBuilder.struct()
                .field("last", SchemaBuilder.int64().name("io.debezium.time.MicroTime").build())
                .field("end", SchemaBuilder.int64().name("io.debezium.time.MicroTime").build())
                .field("duration", SchemaBuilder.int64().name("io.debezium.time.MicroTime").build())
                .field("negative", SchemaBuilder.int64().name("io.debezium.time.MicroTime").build())
                .build();
        Struct row = new Struct(schema)
                .put("last", 86_399_999_999L)
                .put("end", 86_400_000_000L)
                .put("duration", 30 * 3_600_000_000L)
                .put("negative", -5_400_000_000L);

        // 30:00:00 was written as 24:00:00, a negative duration failed the record
        assertThat(json(NUMBERS, row, schema)).isEqualTo("{\"last\":\"23:59:59.999999\",\"end\":\"24:00:00\","
                + "\"duration\":\"30:00:00\",\"negative\":\"-01:30:00\"}");
    }

    @Test
    void nanoTimestampsBefore1970AndFarAheadKeepEveryNanosecond() {
        Schema schema = SchemaBuilder.struct()
                .field("before", SchemaBuilder.int64().name("io.debezium.time.NanoTimestamp").build())
                .field("last", SchemaBuilder.int64().name("io.debezium.time.NanoTimestamp").build())
                .field("leap", SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp").build())
                .build();
        Struct row = new Struct(schema)
                .put("before", -1_500L)
                .put("last", Long.MAX_VALUE)
                .put("leap", Instant.parse("1904-02-29T12:00:00.000001Z").getEpochSecond() * 1_000_000L + 1);

        assertThat(json(NUMBERS, row, schema)).isEqualTo("{\"before\":\"1969-12-31T23:59:59.999998500\","
                + "\"last\":\"2262-04-11T23:47:16.854775807\",\"leap\":\"1904-02-29T12:00:00.000001\"}");
    }

    @Test
    void decimalsOfNegativeScaleAreWrittenWithPlainDigits() {
        Schema schema = SchemaBuilder.struct().field("n", Decimal.schema(-3)).build();
        Struct row = new Struct(schema).put("n", new BigDecimal(BigInteger.valueOf(-42), -3));

        assertThat(json(NUMBERS, row, schema)).isEqualTo("{\"n\":-42000}");
        assertThat(json(STRINGS, row, schema)).isEqualTo("{\"n\":\"-42000\"}");
    }

    @Test
    void floatsAreWrittenAsFloatsNotAsTheDoublesTheyWidenTo() {
        Schema schema = SchemaBuilder.struct().field("f", Schema.FLOAT32_SCHEMA).field("d", Schema.FLOAT64_SCHEMA)
                .field("nan", Schema.FLOAT32_SCHEMA).build();
        Struct row = new Struct(schema).put("f", 0.1f).put("d", 0.1d).put("nan", Float.NEGATIVE_INFINITY);
        Map<String, Object> schemaless = new LinkedHashMap<>();
        schemaless.put("f", 0.1f);

        assertThat(json(NUMBERS, row, schema)).isEqualTo("{\"f\":0.1,\"d\":0.1,\"nan\":\"-Infinity\"}");
        assertThat(json(NUMBERS, schemaless, null)).isEqualTo("{\"f\":0.1}");
    }
}
