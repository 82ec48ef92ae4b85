package dev.cdcconnect.delta.changelog;

import dev.cdcconnect.event.values.JsonValues;
import dev.cdcconnect.event.values.LogicalTypes;
import io.delta.kernel.types.BinaryType;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.ByteType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DecimalType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.ShortType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.TimestampNTZType;
import io.delta.kernel.types.TimestampType;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.DataException;

/**
 * Delta types for Connect values: the type of a column from a field's schema (logical types of Connect and
 * Debezium included), or from a schemaless value, and the value converted to what the Parquet writer takes
 * (days for dates, microseconds for timestamps).
 */
public final class DeltaTypes {

    private static final JsonValues JSON = new JsonValues(JsonValues.DecimalFormat.NUMBER);
    private static final int MAX_PRECISION = 38;

    private DeltaTypes() {
    }

    /** How one field of a record schema becomes a column. */
    public interface Converter {
        Object convert(Object value);
    }

    /** A field's column type and how its values convert. */
    public record Plan(String column, DataType type, Converter converter) {
    }

    /** The column type and converter for a field of this schema. */
    public static Plan plan(String column, Schema schema) {
        LogicalTypes.Kind kind = LogicalTypes.kind(schema.name());
        if (kind == LogicalTypes.Kind.DECIMAL && Decimal.LOGICAL_NAME.equals(schema.name())) {
            int scale = Integer.parseInt(schema.parameters().get(Decimal.SCALE_FIELD));
            String p = schema.parameters().get("connect.decimal.precision");
            int precision = p == null ? MAX_PRECISION : Integer.parseInt(p);
            if (scale < 0 || scale > MAX_PRECISION || precision > MAX_PRECISION) {
                // Outside what Delta's decimal holds: the exact digits as text.
                return new Plan(column, StringType.STRING, v -> ((BigDecimal) v).toPlainString());
            }
            DecimalType type = new DecimalType(Math.max(precision, scale), scale);
            return new Plan(column, type, v -> v);
        }
        if (kind == LogicalTypes.Kind.DECIMAL) {
            // A VariableScaleDecimal has no fixed scale, so no Delta decimal type fits every value: the exact digits
            // as text.
            return new Plan(column, StringType.STRING, v -> LogicalTypes.decode(v, schema) instanceof BigDecimal d
                    ? d.toPlainString() : json(v, schema));
        }
        if (kind == LogicalTypes.Kind.DATE) {
            return new Plan(column, DateType.DATE, v -> Math.toIntExact(
                    ((LocalDate) LogicalTypes.decode(v, schema)).toEpochDay()));
        }
        if (kind == LogicalTypes.Kind.INSTANT) {
            return new Plan(column, TimestampType.TIMESTAMP,
                    v -> LogicalTypes.epochMicros(LogicalTypes.epochInstant(v, schema)));
        }
        if (kind == LogicalTypes.Kind.LOCAL_DATE_TIME) {
            // Debezium's epoch counts of a timestamp without time zone are its local date-time read as UTC, as
            // Delta's TIMESTAMP_NTZ microseconds are.
            return new Plan(column, TimestampNTZType.TIMESTAMP_NTZ,
                    v -> LogicalTypes.epochMicros(LogicalTypes.epochInstant(v, schema)));
        }
        if (kind == LogicalTypes.Kind.OFFSET_DATE_TIME) {
            return new Plan(column, TimestampType.TIMESTAMP,
                    v -> LogicalTypes.epochMicros(((OffsetDateTime) LogicalTypes.decode(v, schema)).toInstant()));
        }
        if (kind == LogicalTypes.Kind.TIME) {
            // Delta has no time type: microseconds since midnight, which also hold 24:00:00 and MySQL's durations.
            return new Plan(column, LongType.LONG, v -> Math.floorDiv(LogicalTypes.nanosOfDay(v, schema), 1_000L));
        }
        return switch (schema.type()) {
            case INT8 -> new Plan(column, ByteType.BYTE, v -> v);
            case INT16 -> new Plan(column, ShortType.SHORT, v -> v);
            case INT32 -> new Plan(column, IntegerType.INTEGER, v -> v);
            case INT64 -> new Plan(column, LongType.LONG, v -> v);
            case FLOAT32 -> new Plan(column, FloatType.FLOAT, v -> v);
            case FLOAT64 -> new Plan(column, DoubleType.DOUBLE, v -> v);
            case BOOLEAN -> new Plan(column, BooleanType.BOOLEAN, v -> v);
            case STRING -> new Plan(column, StringType.STRING, v -> v);
            case BYTES -> new Plan(column, BinaryType.BINARY, LogicalTypes::bytes);
            case STRUCT, MAP, ARRAY -> new Plan(column, StringType.STRING, v -> json(v, schema));
        };
    }

