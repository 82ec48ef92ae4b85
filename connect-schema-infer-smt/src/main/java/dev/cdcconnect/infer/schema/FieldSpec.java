package dev.cdcconnect.infer.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A field's inferred type written down, so a learned schema can be stored and read back, or given in
 * configuration: {@code int64}, {@code float64}, {@code boolean}, {@code string}, {@code bytes}, {@code date},
 * {@code timestamp}, {@code array<int64>}, {@code struct<id:int64,name:string>}.
 *
 * @param items  element kind of an array, else null
 * @param fields fields of a struct, else empty
 */
public record FieldSpec(String name, String type, String items, List<FieldSpec> fields) {

    public FieldSpec {
        fields = List.copyOf(fields);
    }

    public static FieldSpec primitive(String name, String type) {
        return new FieldSpec(name, type, null, List.of());
    }

    public static FieldSpec struct(String name, List<FieldSpec> fields) {
        return new FieldSpec(name, "struct", null, fields);
    }

    /**
     * Reads the type grammar above for a field of the given name.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static FieldSpec parse(String name, String typeText) {
        String t = typeText.trim();
        String lower = t.toLowerCase(Locale.ROOT);
        if (lower.startsWith("array<") && lower.endsWith(">")) {
            String items = t.substring(6, t.length() - 1).trim().toLowerCase(Locale.ROOT);
            FieldKind kind = FieldKind.fromSpec(items);
            if (kind != FieldKind.INT64 && kind != FieldKind.FLOAT64 && kind != FieldKind.BOOLEAN
                    && kind != FieldKind.STRING) {
                throw new IllegalArgumentException("array elements must be int64, float64, boolean or string, got '"
                        + items + "'");
            }
            return new FieldSpec(name, "array", items, List.of());
        }
        if (lower.startsWith("struct<") && lower.endsWith(">")) {
            List<FieldSpec> fields = new ArrayList<>();
            for (String part : splitTopLevel(t.substring(7, t.length() - 1), ',')) {
                int colon = part.indexOf(':');
                if (colon <= 0) {
                    throw new IllegalArgumentException("struct field '" + part.trim() + "' is not name:type");
                }
                fields.add(parse(part.substring(0, colon).trim(), part.substring(colon + 1)));
            }
            return struct(name, fields);
        }
        FieldKind kind = FieldKind.fromSpec(lower);
        if (kind == null || !kind.isPrimitive()) {
            throw new IllegalArgumentException("unknown type '" + t + "'; valid types: int64, float64, boolean, "
                    + "string, bytes, date, timestamp, array<type>, struct<name:type,...>");
        }
        return primitive(name, kind.spec);
    }

    /**
     * Splits at a separator that is not inside (), &lt;&gt; or [] so that {@code decimal(10,2)} and
     * {@code struct<a:int64,b:string>} stay whole; blank parts are dropped.
     */
    public static List<String> splitTopLevel(String text, char separator) {
        List<String> parts = new ArrayList<>();
        int nesting = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(' || c == '<' || c == '[') {
                nesting++;
            } else if (c == ')' || c == '>' || c == ']') {
                nesting--;
            } else if (c == separator && nesting == 0) {
                addIfNotBlank(parts, text.substring(start, i));
                start = i + 1;
            }
        }
        addIfNotBlank(parts, text.substring(start));
        return parts;
    }

    /** The type in the grammar {@link #parse} reads. */
    public String typeText() {
        if ("array".equals(type)) {
            return "array<" + items + ">";
        }
        if ("struct".equals(type)) {
            StringBuilder b = new StringBuilder("struct<");
            for (int i = 0; i < fields.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                b.append(fields.get(i).name()).append(':').append(fields.get(i).typeText());
            }
            return b.append('>').toString();
        }
        return type;
    }

    FieldKind kind() {
        FieldKind kind = FieldKind.fromSpec(type);
        if (kind == null) {
            throw new IllegalArgumentException("unknown type '" + type + "' for field '" + name + "'");
        }
        return kind;
    }

    FieldKind itemKind() {
        FieldKind kind = items == null ? null : FieldKind.fromSpec(items);
        if (kind != FieldKind.INT64 && kind != FieldKind.FLOAT64 && kind != FieldKind.BOOLEAN
                && kind != FieldKind.STRING) {
            throw new IllegalArgumentException("unknown element type '" + items + "' for field '" + name + "'");
        }
        return kind;
    }

    private static void addIfNotBlank(List<String> parts, String part) {
        if (!part.isBlank()) {
            parts.add(part.trim());
        }
    }
}
