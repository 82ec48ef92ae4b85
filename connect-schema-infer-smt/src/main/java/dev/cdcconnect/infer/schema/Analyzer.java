package dev.cdcconnect.infer.schema;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Works out the {@link Shape} of a document and finds everything wrong with it: nesting past
 * {@code max.depth}, keys that flatten onto one name, values a type hint cannot read, values that are not JSON.
 * Runs only for documents the learned schema does not take yet, so it may allocate freely.
 */
final class Analyzer {

    private final Context context;
    private final InferenceSettings settings;

    Analyzer(Context context) {
        this.context = context;
        this.settings = context.settings();
    }

    static InferenceFailure collision(String firstPath, String secondPath, String outName) {
        return new InferenceFailure("source fields '" + firstPath + "' and '" + secondPath + "' both flatten to '"
                + outName + "'; rename one or choose another flatten.delimiter");
    }

    /** The shape of a whole document; only keys may be something other than an object. */
    Shape.Obs document(Object document, boolean objectsOnly) {
        if (document instanceof Map<?, ?> map) {
            return new Shape.Obs(FieldKind.STRUCT, null, object(map, "", "", 1, new HashMap<>()));
        }
        if (document instanceof List<?>) {
            throw new InferenceFailure("the document is a JSON array, but an object is needed");
        }
        FieldKind kind = Values.kindOf(document, settings.detectIso8601(), "");
        if (objectsOnly) {
            throw new InferenceFailure("the document is a JSON " + jsonTypeName(document)
                    + ", but an object is needed");
        }
        return Shape.Obs.of(kind);
    }

    private Shape.Obj object(Map<?, ?> map, String path, String outPrefix, int depth, Map<String, String> seen) {
        Map<String, Shape.Entry> entries = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            Object value = entry.getValue();
            if (value == null) {
                continue; // a field seen only as null takes its type from its first non-null value
            }
            String key = String.valueOf(entry.getKey());
            String childPath = path.isEmpty() ? key : path + "." + key;
            String outName = outPrefix.isEmpty() ? key : outPrefix + settings.delimiter() + key;
            TypeHint hint = settings.hintFor(outName, childPath);
            if (hint != null) {
                hint.convert(value, childPath, depth, context.json());
                leaf(entries, seen, key, childPath, outName, Shape.Obs.of(FieldKind.STRING), value);
            } else if (value instanceof Map<?, ?> nested) {
                if (depth >= settings.maxDepth()) {
                    throw InferenceFailure.tooDeep(childPath, settings.maxDepth());
                }
                switch (settings.nestedMode()) {
                    case FLATTEN -> entries.put(key, new Shape.Entry(key, childPath, outName,
                            object(nested, childPath, outName, depth + 1, seen), null, true, null));
                    case STRUCT -> leaf(entries, seen, key, childPath, outName, new Shape.Obs(FieldKind.STRUCT, null,
                            object(nested, childPath, "", depth + 1, new HashMap<>())), value);
                    case JSON -> {
                        context.json().text(nested, childPath, depth);
                        leaf(entries, seen, key, childPath, outName, Shape.Obs.of(FieldKind.STRING), value);
                    }
                }
            } else if (value instanceof List<?> list) {
                if (depth >= settings.maxDepth()) {
                    throw InferenceFailure.tooDeep(childPath, settings.maxDepth());
                }
                Shape.Obs obs = array(list, childPath, depth);
                if (obs != null) {
                    leaf(entries, seen, key, childPath, outName, obs, value);
                }
            } else {
                leaf(entries, seen, key, childPath, outName,
                        Shape.Obs.of(Values.kindOf(value, settings.detectIso8601(), childPath)), value);
            }
        }
        return new Shape.Obj(entries);
    }

    private Shape.Obs array(List<?> list, String path, int depth) {
        if (settings.arrayMode() == ArrayMode.ARRAY) {
            FieldKind elementKind = Values.elementKind(list);
            if (elementKind == null) {
                return null; // no element tells the type yet: as if the array were null
            }
            if (elementKind != Values.MIXED) {
                return new Shape.Obs(FieldKind.ARRAY, elementKind, null);
            }
        }
        context.json().text(list, path, depth);
        return Shape.Obs.of(FieldKind.STRING);
    }

    private static void leaf(Map<String, Shape.Entry> entries, Map<String, String> seen, String key, String path,
            String outName, Shape.Obs obs, Object value) {
        String earlier = seen.putIfAbsent(outName, path);
        if (earlier != null) {
            throw collision(earlier, path, outName);
        }
        entries.put(key, new Shape.Entry(key, path, outName, null, obs, true, value));
    }

    private static String jsonTypeName(Object value) {
        if (value instanceof String) {
            return "string";
        }
        if (value instanceof Boolean) {
            return "boolean";
        }
        if (value instanceof Number) {
            return "number";
        }
        return value.getClass().getSimpleName();
    }
}
