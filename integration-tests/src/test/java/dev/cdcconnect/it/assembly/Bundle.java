package dev.cdcconnect.it.assembly;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The bundle the build made, installed the way a user installs it: the Confluent Hub zip or the plugin.path
 * tar.gz unpacked into a fresh {@code plugin.path} folder.
 */
final class Bundle {

    static final String ZIP_PROPERTY = "cdcconnect.bundle.zip";
    static final String TAR_PROPERTY = "cdcconnect.bundle.tar";
    static final String VERSION_PROPERTY = "cdcconnect.bundle.version";

    /** REST plugin types by the service interface a plugin is listed under. */
    private static final Map<String, String> TYPES_BY_SERVICE = Map.of(
            "org.apache.kafka.connect.sink.SinkConnector", "sink",
            "org.apache.kafka.connect.source.SourceConnector", "source",
            "org.apache.kafka.connect.transforms.Transformation", "transformation",
            "org.apache.kafka.connect.transforms.predicates.Predicate", "predicate",
            "org.apache.kafka.connect.storage.Converter", "converter",
            "org.apache.kafka.connect.storage.HeaderConverter", "header_converter");

    /** A plugin the bundle lists in a {@code META-INF/services} manifest, as the REST API names it. */
    record Advertised(String className, String type) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path pluginPath;
    private final Path folder;

    private Bundle(Path pluginPath, Path folder) {
        this.pluginPath = pluginPath;
        this.folder = folder;
    }

    static String expectedVersion() {
        return requiredProperty(VERSION_PROPERTY);
    }

    static Path zip() {
        return requiredFile(ZIP_PROPERTY);
    }

    static Path tar() {
        return requiredFile(TAR_PROPERTY);
    }

    /** Unzips the Confluent Hub archive into {@code pluginPath}, which must be empty. */
    static Bundle unzip(Path archive, Path pluginPath) throws IOException {
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            for (Enumeration<? extends ZipEntry> entries = zip.entries(); entries.hasMoreElements(); ) {
                ZipEntry entry = entries.nextElement();
                Path target = pluginPath.resolve(entry.getName()).normalize();
                if (!target.startsWith(pluginPath)) {
                    throw new IOException("zip entry outside the folder: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    try (InputStream in = zip.getInputStream(entry)) {
                        Files.copy(in, target);
                    }
                }
            }
        }
        return new Bundle(pluginPath, onlyFolderIn(pluginPath));
    }

    /** Unpacks the plugin.path archive into {@code pluginPath} with tar, as the install instructions say. */
    static Bundle untar(Path archive, Path pluginPath) throws IOException, InterruptedException {
        Process tar = new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", pluginPath.toString())
                .redirectErrorStream(true).start();
        String output = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!tar.waitFor(60, TimeUnit.SECONDS) || tar.exitValue() != 0) {
            throw new IOException("tar -xzf " + archive + " failed: " + output);
        }
        return new Bundle(pluginPath, onlyFolderIn(pluginPath));
    }

    /** The plugin.path entry: the folder that holds the bundle's one plugin folder. */
    Path pluginPath() {
        return pluginPath;
    }

    /** The bundle's top folder. */
    Path folder() {
        return folder;
    }

    JsonNode manifest() throws IOException {
        return JSON.readTree(folder.resolve("manifest.json").toFile());
    }

    /** The example connector configurations in {@code etc/}, by file name. */
    List<Path> examples() throws IOException {
        try (Stream<Path> files = Files.list(folder.resolve("etc"))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
    }

    /** Every plugin the jars in {@code lib/} list in their service manifests. */
    List<Advertised> advertisedPlugins() throws IOException {
        TreeSet<String> seen = new TreeSet<>();
        List<Advertised> plugins = new ArrayList<>();
        try (Stream<Path> files = Files.walk(folder.resolve("lib"))) {
            for (Path jar : files.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                try (JarFile file = new JarFile(jar.toFile())) {
                    for (Map.Entry<String, String> service : TYPES_BY_SERVICE.entrySet()) {
                        JarEntry entry = file.getJarEntry("META-INF/services/" + service.getKey());
                        if (entry == null) {
                            continue;
                        }
                        try (InputStream in = file.getInputStream(entry)) {
                            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                                String className = line.replaceAll("#.*", "").trim();
                                if (!className.isEmpty() && seen.add(className)) {
                                    plugins.add(new Advertised(className, service.getValue()));
                                }
                            }
                        }
                    }
                }
            }
        }
        return plugins;
    }

    private static Path onlyFolderIn(Path pluginPath) throws IOException {
        try (Stream<Path> entries = Files.list(pluginPath)) {
            List<Path> all = entries.toList();
            if (all.size() != 1 || !Files.isDirectory(all.get(0))) {
                throw new IOException("the archive must unpack to exactly one plugin folder, found " + all);
            }
            return all.get(0);
        }
    }

    private static Path requiredFile(String property) {
        Path path = Path.of(requiredProperty(property));
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(path + " (system property " + property + ") does not exist: build the "
                    + "bundle first, e.g. ./mvnw package -pl assembly -am -DskipTests");
        }
        return path;
    }

    private static String requiredProperty(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set (integration-tests/pom.xml"
                    + " sets it for failsafe)");
        }
        return value;
    }
}
