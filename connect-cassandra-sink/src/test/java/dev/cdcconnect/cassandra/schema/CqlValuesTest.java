package dev.cdcconnect.cassandra.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.type.DataTypes;
import com.datastax.oss.driver.api.core.type.codec.registry.CodecRegistry;
import dev.cdcconnect.event.values.JsonValues;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalTime;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

class CqlValuesTest {

    private static final CqlValues VALUES = new CqlValues(CodecRegistry.DEFAULT);

    private static Schema named(SchemaBuilder builder, String name) {
        return builder.name(name).optional().build();
    }

    @Test
    void aStructInATextColumnIsTheJsonTheOtherSinksWrite() {
        Schema schema = SchemaBuilder.struct()
                .field("amount", Decimal.schema(-3))
                .field("placed", named(SchemaBuilder.int64(), "io.debezium.time.MicroTimestamp"))
                .field("doc", named(SchemaBuilder.string(), "io.debezium.data.Json"))
                .field("weight", Schema.FLOAT32_SCHEMA)
                .build();
        Struct row = new Struct(schema)
                .put("amount", new BigDecimal(BigInteger.valueOf(-42), -3))
                .put("placed", -1L)
                .put("doc", "{\"a\": [1, true]}")
                .put("weight", 0.1f);

        Object text = VALUES.convert(row, schema, DataTypes.TEXT);

        // was {"amount":-4.2E+4,"placed":"1969-12-31T23:59:59.999999Z","doc":"{\"a\": [1, true]}",
        // "weight":0.10000000149011612}
        assertThat(text).isEqualTo("{\"amount\":-42000,\"placed\":\"1969-12-31T23:59:59.999999\","
                + "\"doc\":{\"a\":[1,true]},\"weight\":0.1}");
        assertThat(text).isEqualTo(new String(new JsonValues(JsonValues.DecimalFormat.NUMBER).toBytes(row, schema),
                StandardCharsets.UTF_8));
    }

    @Test
    void debeziumTimestampsAreInstantsReadAsUtcToTheMicrosecond() {
        assertThat(VALUES.convert(-1_500L, named(SchemaBuilder.int64(), "io.debezium.time.NanoTimestamp"),
                DataTypes.TIMESTAMP)).isEqualTo(Instant.parse("1969-12-31T23:59:59.999998500Z"));
        assertThat(VALUES.convert("2024-02-29T23:30:00+05:30",
                named(SchemaBuilder.string(), "io.debezium.time.ZonedTimestamp"), DataTypes.TIMESTAMP))
                .isEqualTo(Instant.parse("2024-02-29T18:00:00Z"));
        assertThat(VALUES.convert(86_399_999_999L, named(SchemaBuilder.int64(), "io.debezium.time.MicroTime"),
                DataTypes.TIME)).isEqualTo(LocalTime.of(23, 59, 59, 999_999_000));
    }

    @Test
    void aVariableScaleDecimalInAByteBufferIsADecimal() {
        Schema vsd = SchemaBuilder.struct().name("io.debezium.data.VariableScaleDecimal")
                .field("scale", Schema.INT32_SCHEMA).field("value", Schema.BYTES_SCHEMA).build();
        Struct value = new Struct(vsd).put("scale", 2)
                .put("value", ByteBuffer.wrap(BigInteger.valueOf(-12345).toByteArray()));

        // was a ClassCastException
        assertThat(VALUES.convert(value, vsd, DataTypes.DECIMAL)).isEqualTo(new BigDecimal("-123.45"));
    }

    @Test
    void valuesTheirLogicalTypeCannotHoldFailAsBadValuesNamingTheColumnType() {
        // were a DateTimeException and a DateTimeParseException, not the error of a bad value
        assertThatThrownBy(() -> VALUES.convert(86_400_000_000L,
                named(SchemaBuilder.int64(), "io.debezium.time.MicroTime"), DataTypes.TIME))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("to a time column").hasMessageContaining("24:00:00");
        assertThatThrownBy(() -> VALUES.convert("tomorrow",
                named(SchemaBuilder.string(), "io.debezium.time.ZonedTimestamp"), DataTypes.TIMESTAMP))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("to a timestamp column").hasMessageContaining("tomorrow");
    }
}
