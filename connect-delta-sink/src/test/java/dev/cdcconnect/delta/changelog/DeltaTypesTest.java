package dev.cdcconnect.delta.changelog;

import static org.assertj.core.api.Assertions.assertThat;

import io.delta.kernel.types.DateType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.TimestampNTZType;
import io.delta.kernel.types.TimestampType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

class DeltaTypesTest {

    private static Object convert(Schema schema, Object value) {
        return DeltaTypes.plan("c", schema).converter().convert(value);
    }

    private static Schema named(SchemaBuilder builder, String name) {
        return builder.name(name).build();
    }

    @Test
    void nanoTimestampsBefore1970RoundDownToTheMicrosecond() {
        Schema nano = named(SchemaBuilder.int64(), "io.debezium.time.NanoTimestamp");
        assertThat(DeltaTypes.plan("c", nano).type()).isEqualTo(TimestampNTZType.TIMESTAMP_NTZ);
        // 1969-12-31T23:59:59.999998500 is in the microsecond that starts at -2, as Instant.truncatedTo has it
        // (was -1: division toward zero moved it a microsecond later)
        assertThat(convert(nano, -1_500L)).isEqualTo(-2L);
        assertThat(convert(nano, 1_500L)).isEqualTo(1L);
        assertThat(convert(nano, Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE / 1_000);
        Schema micro = named(SchemaBuilder.int64(), "io.debezium.time.MicroTimestamp");
        assertThat(convert(micro, -1L)).isEqualTo(-1L);
    }

    @Test
    void datesTimesAndZonedTimestamps() {
        Date leapDay = Date.from(LocalDate.of(1904, 2, 29).atStartOfDay(ZoneOffset.UTC).toInstant());
        assertThat(DeltaTypes.plan("c", org.apache.kafka.connect.data.Date.SCHEMA).type()).isEqualTo(DateType.DATE);
        assertThat(convert(org.apache.kafka.connect.data.Date.SCHEMA, leapDay))
                .isEqualTo((int) LocalDate.of(1904, 2, 29).toEpochDay());
        Schema microTime = named(SchemaBuilder.int64(), "io.debezium.time.MicroTime");
        assertThat(DeltaTypes.plan("c", microTime).type()).isEqualTo(LongType.LONG);
        assertThat(convert(microTime, 86_399_999_999L)).isEqualTo(86_399_999_999L);
        assertThat(convert(named(SchemaBuilder.int64(), "io.debezium.time.NanoTime"), 86_400_000_000_000L))
                .isEqualTo(86_400_000_000L);
        Schema zoned = named(SchemaBuilder.string(), "io.debezium.time.ZonedTimestamp");
        assertThat(DeltaTypes.plan("c", zoned).type()).isEqualTo(TimestampType.TIMESTAMP);
        assertThat(convert(zoned, "1969-12-31T23:59:59.999999+00:00")).isEqualTo(-1L);
    }

    @Test
    void variableScaleDecimalsKeepTheirDigits() {
        Schema vsd = SchemaBuilder.struct().name("io.debezium.data.VariableScaleDecimal")
                .field("scale", Schema.INT32_SCHEMA).field("value", Schema.BYTES_SCHEMA).build();
        assertThat(DeltaTypes.plan("c", vsd).type()).isEqualTo(StringType.STRING);
        assertThat(convert(vsd, new Struct(vsd).put("scale", -2).put("value", BigInteger.valueOf(-7).toByteArray())))
                .isEqualTo("-700");
    }

    @Test
    void nestedValuesAreTheJsonTheOtherSinksWriteWithTheirLogicalTypes() {
        Schema user = SchemaBuilder.struct()
                .field("born", org.apache.kafka.connect.data.Date.SCHEMA)
                .field("seen", named(SchemaBuilder.int64(), "io.debezium.time.MicroTimestamp"))
                .field("credit", Decimal.schema(-3))
                .build();
        Struct value = new Struct(user)
                .put("born", Date.from(LocalDate.of(2024, 2, 29).atStartOfDay(ZoneOffset.UTC).toInstant()))
                .put("seen", 1_000_001L)
                .put("credit", new BigDecimal(BigInteger.valueOf(5), -3));

        // was {"born":"2024-02-29T00:00:00Z","seen":1000001,"credit":5E+3}
        assertThat(convert(user, value))
                .isEqualTo("{\"born\":\"2024-02-29\",\"seen\":\"1970-01-01T00:00:01.000001\",\"credit\":5000}");

        Map<String, Object> schemaless = new LinkedHashMap<>();
        schemaless.put("n", 1L);
        schemaless.put("f", 0.1f);
        assertThat(DeltaTypes.planFor("c", schemaless).converter().convert(schemaless)).isEqualTo("{\"n\":1,\"f\":0.1}");
    }
}
