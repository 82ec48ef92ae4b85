package dev.cdcconnect.assembly;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;

/**
 * The configuration reference of the bundle, generated from the {@link ConfigDef} of every plugin its jars list in
 * {@code META-INF/services}: every key with its type, default, valid values, importance and documentation.
 *
 * <p>{@code generate <lib folder> <file>} writes the reference. {@code compare <generated> <checked-in>} fails
 * when the checked-in copy differs from the generated one, or, with {@code -Ddocs.update=true}, replaces it.
 */
public final class ConfigReference {

    /**
     * Keys a plugin defines once per name its configuration lists, so they are not in the ConfigDef its
     * {@code config()} returns: where the plugin builds the full ConfigDef, and a sample configuration naming one
     * entry {@value #SAMPLE_NAME}, which the reference shows as {@code <name>}.
     */
    private record NamedKeys(String pluginPrefix, String configClass, String method, Map<String, String> sample,
                             String placeholder) {
    }

    private static final String SAMPLE_NAME = "SAMPLENAME";
    private static final List<NamedKeys> NAMED_KEYS = List.of(
            new NamedKeys("dev.cdcconnect.enrich.Enrich", "dev.cdcconnect.enrich.EnrichConfig", "configDef",
                    Map.of("lookups", SAMPLE_NAME), "<lookup>"));

