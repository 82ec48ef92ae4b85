package dev.cdcconnect.enrich.lookup;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.UUID;

/**
 * Turns the value of a key field into the form lookups compare: integral numbers of any width become a
 * {@code Long} (an {@code INT32} foreign key finds an {@code INT64} primary key, and schemaless JSON gives
 * longs), integral decimals too; strings and UUIDs become strings.
 */
public final class LookupKeys {

    /** What kind of value a source is keyed by; a key of another kind can never match. */
    public enum Kind {
        INTEGER("integers"), STRING("strings"), DECIMAL("decimals");

        private final String plural;

        Kind(String plural) {
            this.plural = plural;
        }

        public String plural() {
            return plural;
        }
    }

    private LookupKeys() {
    }

    /**
     * The normalised key, or throws {@link IllegalArgumentException} when the value's type cannot be a lookup
     * key (a struct, map, list, bytes, boolean, floating-point number...).
     */
    public static Object normalise(Object value) {
        if (value instanceof Long) {
            return value;
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof String) {
            return value;
        }
        if (value instanceof BigDecimal decimal) {
            BigDecimal stripped = decimal.signum() == 0 ? BigDecimal.ZERO : decimal.stripTrailingZeros();
            if (stripped.scale() <= 0 && stripped.precision() - stripped.scale() <= 18) {
                return stripped.longValueExact();
            }
            return stripped;
        }
        if (value instanceof BigInteger integer && integer.bitLength() < 64) {
            return integer.longValue();
        }
        if (value instanceof UUID uuid) {
            return uuid.toString();
        }
        throw new IllegalArgumentException("a " + typeName(value) + " cannot be a lookup key"
                + " (keys are integers, strings or decimals)");
    }

    /** The kind of a normalised key. */
    public static Kind kind(Object normalised) {
        if (normalised instanceof Long) {
            return Kind.INTEGER;
        }
        if (normalised instanceof String) {
            return Kind.STRING;
        }
        return Kind.DECIMAL;
    }

    /** A short name of the value's Java type, for error messages. */
    public static String typeName(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof org.apache.kafka.connect.data.Struct) {
            return "Struct";
        }
        if (value instanceof java.util.Map) {
            return "Map";
        }
        if (value instanceof java.util.List) {
            return "List";
        }
        if (value instanceof byte[] || value instanceof java.nio.ByteBuffer) {
            return "byte array";
        }
        return value.getClass().getSimpleName();
    }
}
