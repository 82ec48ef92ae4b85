package dev.cdcconnect.infer.schema;

import java.util.Map;

/**
 * Everything that decides the shape of an inferred schema. Two transforms with equal settings give equal
 * schemas for the same documents.
 *
 * @param hints type hints by field: the flattened name in {@link NestedMode#FLATTEN}, the dotted path otherwise
 */
public record InferenceSettings(
        NestedMode nestedMode,
        String delimiter,
        ArrayMode arrayMode,
        boolean detectIso8601,
        int maxDepth,
        Map<String, TypeHint> hints) {

    public InferenceSettings {
        hints = Map.copyOf(hints);
    }

    /** The hint for a field, looked up the way {@link #hints} is keyed. */
    TypeHint hintFor(String outName, String path) {
        if (hints.isEmpty()) {
            return null;
        }
        return hints.get(nestedMode == NestedMode.FLATTEN ? outName : path);
    }
}
