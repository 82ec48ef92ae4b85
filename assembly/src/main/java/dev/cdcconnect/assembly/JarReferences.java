package dev.cdcconnect.assembly;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which jars of a folder use which others, read from the class files: every class name in a class's constant
 * pool (types, descriptors, and class names in string constants, as reflection uses them) and every provider in
 * a {@code META-INF/services} manifest. A jar that no plugin reaches this way is a dependency nothing uses.
 */
final class JarReferences {

    private static final Pattern NAME = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(?:[/.][A-Za-z0-9_$]+)+");
    private static final Pattern VERSIONED = Pattern.compile("META-INF/versions/\\d+/(.+)");
    private static final String SERVICES = "META-INF/services/";

    private final Map<String, String> jarByClass = new HashMap<>();
    private final Map<String, Set<String>> uses = new HashMap<>();
    /** Jars that provide a service whose interface is not in the folder (a JDK or Kafka one): loaded on demand. */
    private final Set<String> externalProviders = new LinkedHashSet<>();
    /** Jars of resources only (native libraries, data), which code finds by resource name, not by class. */
    private final Set<String> resourceJars = new LinkedHashSet<>();

    private JarReferences() {
    }

    static JarReferences read(List<Path> jars) throws IOException {
        JarReferences references = new JarReferences();
        for (Path jar : jars) {
            try (JarFile file = new JarFile(jar.toFile(), false)) {
                String jarName = jar.getFileName().toString();
                references.uses.put(jarName, new HashSet<>());
                List<String> classes = file.stream().map(e -> className(e.getName())).filter(c -> c != null).toList();
                classes.forEach(c -> references.jarByClass.putIfAbsent(c, jarName));
                if (classes.isEmpty() && file.stream().anyMatch(e -> !e.isDirectory()
                        && !e.getName().startsWith("META-INF/"))) {
                    references.resourceJars.add(jarName);
                }
            }
        }
        for (Path jar : jars) {
            references.readUses(jar);
        }
        return references;
    }

    /**
     * The jars not reached from {@code roots}, nor from a provider of a service defined outside the folder; jars
     * of resources only count as reached (which resources code looks up cannot be read from class files).
     */
    Set<String> unreachedFrom(Collection<String> roots) {
        Set<String> reached = new HashSet<>(roots);
        reached.addAll(externalProviders);
        reached.addAll(resourceJars);
        Deque<String> pending = new ArrayDeque<>(reached);
        while (!pending.isEmpty()) {
            for (String used : uses.getOrDefault(pending.pop(), Set.of())) {
                if (reached.add(used)) {
                    pending.push(used);
                }
            }
        }
        Set<String> unreached = new java.util.TreeSet<>(uses.keySet());
        unreached.removeAll(reached);
        return unreached;
    }

    private void readUses(Path jar) throws IOException {
        String jarName = jar.getFileName().toString();
        Set<String> used = uses.get(jarName);
        try (JarFile file = new JarFile(jar.toFile(), false)) {
            for (Enumeration<JarEntry> entries = file.entries(); entries.hasMoreElements(); ) {
                JarEntry entry = entries.nextElement();
                String name = entry.getName();
                if (name.endsWith(".class")) {
                    try (InputStream in = file.getInputStream(entry)) {
                        for (String text : constantPoolTexts(in)) {
                            Matcher matcher = NAME.matcher(text);
                            while (matcher.find()) {
                                addUse(used, jarName, matcher.group());
                            }
                        }
                    }
                } else if (name.startsWith(SERVICES) && name.length() > SERVICES.length() && !entry.isDirectory()) {
                    String service = name.substring(SERVICES.length());
                    String serviceJar = jarByClass.get(service.replace('.', '/'));
                    try (InputStream in = file.getInputStream(entry)) {
                        for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                            String provider = line.replaceAll("#.*", "").trim();
                            String providerJar = jarByClass.get(provider.replace('.', '/'));
                            if (provider.isEmpty() || providerJar == null) {
                                continue;
                            }
                            if (serviceJar == null) {
                                externalProviders.add(providerJar);
                            } else if (!serviceJar.equals(providerJar)) {
                                // the service's jar loads its providers
                                uses.computeIfAbsent(serviceJar, j -> new HashSet<>()).add(providerJar);
                            }
                        }
                    }
                }
            }
        }
    }

    private void addUse(Set<String> used, String jarName, String text) {
        String name = text.replace('.', '/');
        String owner = jarByClass.get(name);
        if (owner == null && name.startsWith("L")) {
            owner = jarByClass.get(name.substring(1)); // a field or method descriptor
        }
        if (owner != null && !owner.equals(jarName)) {
            used.add(owner);
        }
    }

    /** The class an entry defines, in internal form; null for anything else. */
    private static String className(String entryName) {
        if (!entryName.endsWith(".class")) {
            return null;
        }
        Matcher versioned = VERSIONED.matcher(entryName);
        String name = versioned.matches() ? versioned.group(1) : entryName;
        return name.startsWith("META-INF/") ? null : name.substring(0, name.length() - ".class".length());
    }

    /**
     * The UTF-8 constants of a class file: where every type, descriptor and string it names is written. A file
     * that is not a class file names nothing.
     */
    private static List<String> constantPoolTexts(InputStream classFile) throws IOException {
        DataInputStream in = new DataInputStream(classFile);
        byte[] magic = in.readNBytes(4);
        if (magic.length < 4 || (((magic[0] & 0xFF) << 24) | ((magic[1] & 0xFF) << 16) | ((magic[2] & 0xFF) << 8)
                | (magic[3] & 0xFF)) != 0xCAFEBABE) {
            return List.of();
        }
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        List<String> texts = new java.util.ArrayList<>();
        for (int index = 1; index < count; index++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> texts.add(in.readUTF());
                case 7, 8, 16, 19, 20 -> in.skipNBytes(2);
                case 15 -> in.skipNBytes(3);
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4);
                case 5, 6 -> {
                    in.skipNBytes(8);
                    index++; // longs and doubles take two slots
                }
                default -> throw new IOException("unknown constant pool tag " + tag);
            }
        }
        return texts;
    }
}
