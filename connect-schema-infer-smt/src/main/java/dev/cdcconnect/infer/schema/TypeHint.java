package dev.cdcconnect.infer.schema;

import dev.cdcconnect.event.values.LogicalTypes;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A type a user pins a field to ({@code price:decimal(10,2)}, {@code created_at:timestamp}, ...). It wins over
 * inference: the field always has this type, and a value that cannot be read as it fails the record.
 */
public record TypeHint(Type type, int precision, int scale) {

    /** Schema name of Debezium's epoch microseconds, which Debezium's JDBC sink maps to {@code timestamp(6)}. */
    public static final String MICRO_TIMESTAMP_SCHEMA_NAME = LogicalTypes.DEBEZIUM_MICRO_TIMESTAMP;

    /** Schema name of Debezium's microseconds since midnight, which Debezium's JDBC sink maps to {@code time(6)}. */
    public static final String MICRO_TIME_SCHEMA_NAME = LogicalTypes.DEBEZIUM_MICRO_TIME;

    /** Schema name Debezium's JDBC sink maps to a {@code json} column. */
    public static final String JSON_SCHEMA_NAME = LogicalTypes.DEBEZIUM_JSON;

    /** The type names a hint may use. */
    public static final String VALID_TYPES =
            "int8, int16, int32, int64, float32, float64, boolean, string, bytes, decimal(precision,scale), "
                    + "decimal(precision,scale,base64), timestamp, timestamp(micros), date, time, time(micros), json";

    private static final Pattern DECIMAL =
            Pattern.compile("decimal\\(\\s*(\\d+)\\s*,\\s*(\\d+)\\s*(,\\s*base64\\s*)?\\)");
    private static final Pattern TIMESTAMP = Pattern.compile("(timestamp|time)\\(\\s*(millis|micros)\\s*\\)");
    private static final long MICROS_PER_DAY = 86_400_000_000L;
    /** Epoch milliseconds past 9999-12-31: a number that big is not milliseconds (microseconds, likely). */
    private static final long MAX_EPOCH_MILLIS = 253_402_300_799_999L;
    private static final BigDecimal MAX_MILLIS_OF_DAY = BigDecimal.valueOf(86_399_999L);

    /** Types a hint can name. */
    public enum Type { INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES, DECIMAL, DECIMAL_BASE64,
        TIMESTAMP, TIMESTAMP_MICROS, DATE, TIME, TIME_MICROS, JSON }

    /**
     * Reads a type name such as {@code int32} or {@code decimal(10,2)}.
     *
     * @throws IllegalArgumentException saying what is wrong with the name
     */
    public static TypeHint parse(String text) {
        String name = text.trim().toLowerCase(Locale.ROOT);
        Matcher decimal = DECIMAL.matcher(name);
        if (decimal.matches()) {
            int precision = Integer.parseInt(decimal.group(1));
            int scale = Integer.parseInt(decimal.group(2));
            if (precision < 1 || scale > precision) {
                throw new IllegalArgumentException("decimal precision must be at least 1 and at least the scale, got '"
                        + text.trim() + "'");
            }
            return new TypeHint(decimal.group(3) != null ? Type.DECIMAL_BASE64 : Type.DECIMAL, precision, scale);
        }
        Matcher timestamp = TIMESTAMP.matcher(name);
        if (timestamp.matches()) {
            boolean micros = "micros".equals(timestamp.group(2));
            return "time".equals(timestamp.group(1)) ? new TypeHint(micros ? Type.TIME_MICROS : Type.TIME, 0, 0)
                    : new TypeHint(micros ? Type.TIMESTAMP_MICROS : Type.TIMESTAMP, 0, 0);
        }
        for (Type type : Type.values()) {
            if (type != Type.DECIMAL && type != Type.DECIMAL_BASE64 && type != Type.TIMESTAMP_MICROS
                    && type != Type.TIME_MICROS && type.name().toLowerCase(Locale.ROOT).equals(name)) {
                return new TypeHint(type, 0, 0);
            }
        }
        throw new IllegalArgumentException("unknown type '" + text.trim() + "'; valid types: " + VALID_TYPES);
    }

