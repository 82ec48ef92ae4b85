package dev.cdcconnect.event.values;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.UUID;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.Test;

class LogicalTypesTest {

    private static final Schema VARIABLE_SCALE_DECIMAL = SchemaBuilder.struct()
            .name(LogicalTypes.DEBEZIUM_VARIABLE_SCALE_DECIMAL)
            .field("scale", Schema.INT32_SCHEMA).field("value", Schema.BYTES_SCHEMA).optional().build();

    private static Schema named(SchemaBuilder builder, String name) {
        return builder.name(name).build();
    }

    private static Object decode(Object value, Schema schema) {
        return LogicalTypes.decode(value, schema);
    }

    // ---- decimals

    @Test
    void decimalsKeepEveryDigitAndTheirScale() {
        BigDecimal huge = new BigDecimal("-123456789012345678901234567890123456789.000000001");
        assertThat(decode(huge, Decimal.schema(9))).isEqualTo(huge);
        BigDecimal negativeScale = new BigDecimal(BigInteger.valueOf(123), -5);
        assertThat(decode(negativeScale, Decimal.schema(-5))).isEqualTo(negativeScale);
        assertThat(((BigDecimal) decode(negativeScale, Decimal.schema(-5))).toPlainString()).isEqualTo("12300000");
    }

    @Test
    void variableScaleDecimalsOfAnyScaleSignAndSize() {
        BigInteger unscaled = new BigInteger("-98765432109876543210987654321098765432109876543210");
        Struct negative = new Struct(VARIABLE_SCALE_DECIMAL).put("scale", 20).put("value", unscaled.toByteArray());
        assertThat(decode(negative, VARIABLE_SCALE_DECIMAL)).isEqualTo(new BigDecimal(unscaled, 20));

        Struct negativeScale = new Struct(VARIABLE_SCALE_DECIMAL).put("scale", -3)
                .put("value", ByteBuffer.wrap(BigInteger.valueOf(42).toByteArray()));
        assertThat(((BigDecimal) decode(negativeScale, VARIABLE_SCALE_DECIMAL)).toPlainString()).isEqualTo("42000");

        Struct zero = new Struct(VARIABLE_SCALE_DECIMAL).put("scale", 0).put("value", new byte[] {0});
        assertThat(decode(zero, VARIABLE_SCALE_DECIMAL)).isEqualTo(BigDecimal.ZERO);
    }

    @Test
    void variableScaleDecimalWithoutItsFieldsStaysAStruct() {
        Schema odd = SchemaBuilder.struct().name(LogicalTypes.DEBEZIUM_VARIABLE_SCALE_DECIMAL)
                .field("digits", Schema.STRING_SCHEMA).build();
        Struct value = new Struct(odd).put("digits", "1.5");
        assertThat(decode(value, odd)).isSameAs(value);
    }

    // ---- dates

    @Test
    void datesIncludingLeapDaysAndBefore1970() {
        LocalDate leapDay = LocalDate.of(2024, 2, 29);
        assertThat(decode((int) leapDay.toEpochDay(), named(SchemaBuilder.int32(), LogicalTypes.DEBEZIUM_DATE)))
                .isEqualTo(leapDay);
        LocalDate old = LocalDate.of(1900, 2, 28);
        assertThat(decode((int) old.toEpochDay(), named(SchemaBuilder.int32(), LogicalTypes.DEBEZIUM_DATE)))
                .isEqualTo(old);
        Date connectDate = Date.from(LocalDate.of(1600, 2, 29).atStartOfDay(ZoneOffset.UTC).toInstant());
        assertThat(decode(connectDate, org.apache.kafka.connect.data.Date.SCHEMA)).isEqualTo(LocalDate.of(1600, 2, 29));
    }

    // ---- times

