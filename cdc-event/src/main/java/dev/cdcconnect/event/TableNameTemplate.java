package dev.cdcconnect.event;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A table name made from a record's topic and the source block of its change event: a template with the
 * placeholders {@value #PLACEHOLDERS}. {@code ${table}} is the source table, or the topic's last dot-separated part
 * when the event names none; {@code ${database}} and {@code ${schema}} are empty when the event names none.
 *
 * <p>Each sink gives its own rules: which characters of a placeholder's value are replaced by {@code '_'}, and
 * which names it accepts (a template is checked once with sample values when it is parsed).
 */
public final class TableNameTemplate {

    public static final String PLACEHOLDERS = "${topic}, ${database}, ${schema}, ${table}";
    private static final Set<String> KNOWN = Set.of("topic", "database", "schema", "table");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");
    private static final Map<String, String> SAMPLE = Map.of("topic", "t", "database", "d", "schema", "s",
            "table", "x");

    /** Literal text and placeholder names, alternating, starting with text. */
    private final List<String> parts;
    private final Pattern replaced;

    private TableNameTemplate(List<String> parts, Pattern replaced) {
        this.parts = parts;
        this.replaced = replaced;
    }

    /**
     * Parses a template.
     *
     * @param replaced  the characters of a placeholder's value that become {@code '_'} in the name
     * @param checkName throws an {@link IllegalArgumentException} saying why for a name the sink cannot use
     * @throws IllegalArgumentException for an empty template, an unknown placeholder, or a template whose names the
     *                                  sink cannot use
     */
    public static TableNameTemplate parse(String text, Pattern replaced, Consumer<String> checkName) {
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
        TableNameTemplate template = new TableNameTemplate(List.copyOf(parts), replaced);
        checkName.accept(template.fill(SAMPLE));
        return template;
    }

    /** Whether the name depends on the record's change event, not on its topic alone. */
    public boolean needsSource() {
        for (int i = 1; i < parts.size(); i += 2) {
            if (!parts.get(i).equals("topic")) {
                return true;
            }
        }
        return false;
    }

    /** The name for a record of this topic whose change event has this source block (null for none). */
    public String fill(String topic, SourceInfo source) {
        return fill(Map.of(
                "topic", topic,
                "database", source == null || source.database() == null ? "" : source.database(),
                "schema", source == null || source.schema() == null ? "" : source.schema(),
                "table", source == null || source.table() == null
                        ? topic.substring(topic.lastIndexOf('.') + 1) : source.table()));
    }

    private String fill(Map<String, String> values) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            out.append(i % 2 == 0 ? parts.get(i) : replaced.matcher(values.get(parts.get(i))).replaceAll("_"));
        }
        return out.toString();
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            out.append(i % 2 == 0 ? parts.get(i) : "${" + parts.get(i) + "}");
        }
        return out.toString();
    }
}
