package dev.cdcconnect.event.values;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;

/**
 * Writes Connect values (Structs with their schemas, or schemaless Maps and Lists) as JSON, with documented
 * forms for logical types instead of Java {@code toString} output:
 * <ul>
 *   <li>{@code Decimal} and Debezium's {@code VariableScaleDecimal}: a JSON number with every digit kept, or a
 *       string when {@link DecimalFormat#STRING} is chosen;</li>
 *   <li>{@code Date} and {@code io.debezium.time.Date}: {@code "2024-03-01"};</li>
 *   <li>{@code Time} and {@code io.debezium.time.Time/MicroTime/NanoTime}: {@code "13:45:10.123"} (as many
 *       fraction digits as the value has; Postgres' {@code "24:00:00"} and MySQL's durations such as
 *       {@code "838:59:59"} or {@code "-01:30:00"} as the databases write them);</li>
 *   <li>{@code Timestamp}: an ISO-8601 instant in UTC, {@code "2024-03-01T13:45:10.123Z"};</li>
 *   <li>{@code io.debezium.time.Timestamp/MicroTimestamp/NanoTimestamp} (columns without a time zone): an ISO-8601
 *       local date-time, {@code "2024-03-01T13:45:10.123456"};</li>
 *   <li>bytes: a base64 string; {@code io.debezium.data.Json}: the JSON document itself, embedded;</li>
 *   <li>{@code io.debezium.time.ZonedTimestamp} and {@code io.debezium.data.Uuid}: the text Debezium gives;</li>
 *   <li>FLOAT32 as the float's shortest text ({@code 0.1}); floating point NaN and infinities: the strings
 *       {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}.</li>
 * </ul>
 * Logical types are read by {@link LogicalTypes}. Instances are immutable and thread-safe.
 */
public final class JsonValues {

    /** How decimals are written. */
    public enum DecimalFormat {
        /** A JSON number with all digits: exact for parsers that keep big decimals. */
        NUMBER,
        /** A JSON string of the plain decimal digits: exact for every parser. */
        STRING
    }

    public static final JsonFactory FACTORY = new JsonFactory();
    public static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

    private final DecimalFormat decimalFormat;

    public JsonValues(DecimalFormat decimalFormat) {
        this.decimalFormat = decimalFormat;
    }

