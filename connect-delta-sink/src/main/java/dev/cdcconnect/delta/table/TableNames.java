package dev.cdcconnect.delta.table;

import dev.cdcconnect.event.SourceInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which table a record goes to: {@code delta.table.name.template} filled from the topic and the change event's
 * source block, giving the table's folder under the table root.
 */
public final class TableNames {

    public static final String PLACEHOLDERS = "${topic}, ${database}, ${schema}, ${table}";
    private static final Set<String> KNOWN = Set.of("topic", "database", "schema", "table");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern NOT_NAME_CHAR = Pattern.compile("[^A-Za-z0-9_-]");

    /** A parsed template: literal text and placeholder names, alternating. */
    public record Template(List<String> parts) {
        String fill(Map<String, String> values) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < parts.size(); i++) {
                out.append(i % 2 == 0 ? parts.get(i)
                        : NOT_NAME_CHAR.matcher(values.getOrDefault(parts.get(i), "")).replaceAll("_"));
            }
            return out.toString();
        }
    }

    private final Template template;

    public TableNames(String template) {
        this.template = parseTemplate(template);
    }

    /** Parses a template; rejects unknown placeholders and names that cannot be folder names. */
    public static Template parseTemplate(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("must not be empty; placeholders: " + PLACEHOLDERS);
        }
        String trimmed = text.trim();
        List<String> parts = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(trimmed);
        int last = 0;
        while (m.find()) {
            String name = m.group(1);
            if (!KNOWN.contains(name)) {
                throw new IllegalArgumentException("unknown placeholder ${" + name + "}; known: " + PLACEHOLDERS);
            }
            parts.add(trimmed.substring(last, m.start()));
            parts.add(name);
            last = m.end();
        }
        parts.add(trimmed.substring(last));
        Template template = new Template(List.copyOf(parts));
        checkName(template.fill(Map.of("topic", "t", "database", "d", "schema", "s", "table", "x")));
        return template;
    }

    private static void checkName(String name) {
        for (String segment : name.split("/", -1)) {
            if (!SEGMENT.matcher(segment).matches() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("'" + name + "' is not a table folder name: segments of letters, "
                        + "digits, '_', '-' and '.', separated by '/'");
            }
        }
    }

    /** The table (folder name under the root) for a record of this topic with this source block. */
    public String resolve(String topic, SourceInfo source) {
        String table = source == null || source.table() == null ? lastPart(topic) : source.table();
        String name = template.fill(Map.of(
                "topic", topic,
                "database", source == null || source.database() == null ? "" : source.database(),
                "schema", source == null || source.schema() == null ? "" : source.schema(),
                "table", table));
        checkName(name);
        return name;
    }

    private static String lastPart(String topic) {
        int dot = topic.lastIndexOf('.');
        return dot < 0 ? topic : topic.substring(dot + 1);
    }
}
