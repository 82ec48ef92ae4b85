package dev.cdcconnect.infer.schema;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;

import java.util.List;
import java.util.Map;

/**
 * The schema learned for the keys or the values of one topic. It only ever grows: fields are the union of all
 * seen; a field's type never changes when type conflicts are rejected, and otherwise changes only to one that
 * holds every earlier value; the schema instance and its version change only when the schema does. Not thread-safe: one per transform instance, which Connect calls
 * from a single task thread.
 */
public final class TopicSchema {

    private final Context context;
    private final Analyzer analyzer;
    private final boolean objectsOnly;
    private Slot root;
    private int version;
    private Schema schema;

    /**
     * @param objectsOnly true for values, which must be JSON objects; keys may also be a bare JSON value
     */
    public TopicSchema(InferenceSettings settings, JsonText json, boolean objectsOnly) {
        this.context = new Context(settings, json);
        this.analyzer = new Analyzer(context);
        this.objectsOnly = objectsOnly;
    }

    /** Starts from a stored schema, keeping its version. */
    public void restore(SchemaSnapshot snapshot) {
        root = Slot.of("", "", Shape.Obs.of(snapshot.root(), ""), context);
        version = snapshot.version();
        rebuild();
    }

    /**
     * Widens to hold the given fields of an object document (from configuration or another store record).
     *
     * @return true when the schema changed
     */
    public boolean widen(List<FieldSpec> fields) {
        return widen(new Shape.Obs(FieldKind.STRUCT, null, Shape.Obj.of(fields, "")));
    }

    /** Widens to hold what a stored schema holds; true when the schema changed. */
    public boolean widen(SchemaSnapshot snapshot) {
        boolean changed = widen(Shape.Obs.of(snapshot.root(), ""));
        if (snapshot.version() > version) {
            version = snapshot.version();
            rebuild();
        }
        return changed;
    }

    /**
     * The document as a value of {@link #schema()}, widening the schema first if the document needs it.
     *
     * @param document a schemaless value: Map, List, String, Number, Boolean, byte[]
     * @throws InferenceFailure naming what is wrong with the document; the schema is then left as it was
     */
    public Object infer(Object document) {
        Object value = fit(document);
        if (value != null) {
            return value;
        }
        learn(document);
        value = fit(document);
        if (value == null) {
            throw new IllegalStateException("the schema widened for a document does not take it: " + schema);
        }
        return value;
    }

    /** The document as a value of {@link #schema()}, or null when the schema must change to take it. */
    public Object fit(Object document) {
        Object value = convert(document);
        return value == Values.NO_FIT ? null : value;
    }

    /**
     * Changes the schema so that it takes the document: new fields, and (when type conflicts widen) wider types.
     * Everything is checked before anything changes.
     *
     * @throws InferenceFailure when the document is bad, needs a published field's type to change while type
     *                          conflicts are rejected, or would take the schema past {@code max.fields}; the
     *                          schema is then left as it was
     * @return true when the schema changed; false when it already held the document's fields (a schema restored
     *         from the store learns where each source key goes from the first document that has it)
     */
    public boolean learn(Object document) {
        Shape.Obs obs = analyzer.document(document, objectsOnly);
        InferenceSettings settings = context.settings();
        if (root != null && settings.rejectsTypeChanges()) {
            String conflict = root.conflict(obs, document);
            if (conflict != null) {
                throw new InferenceFailure(conflict + ". The published schema (version " + version + ") is left as "
                        + "it was, as a sink cannot change a column's type: fix the record, or change the field's "
                        + "type in the table and in the schema store (or with type.hints); type.conflicts=widen "
                        + "widens instead");
            }
        }
        int fields = fieldCount() + added(obs);
        if (fields > settings.maxFields()) {
            throw new InferenceFailure("the record would take the schema to " + fields + " fields, more than "
                    + "max.fields=" + settings.maxFields() + " (it has " + fieldCount() + "); the published schema "
                    + "is left as it was");
        }
        return widen(obs);
    }

    /** The number of fields of the schema, nested ones included. */
    public int fieldCount() {
        return root == null ? 0 : root.fieldCount();
    }

    private int added(Shape.Obs obs) {
        if (root == null) {
            return StructState.leaves(obs);
        }
        return root.kind == FieldKind.STRUCT && obs.kind() == FieldKind.STRUCT ? root.struct.added(obs.struct()) : 0;
    }

    public Schema schema() {
        return schema;
    }

    public int version() {
        return version;
    }

    /** The schema as stored, or null before the first document. */
    public SchemaSnapshot snapshot() {
        if (root == null) {
            return null;
        }
        FieldSpec spec = root.spec();
        return new SchemaSnapshot(version, spec);
    }

    private boolean widen(Shape.Obs obs) {
        boolean changed;
        if (root == null) {
            root = Slot.of("", "", obs, context);
            changed = true;
        } else {
            changed = root.widen(obs, context.settings().rejectsTypeChanges());
        }
        if (changed) {
            version++;
            rebuild();
        }
        return changed;
    }

    private Object convert(Object document) {
        if (root == null) {
            return Values.NO_FIT;
        }
        if (root.kind == FieldKind.STRUCT) {
            if (!(document instanceof Map<?, ?> map)) {
                return Values.NO_FIT;
            }
            Struct struct = root.struct.fill(map, 1);
            return struct != null ? struct : Values.NO_FIT;
        }
        return root.convert(document, 0, context);
    }

    private void rebuild() {
        SchemaBuilder builder = root.builder();
        schema = builder.version(Math.max(version, 1)).build();
        if (root.struct != null) {
            root.struct.bind(schema);
        }
    }
}