    /** The value as UTF-8 JSON bytes. */
    public byte[] toBytes(Object value, Schema schema) {
        try (ByteArrayBuilder out = new ByteArrayBuilder(256);
             JsonGenerator g = FACTORY.createGenerator(out)) {
            write(g, value, schema);
            g.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The value as UTF-8 JSON bytes, leaving out the top-level fields of a Struct or Map whose names the
     * filter rejects.
     */
    public byte[] toBytes(Object value, Schema schema, Predicate<String> topLevelFields) {
        try (ByteArrayBuilder out = new ByteArrayBuilder(256);
             JsonGenerator g = FACTORY.createGenerator(out)) {
            if (value instanceof Struct struct) {
                g.writeStartObject();
                for (Field field : struct.schema().fields()) {
                    if (topLevelFields.test(field.name())) {
                        g.writeFieldName(field.name());
                        write(g, struct.get(field), field.schema());
                    }
                }
                g.writeEndObject();
            } else if (value instanceof Map<?, ?> map) {
                g.writeStartObject();
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    String name = String.valueOf(entry.getKey());
                    if (topLevelFields.test(name)) {
                        g.writeFieldName(name);
                        write(g, entry.getValue(), null);
                    }
                }
                g.writeEndObject();
            } else {
                write(g, value, schema);
            }
            g.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The value as text for a name: strings as they are, scalars in their JSON form without quotes, Structs,
     * Maps and Lists as compact JSON.
     */
    public String toText(Object value, Schema schema) {
        if (value instanceof String s) {
            return s;
        }
        if ((value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte)
                && (schema == null || (schema.name() == null && isInteger(schema.type())))) {
            // A plain integer is written as its decimal digits: no generator needed.
            return Long.toString(((Number) value).longValue());
        }
        String json = new String(toBytes(value, schema), java.nio.charset.StandardCharsets.UTF_8);
        if (json.length() >= 2 && json.charAt(0) == '"') {
            try {
                return MAPPER.readValue(json, String.class);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return json;
    }

    private static boolean isInteger(Schema.Type type) {
        return type == Schema.Type.INT8 || type == Schema.Type.INT16 || type == Schema.Type.INT32
                || type == Schema.Type.INT64;
    }

    /** Writes one value; a null schema means the value is schemaless. */
    public void write(JsonGenerator g, Object value, Schema schema) throws IOException {
        if (value == null) {
            g.writeNull();
            return;
        }
        if (schema == null) {
            writeSchemaless(g, value);
            return;
        }
        String logical = schema.name();
        if (logical != null && writeLogical(g, value, schema, logical)) {
            return;
        }
        switch (schema.type()) {
            case INT8, INT16, INT32, INT64 -> g.writeNumber(((Number) value).longValue());
            case FLOAT32 -> writeFloating(g, ((Number) value).floatValue());
            case FLOAT64 -> writeFloating(g, ((Number) value).doubleValue());
            case BOOLEAN -> g.writeBoolean((Boolean) value);
            case STRING -> g.writeString((String) value);
            case BYTES -> writeBytes(g, value);
            case ARRAY -> {
                g.writeStartArray();
                for (Object element : (Collection<?>) value) {
                    write(g, element, schema.valueSchema());
                }
                g.writeEndArray();
            }
            case MAP -> writeMap(g, (Map<?, ?>) value, schema.keySchema(), schema.valueSchema());
            case STRUCT -> writeStruct(g, (Struct) value);
            default -> throw new DataException("unsupported schema type " + schema.type());
        }
    }

    private void writeStruct(JsonGenerator g, Struct struct) throws IOException {
        g.writeStartObject();
        for (Field field : struct.schema().fields()) {
            g.writeFieldName(field.name());
            write(g, struct.get(field), field.schema());
        }
        g.writeEndObject();
    }

    private void writeMap(JsonGenerator g, Map<?, ?> map, Schema keySchema, Schema valueSchema) throws IOException {
        boolean textKeys = keySchema == null ? map.keySet().stream().allMatch(k -> k == null || isScalar(k))
                : keySchema.type().isPrimitive();
        if (textKeys) {
            g.writeStartObject();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                g.writeFieldName(entry.getKey() == null ? "null" : toText(entry.getKey(), keySchema));
                write(g, entry.getValue(), valueSchema);
            }
            g.writeEndObject();
        } else {
            // Keys that are themselves objects cannot be JSON field names: write [key, value] pairs.
            g.writeStartArray();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                g.writeStartArray();
                write(g, entry.getKey(), keySchema);
                write(g, entry.getValue(), valueSchema);
                g.writeEndArray();
            }
            g.writeEndArray();
        }
    }

    private static boolean isScalar(Object value) {
        return value instanceof String || value instanceof Number || value instanceof Boolean;
    }

    private void writeSchemaless(JsonGenerator g, Object value) throws IOException {
        if (value instanceof String s) {
            g.writeString(s);
        } else if (value instanceof BigDecimal d) {
            writeDecimal(g, d);
        } else if (value instanceof Float f) {
            writeFloating(g, f);
        } else if (value instanceof Double d) {
            writeFloating(g, d);
        } else if (value instanceof BigInteger i) {
            g.writeNumber(i);
        } else if (value instanceof Number n) {
            g.writeNumber(n.longValue());
        } else if (value instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (value instanceof Struct struct) {
            writeStruct(g, struct);
        } else if (value instanceof Map<?, ?> map) {
            writeMap(g, map, null, null);
        } else if (value instanceof Collection<?> list) {
            g.writeStartArray();
            for (Object element : list) {
                write(g, element, null);
            }
            g.writeEndArray();
        } else if (value instanceof byte[] || value instanceof ByteBuffer) {
            writeBytes(g, value);
        } else if (value instanceof Date date) {
            g.writeString(date.toInstant().toString());
        } else {
            throw new DataException("cannot write a value of type " + value.getClass().getName() + " as JSON");
        }
    }

    private boolean writeLogical(JsonGenerator g, Object value, Schema schema, String logical) throws IOException {
        LogicalTypes.Kind kind = LogicalTypes.kind(logical);
        if (kind == LogicalTypes.Kind.TIME) {
            g.writeString(LogicalTypes.timeOfDayText(LogicalTypes.nanosOfDay(value, schema)));
            return true;
        }
        if (kind == LogicalTypes.Kind.DECIMAL || kind == LogicalTypes.Kind.DATE || kind == LogicalTypes.Kind.INSTANT
                || kind == LogicalTypes.Kind.LOCAL_DATE_TIME) {
            Object decoded = LogicalTypes.decode(value, schema);
            if (decoded instanceof BigDecimal decimal) {
                writeDecimal(g, decimal);
            } else if (decoded instanceof Struct) {
                return false; // a VariableScaleDecimal without its usual fields: written as the Struct it is
            } else {
                g.writeString(decoded.toString());
            }
            return true;
        }
        if (LogicalTypes.DEBEZIUM_JSON.equals(logical)) {
            writeEmbeddedJson(g, (String) value);
            return true;
        }
        // ZonedTimestamp and Uuid are written as the text Debezium gives them.
        return false;
    }

    private void writeDecimal(JsonGenerator g, BigDecimal value) throws IOException {
        if (decimalFormat == DecimalFormat.STRING) {
            g.writeString(value.toPlainString());
        } else {
            g.writeNumber(value.toPlainString());
        }
    }

    private static void writeFloating(JsonGenerator g, double value) throws IOException {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            g.writeString(Double.toString(value));
        } else {
            g.writeNumber(value);
        }
    }

    /** A float as its own shortest text (0.1), not that of the double it widens to (0.10000000149011612). */
    private static void writeFloating(JsonGenerator g, float value) throws IOException {
        if (Float.isNaN(value) || Float.isInfinite(value)) {
            g.writeString(Float.toString(value));
        } else {
            g.writeNumber(value);
        }
    }

    private static void writeBytes(JsonGenerator g, Object value) throws IOException {
        g.writeString(Base64.getEncoder().encodeToString(LogicalTypes.bytes(value)));
    }

    private static void writeEmbeddedJson(JsonGenerator g, String json) throws IOException {
        try (JsonParser parser = FACTORY.createParser(json)) {
            JsonNode node = MAPPER.readTree(parser);
            if (node != null && parser.nextToken() == null) {
                MAPPER.writeTree(g, node);
                return;
            }
        } catch (IOException notJson) {
            // Fall through: a column declared as JSON whose text does not parse is kept as a string.
        }
        g.writeString(json);
    }
}
