package dev.cdcconnect.assembly;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;

/**
 * Copies the license and notice files each jar of {@code lib/} carries into {@code doc/licenses/<jar>/}, so the
 * bundle passes on every NOTICE its Apache-licensed dependencies require and every license text a jar ships.
 *
 * <p>Arguments: the {@code lib/} folder, the output folder.
 */
public final class ThirdPartyNotices {

    private static final Pattern NOTICE = Pattern.compile(
            "(META-INF/)?(LICENSE|NOTICE|COPYING|COPYRIGHT|THIRD[-_]PARTY)[^/]*", Pattern.CASE_INSENSITIVE);

    private ThirdPartyNotices() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: ThirdPartyNotices <lib folder> <output folder>");
            System.exit(2);
        }
        Path out = Path.of(args[1]);
        int files = 0;
        int jarsWithNotices = 0;
        for (Path jar : BundlePlugins.jars(Path.of(args[0]))) {
            String jarName = jar.getFileName().toString();
            Path target = out.resolve(jarName.substring(0, jarName.length() - ".jar".length()));
            int copied = 0;
            try (JarFile file = new JarFile(jar.toFile(), false)) {
                for (Enumeration<JarEntry> entries = file.entries(); entries.hasMoreElements(); ) {
                    JarEntry entry = entries.nextElement();
                    if (entry.isDirectory() || !NOTICE.matcher(entry.getName()).matches()
                            || entry.getName().endsWith(".class")) {
                        continue;
                    }
                    Path copy = target.resolve(entry.getName().replaceFirst("^META-INF/", ""));
                    Files.createDirectories(copy.getParent());
                    try (InputStream in = file.getInputStream(entry)) {
                        Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
                    }
                    copied++;
                }
            }
            files += copied;
            jarsWithNotices += copied > 0 ? 1 : 0;
        }
        System.out.println("Third-party license and notice files: " + files + " from " + jarsWithNotices
                + " jars into " + out);
    }
}
