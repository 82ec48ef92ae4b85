package dev.cdcconnect.delta.table;

import dev.cdcconnect.event.SourceInfo;
import dev.cdcconnect.event.TableNameTemplate;
import java.util.regex.Pattern;

/**
 * Which table a record goes to: {@code delta.table.name.template} filled from the topic and the change event's
 * source block, giving the table's folder under the table root.
 */
public final class TableNames {

    public static final String PLACEHOLDERS = TableNameTemplate.PLACEHOLDERS;
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    /** What a placeholder's value cannot hold in a folder name; a '.' or '/' would change the path. */
    private static final Pattern NOT_NAME_CHAR = Pattern.compile("[^A-Za-z0-9_-]");

    private final TableNameTemplate template;

    public TableNames(String template) {
        this.template = parseTemplate(template);
    }

    /** Parses a template; rejects unknown placeholders and names that cannot be folder names. */
    public static TableNameTemplate parseTemplate(String text) {
        return TableNameTemplate.parse(text, NOT_NAME_CHAR, TableNames::checkName);
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
        String name = template.fill(topic, source);
        checkName(name);
        return name;
    }
}
