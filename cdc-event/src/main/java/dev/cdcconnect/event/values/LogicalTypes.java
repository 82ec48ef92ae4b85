package dev.cdcconnect.event.values;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.UUID;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;

/**
 * Connect's and Debezium's logical types decoded into Java values, the one place the plugins read them:
 * <ul>
 *   <li>{@code Decimal}, Debezium's {@code VariableScaleDecimal}: {@link BigDecimal} (any scale, negative too);</li>
 *   <li>{@code Date}, {@code io.debezium.time.Date}: {@link LocalDate};</li>
 *   <li>{@code Time}, {@code io.debezium.time.Time/MicroTime/NanoTime}: {@link LocalTime} (see
 *       {@link #nanosOfDay} for values a LocalTime cannot hold: Postgres' 24:00:00, MySQL's durations);</li>
 *   <li>{@code Timestamp} and schemaless {@link java.util.Date}: {@link Instant};</li>
 *   <li>{@code io.debezium.time.Timestamp/MicroTimestamp/NanoTimestamp} (columns without a time zone):
 *       {@link LocalDateTime}, to the nanosecond, before 1970 too;</li>
 *   <li>{@code io.debezium.time.ZonedTimestamp}: {@link OffsetDateTime}, its offset kept;</li>
 *   <li>{@code io.debezium.data.Uuid}: {@link UUID}.</li>
 * </ul>
 * Any other value is returned as it is: {@code io.debezium.data.Json} text, {@code Bits} and other bytes,
 * geometries (Structs of {@code wkb} and {@code srid}), enums, intervals. A value that its logical type cannot
 * hold throws a {@link DataException} naming the type and the value.
 */
public final class LogicalTypes {

    public static final String DEBEZIUM_DATE = "io.debezium.time.Date";
    public static final String DEBEZIUM_TIME = "io.debezium.time.Time";
    public static final String DEBEZIUM_MICRO_TIME = "io.debezium.time.MicroTime";
    public static final String DEBEZIUM_NANO_TIME = "io.debezium.time.NanoTime";
    public static final String DEBEZIUM_TIMESTAMP = "io.debezium.time.Timestamp";
    public static final String DEBEZIUM_MICRO_TIMESTAMP = "io.debezium.time.MicroTimestamp";
    public static final String DEBEZIUM_NANO_TIMESTAMP = "io.debezium.time.NanoTimestamp";
    public static final String DEBEZIUM_ZONED_TIMESTAMP = "io.debezium.time.ZonedTimestamp";
    public static final String DEBEZIUM_VARIABLE_SCALE_DECIMAL = "io.debezium.data.VariableScaleDecimal";
    public static final String DEBEZIUM_JSON = "io.debezium.data.Json";
    public static final String DEBEZIUM_UUID = "io.debezium.data.Uuid";

    /** Nanoseconds in a day: a time of day at or past it (24:00:00, a MySQL duration) has no LocalTime. */
    public static final long NANOS_PER_DAY = 86_400_000_000_000L;

    private LogicalTypes() {
    }

    /** What a logical type decodes to. */
    public enum Kind {
        /** BigDecimal. */
        DECIMAL,
        /** LocalDate. */
        DATE,
        /** LocalTime. */
        TIME,
        /** Instant: a point in time. */
        INSTANT,
        /** LocalDateTime: a timestamp without time zone. */
        LOCAL_DATE_TIME,
        /** OffsetDateTime: a timestamp with its offset. */
        OFFSET_DATE_TIME,
        /** UUID. */
        UUID
    }