    /** The optional schema of a field with this hint. */
    public Schema schema() {
        return switch (type) {
            case INT8 -> Schema.OPTIONAL_INT8_SCHEMA;
            case INT16 -> Schema.OPTIONAL_INT16_SCHEMA;
            case INT32 -> Schema.OPTIONAL_INT32_SCHEMA;
            case INT64 -> Schema.OPTIONAL_INT64_SCHEMA;
            case FLOAT32 -> Schema.OPTIONAL_FLOAT32_SCHEMA;
            case FLOAT64 -> Schema.OPTIONAL_FLOAT64_SCHEMA;
            case BOOLEAN -> Schema.OPTIONAL_BOOLEAN_SCHEMA;
            case STRING -> Schema.OPTIONAL_STRING_SCHEMA;
            case BYTES -> Schema.OPTIONAL_BYTES_SCHEMA;
            case DECIMAL, DECIMAL_BASE64 -> Decimal.builder(scale)
                    .parameter("connect.decimal.precision", Integer.toString(precision)).optional().build();
            case TIMESTAMP -> Timestamp.builder().optional().build();
            case TIMESTAMP_MICROS -> SchemaBuilder.int64().name(MICRO_TIMESTAMP_SCHEMA_NAME).version(1).optional()
                    .build();
            case DATE -> Date.builder().optional().build();
            case TIME -> Time.builder().optional().build();
            case TIME_MICROS -> SchemaBuilder.int64().name(MICRO_TIME_SCHEMA_NAME).version(1).optional().build();
            case JSON -> SchemaBuilder.string().name(JSON_SCHEMA_NAME).optional().build();
        };
    }

    /** The inferred type a hinted field is stored as (see {@link FieldSpec}). */
    String storedType() {
        return switch (type) {
            case INT8, INT16, INT32, INT64 -> "int64";
            case FLOAT32, FLOAT64, DECIMAL, DECIMAL_BASE64 -> "float64";
            case BOOLEAN -> "boolean";
            case STRING, JSON, TIME, TIME_MICROS -> "string";
            case BYTES -> "bytes";
            case TIMESTAMP, TIMESTAMP_MICROS -> "timestamp";
            case DATE -> "date";
        };
    }

    @Override
    public String toString() {
        return switch (type) {
            case DECIMAL -> "decimal(" + precision + "," + scale + ")";
            case DECIMAL_BASE64 -> "decimal(" + precision + "," + scale + ",base64)";
            case TIMESTAMP_MICROS -> "timestamp(micros)";
            case TIME_MICROS -> "time(micros)";
            default -> type.name().toLowerCase(Locale.ROOT);
        };
    }

    /** The value as this type; never null for a non-null value. */
    Object convert(Object v, String path, int depth, JsonText json) {
        return switch (type) {
            case INT8 -> (byte) integral(v, path, Byte.MIN_VALUE, Byte.MAX_VALUE);
            case INT16 -> (short) integral(v, path, Short.MIN_VALUE, Short.MAX_VALUE);
            case INT32 -> (int) integral(v, path, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case INT64 -> integral(v, path, Long.MIN_VALUE, Long.MAX_VALUE);
            case FLOAT32 -> v instanceof Float ? v : (float) number(v, path).doubleValue();
            case FLOAT64 -> v instanceof Double ? v : number(v, path).doubleValue();
            case BOOLEAN -> bool(v, path);
            case STRING -> json.text(v, path, depth);
            case BYTES -> bytes(v, path);
            case DECIMAL -> decimal(v, path);
            case DECIMAL_BASE64 -> decimalBase64(v, path);
            case TIMESTAMP -> timestamp(v, path);
            case TIMESTAMP_MICROS -> timestampMicros(v, path);
            case DATE -> date(v, path);
            case TIME -> time(v, path);
            case TIME_MICROS -> timeMicros(v, path);
            case JSON -> json.json(v, path, depth);
        };
    }

    private long integral(Object v, String path, long min, long max) {
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            long l = ((Number) v).longValue();
            if (l < min || l > max) {
                throw mismatch(v, path, "out of range");
            }
            return l;
        }
        BigDecimal d = number(v, path);
        try {
            long l = d.longValueExact();
            if (l < min || l > max) {
                throw mismatch(v, path, "out of range");
            }
            return l;
        } catch (ArithmeticException e) {
            throw mismatch(v, path, d.stripTrailingZeros().scale() > 0 ? "has a fraction" : "out of range");
        }
    }

