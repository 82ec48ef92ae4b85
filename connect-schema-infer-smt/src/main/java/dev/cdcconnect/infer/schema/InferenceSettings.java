package dev.cdcconnect.infer.schema;

import java.util.Map;

/**
 * Everything that decides the shape of an inferred schema. Two transforms with equal settings give equal
 * schemas for the same documents.
 *
 * @param hints         type hints by field: the flattened name in {@link NestedMode#FLATTEN}, the dotted path
 *                      otherwise
 * @param typeConflicts whether a value that needs a published field's type to change is rejected or widens it
 * @param maxFields     how many fields (nested ones included) a learned schema may have
 */
public record InferenceSettings(
        NestedMode nestedMode,
        String delimiter,
        ArrayMode arrayMode,
        boolean detectIso8601,
        int maxDepth,
        Map<String, TypeHint> hints,
        TypeConflicts typeConflicts,
        int maxFields) {

    public InferenceSettings {
        hints = Map.copyOf(hints);
    }

    /** Settings that widen types and bound no width, as before conflicts could be rejected. */
    public InferenceSettings(NestedMode nestedMode, String delimiter, ArrayMode arrayMode, boolean detectIso8601,
            int maxDepth, Map<String, TypeHint> hints) {
        this(nestedMode, delimiter, arrayMode, detectIso8601, maxDepth, hints, TypeConflicts.WIDEN,
                Integer.MAX_VALUE);
    }

    boolean rejectsTypeChanges() {
        return typeConflicts == TypeConflicts.REJECT;
    }

    /** The hint for a field, looked up the way {@link #hints} is keyed. */
    TypeHint hintFor(String outName, String path) {
        if (hints.isEmpty()) {
            return null;
        }
        return hints.get(nestedMode == NestedMode.FLATTEN ? outName : path);
    }
}
