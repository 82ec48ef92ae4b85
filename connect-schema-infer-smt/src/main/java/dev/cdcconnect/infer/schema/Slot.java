package dev.cdcconnect.infer.schema;

import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One field of an output struct (or the root of a document): its type so far and how a value is put in it. */
final class Slot {

    final String name;
    final String path;
    /** Pinned type, or null when the type is inferred. */
    final TypeHint hint;
    FieldKind kind;
    FieldKind elementKind;
    StructState struct;
    /** The field in the current schema. */
    Field field;
    /** Source paths whose values land in this field; more than one means a record may hold two of them. */
    final List<String> sources = new ArrayList<>(1);

    private Slot(String name, String path, TypeHint hint) {
        this.name = name;
        this.path = path;
        this.hint = hint;
    }

    static Slot hinted(String name, String path, TypeHint hint) {
        return new Slot(name, path, hint);
    }

    static Slot of(String name, String path, Shape.Obs obs, Context context) {
        Slot slot = new Slot(name, path, null);
        slot.kind = obs.kind();
        slot.elementKind = obs.elementKind();
        if (obs.kind() == FieldKind.STRUCT) {
            slot.struct = new StructState(path, context);
            slot.struct.merge(obs.struct());
        }
        return slot;
    }

    /**
     * Widens to take values of the observed type; true when the type changed. When type changes are rejected
     * the type stays as it is (a stored schema folded in later never changes a type published earlier).
     */
    boolean widen(Shape.Obs obs, boolean keepType) {
        if (hint != null || kind == FieldKind.STRING) {
            return false;
        }
        if (kind == obs.kind()) {
            if (kind == FieldKind.STRUCT) {
                return struct.merge(obs.struct());
            }
            if (kind == FieldKind.ARRAY && elementKind != obs.elementKind() && !keepType) {
                FieldKind widened = FieldKind.widen(elementKind, obs.elementKind());
                if (widened != FieldKind.FLOAT64) {
                    // elements no longer agree: the array is kept as JSON text from now on
                    toString(FieldKind.STRING);
                    return true;
                }
                if (elementKind == FieldKind.FLOAT64) {
                    return false; // FLOAT64 elements take integers
                }
                elementKind = widened;
                return true;
            }
            return false;
        }
        FieldKind widened = FieldKind.widen(kind, obs.kind());
        if (widened == kind || keepType) {
            return false; // already wide enough, e.g. FLOAT64 taking an integer
        }
        toString(widened);
        return true;
    }

    /**
     * Why a value of the observed type cannot go into this field without changing the field's type, or null
     * when it can (the types agree, or this type holds the value exactly, or the field is hinted).
     */
    String conflict(Shape.Obs obs, Object value) {
        if (hint != null) {
            return null;
        }
        if (kind == obs.kind()) {
            if (kind == FieldKind.STRUCT) {
                return struct.conflict(obs.struct());
            }
            if (kind == FieldKind.ARRAY && elementKind != obs.elementKind()
                    && !(elementKind == FieldKind.FLOAT64 && obs.elementKind() == FieldKind.INT64)) {
                return describe(value, obs.elementKind() == null ? "an array of mixed elements"
                        : "an array of " + obs.elementKind().spec);
            }
            return null;
        }
        if (kind == FieldKind.FLOAT64 && obs.kind() == FieldKind.INT64) {
            return Values.toFloat64(value, true) != Values.NO_FIT ? null
                    : describe(value, "an integer that float64 cannot hold exactly");
        }
        if (kind == FieldKind.TIMESTAMP && obs.kind() == FieldKind.DATE) {
            return null;
        }
        return describe(value, value instanceof String ? "a string" : article(obs.kind().spec));
    }

    private static String article(String type) {
        return ("aeiou".indexOf(type.charAt(0)) >= 0 ? "an " : "a ") + type;
    }

    private String describe(Object value, String what) {
        String type = kind == FieldKind.ARRAY ? "array<" + elementKind.spec + ">" : kind.spec;
        return "field '" + (path.isEmpty() ? "(the whole key)" : path) + "' is " + type
                + " in the published schema, and its value " + Values.show(value) + " is " + what;
    }

    /** The number of fields this slot holds: nested fields for a struct, else 1. */
    int fieldCount() {
        return kind == FieldKind.STRUCT && hint == null ? struct.fieldCount() : 1;
    }

