package dev.cdcconnect.cassandra.schema;

import com.datastax.oss.driver.api.core.data.UdtValue;
import com.datastax.oss.driver.api.core.type.DataType;
import com.datastax.oss.driver.api.core.type.DataTypes;
import com.datastax.oss.driver.api.core.type.ListType;
import com.datastax.oss.driver.api.core.type.MapType;
import com.datastax.oss.driver.api.core.type.SetType;
import com.datastax.oss.driver.api.core.type.UserDefinedType;
import com.datastax.oss.driver.api.core.type.codec.TypeCodec;
import com.datastax.oss.driver.api.core.type.codec.registry.CodecRegistry;
import com.datastax.oss.protocol.internal.ProtocolConstants;
import dev.cdcconnect.event.values.JsonValues;
import dev.cdcconnect.event.values.LogicalTypes;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;

/**
 * Converts Connect values (with their schema, including Connect's and Debezium's logical types, or schemaless
 * JSON values) into the Java values the driver's codecs take for a column's CQL type. A value that does not
 * fit the column throws an {@link IllegalArgumentException} naming both.
 */
public final class CqlValues {

    private static final Pattern IP_LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");

    /** Structs, maps and lists in a text column: JSON as the other sinks write it, decimals as numbers. */
    private static final JsonValues JSON = new JsonValues(JsonValues.DecimalFormat.NUMBER);

    private final CodecRegistry codecs;

    public CqlValues(CodecRegistry codecs) {
        this.codecs = codecs;
    }

    /** The codec for a CQL type. */
    @SuppressWarnings("unchecked")
    public TypeCodec<Object> codec(DataType type) {
        return (TypeCodec<Object>) (TypeCodec<?>) codecs.codecFor(type);
    }

