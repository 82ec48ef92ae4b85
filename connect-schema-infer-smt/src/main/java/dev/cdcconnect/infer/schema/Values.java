package dev.cdcconnect.infer.schema;

import dev.cdcconnect.event.values.LogicalTypes;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.Date;
import java.util.List;

/** What kind a schemaless value is, and the value a field of an inferred kind holds for it. */
final class Values {

    /** Returned by conversions when the value needs a wider kind than the field has. */
    static final Object NO_FIT = new Object();

    private Values() {
    }

    /** The kind of a value that is neither a Map nor a List. */
    static FieldKind kindOf(Object value, boolean detectIso8601, String path) {
        if (value instanceof String s) {
            if (detectIso8601) {
                if (Iso8601.parseDate(s) != null) {
                    return FieldKind.DATE;
                }
                if (Iso8601.parseTimestamp(s) != null) {
                    return FieldKind.TIMESTAMP;
                }
            }
            return FieldKind.STRING;
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return FieldKind.INT64;
        }
        if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
            return FieldKind.FLOAT64;
        }
        if (value instanceof Boolean) {
            return FieldKind.BOOLEAN;
        }
        if (value instanceof BigInteger i) {
            // An integer past INT64 keeps every digit as text rather than losing them in a FLOAT64.
            return i.bitLength() < 64 ? FieldKind.INT64 : FieldKind.STRING;
        }
        if (value instanceof byte[] || value instanceof ByteBuffer) {
            return FieldKind.BYTES;
        }
        if (value instanceof Date) {
            return FieldKind.TIMESTAMP;
        }
        throw unsupported(value, path);
    }

    /** Stands for "the elements of this array do not agree on one primitive kind". */
    static final FieldKind MIXED = FieldKind.ARRAY;

    /**
     * The primitive kind all non-null elements agree on (INT64 and FLOAT64 agree as FLOAT64), null when the list
     * has no non-null element, {@link #MIXED} when they do not agree.
     */
    static FieldKind elementKind(List<?> list) {
        FieldKind kind = null;
        for (Object element : list) {
            if (element == null) {
                continue;
            }
            FieldKind k = primitiveElementKind(element);
            if (k == null) {
                return MIXED;
            }
            if (kind == null) {
                kind = k;
            } else if (kind != k) {
                FieldKind widened = FieldKind.widen(kind, k);
                if (widened != FieldKind.FLOAT64) {
                    return MIXED;
                }
                kind = widened;
            }
        }
        return kind;
    }

    static boolean allNull(List<?> list) {
        for (Object element : list) {
            if (element != null) {
                return false;
            }
        }
        return true;
    }

    private static FieldKind primitiveElementKind(Object element) {
        if (element instanceof String) {
            return FieldKind.STRING;
        }
        if (element instanceof Long || element instanceof Integer || element instanceof Short
                || element instanceof Byte) {
            return FieldKind.INT64;
        }
        if (element instanceof Double || element instanceof Float || element instanceof BigDecimal) {
            return FieldKind.FLOAT64;
        }
        if (element instanceof Boolean) {
            return FieldKind.BOOLEAN;
        }
        if (element instanceof BigInteger i && i.bitLength() < 64) {
            return FieldKind.INT64;
        }
        return null;
    }

    static Object toInt64(Object v) {
        if (v instanceof Long) {
            return v;
        }
        if (v instanceof Integer i) {
            return (long) i;
        }
        if (v instanceof Short s) {
            return (long) s;
        }
        if (v instanceof Byte b) {
            return (long) b;
        }
        if (v instanceof BigInteger i && i.bitLength() < 64) {
            return i.longValue();
        }
        return NO_FIT;
    }

    /** Integers up to this magnitude are exact in a double. */
    private static final long MAX_EXACT_DOUBLE_INTEGER = 1L << 53;

    /**
     * The value as a double.
     *
     * @param exact true to refuse integers a double would round (past 2^53)
     */
    static Object toFloat64(Object v, boolean exact) {
        if (v instanceof Double) {
            return v;
        }
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            long l = ((Number) v).longValue();
            return exact && Math.abs(l) > MAX_EXACT_DOUBLE_INTEGER ? NO_FIT : (Object) (double) l;
        }
        if (v instanceof Float f) {
            return f.doubleValue();
        }
        if (v instanceof BigDecimal d) {
            // a JSON fraction is a double to begin with (JsonConverter reads it as one)
            return d.doubleValue();
        }
        if (v instanceof BigInteger i && i.bitLength() < 64) {
            return toFloat64(i.longValue(), exact);
        }
        return NO_FIT;
    }

    /** A value for an error message: strings quoted and cut short, objects and arrays named. */
    static String show(Object v) {
        if (v instanceof String s) {
            return "\"" + (s.length() <= 64 ? s : s.substring(0, 61) + "...") + "\"";
        }
        if (v instanceof java.util.Map<?, ?>) {
            return "(an object)";
        }
        if (v instanceof List<?>) {
            return "(an array)";
        }
        return String.valueOf(v);
    }

    static Object toBoolean(Object v) {
        return v instanceof Boolean ? v : NO_FIT;
    }

    static Object toBytes(Object v) {
        return v instanceof byte[] || v instanceof ByteBuffer ? LogicalTypes.bytes(v) : NO_FIT;
    }

    static Object toTimestamp(Object v) {
        if (v instanceof String s) {
            Date date = Iso8601.parseDateOrTimestamp(s);
            return date != null ? date : NO_FIT;
        }
        return v instanceof Date ? v : NO_FIT;
    }

    static Object toDate(Object v) {
        if (v instanceof String s) {
            Date date = Iso8601.parseDate(s);
            return date != null ? date : NO_FIT;
        }
        return v instanceof Date d && Iso8601.isMidnightUtc(d) ? v : NO_FIT;
    }

    static InferenceFailure unsupported(Object value, String path) {
        return new InferenceFailure("field '" + path + "' holds a " + value.getClass().getName()
                + ", which is not a JSON value");
    }
}
