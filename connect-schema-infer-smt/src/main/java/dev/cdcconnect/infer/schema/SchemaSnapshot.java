package dev.cdcconnect.infer.schema;

/**
 * A learned schema as it is stored: its version and the root's type (a struct for object documents; keys may
 * be a primitive). Hinted fields are stored with the inferred type closest to their hint, which wins while it is
 * configured.
 */
public record SchemaSnapshot(int version, FieldSpec root) {
}