    private BigDecimal number(Object v, String path) {
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return BigDecimal.valueOf(((Number) v).longValue());
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw mismatch(v, path, "not a finite number");
            }
            // valueOf keeps the shortest decimal text of the double: 19.99 stays 19.99
            return BigDecimal.valueOf(d);
        }
        if (v instanceof BigDecimal d) {
            return d;
        }
        if (v instanceof BigInteger i) {
            return new BigDecimal(i);
        }
        if (v instanceof String s) {
            try {
                return new BigDecimal(s.trim());
            } catch (NumberFormatException e) {
                throw mismatch(v, path, type == Type.DECIMAL && looksLikeBase64(s) ? "not a number (if it is "
                        + "Debezium's base64 of the unscaled value, use decimal(" + precision + "," + scale
                        + ",base64))" : "not a number");
            }
        }
        throw mismatch(v, path, "not a number");
    }

    private Object bool(Object v, String path) {
        if (v instanceof Boolean) {
            return v;
        }
        if (v instanceof String s) {
            if ("true".equalsIgnoreCase(s.trim())) {
                return Boolean.TRUE;
            }
            if ("false".equalsIgnoreCase(s.trim())) {
                return Boolean.FALSE;
            }
        }
        throw mismatch(v, path, "not a boolean");
    }

    private Object bytes(Object v, String path) {
        if (v instanceof byte[] || v instanceof ByteBuffer) {
            return LogicalTypes.bytes(v);
        }
        if (v instanceof String s) {
            try {
                return Base64.getDecoder().decode(s);
            } catch (IllegalArgumentException e) {
                throw mismatch(v, path, "not base64 text");
            }
        }
        throw mismatch(v, path, "not bytes or base64 text");
    }

    private Object decimal(Object v, String path) {
        // HALF_UP is what a NUMERIC(p,s) column does on insert, so the value the sink writes is the same
        BigDecimal d = number(v, path).setScale(scale, RoundingMode.HALF_UP);
        if (d.precision() > precision) {
            throw mismatch(v, path, "needs more than " + precision + " digits");
        }
        return d;
    }

    /**
     * Debezium's base64 text of a decimal's unscaled two's-complement bytes (decimal.handling.mode=precise), at
     * this hint's scale; or its variable-scale struct {@code {"scale":s,"value":base64}}; or a number.
     */
    private Object decimalBase64(Object v, String path) {
        BigDecimal d;
        if (v instanceof String s) {
            d = new BigDecimal(unscaled(s, v, path), scale);
        } else if (v instanceof Map<?, ?> map && map.get("value") instanceof String s
                && map.get("scale") instanceof Number givenScale) {
            try {
                d = new BigDecimal(unscaled(s, v, path), givenScale.intValue()).setScale(scale);
            } catch (ArithmeticException e) {
                throw mismatch(v, path, "has more than " + scale + " decimals");
            }
        } else if (v instanceof Number) {
            return decimal(v, path);
        } else {
            throw mismatch(v, path, "neither base64 of a decimal's unscaled bytes nor a number");
        }
        if (d.precision() > precision) {
            throw mismatch(v, path, "needs more than " + precision + " digits (it is " + d.toPlainString() + ")");
        }
        return d;
    }

    private BigInteger unscaled(String text, Object v, String path) {
        try {
            byte[] bytes = Base64.getDecoder().decode(text.trim());
            if (bytes.length == 0) {
                throw mismatch(v, path, "empty");
            }
            return new BigInteger(bytes);
        } catch (IllegalArgumentException e) {
            throw mismatch(v, path, "not base64 of a decimal's unscaled bytes");
        }
    }

    private Object timestamp(Object v, String path) {
        if (v instanceof java.util.Date) {
            return v;
        }
        if (v instanceof String s) {
            java.util.Date date = Iso8601.parseDateOrTimestamp(s.trim());
            if (date == null) {
                throw mismatch(v, path, Iso8601.parseInstant(s.trim()) != null
                        ? "more precise than the millisecond, which timestamp would drop; use timestamp(micros)"
                        : "not ISO-8601 text");
            }
            return date;
        }
        if (v instanceof Long || v instanceof Integer || v instanceof BigInteger) {
            long millis = integral(v, path, Long.MIN_VALUE, Long.MAX_VALUE);
            if (Math.abs(millis) > MAX_EPOCH_MILLIS) {
                throw mismatch(v, path, "past the year 9999 as epoch milliseconds; for epoch microseconds "
                        + "(Debezium's MicroTimestamp) use timestamp(micros)");
            }
            return new java.util.Date(millis);
        }
        throw mismatch(v, path, "neither ISO-8601 text nor epoch milliseconds");
    }

    /** Epoch microseconds (Debezium's MicroTimestamp), or ISO-8601 text to the microsecond. */
    private Object timestampMicros(Object v, String path) {
        if (v instanceof Long || v instanceof Integer || v instanceof BigInteger) {
            return integral(v, path, Long.MIN_VALUE, Long.MAX_VALUE);
        }
        if (v instanceof java.util.Date d) {
            return Math.multiplyExact(d.getTime(), 1000L);
        }
        if (v instanceof String s) {
            java.time.Instant instant = Iso8601.parseInstant(s.trim());
            if (instant == null) {
                java.util.Date date = Iso8601.parseDate(s.trim());
                if (date == null) {
                    throw mismatch(v, path, "not ISO-8601 text");
                }
                return date.getTime() * 1000L;
            }
            if (instant.getNano() % 1000 != 0) {
                throw mismatch(v, path, "more precise than the microsecond, which timestamp(micros) would drop");
            }
            return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
        }
        throw mismatch(v, path, "neither ISO-8601 text nor epoch microseconds");
    }

    private Object date(Object v, String path) {
        if (v instanceof java.util.Date d) {
            if (!Iso8601.isMidnightUtc(d)) {
                throw mismatch(v, path, "not at midnight UTC");
            }
            return d;
        }
        if (v instanceof String s) {
            java.util.Date date = Iso8601.parseDate(s.trim());
            if (date == null) {
                throw mismatch(v, path, "not an ISO-8601 date (yyyy-MM-dd)");
            }
            return date;
        }
        if (v instanceof Long || v instanceof Integer) {
            return Iso8601.epochDay(((Number) v).longValue());
        }
        throw mismatch(v, path, "neither an ISO-8601 date nor a number of days since 1970-01-01");
    }

    private Object time(Object v, String path) {
        if (v instanceof String s) {
            java.util.Date time = Iso8601.parseTime(s.trim());
            if (time == null) {
                throw mismatch(v, path, "not an ISO-8601 time to the millisecond (HH:mm:ss[.SSS]; for more digits "
                        + "use time(micros))");
            }
            return time;
        }
        if (v instanceof Long || v instanceof Integer) {
            BigDecimal millis = BigDecimal.valueOf(((Number) v).longValue());
            if (millis.signum() < 0 || millis.compareTo(MAX_MILLIS_OF_DAY) > 0) {
                throw mismatch(v, path, "not a number of milliseconds within a day");
            }
            return new java.util.Date(millis.longValue());
        }
        throw mismatch(v, path, "neither an ISO-8601 time nor milliseconds since midnight");
    }

    /** Microseconds since midnight (Debezium's MicroTime), or {@code HH:mm:ss[.ffffff]} text. */
    private Object timeMicros(Object v, String path) {
        if (v instanceof Long || v instanceof Integer) {
            long micros = ((Number) v).longValue();
            if (micros < 0 || micros >= MICROS_PER_DAY) {
                throw mismatch(v, path, "not a number of microseconds within a day");
            }
            return micros;
        }
        if (v instanceof String s && s.trim().length() >= 5 && s.trim().charAt(2) == ':') {
            try {
                long nanos = java.time.LocalTime.parse(s.trim()).toNanoOfDay();
                if (nanos % 1000 != 0) {
                    throw mismatch(v, path, "more precise than the microsecond, which time(micros) would drop");
                }
                return nanos / 1000;
            } catch (java.time.DateTimeException e) {
                throw mismatch(v, path, "not an ISO-8601 time (HH:mm:ss)");
            }
        }
        throw mismatch(v, path, "neither an ISO-8601 time nor microseconds since midnight");
    }

    private InferenceFailure mismatch(Object v, String path, String why) {
        String shown = v instanceof String s ? "\"" + abbreviate(s) + "\""
                : v instanceof Map<?, ?> ? "an object" : v instanceof List<?> ? "an array" : String.valueOf(v);
        return new InferenceFailure("field '" + path + "' has type hint " + this + " but its value " + shown
                + " is " + why);
    }

    private static boolean looksLikeBase64(String s) {
        try {
            return !s.isBlank() && Base64.getDecoder().decode(s.trim()).length > 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }
}