    @Test
    void timesToTheNanosecondUpToTheLastOfTheDay() {
        long lastMicro = 86_399_999_999L;
        assertThat(decode(lastMicro, named(SchemaBuilder.int64(), LogicalTypes.DEBEZIUM_MICRO_TIME)))
                .isEqualTo(LocalTime.of(23, 59, 59, 999_999_000));
        assertThat(decode(86_399_999_999_999L, named(SchemaBuilder.int64(), LogicalTypes.DEBEZIUM_NANO_TIME)))
                .isEqualTo(LocalTime.of(23, 59, 59, 999_999_999));
        assertThat(decode(86_399_999, named(SchemaBuilder.int32(), LogicalTypes.DEBEZIUM_TIME)))
                .isEqualTo(LocalTime.of(23, 59, 59, 999_000_000));
        assertThat(decode(new Date(86_399_999L), Time.SCHEMA)).isEqualTo(LocalTime.of(23, 59, 59, 999_000_000));
        assertThat(decode(0L, named(SchemaBuilder.int64(), LogicalTypes.DEBEZIUM_MICRO_TIME))).isEqualTo(LocalTime.MIDNIGHT);
    }

    @Test
    void timesALocalTimeCannotHoldFailNamingTheValue() {
        Schema micro = named(SchemaBuilder.int64(), LogicalTypes.DEBEZIUM_MICRO_TIME);
        assertThatThrownBy(() -> decode(86_400_000_000L, micro)).isInstanceOf(DataException.class)
                .hasMessageContaining("24:00:00").hasMessageContaining(LogicalTypes.DEBEZIUM_MICRO_TIME);
        assertThatThrownBy(() -> decode(-5_400_000_000L, micro)).isInstanceOf(DataException.class)
                .hasMessageContaining("-01:30:00");
        assertThat(LogicalTypes.nanosOfDay(86_400_000_000L, micro)).isEqualTo(LogicalTypes.NANOS_PER_DAY);
    }

    @Test
    void timeOfDayTextWritesWhatLocalTimeCannotAsTheDatabasesDo() {
        assertThat(LogicalTypes.timeOfDayText(13 * 3_600_000_000_000L + 45 * 60_000_000_000L)).isEqualTo("13:45");
        assertThat(LogicalTypes.timeOfDayText(86_399_999_999_000L)).isEqualTo("23:59:59.999999");
        assertThat(LogicalTypes.timeOfDayText(LogicalTypes.NANOS_PER_DAY)).isEqualTo("24:00:00");
        assertThat(LogicalTypes.timeOfDayText(30 * 3_600_000_000_000L)).isEqualTo("30:00:00");
        assertThat(LogicalTypes.timeOfDayText((838 * 3600L + 59 * 60 + 59) * 1_000_000_000L + 1_000))
                .isEqualTo("838:59:59.000001");
        assertThat(LogicalTypes.timeOfDayText(-5_400_000_000_000L)).isEqualTo("-01:30:00");
    }

    // ---- timestamps

    @Test
    void debeziumTimestampsAreLocalDateTimesToTheNanosecond() {
        Schema nano = named(SchemaBuilder.int64(), LogicalTypes.DEBEZIUM_NANO_TIMESTAMP);
        Schema micro = named(SchemaBuilder.int64(), LogicalTypes.DEBEZIUM_MICRO_TIMESTAMP);
        Schema milli = named(SchemaBuilder.int64(), LogicalTypes.DEBEZIUM_TIMESTAMP);

        assertThat(decode(1_709_214_310_123_456_789L, nano))
                .isEqualTo(LocalDateTime.of(2024, 2, 29, 13, 45, 10, 123_456_789));
        // one nanosecond before the epoch: 1969-12-31T23:59:59.999999999, not the epoch itself
        assertThat(decode(-1L, nano)).isEqualTo(LocalDateTime.of(1969, 12, 31, 23, 59, 59, 999_999_999));
        assertThat(decode(-1L, micro)).isEqualTo(LocalDateTime.of(1969, 12, 31, 23, 59, 59, 999_999_000));
        assertThat(decode(-1L, milli)).isEqualTo(LocalDateTime.of(1969, 12, 31, 23, 59, 59, 999_000_000));
        // the first and last instants a long of nanoseconds holds
        assertThat(decode(Long.MIN_VALUE, nano)).isEqualTo(LocalDateTime.of(1677, 9, 21, 0, 12, 43, 145_224_192));
        assertThat(decode(Long.MAX_VALUE, nano)).isEqualTo(LocalDateTime.of(2262, 4, 11, 23, 47, 16, 854_775_807));
        LocalDateTime farFuture = LocalDateTime.of(9999, 12, 31, 23, 59, 59, 999_999_000);
        assertThat(decode(LogicalTypes.epochMicros(farFuture.toInstant(ZoneOffset.UTC)), micro)).isEqualTo(farFuture);
        LocalDateTime leap = LocalDateTime.of(1904, 2, 29, 0, 0, 0, 1_000);
        assertThat(decode(LogicalTypes.epochMicros(leap.toInstant(ZoneOffset.UTC)), micro)).isEqualTo(leap);
    }

