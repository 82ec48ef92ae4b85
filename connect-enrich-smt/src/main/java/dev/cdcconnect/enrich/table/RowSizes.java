package dev.cdcconnect.enrich.table;

import dev.cdcconnect.enrich.lookup.Row;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

/**
 * Estimates the heap a table entry takes on a 64-bit JVM with compressed references (object headers of
 * 12 bytes, 8-byte alignment). The figures are what {@code jol} reports for these classes on JDK 17; the
 * estimate errs high for strings outside Latin-1 and for shared (cached) boxed numbers.
 */
final class RowSizes {

    /** ConcurrentHashMap node (32) plus its share of the bin array at the default load factor. */
    static final long ENTRY_OVERHEAD = 32 + 8;
    /** A row: header, layout and four inline values, the reference to the array of any further ones. */
    private static final long ROW = 40;
    private static final long ARRAY_HEADER = 16;

    private RowSizes() {
    }

    static long entry(Object key, Row row) {
        return ENTRY_OVERHEAD + value(key) + row(row);
    }

    static long row(Row row) {
        int n = row.layout().size();
        int beyond = row.valuesBeyondInline();
        long size = ROW + (beyond == 0 ? 0 : align(ARRAY_HEADER + 4L * beyond));
        for (int i = 0; i < n; i++) {
            size += value(row.value(i));
        }
        return size;
    }

    static long value(Object value) {
        if (value == null || value instanceof Boolean) {
            return 0;
        }
        if (value instanceof String s) {
            return 24 + align(ARRAY_HEADER + (long) s.length() * (latin1(s) ? 1 : 2));
        }
        if (value instanceof Long || value instanceof Double) {
            return 24;
        }
        if (value instanceof Number && !(value instanceof BigDecimal) && !(value instanceof BigInteger)) {
            return 16;
        }
        if (value instanceof BigDecimal d) {
            return 40 + bigInteger(d.unscaledValue());
        }
        if (value instanceof BigInteger i) {
            return bigInteger(i);
        }
        if (value instanceof byte[] bytes) {
            return align(ARRAY_HEADER + bytes.length);
        }
        if (value instanceof ByteBuffer buffer) {
            return 48 + align(ARRAY_HEADER + buffer.capacity());
        }
        if (value instanceof java.util.Date) {
            return 24;
        }
        if (value instanceof Struct struct) {
            long size = 16 + align(ARRAY_HEADER + 4L * struct.schema().fields().size());
            for (Field f : struct.schema().fields()) {
                size += value(struct.get(f));
            }
            return size;
        }
        if (value instanceof Collection<?> list) {
            long size = 24 + align(ARRAY_HEADER + 4L * list.size());
            for (Object o : list) {
                size += value(o);
            }
            return size;
        }
        if (value instanceof Map<?, ?> map) {
            long size = 48 + align(ARRAY_HEADER + 4L * map.size() * 2) + 32L * map.size();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                size += value(e.getKey()) + value(e.getValue());
            }
            return size;
        }
        return 32;
    }

    private static long bigInteger(BigInteger i) {
        return 40 + align(ARRAY_HEADER + 4L * ((i.bitLength() + 31) / 32));
    }

    private static boolean latin1(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xFF) {
                return false;
            }
        }
        return true;
    }

    private static long align(long size) {
        return (size + 7) & ~7L;
    }
}