    private void toString(FieldKind widened) {
        kind = widened;
        elementKind = null;
        struct = null;
    }

    /** The schema builder for this slot's type, required and unversioned. */
    SchemaBuilder builder() {
        if (hint != null) {
            return copy(hint.schema());
        }
        return switch (kind) {
            case INT64 -> SchemaBuilder.int64();
            case FLOAT64 -> SchemaBuilder.float64();
            case BOOLEAN -> SchemaBuilder.bool();
            case STRING -> SchemaBuilder.string();
            case BYTES -> SchemaBuilder.bytes();
            case DATE -> Date.builder();
            case TIMESTAMP -> Timestamp.builder();
            case ARRAY -> SchemaBuilder.array(elementKind.schema);
            case STRUCT -> struct.builder();
        };
    }

    /** The optional schema of this slot as a field. */
    Schema fieldSchema() {
        if (hint != null) {
            return hint.schema();
        }
        return kind.schema != null ? kind.schema : builder().optional().build();
    }

    /** Points the slot at its field in a newly built schema. */
    void bind(Field field) {
        this.field = field;
        if (struct != null) {
            struct.bind(field.schema());
        }
    }

    /**
     * The value this field holds for a source value, or {@link Values#NO_FIT} when the type must widen first.
     *
     * @param depth nesting level of the object holding the value (the document itself is 1)
     */
    Object convert(Object v, int depth, Context context) {
        if (hint != null) {
            return hint.convert(v, path, depth, context.json());
        }
        return switch (kind) {
            case INT64 -> Values.toInt64(v);
            case FLOAT64 -> Values.toFloat64(v, context.settings().rejectsTypeChanges());
            case BOOLEAN -> Values.toBoolean(v);
            case STRING -> context.settings().rejectsTypeChanges() && !(v instanceof String || v instanceof Map
                    || v instanceof List) ? Values.NO_FIT : context.json().text(v, path, depth);
            case BYTES -> Values.toBytes(v);
            case DATE -> Values.toDate(v);
            case TIMESTAMP -> Values.toTimestamp(v);
            case ARRAY -> v instanceof List<?> list && depth < context.settings().maxDepth()
                    ? convertArray(list) : Values.NO_FIT;
            case STRUCT -> {
                if (!(v instanceof Map<?, ?> map) || depth >= context.settings().maxDepth()) {
                    yield Values.NO_FIT;
                }
                Struct nested = struct.fill(map, depth + 1);
                yield nested != null ? nested : Values.NO_FIT;
            }
        };
    }

    private Object convertArray(List<?> list) {
        boolean exact = true;
        for (Object element : list) {
            if (element == null) {
                continue;
            }
            Class<?> expected = switch (elementKind) {
                case INT64 -> Long.class;
                case FLOAT64 -> Double.class;
                case BOOLEAN -> Boolean.class;
                default -> String.class;
            };
            if (element.getClass() != expected) {
                exact = false;
                break;
            }
        }
        if (exact) {
            return list;
        }
        List<Object> converted = new ArrayList<>(list.size());
        for (Object element : list) {
            Object c = element == null ? null : switch (elementKind) {
                case INT64 -> Values.toInt64(element);
                case FLOAT64 -> Values.toFloat64(element, false);
                case BOOLEAN -> Values.toBoolean(element);
                default -> element instanceof String ? element : Values.NO_FIT;
            };
            if (c == Values.NO_FIT) {
                return Values.NO_FIT;
            }
            converted.add(c);
        }
        return converted;
    }

    /**
     * The type as stored. A hinted field is stored for its name and place, with the inferred type closest to its
     * hint: its type comes from configuration as long as the hint is there.
     */
    FieldSpec spec() {
        if (hint != null) {
            return FieldSpec.primitive(name, hint.storedType());
        }
        return switch (kind) {
            case ARRAY -> new FieldSpec(name, kind.spec, elementKind.spec, List.of());
            case STRUCT -> FieldSpec.struct(name, struct.specs());
            default -> FieldSpec.primitive(name, kind.spec);
        };
    }

    private static SchemaBuilder copy(Schema schema) {
        SchemaBuilder b = new SchemaBuilder(schema.type());
        if (schema.name() != null) {
            b.name(schema.name());
        }
        if (schema.parameters() != null) {
            b.parameters(schema.parameters());
        }
        return b;
    }
}
