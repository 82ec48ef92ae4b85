package dev.cdcconnect.infer.schema;

import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Timestamp;

/** The types inference can give a field, ordered loosely from narrow to wide. */
enum FieldKind {
    INT64(Schema.OPTIONAL_INT64_SCHEMA, "int64"),
    FLOAT64(Schema.OPTIONAL_FLOAT64_SCHEMA, "float64"),
    BOOLEAN(Schema.OPTIONAL_BOOLEAN_SCHEMA, "boolean"),
    BYTES(Schema.OPTIONAL_BYTES_SCHEMA, "bytes"),
    DATE(Date.builder().optional().build(), "date"),
    TIMESTAMP(Timestamp.builder().optional().build(), "timestamp"),
    ARRAY(null, "array"),
    STRUCT(null, "struct"),
    /** Terminal: every value fits, strings as they are and anything else as its JSON text. */
    STRING(Schema.OPTIONAL_STRING_SCHEMA, "string");

    /** The optional schema of a field of this kind; null for the kinds whose schema has parts. */
    final Schema schema;
    final String spec;

    FieldKind(Schema schema, String spec) {
        this.schema = schema;
        this.spec = spec;
    }

    boolean isPrimitive() {
        return this != ARRAY && this != STRUCT;
    }

    /** The narrowest kind both fit in. */
    static FieldKind widen(FieldKind a, FieldKind b) {
        if (a == b) {
            return a;
        }
        if (pair(a, b, INT64, FLOAT64)) {
            return FLOAT64;
        }
        if (pair(a, b, DATE, TIMESTAMP)) {
            return TIMESTAMP;
        }
        return STRING;
    }

    static FieldKind fromSpec(String spec) {
        for (FieldKind kind : values()) {
            if (kind.spec.equalsIgnoreCase(spec)) {
                return kind;
            }
        }
        return null;
    }

    private static boolean pair(FieldKind a, FieldKind b, FieldKind x, FieldKind y) {
        return (a == x && b == y) || (a == y && b == x);
    }
}