    /** What the named logical type decodes to, or null for a name this class does not decode. */
    public static Kind kind(String logicalName) {
        if (logicalName == null) {
            return null;
        }
        return switch (logicalName) {
            case Decimal.LOGICAL_NAME, DEBEZIUM_VARIABLE_SCALE_DECIMAL -> Kind.DECIMAL;
            case org.apache.kafka.connect.data.Date.LOGICAL_NAME, DEBEZIUM_DATE -> Kind.DATE;
            case Time.LOGICAL_NAME, DEBEZIUM_TIME, DEBEZIUM_MICRO_TIME, DEBEZIUM_NANO_TIME -> Kind.TIME;
            case Timestamp.LOGICAL_NAME -> Kind.INSTANT;
            case DEBEZIUM_TIMESTAMP, DEBEZIUM_MICRO_TIMESTAMP, DEBEZIUM_NANO_TIMESTAMP -> Kind.LOCAL_DATE_TIME;
            case DEBEZIUM_ZONED_TIMESTAMP -> Kind.OFFSET_DATE_TIME;
            case DEBEZIUM_UUID -> Kind.UUID;
            default -> null;
        };
    }

    /**
     * The value with its schema's logical type applied (see the class comment); a null schema means a schemaless
     * value, of which only a {@link java.util.Date} changes (into an Instant).
     */
    public static Object decode(Object value, Schema schema) {
        if (value == null) {
            return null;
        }
        String name = schema == null ? null : schema.name();
        if (name == null) {
            return value instanceof java.util.Date date ? date.toInstant() : value;
        }
        try {
            return switch (name) {
                case Decimal.LOGICAL_NAME -> (BigDecimal) value;
                case DEBEZIUM_VARIABLE_SCALE_DECIMAL -> value instanceof Struct struct
                        && struct.schema().field("scale") != null ? variableScaleDecimal(struct) : value;
                case org.apache.kafka.connect.data.Date.LOGICAL_NAME ->
                        LocalDate.ofInstant(((java.util.Date) value).toInstant(), ZoneOffset.UTC);
                case DEBEZIUM_DATE -> LocalDate.ofEpochDay(((Number) value).longValue());
                case Time.LOGICAL_NAME, DEBEZIUM_TIME, DEBEZIUM_MICRO_TIME, DEBEZIUM_NANO_TIME ->
                        localTime(nanosOfDay(value, schema), name);
                case Timestamp.LOGICAL_NAME -> ((java.util.Date) value).toInstant();
                case DEBEZIUM_TIMESTAMP, DEBEZIUM_MICRO_TIMESTAMP, DEBEZIUM_NANO_TIMESTAMP ->
                        LocalDateTime.ofInstant(epochInstant(value, schema), ZoneOffset.UTC);
                case DEBEZIUM_ZONED_TIMESTAMP -> OffsetDateTime.parse(value.toString());
                case DEBEZIUM_UUID -> UUID.fromString(value.toString());
                default -> value;
            };
        } catch (ClassCastException | DateTimeParseException | IllegalArgumentException | ArithmeticException e) {
            throw new DataException("cannot read " + describe(value) + " as " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * The time of day of a {@code Time}, {@code io.debezium.time.Time}, {@code MicroTime} or {@code NanoTime}
     * value in nanoseconds since midnight. Unlike its LocalTime this may be {@link #NANOS_PER_DAY} or more, or
     * negative: Postgres' {@code 24:00:00} and MySQL's {@code TIME} durations (-838:59:59 to 838:59:59).
     */
    public static long nanosOfDay(Object value, Schema schema) {
        String name = schema.name();
        if (Time.LOGICAL_NAME.equals(name)) {
            return Math.floorMod(((java.util.Date) value).getTime(), 86_400_000L) * 1_000_000L;
        }
        long v = ((Number) value).longValue();
        return switch (name) {
            case DEBEZIUM_TIME -> Math.multiplyExact(v, 1_000_000L);
            case DEBEZIUM_MICRO_TIME -> Math.multiplyExact(v, 1_000L);
            case DEBEZIUM_NANO_TIME -> v;
            default -> throw new DataException(name + " is not a time of day");
        };
    }

    /**
     * The instant of a {@code Timestamp} or of Debezium's {@code Timestamp/MicroTimestamp/NanoTimestamp} (whose
     * epoch counts are the column's local date-time read as UTC), to the nanosecond, before 1970 too.
     */
    public static Instant epochInstant(Object value, Schema schema) {
        String name = schema.name();
        if (Timestamp.LOGICAL_NAME.equals(name)) {
            return ((java.util.Date) value).toInstant();
        }
        long v = ((Number) value).longValue();
        return switch (name) {
            case DEBEZIUM_TIMESTAMP -> Instant.ofEpochMilli(v);
            case DEBEZIUM_MICRO_TIMESTAMP -> Instant.ofEpochSecond(Math.floorDiv(v, 1_000_000L),
                    Math.floorMod(v, 1_000_000L) * 1_000L);
            case DEBEZIUM_NANO_TIMESTAMP -> Instant.ofEpochSecond(Math.floorDiv(v, 1_000_000_000L),
                    Math.floorMod(v, 1_000_000_000L));
            default -> throw new DataException(name + " is not a timestamp");
        };
    }

    /** Microseconds since the epoch of an instant, rounded down (toward the past) as Instant's truncation does. */
    public static long epochMicros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000L);
    }

    /** Debezium's {@code VariableScaleDecimal}: a Struct of {@code scale} and the unscaled two's-complement {@code value}. */
    public static BigDecimal variableScaleDecimal(Struct struct) {
        if (struct.schema().field("scale") == null || struct.schema().field("value") == null) {
            throw new DataException("a " + DEBEZIUM_VARIABLE_SCALE_DECIMAL + " has fields scale and value, not "
                    + struct.schema().fields());
        }
        return new BigDecimal(new BigInteger(bytes(struct.get("value"))), struct.getInt32("scale"));
    }

    /** The bytes of a BYTES value, a byte[] or a ByteBuffer (whose position is left as it is). */
    public static byte[] bytes(Object value) {
        if (value instanceof byte[] bytes) {
            return bytes;
        }
        if (value instanceof ByteBuffer buffer) {
            ByteBuffer copy = buffer.duplicate();
            byte[] bytes = new byte[copy.remaining()];
            copy.get(bytes);
            return bytes;
        }
        throw new DataException("expected bytes, got " + describe(value));
    }

    /**
     * A time of day in nanoseconds as text: as {@link LocalTime#toString()} writes it ({@code 13:45},
     * {@code 13:45:10.123}) between midnight and 23:59:59.999999999; otherwise as Postgres and MySQL write
     * theirs, {@code 24:00:00}, {@code 838:59:59.000001}, {@code -01:30:00}, with LocalTime's fraction digits.
     */
    public static String timeOfDayText(long nanos) {
        if (nanos >= 0 && nanos < NANOS_PER_DAY) {
            return LocalTime.ofNanoOfDay(nanos).toString();
        }
        long abs = Math.abs(nanos);
        long seconds = abs / 1_000_000_000L;
        int fraction = (int) (abs % 1_000_000_000L);
        StringBuilder text = new StringBuilder(nanos < 0 ? "-" : "")
                .append(String.format(java.util.Locale.ROOT, "%02d:%02d:%02d", seconds / 3600, seconds / 60 % 60,
                        seconds % 60));
        if (fraction > 0) {
            // The fraction as LocalTime writes it: 3, 6 or 9 digits.
            text.append(LocalTime.ofNanoOfDay(fraction).toString().substring("00:00:00".length()));
        }
        return text.toString();
    }

    private static LocalTime localTime(long nanos, String name) {
        if (nanos < 0 || nanos >= NANOS_PER_DAY) {
            throw new DataException(name + " value " + timeOfDayText(nanos) + " is not a time of day between "
                    + "00:00 and 23:59:59.999999999");
        }
        return LocalTime.ofNanoOfDay(nanos);
    }

    private static String describe(Object value) {
        String text = String.valueOf(value);
        return value.getClass().getSimpleName() + " " + (text.length() > 40 ? text.substring(0, 40) + "..." : text);
    }
}
