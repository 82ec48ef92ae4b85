package dev.cdcconnect.enrich.table;

import dev.cdcconnect.enrich.lookup.Row;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Rows by integer key in open-addressing arrays: a lookup touches the key array, the value array and the row,
 * where a {@code ConcurrentHashMap<Long, Row>} also chases a node and a boxed key — for a table much larger
 * than the CPU caches that is most of the cost of a lookup — and an entry takes about 24 bytes instead of 64.
 *
 * <p>One thread writes; any number read without locks. A slot's key never changes once set (a removed row
 * leaves a tombstone under its key, swept when the arrays are rebuilt), values are published with release
 * semantics and read with acquire semantics, and rebuilt arrays are published through a volatile field, so a
 * reader sees either the row before or after a change, never a torn one.
 */
final class LongKeyRows {

    private static final VarHandle VALUES = MethodHandles.arrayElementVarHandle(Object[].class);
    private static final Object REMOVED = new Object();
    private static final int MIN_CAPACITY = 16;

    private record Slots(long[] keys, Object[] values, int mask) {
        Slots(int capacity) {
            this(new long[capacity], new Object[capacity], capacity - 1);
        }
    }

    private volatile Slots slots = new Slots(MIN_CAPACITY);
    private int size;
    private int used;

    Row get(long key) {
        Slots s = slots;
        int i = index(key, s.mask);
        while (true) {
            Object value = VALUES.getAcquire(s.values, i);
            if (value == null) {
                return null;
            }
            if (s.keys[i] == key) {
                return value == REMOVED ? null : (Row) value;
            }
            i = (i + 1) & s.mask;
        }
    }

    /** Stores the row and returns the previous one, or null. */
    Row put(long key, Row row) {
        Slots s = slots;
        int i = index(key, s.mask);
        while (true) {
            Object value = s.values[i];
            if (value == null) {
                s.keys[i] = key;
                VALUES.setRelease(s.values, i, row);
                size++;
                if (++used * 2 > s.values.length) {
                    // live rows end up filling a quarter to a half of the new arrays; tombstones are dropped
                    rebuild(Math.max(MIN_CAPACITY, Integer.highestOneBit(size * 2) << 1));
                }
                return null;
            }
            if (s.keys[i] == key) {
                VALUES.setRelease(s.values, i, row);
                if (value == REMOVED) {
                    size++;
                    return null;
                }
                return (Row) value;
            }
            i = (i + 1) & s.mask;
        }
    }

    /** Removes the key's row and returns it, or null. */
    Row remove(long key) {
        Slots s = slots;
        int i = index(key, s.mask);
        while (true) {
            Object value = s.values[i];
            if (value == null) {
                return null;
            }
            if (s.keys[i] == key) {
                if (value == REMOVED) {
                    return null;
                }
                VALUES.setRelease(s.values, i, REMOVED);
                size--;
                return (Row) value;
            }
            i = (i + 1) & s.mask;
        }
    }

    void clear() {
        slots = new Slots(MIN_CAPACITY);
        size = 0;
        used = 0;
    }

    int size() {
        return size;
    }

    /** Bytes the arrays take beyond the rows: 12 per slot, at least two slots per row. */
    long arrayBytes() {
        return 12L * slots.values.length + 32;
    }

    private void rebuild(int capacity) {
        Slots old = slots;
        Slots fresh = new Slots(capacity);
        for (int j = 0; j < old.values.length; j++) {
            Object value = old.values[j];
            if (value != null && value != REMOVED) {
                int i = index(old.keys[j], fresh.mask);
                while (fresh.values[i] != null) {
                    i = (i + 1) & fresh.mask;
                }
                fresh.keys[i] = old.keys[j];
                fresh.values[i] = value;
            }
        }
        used = size;
        slots = fresh;
    }

    private static int index(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