    /** The column type and converted value of a schemaless value; null for a null value (type unknown). */
    public static Plan planFor(String column, Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return new Plan(column, LongType.LONG, v -> ((Number) v).longValue());
        }
        if (value instanceof Double || value instanceof Float) {
            return new Plan(column, DoubleType.DOUBLE, v -> ((Number) v).doubleValue());
        }
        if (value instanceof Boolean) {
            return new Plan(column, BooleanType.BOOLEAN, v -> v);
        }
        if (value instanceof byte[] || value instanceof ByteBuffer) {
            return new Plan(column, BinaryType.BINARY, LogicalTypes::bytes);
        }
        if (value instanceof BigDecimal) {
            return new Plan(column, StringType.STRING, v -> ((BigDecimal) v).toPlainString());
        }
        if (value instanceof String) {
            return new Plan(column, StringType.STRING, v -> v);
        }
        return new Plan(column, StringType.STRING, v -> json(v, null));
    }

    /**
     * The value of a column of type {@code from} as a value of a table column of type {@code to}: the same type,
     * or a widening that loses nothing (integers to longer integers, float to double, a decimal to one with
     * the same scale and at least its precision, a timestamp without time zone into a timestamp one, read as
     * UTC). Anything else is a narrowing or a change of kind, which the caller reports for the record.
     */
    public static Object widen(Object value, DataType from, DataType to, String column) {
        if (from == to || value == null || from.equals(to)) {
            return value;
        }
        if (to instanceof LongType && (from instanceof IntegerType || from instanceof ShortType
                || from instanceof ByteType)) {
            return ((Number) value).longValue();
        }
        if (to instanceof IntegerType && (from instanceof ShortType || from instanceof ByteType)) {
            return ((Number) value).intValue();
        }
        if (to instanceof ShortType && from instanceof ByteType) {
            return ((Number) value).shortValue();
        }
        if (to instanceof DoubleType && from instanceof FloatType) {
            return ((Number) value).doubleValue();
        }
        if (to instanceof DecimalType target && from instanceof DecimalType source
                && source.getScale() == target.getScale() && source.getPrecision() <= target.getPrecision()) {
            return value;
        }
        if (to instanceof DecimalType target && target.getScale() == 0
                && (from instanceof IntegerType || from instanceof LongType || from instanceof ShortType)) {
            BigDecimal decimal = BigDecimal.valueOf(((Number) value).longValue());
            if (decimal.precision() <= target.getPrecision()) {
                return decimal;
            }
        }
        if (to instanceof TimestampType && from instanceof TimestampNTZType) {
            return value;
        }
        if (to instanceof LongType && from instanceof LongType) {
            return value;
        }
        // A schemaless long that fits a narrower integer column written before: only when the value fits.
        if (from instanceof LongType && value instanceof Long l) {
            if (to instanceof IntegerType && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
                return l.intValue();
            }
        }
        throw new DataException("column " + column + " is " + sqlName(to) + " in the table but the record's value is "
                + sqlName(from) + (value instanceof Number || value instanceof String ? " (" + value + ")" : "")
                + ": the change would narrow or change the column's type, which the sink does not do");
    }

    /** The type as Spark SQL writes it (DDL, messages): BIGINT, DECIMAL(10,2), TIMESTAMP_NTZ... */
    public static String sqlName(DataType type) {
        if (type instanceof DecimalType d) {
            return "DECIMAL(" + d.getPrecision() + "," + d.getScale() + ")";
        }
        if (type instanceof ByteType) {
            return "TINYINT";
        }
        if (type instanceof ShortType) {
            return "SMALLINT";
        }
        if (type instanceof IntegerType) {
            return "INT";
        }
        if (type instanceof LongType) {
            return "BIGINT";
        }
        if (type instanceof TimestampNTZType) {
            return "TIMESTAMP_NTZ";
        }
        return type.toString().toUpperCase(java.util.Locale.ROOT);
    }

    /** The UTC date of an instant given in epoch milliseconds, as days since the epoch. */
    public static int epochDay(long epochMillis) {
        return (int) Math.floorDiv(epochMillis, 86_400_000L);
    }

    /** Microseconds since the epoch of an instant in epoch milliseconds. */
    public static long micros(long epochMillis) {
        return epochMillis * 1000;
    }

    /** Structs, maps and lists as JSON text, as the EventStoreDB sink writes event data. */
    private static String json(Object value, Schema schema) {
        return new String(JSON.toBytes(value, schema), StandardCharsets.UTF_8);
    }
}