    private ConfigReference() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 3 && args[0].equals("generate")) {
            Path out = Path.of(args[2]);
            Files.createDirectories(out.toAbsolutePath().getParent());
            try (BundlePlugins bundle = BundlePlugins.load(Path.of(args[1]))) {
                Files.writeString(out, render(bundle), StandardCharsets.UTF_8);
                System.out.println("Configuration reference of " + bundle.plugins().size() + " plugins written to "
                        + out);
            }
        } else if (args.length == 3 && args[0].equals("compare")) {
            System.exit(compare(Path.of(args[1]), Path.of(args[2]).toAbsolutePath().normalize(),
                    Boolean.getBoolean("docs.update")));
        } else {
            System.err.println("usage: ConfigReference generate <lib folder> <file>\n"
                    + "       ConfigReference compare <generated file> <checked-in file>   [-Ddocs.update=true]");
            System.exit(2);
        }
    }

    private static int compare(Path generated, Path checkedIn, boolean update) throws IOException {
        String fresh = Files.readString(generated, StandardCharsets.UTF_8);
        String kept = Files.exists(checkedIn) ? Files.readString(checkedIn, StandardCharsets.UTF_8) : null;
        if (fresh.equals(kept)) {
            System.out.println(checkedIn + " is up to date with the plugins' ConfigDefs");
            return 0;
        }
        if (update) {
            Files.createDirectories(checkedIn.toAbsolutePath().getParent());
            Files.writeString(checkedIn, fresh, StandardCharsets.UTF_8);
            System.out.println(checkedIn + " rewritten from the plugins' ConfigDefs");
            return 0;
        }
        System.err.println(checkedIn + " is stale: it is not what the plugins' ConfigDefs say ("
                + (kept == null ? "the file is missing" : firstDifference(kept, fresh)) + ").\n"
                + "Regenerate it from the plugins' sources with:\n"
                + "  ./mvnw -pl assembly -am verify -DskipTests -Ddocs.update\n"
                + "then commit docs/config-reference.md.");
        return 1;
    }

    private static String firstDifference(String kept, String fresh) {
        String[] a = kept.split("\n", -1);
        String[] b = fresh.split("\n", -1);
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            String left = i < a.length ? a[i] : "<end of file>";
            String right = i < b.length ? b[i] : "<end of file>";
            if (!left.equals(right)) {
                return "line " + (i + 1) + " is '" + left + "', the plugins give '" + right + "'";
            }
        }
        return "line endings differ";
    }

    /** A section of the reference: one plugin, or the Key and Value variants of one transform. */
    private record Section(String title, BundlePlugins.Kind kind, List<String> classNames, ConfigDef def,
                           ConfigDef namedKeys, String placeholder) {

        String anchor() {
            return title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 -]", "").replace(' ', '-');
        }
    }

    static String render(BundlePlugins bundle) {
        List<Section> sections = sections(bundle);
        StringBuilder out = new StringBuilder();
        out.append("# Configuration reference\n\n")
                .append("Every setting of every plugin in the cdc-connect bundle, generated from the plugins' own\n")
                .append("`ConfigDef`s by the build, which fails when this file is out of date;\n")
                .append("`./mvnw -pl assembly -am verify -DskipTests -Ddocs.update` rewrites it. A transform's settings\n")
                .append("go into a connector's configuration under `transforms.<alias>.`, for example\n")
                .append("`transforms.infer.nested.mode`.\n\n");
        for (Section section : sections) {
            out.append("- [").append(section.title()).append("](#").append(section.anchor()).append(")\n");
        }
        for (Section section : sections) {
            out.append("\n## ").append(section.title()).append("\n\n");
            out.append(section.kind().label.substring(0, 1).toUpperCase(Locale.ROOT))
                    .append(section.kind().label.substring(1)).append(": ")
                    .append(String.join(", ", section.classNames().stream().map(c -> "`" + c + "`").toList()))
                    .append("\n");
            if (section.def().configKeys().isEmpty()) {
                out.append("\nNo settings.\n");
            }
            renderKeys(out, section.def(), UnaryOperator.identity());
            if (section.namedKeys() != null) {
                out.append("\n### Settings per `").append(section.placeholder()).append("`\n\n")
                        .append("Repeated for every name listed above, with `").append(section.placeholder())
                        .append("` replaced by that name.\n");
                renderKeys(out, section.namedKeys(), s -> s == null ? null : s.replace(SAMPLE_NAME, section.placeholder()));
            }
        }
        return out.toString();
    }

    private static List<Section> sections(BundlePlugins bundle) {
        Map<String, List<BundlePlugins.Plugin>> byOwner = new LinkedHashMap<>();
        for (BundlePlugins.Plugin plugin : bundle.plugins()) {
            byOwner.computeIfAbsent(plugin.kind() + " " + owner(plugin.type()), k -> new ArrayList<>()).add(plugin);
        }
        List<Section> sections = new ArrayList<>();
        for (List<BundlePlugins.Plugin> group : byOwner.values()) {
            // Key and Value variants share one section only when they share every key
            String shared = keysText(group.get(0).config());
            boolean same = group.stream().allMatch(p -> keysText(p.config()).equals(shared));
            List<List<BundlePlugins.Plugin>> parts = same ? List.of(group) : group.stream().map(List::of).toList();
            for (List<BundlePlugins.Plugin> part : parts) {
                BundlePlugins.Plugin first = part.get(0);
                String title = (part.size() > 1 || first.type().getEnclosingClass() == null
                        ? owner(first.type()).getSimpleName()
                        : first.type().getEnclosingClass().getSimpleName() + "." + first.type().getSimpleName())
                        + " (" + first.kind().label + ")";
                NamedKeys named = NAMED_KEYS.stream()
                        .filter(n -> first.className().startsWith(n.pluginPrefix() + "$")
                                || first.className().equals(n.pluginPrefix()))
                        .findFirst().orElse(null);
                sections.add(new Section(title, first.kind(), part.stream().map(BundlePlugins.Plugin::className).toList(),
                        first.config(), named == null ? null : namedKeys(bundle, named, first.config()),
                        named == null ? null : named.placeholder()));
            }
        }
        return sections;
    }

    /** The class a plugin's section is named after: a transform's outer class for its Key and Value variants. */
    private static Class<?> owner(Class<?> type) {
        Class<?> enclosing = type.getEnclosingClass();
        return enclosing != null && enclosing.isAssignableFrom(type) ? enclosing : type;
    }

    /** The keys a plugin adds per name, from the full ConfigDef it builds for a sample configuration. */
    private static ConfigDef namedKeys(BundlePlugins bundle, NamedKeys named, ConfigDef base) {
        ConfigDef full;
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        // class-typed defaults are resolved through the context loader, as in a worker
        thread.setContextClassLoader(bundle.loader());
        try {
            Class<?> configClass = Class.forName(named.configClass(), true, bundle.loader());
            full = (ConfigDef) configClass.getMethod(named.method(), Map.class).invoke(null, named.sample());
        } catch (ClassNotFoundException | NoSuchMethodException | IllegalAccessException e) {
            throw new IllegalStateException("The reference documents the per-name keys of " + named.pluginPrefix()
                    + " with " + named.configClass() + "." + named.method() + "(Map), which is not there: " + e, e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(named.configClass() + "." + named.method() + " failed", e.getCause());
        } finally {
            thread.setContextClassLoader(previous);
        }
        ConfigDef perName = new ConfigDef();
        full.configKeys().values().stream()
                .filter(key -> !base.configKeys().containsKey(key.name))
                .forEach(perName::define);
        if (perName.configKeys().isEmpty()) {
            throw new IllegalStateException(named.configClass() + "." + named.method() + "(" + named.sample()
                    + ") defines no key beyond config(): the reference's per-name section would be empty");
        }
        return perName;
    }

    private static void renderKeys(StringBuilder out, ConfigDef def, UnaryOperator<String> text) {
        List<String> groups = def.groups();
        List<ConfigKey> keys = new ArrayList<>(def.configKeys().values());
        keys.sort(Comparator.comparingInt((ConfigKey k) -> k.group == null ? Integer.MAX_VALUE : groups.indexOf(k.group))
                .thenComparingInt(k -> k.orderInGroup)
                .thenComparing(k -> k.name));
        String currentGroup = "";
        for (ConfigKey key : keys) {
            String group = key.group == null ? "Other settings" : markdown(text.apply(key.group));
            if (!group.equals(currentGroup)) {
                out.append("\n### ").append(group).append("\n");
                currentGroup = group;
            }
            out.append("\n#### `").append(text.apply(key.name)).append("`\n\n");
            String doc = key.documentation == null || key.documentation.isBlank() ? "(no description)" : key.documentation;
            out.append(markdown(text.apply(doc.strip()))).append("\n\n");
            out.append("- Type: ").append(key.type.name().toLowerCase(Locale.ROOT)).append("\n");
            out.append("- Default: ").append(text.apply(defaultText(key))).append("\n");
            String valid = validValues(key);
            if (!valid.isEmpty()) {
                out.append("- Valid values: ").append(markdown(text.apply(valid))).append("\n");
            }
            out.append("- Importance: ").append(key.importance.name().toLowerCase(Locale.ROOT)).append("\n");
        }
    }

    /** Plain text as Markdown: angle brackets would otherwise be taken for HTML tags and vanish. */
    private static String markdown(String text) {
        return text.replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String defaultText(ConfigKey key) {
        if (!key.hasDefault()) {
            return "none (required)";
        }
        if (key.defaultValue == null) {
            return "null";
        }
        if (key.type == ConfigDef.Type.PASSWORD) {
            return "(hidden)";
        }
        String value = ConfigDef.convertToString(key.defaultValue, key.type);
        return value == null || value.isEmpty() ? "\"\" (empty)" : "`" + value + "`";
    }

    /**
     * What the key's validator says it accepts. A validator must say it: one without a {@code toString()} of its
     * own would leave the reference (and {@code /config/validate}) without the key's valid values.
     */
    private static String validValues(ConfigKey key) {
        if (key.validator == null) {
            return "";
        }
        String described = Objects.toString(key.validator, "");
        boolean undescribed = key.validator.getClass().isSynthetic() || described.contains("$$Lambda")
                || described.startsWith(key.validator.getClass().getName() + "@");
        if (undescribed) {
            throw new IllegalStateException("The validator of '" + key.name + "' does not describe what it accepts"
                    + " (no toString()): build it with dev.cdcconnect.support.config.Validators, or give it a"
                    + " toString() naming the valid values, so the reference lists them");
        }
        return described.replace("\n", " ");
    }

    /** A plugin's keys as text, to tell whether two variants of a transform share every key. */
    private static String keysText(ConfigDef def) {
        StringBuilder text = new StringBuilder();
        renderKeys(text, def, UnaryOperator.identity());
        return text.toString();
    }
}
