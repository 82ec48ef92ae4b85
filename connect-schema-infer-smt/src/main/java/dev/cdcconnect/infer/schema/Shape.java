package dev.cdcconnect.infer.schema;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one document (or a stored or configured schema) says about the types of its fields. It is worked out
 * completely, and every way the document can be bad is found, before the learned schema is touched: a
 * rejected record never widens a schema.
 */
final class Shape {

    private Shape() {
    }

    /** The type a value calls for; {@code struct} is set for {@link FieldKind#STRUCT}. */
    record Obs(FieldKind kind, FieldKind elementKind, Obj struct) {

        static Obs of(FieldKind kind) {
            return new Obs(kind, null, null);
        }

        static Obs of(FieldSpec spec, String path) {
            FieldKind kind = spec.kind();
            return switch (kind) {
                case ARRAY -> new Obs(kind, spec.itemKind(), null);
                case STRUCT -> new Obs(kind, null, Obj.of(spec.fields(), path));
                default -> of(kind);
            };
        }
    }

    /**
     * One key of an object: either a nested object to flatten ({@code object}) or a value ({@code leaf}).
     *
     * @param fromSource false for fields of a stored or configured schema, which name output fields only
     * @param value      the document's value for a leaf, to name it when it is rejected; null otherwise
     */
    record Entry(String key, String path, String outName, Obj object, Obs leaf, boolean fromSource, Object value) {
    }

    /** The keys of one object, in document order. */
    record Obj(Map<String, Entry> entries) {

        static Obj of(List<FieldSpec> fields, String path) {
            Map<String, Entry> entries = new LinkedHashMap<>();
            for (FieldSpec field : fields) {
                String fieldPath = path.isEmpty() ? field.name() : path + "." + field.name();
                entries.put(field.name(), new Entry(field.name(), fieldPath, field.name(), null,
                        Obs.of(field, fieldPath), false, null));
            }
            return new Obj(entries);
        }
    }
}
