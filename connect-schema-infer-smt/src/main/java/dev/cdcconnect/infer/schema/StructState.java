package dev.cdcconnect.infer.schema;

import dev.cdcconnect.support.StructValues;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An output struct learned so far: its fields in the order first seen, and the tree of source keys that feed
 * them (deep when flattening). Filling a Struct from a document whose shape is already known walks that tree
 * once and builds no schema.
 */
final class StructState {

    private final String path;
    private final Context context;
    private final boolean flatten;
    private final int maxDepth;
    private final SourceNode root;
    private final boolean keepTypes;
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private Schema schema;
    /** Per field, the number of the last record that set it: catches two source keys landing in one field. */
    private int[] stamps = new int[0];
    private int epoch;
    private boolean shared;

    StructState(String path, Context context) {
        this.path = path;
        this.context = context;
        this.flatten = context.settings().nestedMode() == NestedMode.FLATTEN;
        this.maxDepth = context.settings().maxDepth();
        this.root = SourceNode.root(path);
        this.keepTypes = context.settings().rejectsTypeChanges();
    }

    /** The first value of a document's shape that this struct's fields cannot take as they are, or null. */
    String conflict(Shape.Obj obj) {
        return conflict(root, obj);
    }

    private String conflict(SourceNode node, Shape.Obj obj) {
        for (Shape.Entry e : obj.entries().values()) {
            if (!e.fromSource()) {
                continue;
            }
            SourceNode child = node.children.get(e.key());
            if (e.object() != null) {
                if (child != null && child.children != null) {
                    String conflict = conflict(child, e.object());
                    if (conflict != null) {
                        return conflict;
                    }
                }
                continue;
            }
            Slot slot = child != null && child.slot != null ? child.slot : slots.get(e.outName());
            if (slot != null) {
                String conflict = slot.conflict(e.leaf(), e.value());
                if (conflict != null) {
                    return conflict;
                }
            }
        }
        return null;
    }

    /** The number of fields, nested ones included. */
    int fieldCount() {
        int count = 0;
        for (Slot slot : slots.values()) {
            count += slot.fieldCount();
        }
        return count;
    }

    /** How many fields a document's shape would add, nested ones included. */
    int added(Shape.Obj obj) {
        return added(root, obj);
    }

    private int added(SourceNode node, Shape.Obj obj) {
        int added = 0;
        for (Shape.Entry e : obj.entries().values()) {
            SourceNode child = node == null || node.children == null ? null : node.children.get(e.key());
            if (e.object() != null) {
                added += added(child, e.object());
                continue;
            }
            Slot slot = child != null && child.slot != null ? child.slot : slots.get(e.outName());
            if (slot == null) {
                added += leaves(e.leaf());
            } else if (slot.kind == FieldKind.STRUCT && slot.hint == null && e.leaf().kind() == FieldKind.STRUCT) {
                added += slot.struct.added(e.leaf().struct());
            }
        }
        return added;
    }

    static int leaves(Shape.Obs obs) {
        if (obs.kind() != FieldKind.STRUCT) {
            return 1;
        }
        return leaves(obs.struct());
    }

    static int leaves(Shape.Obj obj) {
        int count = 0;
        for (Shape.Entry e : obj.entries().values()) {
            count += e.object() != null ? leaves(e.object()) : leaves(e.leaf());
        }
        return count;
    }

    /** Widens to take what a document (or a stored schema) says; true when the schema changed. */
    boolean merge(Shape.Obj obj) {
        return merge(root, obj);
    }

