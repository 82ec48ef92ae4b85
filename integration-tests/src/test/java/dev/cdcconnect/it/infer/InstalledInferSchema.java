package dev.cdcconnect.it.infer;

import dev.cdcconnect.testkit.connect.ConnectCluster;

import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.transforms.Transformation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The InferSchema value transform as installed on plugin.path, loaded in its own class loader the way a worker
 * loads it (the plugins never reach the tests' class path), for tests that drive transform instances directly.
 */
final class InstalledInferSchema {

    private static final String FOLDER = "connect-schema-infer-smt";
    private static ClassLoader loader;

    private InstalledInferSchema() {
    }

    @SuppressWarnings("unchecked")
    static Transformation<SinkRecord> value(Map<String, String> config) {
        try {
            Class<?> type = Class.forName("dev.cdcconnect.infer.InferSchema$Value", true, loader());
            Transformation<SinkRecord> transform =
                    (Transformation<SinkRecord>) type.getDeclaredConstructor().newInstance();
            transform.configure(config);
            return transform;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Cannot load InferSchema from plugin.path", e);
        }
    }

    private static synchronized ClassLoader loader() {
        if (loader == null) {
            Path folder = ConnectCluster.pluginPathFromSystemProperty().stream().map(p -> p.resolve(FOLDER))
                    .filter(Files::isDirectory).findFirst()
                    .orElseThrow(() -> new IllegalStateException(FOLDER + " is not on plugin.path"));
            try (Stream<Path> jars = Files.list(folder)) {
                List<URL> urls = jars.filter(p -> p.toString().endsWith(".jar")).map(InstalledInferSchema::url).toList();
                loader = new URLClassLoader(urls.toArray(URL[]::new), InstalledInferSchema.class.getClassLoader());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return loader;
    }

    private static URL url(Path jar) {
        try {
            return jar.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }
}
