package dev.cdcconnect.infer.schema;

/** What a record whose value needs a published field's type to change does to the schema. */
public enum TypeConflicts {
    /** The record is rejected and the published schema stays as it was: no column ever needs a new type. */
    REJECT,
    /** The field's type widens (INT64 to FLOAT64, anything else to STRING), as sinks that alter columns want. */
    WIDEN
}
