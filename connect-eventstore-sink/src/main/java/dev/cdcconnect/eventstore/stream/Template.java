package dev.cdcconnect.eventstore.stream;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A name pattern made of literal text and {@code ${placeholder}} parts, such as the stream name template
 * {@code ${table}-${key}}. Placeholder names are checked against an allowed set when the template is parsed;
 * a name ending in {@code .} in that set (such as {@code key.}) allows any name with that prefix.
 */
public final class Template {

    /** One piece of a template. */
    public sealed interface Part permits Literal, Placeholder {
    }

    /** Text copied as it is. */
    public record Literal(String text) implements Part {
    }

    /**
     * A value filled in per record.
     *
     * @param name          the placeholder name, e.g. {@code table} or {@code key.id}
     * @param beforeFirstDash whether the placeholder comes before the template's first literal {@code -}, i.e.
     *                      inside the part EventStoreDB's category projection takes as the category
     */
    public record Placeholder(String name, boolean beforeFirstDash) implements Part {
    }

    private final String text;
    private final List<Part> parts;

    private Template(String text, List<Part> parts) {
        this.text = text;
        this.parts = List.copyOf(parts);
    }

    /**
     * Parses a template.
     *
     * @throws IllegalArgumentException naming what is wrong: an unclosed or empty placeholder, or a placeholder
     *                                  that is not allowed (with the list of allowed ones)
     */
    public static Template parse(String text, Collection<String> allowed) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("must not be empty");
        }
        List<Part> parts = new ArrayList<>();
        boolean dashSeen = false;
        int i = 0;
        while (i < text.length()) {
            int open = text.indexOf("${", i);
            if (open < 0) {
                parts.add(new Literal(text.substring(i)));
                break;
            }
            if (open > i) {
                String literal = text.substring(i, open);
                parts.add(new Literal(literal));
                dashSeen |= literal.indexOf('-') >= 0;
            }
            int close = text.indexOf('}', open + 2);
            if (close < 0) {
                throw new IllegalArgumentException("placeholder opened at position " + open + " is not closed with '}'");
            }
            String name = text.substring(open + 2, close).trim();
            if (name.isEmpty()) {
                throw new IllegalArgumentException("empty placeholder '${}' at position " + open);
            }
            if (!isAllowed(name, allowed)) {
                throw new IllegalArgumentException("unknown placeholder ${" + name + "}; allowed: " + describe(allowed));
            }
            parts.add(new Placeholder(name, !dashSeen));
            i = close + 1;
        }
        return new Template(text, parts);
    }

    private static boolean isAllowed(String name, Collection<String> allowed) {
        for (String candidate : allowed) {
            if (candidate.endsWith(".") ? name.startsWith(candidate) && name.length() > candidate.length()
                    : candidate.equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Collection<String> allowed) {
        Set<String> sorted = new TreeSet<>();
        for (String name : allowed) {
            sorted.add("${" + (name.endsWith(".") ? name + "<field>" : name) + "}");
        }
        return String.join(", ", sorted);
    }

    public List<Part> parts() {
        return parts;
    }

    /** Whether the template has no placeholders, so every record gets the same name. */
    public boolean isFixed() {
        return parts.stream().noneMatch(Placeholder.class::isInstance);
    }

    /** Whether a placeholder of that exact name appears. */
    public boolean uses(String name) {
        return parts.stream().anyMatch(p -> p instanceof Placeholder ph && ph.name().equals(name));
    }

    /** Fills the placeholders with the given function's values; the function decides how to treat missing ones. */
    public String render(Function<Placeholder, String> values) {
        if (parts.size() == 1 && parts.get(0) instanceof Literal literal) {
            return literal.text();
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (Part part : parts) {
            if (part instanceof Literal literal) {
                out.append(literal.text());
            } else {
                out.append(values.apply((Placeholder) part));
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return text;
    }
}
