package dev.cdcconnect.assembly;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.components.Versioned;
import org.apache.kafka.connect.connector.Connector;
import org.apache.kafka.connect.sink.SinkConnector;
import org.apache.kafka.connect.source.SourceConnector;
import org.apache.kafka.connect.storage.Converter;
import org.apache.kafka.connect.storage.HeaderConverter;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.predicates.Predicate;

/**
 * The Connect plugins a folder of jars offers, found through their {@code META-INF/services} manifests in a class
 * loader of their own, as a worker with {@code plugin.discovery=service_load} finds them.
 */
final class BundlePlugins implements AutoCloseable {

    /** The kinds of plugin a worker discovers, in the order the reference lists them. */
    enum Kind {
        SINK("sink connector", SinkConnector.class),
        SOURCE("source connector", SourceConnector.class),
        TRANSFORMATION("transform", Transformation.class),
        PREDICATE("predicate", Predicate.class),
        CONVERTER("converter", Converter.class),
        HEADER_CONVERTER("header converter", HeaderConverter.class);

        final String label;
        final Class<?> service;

        Kind(String label, Class<?> service) {
            this.label = label;
            this.service = service;
        }
    }

    /** One plugin class and an instance of it, made as the worker makes one. */
    record Plugin(Kind kind, Class<?> type, Object instance) {

        String className() {
            return type.getName();
        }

        /** What {@code version()} reports, or null when the class is not {@link Versioned}. */
        String version() {
            return instance instanceof Versioned versioned ? versioned.version() : null;
        }

        @SuppressWarnings("rawtypes")
        ConfigDef config() {
            return switch (kind) {
                case SINK, SOURCE -> ((Connector) instance).config();
                case TRANSFORMATION -> ((Transformation) instance).config();
                case PREDICATE -> ((Predicate) instance).config();
                case CONVERTER -> ((Converter) instance).config();
                case HEADER_CONVERTER -> ((HeaderConverter) instance).config();
            };
        }
    }

    private final URLClassLoader loader;
    private final List<Plugin> plugins;

    private BundlePlugins(URLClassLoader loader, List<Plugin> plugins) {
        this.loader = loader;
        this.plugins = plugins;
    }

    /** Loads the jars of {@code lib} in one class loader whose parent provides the Connect API. */
    static BundlePlugins load(Path lib) {
        List<Path> jars = jars(lib);
        URL[] urls = jars.stream().map(BundlePlugins::url).toArray(URL[]::new);
        URLClassLoader loader = new IsolatingLoader(urls, BundlePlugins.class.getClassLoader());
        List<Plugin> plugins = new ArrayList<>();
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        // a worker instantiates plugins with their own loader as the context loader
        thread.setContextClassLoader(loader);
        try {
            for (Kind kind : Kind.values()) {
                ServiceLoader.load(kind.service, loader).stream()
                        .filter(provider -> provider.type().getClassLoader() == loader)
                        .forEach(provider -> plugins.add(new Plugin(kind, provider.type(), provider.get())));
            }
        } finally {
            thread.setContextClassLoader(previous);
        }
        plugins.sort(Comparator.comparing(Plugin::kind).thenComparing(Plugin::className));
        return new BundlePlugins(loader, List.copyOf(plugins));
    }

    /** The jars directly in a folder, by name. */
    static List<Path> jars(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
    }

    List<Plugin> plugins() {
        return plugins;
    }

    ClassLoader loader() {
        return loader;
    }

    @Override
    public void close() throws IOException {
        loader.close();
    }

    /**
     * Loads classes from the bundle's jars first, and only the JDK's, Kafka's and slf4j's from the parent: the
     * isolation a Connect worker gives a plugin folder, so a jar in lib/ that shadows something on this tool's
     * classpath is used as the worker would use it.
     */
    private static final class IsolatingLoader extends URLClassLoader {

        static {
            registerAsParallelCapable();
        }

        IsolatingLoader(URL[] urls, ClassLoader parent) {
            super("bundle", urls, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (workerProvided(name)) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> type = findLoadedClass(name);
                if (type == null) {
                    try {
                        type = findClass(name);
                    } catch (ClassNotFoundException notInBundle) {
                        return super.loadClass(name, resolve);
                    }
                }
                if (resolve) {
                    resolveClass(type);
                }
                return type;
            }
        }

        @Override
        public URL getResource(String name) {
            URL own = findResource(name);
            return own != null ? own : super.getResource(name);
        }

        private static boolean workerProvided(String name) {
            return name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.")
                    || name.startsWith("sun.") || name.startsWith("org.apache.kafka.") || name.startsWith("org.slf4j.");
        }
    }

    private static URL url(Path jar) {
        try {
            return jar.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(jar.toString(), e);
        }
    }
}
