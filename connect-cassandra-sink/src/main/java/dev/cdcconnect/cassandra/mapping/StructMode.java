package dev.cdcconnect.cassandra.mapping;

import java.util.Arrays;

/** How a nested struct of a row (such as a lookup the Enrich transform adds) becomes columns. */
public enum StructMode {
    /** One column per nested field, named {@code <field>_<nested field>}. */
    FLATTEN,
    /** One column of a user-defined type with the struct's field names. */
    UDT,
    /** One text column holding the struct as JSON. */
    JSON;

    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static StructMode parse(String value) {
        String v = value == null ? "" : value.trim();
        return Arrays.stream(values()).filter(m -> m.configName().equalsIgnoreCase(v)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("must be one of flatten, udt, json"));
    }
}