    /** The value for a column of that CQL type. */
    public Object convert(Object value, Schema schema, DataType target) {
        if (value == null) {
            return null;
        }
        Object natural = value;
        try {
            natural = natural(value, schema);
            Object converted = coerce(natural, value, schema, target);
            if (converted != null) {
                return converted;
            }
        } catch (ArithmeticException | NumberFormatException | DateTimeParseException | DataException e) {
            throw new IllegalArgumentException("cannot write " + describe(natural) + " to a " + target.asCql(true, true)
                    + " column: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("cannot write " + describe(natural) + " to a " + target.asCql(true, true)
                + " column");
    }

    /**
     * A value with its logical type applied ({@link LogicalTypes}), timestamps as the instants a CQL
     * {@code timestamp} holds: a timestamp without time zone is read as UTC.
     */
    static Object natural(Object value, Schema schema) {
        Object decoded = LogicalTypes.decode(value, schema);
        if (decoded instanceof LocalDateTime local) {
            return local.toInstant(ZoneOffset.UTC);
        }
        if (decoded instanceof OffsetDateTime zoned) {
            return zoned.toInstant();
        }
        return decoded;
    }

    private Object coerce(Object v, Object raw, Schema schema, DataType target) {
        int code = target.getProtocolCode();
        switch (code) {
            case ProtocolConstants.DataType.VARCHAR, ProtocolConstants.DataType.ASCII:
                return text(v, raw, schema);
            case ProtocolConstants.DataType.INT:
                return v instanceof Integer || v instanceof Short || v instanceof Byte ? ((Number) v).intValue()
                        : v instanceof Long l ? Math.toIntExact(l) : null;
            case ProtocolConstants.DataType.BIGINT:
                return v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
                        ? ((Number) v).longValue() : v instanceof BigInteger b ? b.longValueExact() : null;
            case ProtocolConstants.DataType.SMALLINT:
                return v instanceof Short || v instanceof Byte ? ((Number) v).shortValue()
                        : v instanceof Integer || v instanceof Long ? shortExact(((Number) v).longValue()) : null;
            case ProtocolConstants.DataType.TINYINT:
                return v instanceof Byte ? v : v instanceof Number n && isIntegral(n) ? byteExact(n.longValue()) : null;
            case ProtocolConstants.DataType.VARINT:
                return v instanceof BigInteger ? v : v instanceof Number n && isIntegral(n) ? BigInteger.valueOf(n.longValue())
                        : v instanceof BigDecimal d ? d.toBigIntegerExact() : v instanceof String s ? new BigInteger(s.trim()) : null;
            case ProtocolConstants.DataType.DECIMAL:
                return v instanceof BigDecimal ? v : v instanceof BigInteger b ? new BigDecimal(b)
                        : v instanceof Number n && isIntegral(n) ? BigDecimal.valueOf(n.longValue())
                        : v instanceof Double || v instanceof Float ? new BigDecimal(v.toString())
                        : v instanceof String s ? new BigDecimal(s.trim()) : null;
            case ProtocolConstants.DataType.FLOAT:
                return v instanceof Float ? v : v instanceof Short || v instanceof Byte ? ((Number) v).floatValue() : null;
            case ProtocolConstants.DataType.DOUBLE:
                return v instanceof Double ? v : v instanceof Number n && !(v instanceof BigDecimal) && !(v instanceof BigInteger)
                        ? n.doubleValue() : null;
            case ProtocolConstants.DataType.BOOLEAN:
                return v instanceof Boolean ? v : null;
            case ProtocolConstants.DataType.BLOB:
                return v instanceof byte[] b ? ByteBuffer.wrap(b) : v instanceof ByteBuffer ? v : null;
            case ProtocolConstants.DataType.DATE:
                return v instanceof LocalDate ? v : v instanceof String s ? LocalDate.parse(s.trim()) : null;
            case ProtocolConstants.DataType.TIME:
                return v instanceof LocalTime ? v : v instanceof String s ? LocalTime.parse(s.trim()) : null;
            case ProtocolConstants.DataType.TIMESTAMP:
                return v instanceof Instant ? v : v instanceof LocalDate d ? d.atStartOfDay(ZoneOffset.UTC).toInstant()
                        : v instanceof Long l ? Instant.ofEpochMilli(l)
                        : v instanceof String s ? OffsetDateTime.parse(s.trim()).toInstant() : null;
            case ProtocolConstants.DataType.UUID, ProtocolConstants.DataType.TIMEUUID:
                return v instanceof UUID ? v : v instanceof String s ? uuid(s) : null;
            case ProtocolConstants.DataType.INET:
                return v instanceof String s && IP_LITERAL.matcher(s.trim()).matches() ? inet(s.trim()) : null;
            case ProtocolConstants.DataType.LIST:
                return v instanceof Collection<?> c ? elements(c, schema, ((ListType) target).getElementType(), new ArrayList<>())
                        : null;
            case ProtocolConstants.DataType.SET:
                return v instanceof Collection<?> c ? elements(c, schema, ((SetType) target).getElementType(), new LinkedHashSet<>())
                        : null;
            case ProtocolConstants.DataType.MAP:
                return v instanceof Map<?, ?> m ? map(m, schema, (MapType) target) : null;
            case ProtocolConstants.DataType.UDT:
                return v instanceof Struct || v instanceof Map ? udt(v, (UserDefinedType) target) : null;
            default:
                return null;
        }
    }

    private String text(Object v, Object raw, Schema schema) {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Struct || v instanceof Map || v instanceof Collection || v instanceof byte[]
                || v instanceof ByteBuffer) {
            return new String(JSON.toBytes(raw, schema), StandardCharsets.UTF_8);
        }
        return v instanceof BigDecimal d ? d.toPlainString() : v.toString();
    }

    private <C extends Collection<Object>> C elements(Collection<?> values, Schema schema, DataType elementType, C out) {
        Schema elementSchema = schema == null ? null : schema.valueSchema();
        for (Object element : values) {
            out.add(element == null ? null : convert(element, elementSchema, elementType));
        }
        return out;
    }

