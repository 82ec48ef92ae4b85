package dev.cdcconnect.enrich;

import dev.cdcconnect.enrich.lookup.RowLayout;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.connect.data.Schema;

/**
 * The cache of output schemas. The key is everything the output schema depends on: the input schema (by
 * value, as converters may hand over equal schemas as new instances) and the lookups' current layouts (by
 * identity: sources intern them). So the same input shape gives the same output {@code Schema} instance,
 * which sinks rely on to skip schema changes. The last entry is checked first, by identity.
 */
final class OutputSchemas<T> {

    private static final int MAX_ENTRIES = 256;

    private record Key(Schema input, RowLayout[] layouts) {
        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Key other)) {
                return false;
            }
            if (layouts.length != other.layouts.length) {
                return false;
            }
            for (int i = 0; i < layouts.length; i++) {
                if (layouts[i] != other.layouts[i]) {
                    return false;
                }
            }
            return input.equals(other.input);
        }

        @Override
        public int hashCode() {
            int h = input.hashCode();
            for (RowLayout layout : layouts) {
                h = 31 * h + System.identityHashCode(layout);
            }
            return h;
        }
    }

    private final Map<Key, T> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, T> eldest) {
            return size() > MAX_ENTRIES;
        }
    };
    private Schema lastInput;
    private RowLayout[] lastLayouts;
    private T lastOutput;

    /** What was built for this input schema and these layouts (the output schema, or a plan holding it). */
    T get(Schema input, RowLayout[] layouts, Supplier<T> build) {
        if (input == lastInput && sameLayouts(layouts, lastLayouts)) {
            return lastOutput;
        }
        Key key = new Key(input, layouts.clone());
        T output = cache.get(key);
        if (output == null) {
            output = build.get();
            cache.put(key, output);
        }
        lastInput = input;
        lastLayouts = key.layouts();
        lastOutput = output;
        return output;
    }

    private static boolean sameLayouts(RowLayout[] a, RowLayout[] b) {
        if (b == null || a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "OutputSchemas{" + cache.size() + " entries, last layouts " + Arrays.toString(lastLayouts) + '}';
    }
}
