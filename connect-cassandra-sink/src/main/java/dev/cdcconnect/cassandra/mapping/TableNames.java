package dev.cdcconnect.cassandra.mapping;

import dev.cdcconnect.event.SourceInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which table a record goes to: the topic's entry in {@code topic.table.mapping}, else
 * {@code table.name.template} filled from the topic and the change event's source block. A name of the form
 * {@code keyspace.table} names its keyspace; otherwise the configured keyspace is used.
 */
public final class TableNames {

    public static final String PLACEHOLDERS = "${topic}, ${database}, ${schema}, ${table}";
    private static final Set<String> KNOWN = Set.of("topic", "database", "schema", "table");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,47}");
    private static final Pattern NOT_IDENTIFIER_CHAR = Pattern.compile("[^A-Za-z0-9_]");

    /** A parsed template: literal text and placeholder names, alternating. */
    public record Template(List<String> parts) {
        public boolean uses(String placeholder) {
            for (int i = 1; i < parts.size(); i += 2) {
                if (parts.get(i).equals(placeholder)) {
                    return true;
                }
            }
            return false;
        }

        String fill(Map<String, String> values) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < parts.size(); i++) {
                out.append(i % 2 == 0 ? parts.get(i) : NOT_IDENTIFIER_CHAR.matcher(values.get(parts.get(i))).replaceAll("_"));
            }
            return out.toString();
        }
    }

    private final String keyspace;
    private final Template template;
    private final Map<String, String> topicTables;

    public TableNames(String keyspace, String template, Map<String, String> topicTables) {
        this.keyspace = keyspace;
        this.template = parseTemplate(template);
        this.topicTables = Map.copyOf(topicTables);
    }

    /** Parses a table name template; rejects unknown placeholders and names that cannot be CQL identifiers. */
    public static Template parseTemplate(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("must not be empty; placeholders: " + PLACEHOLDERS);
        }
        List<String> parts = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(text.trim());
        int last = 0;
        while (m.find()) {
            String name = m.group(1);
            if (!KNOWN.contains(name)) {
                throw new IllegalArgumentException("unknown placeholder ${" + name + "}; known: " + PLACEHOLDERS);
            }
            parts.add(text.trim().substring(last, m.start()));
            parts.add(name);
            last = m.end();
        }
        parts.add(text.trim().substring(last));
        Template template = new Template(List.copyOf(parts));
        String sample = template.fill(Map.of("topic", "t", "database", "d", "schema", "s", "table", "x"));
        checkQualifiedName(sample);
        return template;
    }

    /** Parses {@code topic=table} / {@code topic=keyspace.table} entries. */
    public static Map<String, String> parseMappings(List<String> entries) {
        Map<String, String> mappings = new LinkedHashMap<>();
        for (String entry : entries) {
            String e = entry.trim();
            if (e.isEmpty()) {
                continue;
            }
            int eq = e.indexOf('=');
            if (eq <= 0 || eq == e.length() - 1) {
                throw new IllegalArgumentException("'" + entry + "' is not topic=table or topic=keyspace.table");
            }
            String topic = e.substring(0, eq).trim();
            String table = e.substring(eq + 1).trim();
            checkQualifiedName(table);
            if (mappings.put(topic, table) != null) {
                throw new IllegalArgumentException("topic " + topic + " is mapped twice");
            }
        }
        return mappings;
    }

    /** Checks a keyspace or table name: a CQL identifier of letters, digits and '_', starting with a letter. */
    public static String checkIdentifier(String name) {
        if (name == null || !IDENTIFIER.matcher(name.trim()).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not a keyspace or table name: letters, digits and "
                    + "'_', starting with a letter, at most 48 characters");
        }
        return name.trim();
    }

    private static void checkQualifiedName(String name) {
        String[] parts = name.split("\\.", -1);
        if (parts.length > 2) {
            throw new IllegalArgumentException("'" + name + "' is neither table nor keyspace.table");
        }
        for (String part : parts) {
            checkIdentifier(part);
        }
    }

    /** The table of a record from this topic, with the source block of its change event (or null). */
    public TableRef resolve(String topic, SourceInfo source) {
        String name = topicTables.get(topic);
        if (name == null) {
            Map<String, String> values = new LinkedHashMap<>();
            values.put("topic", topic);
            String lastSegment = topic.substring(topic.lastIndexOf('.') + 1);
            values.put("table", source != null && source.table() != null ? source.table() : lastSegment);
            values.put("database", source != null && source.database() != null ? source.database() : "");
            values.put("schema", source != null && source.schema() != null ? source.schema() : "");
            name = template.fill(values);
        }
        return qualified(name);
    }

    /**
     * The table of a topic when it is known without a record (an explicit mapping, or a template that uses
     * only ${topic}), for checks at start.
     */
    public Optional<TableRef> resolveWithoutRecord(String topic) {
        if (topicTables.containsKey(topic)) {
            return Optional.of(qualified(topicTables.get(topic)));
        }
        if (template.uses("table") || template.uses("database") || template.uses("schema")) {
            return Optional.empty();
        }
        return Optional.of(resolve(topic, null));
    }

    private TableRef qualified(String name) {
        int dot = name.indexOf('.');
        if (dot < 0) {
            return TableRef.of(keyspace, name);
        }
        return TableRef.of(name.substring(0, dot), name.substring(dot + 1));
    }
}
