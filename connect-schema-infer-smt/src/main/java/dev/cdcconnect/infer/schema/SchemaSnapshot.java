package dev.cdcconnect.infer.schema;

/**
 * A learned schema as it is stored: its version and the root's type (a struct for object documents; keys may
 * be a primitive). Hinted fields are left out: their type comes from configuration.
 */
public record SchemaSnapshot(int version, FieldSpec root) {
}
