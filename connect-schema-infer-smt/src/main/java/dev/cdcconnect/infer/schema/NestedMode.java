package dev.cdcconnect.infer.schema;

/** What a nested JSON object becomes in the output schema. */
public enum NestedMode {
    /** One field per leaf, named by joining the path with the delimiter: {@code customer_address_city}. */
    FLATTEN,
    /** A nested optional Struct. */
    STRUCT,
    /** A STRING field holding the object's JSON text. */
    JSON
}