    @Test
    void connectTimestampsAndSchemalessDatesAreInstants() {
        Instant before1970 = Instant.parse("1969-07-20T20:17:40.001Z");
        assertThat(decode(Date.from(before1970), Timestamp.SCHEMA)).isEqualTo(before1970);
        assertThat(decode(Date.from(before1970), null)).isEqualTo(before1970);
    }

    @Test
    void epochMicrosRoundDownBefore1970() {
        assertThat(LogicalTypes.epochMicros(Instant.ofEpochSecond(0, -1_500))).isEqualTo(-2L);
        assertThat(LogicalTypes.epochMicros(Instant.ofEpochSecond(0, 1_500))).isEqualTo(1L);
        assertThat(LogicalTypes.epochMicros(Instant.parse("9999-12-31T23:59:59.999999Z"))).isEqualTo(253_402_300_799_999_999L);
    }

    @Test
    void zonedTimestampsKeepTheirOffset() {
        Schema zoned = named(SchemaBuilder.string(), LogicalTypes.DEBEZIUM_ZONED_TIMESTAMP);
        assertThat(decode("2024-02-29T23:30:00.123456789+05:30", zoned))
                .isEqualTo(OffsetDateTime.of(2024, 2, 29, 23, 30, 0, 123_456_789, ZoneOffset.ofHoursMinutes(5, 30)));
        assertThat(decode("1950-01-01T00:00:00Z", zoned))
                .isEqualTo(OffsetDateTime.of(1950, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC));
        assertThatThrownBy(() -> decode("yesterday", zoned)).isInstanceOf(DataException.class)
                .hasMessageContaining("yesterday").hasMessageContaining(LogicalTypes.DEBEZIUM_ZONED_TIMESTAMP);
    }

    // ---- others

    @Test
    void uuidsAreRead() {
        Schema uuid = named(SchemaBuilder.string(), LogicalTypes.DEBEZIUM_UUID);
        assertThat(decode("0b1f6c2e-1d0e-4f34-9a4e-6d7c1f0a3b21", uuid))
                .isEqualTo(UUID.fromString("0b1f6c2e-1d0e-4f34-9a4e-6d7c1f0a3b21"));
        assertThatThrownBy(() -> decode("not-a-uuid", uuid)).isInstanceOf(DataException.class)
                .hasMessageContaining("not-a-uuid");
    }

    @Test
    void valuesWithoutADecodedLogicalTypeAreLeftAsTheyAre() {
        String json = "{\"a\":1}";
        assertThat(decode(json, named(SchemaBuilder.string(), LogicalTypes.DEBEZIUM_JSON))).isSameAs(json);
        byte[] bits = {5};
        assertThat(decode(bits, named(SchemaBuilder.bytes(), "io.debezium.data.Bits"))).isSameAs(bits);
        assertThat(decode(42L, Schema.INT64_SCHEMA)).isEqualTo(42L);
        assertThat(decode(null, Decimal.schema(2))).isNull();
        assertThat(LogicalTypes.kind("io.debezium.data.geometry.Point")).isNull();
    }

    @Test
    void bytesOfAByteBufferLeaveItsPosition() {
        ByteBuffer buffer = ByteBuffer.wrap(new byte[] {1, 2, 3});
        buffer.get();
        assertThat(LogicalTypes.bytes(buffer)).containsExactly(2, 3);
        assertThat(buffer.position()).isEqualTo(1);
        assertThatThrownBy(() -> LogicalTypes.bytes("AQID")).isInstanceOf(DataException.class)
                .hasMessageContaining("String");
    }
}
