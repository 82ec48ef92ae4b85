package dev.cdcconnect.enrich.lookup;

/**
 * A looked-up row: the values of its layout's columns. Kept as a bare array because a topic-fed table holds
 * one per key in memory.
 */
public final class Row {

    private final RowLayout layout;
    private final Object[] values;

    public Row(RowLayout layout, Object[] values) {
        if (values.length != layout.size()) {
            throw new IllegalArgumentException("expected " + layout.size() + " values, got " + values.length);
        }
        this.layout = layout;
        this.values = values;
    }

    public RowLayout layout() {
        return layout;
    }

    public Object value(int i) {
        return values[i];
    }

    /** The named column's value, or null when this row has no such column. */
    public Object value(String name) {
        int i = layout.indexOf(name);
        return i < 0 ? null : values[i];
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("Row{");
        for (int i = 0; i < values.length; i++) {
            s.append(i == 0 ? "" : ", ").append(layout.name(i)).append('=').append(values[i]);
        }
        return s.append('}').toString();
    }
}
