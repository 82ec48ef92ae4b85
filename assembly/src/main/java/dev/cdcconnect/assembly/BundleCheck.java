package dev.cdcconnect.assembly;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSigner;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fails the build when the bundle's {@code lib/} would not load cleanly in one plugin class loader: a signed jar
 * whose signature no longer verifies, a package split across jars signed differently, a jar nothing in lib/ uses,
 * or a plugin that does not load or does not report the build's version. Classes in two jars, and copies of what
 * the worker provides, are the enforcer's {@code banDuplicateClasses} rule's (see the module's POM); what is left
 * here no build tool checks: jdeps neither follows service manifests nor resolves modular jars whose required
 * modules the worker provides, and no tool loads the plugins the way a worker does.
 *
 * <p>Arguments: the {@code lib/} folder, the build's version.
 */
public final class BundleCheck {

    private static final Pattern VERSIONED = Pattern.compile("META-INF/versions/\\d+/(.+)");
    private static final Pattern SIGNATURE = Pattern.compile("META-INF/[^/]+\\.(SF|RSA|DSA|EC)");

    private BundleCheck() {
    }

    /** What the check found: the problems, and for a clean lib/ what was checked. */
    record Outcome(List<String> problems, String summary) {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: BundleCheck <lib folder> <expected plugin version>");
            System.exit(2);
        }
        Path lib = Path.of(args[0]);
        Outcome outcome = check(lib, args[1]);
        if (!outcome.problems().isEmpty()) {
            System.err.println("The bundle's lib/ (" + lib + ") has " + outcome.problems().size() + " problem(s):");
            outcome.problems().forEach(p -> System.err.println("  " + p));
            System.exit(1);
        }
        System.out.println(outcome.summary());
    }

    /** Checks the jars of {@code lib}; every plugin must report {@code version}. */
    static Outcome check(Path lib, String version) throws IOException {
        List<String> problems = new ArrayList<>();
        List<Path> jars = BundlePlugins.jars(lib);
        if (jars.isEmpty()) {
            problems.add("no jar in " + lib);
        }

        Set<String> classes = new HashSet<>();
        Map<String, Set<String>> jarsByPackage = new TreeMap<>();
        Map<String, Set<Certificate>> signersByJar = new HashMap<>();
        List<String> signed = new ArrayList<>();
        for (Path jar : jars) {
            String jarName = jar.getFileName().toString();
            try (JarFile file = new JarFile(jar.toFile(), true)) {
                boolean isSigned = file.stream().anyMatch(e -> SIGNATURE.matcher(e.getName()).matches());
                if (isSigned) {
                    signed.add(jarName);
                }
                for (Enumeration<JarEntry> entries = file.entries(); entries.hasMoreElements(); ) {
                    JarEntry entry = entries.nextElement();
                    if (isSigned && !entry.isDirectory()) {
                        verifySignature(file, entry, jarName, problems);
                    }
                    String className = className(entry.getName());
                    if (className == null) {
                        continue;
                    }
                    classes.add(className);
                    jarsByPackage.computeIfAbsent(packageOf(className), c -> new LinkedHashSet<>()).add(jarName);
                    signersByJar.computeIfAbsent(jarName, j -> signers(entry));
                }
            }
        }
        reportMixedSigners(jarsByPackage, signersByJar, problems);

        List<String> pluginLines = new ArrayList<>();
        Set<String> pluginJars = new TreeSet<>();
        try (BundlePlugins bundle = BundlePlugins.load(lib)) {
            if (bundle.plugins().isEmpty()) {
                problems.add("no plugin listed in any META-INF/services manifest of " + lib);
            }
            for (BundlePlugins.Plugin plugin : bundle.plugins()) {
                pluginJars.add(Path.of(plugin.type().getProtectionDomain().getCodeSource().getLocation().toURI())
                        .getFileName().toString());
                String reported = plugin.version();
                if (!version.equals(reported)) {
                    problems.add(plugin.className() + " reports version " + reported + ", not the build's " + version
                            + (reported == null ? " (it does not implement Versioned)" : ""));
                }
                if (plugin.config() == null) {
                    problems.add(plugin.className() + ".config() returns null");
                }
                pluginLines.add("  " + plugin.kind().label + " " + plugin.className() + " " + reported);
            }
        } catch (RuntimeException | LinkageError | URISyntaxException e) {
            problems.add("loading the plugins of " + lib + " failed: " + e);
        }
        for (String unused : JarReferences.read(jars).unreachedFrom(pluginJars)) {
            problems.add(unused + " is used by nothing in lib/: no plugin reaches it through class references or"
                    + " service manifests (exclude it from the bundle)");
        }

        String summary = "Bundle lib/ checked: " + jars.size() + " jars, " + classes.size()
                + " classes, every jar used; signed jars verified: "
                + (signed.isEmpty() ? "none" : String.join(", ", signed)) + "; plugins:\n"
                + String.join("\n", pluginLines);
        return new Outcome(List.copyOf(problems), summary);
    }

    /** The class an entry defines, the same for a multi-release variant; null for anything else. */
    private static String className(String entryName) {
        if (!entryName.endsWith(".class")) {
            return null;
        }
        Matcher versioned = VERSIONED.matcher(entryName);
        String name = versioned.matches() ? versioned.group(1) : entryName;
        if (name.startsWith("META-INF/") || name.endsWith("module-info.class") || name.endsWith("package-info.class")) {
            return null;
        }
        return name;
    }

    /** Reading a signed entry to its end makes the JarFile check its digest and signature. */
    private static void verifySignature(JarFile file, JarEntry entry, String jarName, List<String> problems) {
        try (InputStream in = file.getInputStream(entry)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (SecurityException | IOException e) {
            problems.add(jarName + ": signature of " + entry.getName() + " does not verify: " + e.getMessage());
            return;
        }
        if (!entry.getName().startsWith("META-INF/") && entry.getCodeSigners() == null) {
            problems.add(jarName + " is signed but " + entry.getName() + " is not covered by its signature");
        }
    }

    private static String packageOf(String className) {
        int slash = className.lastIndexOf('/');
        return slash < 0 ? "" : className.substring(0, slash);
    }

    /** The certificates that signed an entry already read to its end; none for an unsigned jar. */
    private static Set<Certificate> signers(JarEntry entry) {
        Set<Certificate> certificates = new HashSet<>();
        if (entry.getCodeSigners() != null) {
            for (CodeSigner signer : entry.getCodeSigners()) {
                certificates.addAll(signer.getSignerCertPath().getCertificates());
            }
        }
        return certificates;
    }

    /** The JVM refuses a class whose package already has classes signed by others (or unsigned ones). */
    private static void reportMixedSigners(Map<String, Set<String>> jarsByPackage,
                                           Map<String, Set<Certificate>> signersByJar, List<String> problems) {
        jarsByPackage.forEach((pkg, owners) -> {
            if (owners.stream().map(signersByJar::get).distinct().count() > 1) {
                problems.add("package " + pkg.replace('/', '.') + " is split across jars signed differently ("
                        + String.join(", ", owners) + "): the JVM rejects classes of one of them");
            }
        });
    }
}
