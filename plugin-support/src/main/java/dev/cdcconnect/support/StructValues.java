package dev.cdcconnect.support;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fills a new {@link Struct} with values that fit its fields by construction: an input struct's values copied
 * into fields of the very same schemas, or values a transform converted to its field's type itself.
 * {@link Struct#put} validates every value again (builds a message string for each, and walks a nested struct
 * with all its fields), which for a Debezium envelope or a document of a dozen fields costs more than the
 * transform's own work. So such values are written into the struct's value array directly, with the public,
 * validating {@code put} as the fallback where the array cannot be reached (a Connect runtime whose Struct keeps
 * its values otherwise): that is logged once, as a warning, when this class loads.
 */
public final class StructValues {

    private static final Logger LOG = LoggerFactory.getLogger(StructValues.class);
    private static final VarHandle VALUES = valuesHandle("values", LOG::warn);

    private StructValues() {
    }

    /** The handle on Struct's value array field of that name; null, with a warning, when it cannot be had. */
    static VarHandle valuesHandle(String field, Consumer<String> warning) {
        try {
            return MethodHandles.privateLookupIn(Struct.class, MethodHandles.lookup())
                    .findVarHandle(Struct.class, field, Object[].class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            warning.accept("Transforms fill the Structs they build through Struct.put, which validates every value"
                    + " again (a nested struct in full), as this Connect runtime's Struct has no accessible Object[]"
                    + " field '" + field + "' (" + e + "): transforming costs more CPU per record, results are the"
                    + " same");
            return null;
        }
    }

    /** Whether values are written directly (else through the validating {@code put}). */
    public static boolean direct() {
        return VALUES != null;
    }

    /**
     * Sets {@code value}, which fits {@code field}'s schema (its type, and for a struct the very schema) because
     * it was made for it, in {@code struct}.
     */
    public static void setFitting(Struct struct, Field field, Object value) {
        if (VALUES != null) {
            ((Object[]) VALUES.get(struct))[field.index()] = value;
        } else {
            struct.put(field, value);
        }
    }
}