    private boolean merge(SourceNode node, Shape.Obj obj) {
        boolean changed = false;
        for (Shape.Entry e : obj.entries().values()) {
            if (!e.fromSource()) {
                Slot slot = slots.get(e.outName());
                if (slot == null) {
                    slots.put(e.outName(), newSlot(e));
                    changed = true;
                } else {
                    changed |= slot.widen(e.leaf(), keepTypes);
                }
                continue;
            }
            SourceNode child = node.children.get(e.key());
            if (child == null) {
                child = new SourceNode(e.path(), e.outName());
                node.children.put(e.key(), child);
            }
            if (e.object() != null) {
                if (child.children == null) {
                    child.children = new HashMap<>();
                }
                changed |= merge(child, e.object());
            } else if (child.slot != null) {
                changed |= child.slot.widen(e.leaf(), keepTypes);
            } else {
                Slot slot = slots.get(e.outName());
                if (slot == null) {
                    slot = newSlot(e);
                    slots.put(e.outName(), slot);
                    changed = true;
                } else {
                    changed |= slot.widen(e.leaf(), keepTypes);
                }
                slot.sources.add(e.path());
                child.slot = slot;
                shared |= slot.sources.size() > 1;
            }
        }
        return changed;
    }

    private Slot newSlot(Shape.Entry e) {
        TypeHint hint = context.settings().hintFor(e.outName(), e.path());
        return hint != null ? Slot.hinted(e.outName(), e.path(), hint)
                : Slot.of(e.outName(), e.path(), e.leaf(), context);
    }

    SchemaBuilder builder() {
        SchemaBuilder b = SchemaBuilder.struct();
        for (Slot slot : slots.values()) {
            b.field(slot.name, slot.fieldSchema());
        }
        return b;
    }

    /** Points every field at a newly built schema of this struct. */
    void bind(Schema schema) {
        this.schema = schema;
        this.stamps = new int[slots.size()];
        this.shared = false;
        for (Slot slot : slots.values()) {
            slot.bind(schema.field(slot.name));
            shared |= slot.sources.size() > 1;
        }
    }

    /**
     * A Struct of the current schema holding the document, or null when the document needs the schema to widen
     * first (or shows a problem the analysis names).
     *
     * @param depth nesting level of the document (the top-level document is 1)
     */
    Struct fill(Map<?, ?> document, int depth) {
        Struct out = new Struct(schema);
        int record = shared ? ++epoch : 0;
        return fill(root, document, out, depth, record) ? out : null;
    }

    private boolean fill(SourceNode node, Map<?, ?> map, Struct out, int depth, int record) {
        Map<String, SourceNode> children = node.children;
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            Object value = entry.getValue();
            if (value == null) {
                continue;
            }
            Object key = entry.getKey();
            SourceNode child = children.get(key instanceof String s ? s : String.valueOf(key));
            Slot slot = child == null ? null : child.slot;
            if (flatten && value instanceof Map<?, ?> nested && (slot == null || slot.hint == null)) {
                if (child == null || child.children == null || depth >= maxDepth
                        || !fill(child, nested, out, depth + 1, record)) {
                    return false;
                }
                continue;
            }
            Object converted = slot == null ? Values.NO_FIT : slot.convert(value, depth, context);
            if (converted == Values.NO_FIT) {
                if (value instanceof List<?> list && Values.allNull(list)
                        && context.settings().arrayMode() == ArrayMode.ARRAY) {
                    continue; // no element tells the type: as if the array were null
                }
                return false;
            }
            if (record != 0 && slot.sources.size() > 1) {
                int index = slot.field.index();
                if (stamps[index] == record) {
                    throw collision(slot, child.path);
                }
                stamps[index] = record;
            }
            if (slot.hint == null) {
                // converted for this field's type, a nested struct for this field's schema
                StructValues.setFitting(out, slot.field, converted);
            } else {
                out.put(slot.field, converted);
            }
        }
        return true;
    }

    private static InferenceFailure collision(Slot slot, String path) {
        String other = slot.sources.stream().filter(s -> !s.equals(path)).findFirst().orElse(path);
        return Analyzer.collision(other, path, slot.name);
    }

    List<FieldSpec> specs() {
        List<FieldSpec> specs = new ArrayList<>(slots.size());
        for (Slot slot : slots.values()) {
            FieldSpec spec = slot.spec();
            if (spec != null) {
                specs.add(spec);
            }
        }
        return specs;
    }

    @Override
    public String toString() {
        return "struct at '" + path + "' with fields " + slots.keySet();
    }
}
