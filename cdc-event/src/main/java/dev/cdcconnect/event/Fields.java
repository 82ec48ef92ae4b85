package dev.cdcconnect.event;

import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

/**
 * Reads fields from a record value that is either a {@link Struct} (records with a schema) or a {@link Map}
 * (schemaless records, as JsonConverter with {@code schemas.enable=false} produces them).
 */
public final class Fields {

    private Fields() {
    }

    /** Whether the value can hold named fields: a Struct or a Map. */
    public static boolean isContainer(Object value) {
        return value instanceof Struct || value instanceof Map;
    }

    /** Whether the container has a field of that name (for a Struct: in its schema, even when null). */
    public static boolean has(Object container, String name) {
        if (container instanceof Struct struct) {
            return struct.schema().field(name) != null;
        }
        if (container instanceof Map<?, ?> map) {
            return map.containsKey(name);
        }
        return false;
    }

    /** The named field's value, or null when the container is not a Struct or Map or has no such field. */
    public static Object get(Object container, String name) {
        if (container instanceof Struct struct) {
            Field field = struct.schema().field(name);
            return field == null ? null : struct.get(field);
        }
        if (container instanceof Map<?, ?> map) {
            return map.get(name);
        }
        return null;
    }

    /**
     * The value at a dot-separated path such as {@code after.user_id}, or null when any step is missing.
     * A path without dots is a plain {@link #get}.
     */
    public static Object path(Object container, String dotPath) {
        Object current = container;
        int start = 0;
        while (current != null) {
            int dot = dotPath.indexOf('.', start);
            if (dot < 0) {
                return get(current, dotPath.substring(start));
            }
            current = get(current, dotPath.substring(start, dot));
            start = dot + 1;
        }
        return null;
    }

    /** The named field as a String (numbers and booleans in their decimal form), or null. */
    public static String string(Object container, String name) {
        Object value = get(container, name);
        return value == null ? null : value.toString();
    }

    /** The named field as a Long when it is an integral number or a decimal string, else null. */
    public static Long number(Object container, String name) {
        Object value = get(container, name);
        if (value instanceof Number n) {
            return n.longValue();
        }
        if (value instanceof String s && !s.isEmpty()) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }
}
