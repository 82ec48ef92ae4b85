package dev.cdcconnect.infer.schema;

/** What a JSON array becomes in the output schema. */
public enum ArrayMode {
    /** A STRING field holding the array's JSON text. */
    JSON,
    /** A Connect ARRAY when the elements are primitives that agree; JSON text otherwise. */
    ARRAY
}
