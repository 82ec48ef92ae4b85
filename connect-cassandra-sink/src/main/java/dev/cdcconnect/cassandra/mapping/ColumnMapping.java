package dev.cdcconnect.cassandra.mapping;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Explicit field-to-column mapping from {@code column.mapping}: {@code path=column} for every topic, or
 * {@code topic:path=column} for one. A path is a field name or a dot path into nested structs.
 */
public final class ColumnMapping {

    private static final Pattern COLUMN = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,47}");

    private final Map<String, String> everyTopic;
    private final Map<String, Map<String, String>> perTopic;

    private ColumnMapping(Map<String, String> everyTopic, Map<String, Map<String, String>> perTopic) {
        this.everyTopic = everyTopic;
        this.perTopic = perTopic;
    }

    public static ColumnMapping parse(List<String> entries) {
        Map<String, String> every = new LinkedHashMap<>();
        Map<String, Map<String, String>> per = new LinkedHashMap<>();
        for (String entry : entries) {
            String e = entry.trim();
            if (e.isEmpty()) {
                continue;
            }
            int eq = e.lastIndexOf('=');
            if (eq <= 0 || eq == e.length() - 1) {
                throw new IllegalArgumentException("'" + entry + "' is not path=column or topic:path=column");
            }
            String left = e.substring(0, eq).trim();
            String column = e.substring(eq + 1).trim();
            if (!COLUMN.matcher(column).matches()) {
                throw new IllegalArgumentException("'" + column + "' in '" + entry + "' is not a column name: "
                        + "letters, digits and '_', starting with a letter");
            }
            int colon = left.indexOf(':');
            String path = colon < 0 ? left : left.substring(colon + 1).trim();
            if (path.isEmpty() || path.startsWith(".") || path.endsWith(".") || path.contains("..")) {
                throw new IllegalArgumentException("'" + left + "' in '" + entry + "' is not a field path such as "
                        + "user.name");
            }
            Map<String, String> target = colon < 0 ? every : per.computeIfAbsent(left.substring(0, colon).trim(),
                    t -> new LinkedHashMap<>());
            if (target.put(path, column.toLowerCase(java.util.Locale.ROOT)) != null) {
                throw new IllegalArgumentException("field " + path + " is mapped twice");
            }
        }
        return new ColumnMapping(Map.copyOf(every), Map.copyOf(per));
    }

    /** The explicit mappings that apply to a topic, path to column; per-topic entries win. */
    public Map<String, String> forTopic(String topic) {
        Map<String, String> topicOnly = perTopic.get(topic);
        if (topicOnly == null) {
            return everyTopic;
        }
        Map<String, String> merged = new LinkedHashMap<>(everyTopic);
        merged.putAll(topicOnly);
        return merged;
    }

    /** Every column some mapping names for that topic. */
    public List<String> columnsFor(String topic) {
        return List.copyOf(forTopic(topic).values());
    }
}
