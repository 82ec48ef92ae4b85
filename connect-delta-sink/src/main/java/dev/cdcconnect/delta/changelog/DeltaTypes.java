package dev.cdcconnect.delta.changelog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;

/**
 * Delta types for Connect values: the type of a column from a field's schema (logical types of Connect and
 * Debezium included), or from a schemaless value, and the value converted to what the Parquet writer takes
 * (days for dates, microseconds for timestamps).
 */
public final class DeltaTypes {

    private static final ObjectMapper JSON = new ObjectMapper();
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
        String logical = schema.name() == null ? "" : schema.name();
        switch (logical) {
            case Decimal.LOGICAL_NAME -> {
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
            case Date.LOGICAL_NAME -> {
                return new Plan(column, DateType.DATE,
                        v -> (int) TimeUnit.MILLISECONDS.toDays(((java.util.Date) v).getTime()));
            }
            case "io.debezium.time.Date" -> {
                return new Plan(column, DateType.DATE, v -> ((Number) v).intValue());
            }
            case Timestamp.LOGICAL_NAME -> {
                return new Plan(column, TimestampType.TIMESTAMP, v -> ((java.util.Date) v).getTime() * 1000);
            }
            case "io.debezium.time.Timestamp" -> {
                return new Plan(column, TimestampNTZType.TIMESTAMP_NTZ, v -> ((Number) v).longValue() * 1000);
            }
            case "io.debezium.time.MicroTimestamp" -> {
                return new Plan(column, TimestampNTZType.TIMESTAMP_NTZ, v -> ((Number) v).longValue());
            }
            case "io.debezium.time.NanoTimestamp" -> {
                return new Plan(column, TimestampNTZType.TIMESTAMP_NTZ, v -> ((Number) v).longValue() / 1000);
            }
            case "io.debezium.time.ZonedTimestamp" -> {
                return new Plan(column, TimestampType.TIMESTAMP, v -> zonedMicros(v.toString()));
            }
            case Time.LOGICAL_NAME -> {
                return new Plan(column, LongType.LONG, v -> ((java.util.Date) v).getTime() * 1000);
            }
            case "io.debezium.time.Time" -> {
                return new Plan(column, LongType.LONG, v -> ((Number) v).longValue() * 1000);
            }
            case "io.debezium.time.MicroTime" -> {
                return new Plan(column, LongType.LONG, v -> ((Number) v).longValue());
            }
            case "io.debezium.time.NanoTime" -> {
                return new Plan(column, LongType.LONG, v -> ((Number) v).longValue() / 1000);
            }
            case "io.debezium.data.VariableScaleDecimal" -> {
                // No fixed scale, so no Delta decimal type fits every value: the exact digits as text.
                return new Plan(column, StringType.STRING, DeltaTypes::variableScaleDecimal);
            }
            default -> {
                return switch (schema.type()) {
                    case INT8 -> new Plan(column, ByteType.BYTE, v -> v);
                    case INT16 -> new Plan(column, ShortType.SHORT, v -> v);
                    case INT32 -> new Plan(column, IntegerType.INTEGER, v -> v);
                    case INT64 -> new Plan(column, LongType.LONG, v -> v);
                    case FLOAT32 -> new Plan(column, FloatType.FLOAT, v -> v);
                    case FLOAT64 -> new Plan(column, DoubleType.DOUBLE, v -> v);
                    case BOOLEAN -> new Plan(column, BooleanType.BOOLEAN, v -> v);
                    case STRING -> new Plan(column, StringType.STRING, v -> v);
                    case BYTES -> new Plan(column, BinaryType.BINARY, DeltaTypes::bytes);
                    case STRUCT, MAP, ARRAY -> new Plan(column, StringType.STRING, DeltaTypes::json);
                };
            }
        }
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
            return new Plan(column, BinaryType.BINARY, DeltaTypes::bytes);
        }
        if (value instanceof BigDecimal) {
            return new Plan(column, StringType.STRING, v -> ((BigDecimal) v).toPlainString());
        }
        if (value instanceof String) {
            return new Plan(column, StringType.STRING, v -> v);
        }
        return new Plan(column, StringType.STRING, DeltaTypes::json);
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

    private static long zonedMicros(String text) {
        try {
            Instant instant = OffsetDateTime.parse(text).toInstant();
            return instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1000;
        } catch (DateTimeParseException e) {
            throw new DataException("'" + text + "' is not an ISO-8601 timestamp with offset", e);
        }
    }

    private static Object variableScaleDecimal(Object value) {
        if (value instanceof Struct s) {
            int scale = s.getInt32("scale");
            byte[] bytes = bytes(s.get("value"));
            return new BigDecimal(new BigInteger(bytes), scale).toPlainString();
        }
        return value.toString();
    }

    private static byte[] bytes(Object value) {
        if (value instanceof byte[] b) {
            return b;
        }
        if (value instanceof ByteBuffer buffer) {
            ByteBuffer copy = buffer.duplicate();
            byte[] out = new byte[copy.remaining()];
            copy.get(out);
            return out;
        }
        throw new DataException("expected bytes, got " + value.getClass().getSimpleName());
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(plain(value));
        } catch (JsonProcessingException e) {
            throw new DataException("cannot write a value as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Structs as maps, bytes as base64, so Jackson writes them as JSON. */
    private static Object plain(Object value) {
        if (value instanceof Struct struct) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (Field field : struct.schema().fields()) {
                map.put(field.name(), plain(struct.get(field)));
            }
            return map;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), plain(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(v -> out.add(plain(v)));
            return out;
        }
        if (value instanceof ByteBuffer buffer) {
            return bytes(buffer);
        }
        if (value instanceof java.util.Date date) {
            return date.toInstant().toString();
        }
        if (value instanceof LocalDate date) {
            return date.toString();
        }
        return value;
    }
}
