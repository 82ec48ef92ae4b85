package dev.cdcconnect.assembly;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/** Writes small jars for the tests: real class files of the test fixtures, service manifests, any other entry. */
final class Jars {

    private final Map<String, byte[]> entries = new LinkedHashMap<>();

    static Jars jar() {
        return new Jars();
    }

    /** The class file of a compiled test class, under its own name. */
    Jars withClass(Class<?> type) {
        String name = type.getName().replace('.', '/') + ".class";
        try (InputStream in = type.getClassLoader().getResourceAsStream(name)) {
            entries.put(name, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    Jars withEntry(String name, String content) {
        entries.put(name, content.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    Jars withService(Class<?> service, Class<?> provider) {
        return withEntry("META-INF/services/" + service.getName(), provider.getName() + "\n");
    }

    Path writeTo(Path folder, String fileName) throws IOException {
        Path jar = folder.resolve(fileName);
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(out)) {
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                jarOut.putNextEntry(new JarEntry(entry.getKey()));
                jarOut.write(entry.getValue());
                jarOut.closeEntry();
            }
        }
        return jar;
    }
}
