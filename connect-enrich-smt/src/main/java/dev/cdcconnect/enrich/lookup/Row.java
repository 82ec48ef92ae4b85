package dev.cdcconnect.enrich.lookup;

import java.util.Arrays;
import java.util.Objects;

/**
 * A looked-up row: the values of its layout's columns. A topic-fed table holds one per key in memory, and a
 * lookup in a table far larger than the CPU caches pays a cache miss for every object it goes through: so the
 * first four values are fields of the row itself, not of an array beside it (lookups usually keep a few
 * columns), and only further ones are in an array.
 */
public final class Row {

    private static final int INLINE = 4;

    private final RowLayout layout;
    private final Object v0;
    private final Object v1;
    private final Object v2;
    private final Object v3;
    private final Object[] more;

    public Row(RowLayout layout, Object[] values) {
        if (values.length != layout.size()) {
            throw new IllegalArgumentException("expected " + layout.size() + " values, got " + values.length);
        }
        this.layout = layout;
        int n = values.length;
        this.v0 = n > 0 ? values[0] : null;
        this.v1 = n > 1 ? values[1] : null;
        this.v2 = n > 2 ? values[2] : null;
        this.v3 = n > 3 ? values[3] : null;
        this.more = n > INLINE ? Arrays.copyOfRange(values, INLINE, n) : null;
    }

    public RowLayout layout() {
        return layout;
    }

    public Object value(int i) {
        Objects.checkIndex(i, layout.size());
        return switch (i) {
            case 0 -> v0;
            case 1 -> v1;
            case 2 -> v2;
            case 3 -> v3;
            default -> more[i - INLINE];
        };
    }

    /** The named column's value, or null when this row has no such column. */
    public Object value(String name) {
        int i = layout.indexOf(name);
        return i < 0 ? null : value(i);
    }

    /** How many values are not held in the row's own fields. */
    public int valuesBeyondInline() {
        return more == null ? 0 : more.length;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("Row{");
        for (int i = 0; i < layout.size(); i++) {
            s.append(i == 0 ? "" : ", ").append(layout.name(i)).append('=').append(value(i));
        }
        return s.append('}').toString();
    }
}
