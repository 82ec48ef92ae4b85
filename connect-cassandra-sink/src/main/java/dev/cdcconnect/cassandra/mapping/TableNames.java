package dev.cdcconnect.cassandra.mapping;

import dev.cdcconnect.event.SourceInfo;
import dev.cdcconnect.event.TableNameTemplate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which table a record goes to: the topic's entry in {@code topic.table.mapping}, else
 * {@code table.name.template} filled from the topic and the change event's source block. A name of the form
 * {@code keyspace.table} names its keyspace; otherwise the configured keyspace is used.
 */
public final class TableNames {

    public static final String PLACEHOLDERS = TableNameTemplate.PLACEHOLDERS;
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,47}");
    /** What a placeholder's value cannot hold in a CQL identifier; a '.' would name a keyspace. */
    private static final Pattern NOT_IDENTIFIER_CHAR = Pattern.compile("[^A-Za-z0-9_]");

    private final String keyspace;
    private final TableNameTemplate template;
    private final Map<String, String> topicTables;

    public TableNames(String keyspace, String template, Map<String, String> topicTables) {
        this.keyspace = keyspace;
        this.template = parseTemplate(template);
        this.topicTables = Map.copyOf(topicTables);
    }

    /** Parses a table name template; rejects unknown placeholders and names that cannot be CQL identifiers. */
    public static TableNameTemplate parseTemplate(String text) {
        return TableNameTemplate.parse(text, NOT_IDENTIFIER_CHAR, TableNames::checkQualifiedName);
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
        return qualified(name != null ? name : template.fill(topic, source));
    }

    /**
     * The table of a topic when it is known without a record (an explicit mapping, or a template that uses
     * only ${topic}), for checks at start.
     */
    public Optional<TableRef> resolveWithoutRecord(String topic) {
        if (topicTables.containsKey(topic)) {
            return Optional.of(qualified(topicTables.get(topic)));
        }
        if (template.needsSource()) {
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
