package dev.cdcconnect.enrich.lookup;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;

/**
 * The columns of looked-up rows: names in output order and, when the source has schemas, each column's
 * Connect schema. Many rows share one layout, so a row itself is only an array of values.
 * Layouts are compared by identity: a source interns them.
 */
public final class RowLayout {

    private final String[] names;
    private final Schema[] schemas;
    private final Map<String, Integer> index;

    private RowLayout(String[] names, Schema[] schemas) {
        this.names = names;
        this.schemas = schemas;
        this.index = new HashMap<>(names.length * 2);
        for (int i = 0; i < names.length; i++) {
            index.put(names[i], i);
        }
    }

    /** A layout of columns that have schemas. */
    public static RowLayout withSchemas(List<String> names, List<Schema> schemas) {
        if (names.size() != schemas.size()) {
            throw new IllegalArgumentException("one schema per column is needed");
        }
        return new RowLayout(names.toArray(String[]::new), schemas.toArray(Schema[]::new));
    }

    /** A layout of schemaless columns (rows read from Maps). */
    public static RowLayout schemaless(List<String> names) {
        return new RowLayout(names.toArray(String[]::new), null);
    }

    /** The columns of a struct schema, all of them or only those named in {@code keep} (in that order). */
    public static RowLayout of(Schema structSchema, List<String> keep) {
        if (keep.isEmpty()) {
            List<Field> fields = structSchema.fields();
            return withSchemas(fields.stream().map(Field::name).toList(), fields.stream().map(Field::schema).toList());
        }
        List<Field> fields = keep.stream().map(structSchema::field).filter(f -> f != null).toList();
        return withSchemas(fields.stream().map(Field::name).toList(), fields.stream().map(Field::schema).toList());
    }

    public int size() {
        return names.length;
    }

    public String name(int i) {
        return names[i];
    }

    /** The column's schema, or null for schemaless rows. */
    public Schema schema(int i) {
        return schemas == null ? null : schemas[i];
    }

    public boolean hasSchemas() {
        return schemas != null;
    }

    /** The position of a column, or -1. */
    public int indexOf(String name) {
        Integer i = index.get(name);
        return i == null ? -1 : i;
    }

    public List<String> names() {
        return List.of(names);
    }

    /** Same columns with the same schemas: rows of either layout can be read with the other. */
    public boolean sameColumns(RowLayout other) {
        return Arrays.equals(names, other.names) && Arrays.equals(schemas, other.schemas);
    }

    @Override
    public String toString() {
        return "RowLayout" + Arrays.toString(names);
    }
}
