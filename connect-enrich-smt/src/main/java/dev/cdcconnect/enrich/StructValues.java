package dev.cdcconnect.enrich;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

/**
 * Fills a new {@link Struct} with values that already fit its fields: the values of an input struct, copied into
 * fields of the very same schemas. {@link Struct#put} validates every value again, and a nested struct with all
 * its fields; for a Debezium envelope (its row, its source block) that costs more than the lookups themselves.
 * So such values are written into the struct's value array directly, with the public, validating {@code put} as
 * the fallback where the array cannot be reached. Values from lookups always go through {@code put}.
 */
final class StructValues {

    private static final VarHandle VALUES = valuesHandle();

    private StructValues() {
    }

    private static VarHandle valuesHandle() {
        try {
            return MethodHandles.privateLookupIn(Struct.class, MethodHandles.lookup())
                    .findVarHandle(Struct.class, "values", Object[].class);
        } catch (ReflectiveOperationException | RuntimeException unreachable) {
            return null;
        }
    }

    /** Whether values are written directly (else through the validating {@code put}). */
    static boolean direct() {
        return VALUES != null;
    }

    /**
     * Sets {@code value}, which fits {@code field}'s schema because it comes from a field of the same schema, in
     * {@code struct}.
     */
    static void setFitting(Struct struct, Field field, Object value) {
        if (VALUES != null) {
            ((Object[]) VALUES.get(struct))[field.index()] = value;
        } else {
            struct.put(field, value);
        }
    }
}