    private Map<Object, Object> map(Map<?, ?> values, Schema schema, MapType type) {
        Map<Object, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : values.entrySet()) {
            out.put(convert(e.getKey(), schema == null ? null : schema.keySchema(), type.getKeyType()),
                    e.getValue() == null ? null : convert(e.getValue(), schema == null ? null : schema.valueSchema(),
                            type.getValueType()));
        }
        return out;
    }

    private UdtValue udt(Object value, UserDefinedType type) {
        UdtValue udt = type.newValue();
        List<String> fieldNames = new ArrayList<>();
        type.getFieldNames().forEach(f -> fieldNames.add(f.asInternal()));
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, Schema> schemas = new LinkedHashMap<>();
        if (value instanceof Struct struct) {
            for (Field f : struct.schema().fields()) {
                values.put(f.name().toLowerCase(java.util.Locale.ROOT), struct.get(f));
                schemas.put(f.name().toLowerCase(java.util.Locale.ROOT), f.schema());
            }
        } else {
            ((Map<?, ?>) value).forEach((k, v) -> values.put(String.valueOf(k).toLowerCase(java.util.Locale.ROOT), v));
        }
        for (String name : values.keySet()) {
            if (!fieldNames.contains(name)) {
                throw new IllegalArgumentException("nested field " + name + " has no field in type "
                        + type.asCql(true, true) + " (fields: " + String.join(", ", fieldNames) + ")");
            }
        }
        for (int i = 0; i < fieldNames.size(); i++) {
            Object fieldValue = values.get(fieldNames.get(i));
            DataType fieldType = type.getFieldTypes().get(i);
            Object converted = convert(fieldValue, schemas.get(fieldNames.get(i)), fieldType);
            if (converted == null) {
                udt = udt.setToNull(i);
            } else {
                udt = udt.set(i, converted, codec(fieldType));
            }
        }
        return udt;
    }

    private static boolean isIntegral(Number n) {
        return n instanceof Byte || n instanceof Short || n instanceof Integer || n instanceof Long;
    }

    private static short shortExact(long v) {
        if (v < Short.MIN_VALUE || v > Short.MAX_VALUE) {
            throw new ArithmeticException(v + " is out of smallint range");
        }
        return (short) v;
    }

    private static byte byteExact(long v) {
        if (v < Byte.MIN_VALUE || v > Byte.MAX_VALUE) {
            throw new ArithmeticException(v + " is out of tinyint range");
        }
        return (byte) v;
    }

    private static UUID uuid(String s) {
        try {
            return UUID.fromString(s.trim());
        } catch (IllegalArgumentException e) {
            throw new NumberFormatException("'" + s + "' is not a UUID");
        }
    }

    private static InetAddress inet(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new NumberFormatException("'" + s + "' is not an IP address");
        }
    }

    private static String describe(Object v) {
        String text = String.valueOf(v);
        if (text.length() > 40) {
            text = text.substring(0, 40) + "...";
        }
        return v.getClass().getSimpleName() + " value " + text;
    }

    /** The CQL type a column gets when {@code table.create} makes it from a field's schema. */
    public static DataType typeFor(Schema schema) {
        LogicalTypes.Kind kind = LogicalTypes.kind(schema.name());
        if (kind != null) {
            return switch (kind) {
                case DECIMAL -> DataTypes.DECIMAL;
                case DATE -> DataTypes.DATE;
                case TIME -> DataTypes.TIME;
                case INSTANT, LOCAL_DATE_TIME, OFFSET_DATE_TIME -> DataTypes.TIMESTAMP;
                case UUID -> DataTypes.UUID;
            };
        }
        return switch (schema.type()) {
            case INT8 -> DataTypes.TINYINT;
            case INT16 -> DataTypes.SMALLINT;
            case INT32 -> DataTypes.INT;
            case INT64 -> DataTypes.BIGINT;
            case FLOAT32 -> DataTypes.FLOAT;
            case FLOAT64 -> DataTypes.DOUBLE;
            case BOOLEAN -> DataTypes.BOOLEAN;
            case STRING -> DataTypes.TEXT;
            case BYTES -> DataTypes.BLOB;
            case ARRAY -> DataTypes.listOf(typeFor(schema.valueSchema()));
            case MAP -> DataTypes.mapOf(typeFor(schema.keySchema()), typeFor(schema.valueSchema()));
            case STRUCT -> DataTypes.TEXT;
        };
    }
}
