package dev.cdcconnect.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version of a plugin as its build wrote it: the {@code version} of the {@code version.properties} resource
 * that Maven filters into the plugin's package. A plugin whose build wrote none reports {@value #UNKNOWN}, never
 * another component's version; each plugin's tests check it equals the project's version.
 */
public final class PluginVersion {

    /** What a plugin reports when its build wrote no version. */
    public static final String UNKNOWN = "unknown";

    private static final ClassValue<String> VERSIONS = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> type) {
            return read(type);
        }
    };

    private PluginVersion() {
    }

    /** The version in {@code version.properties} next to {@code pluginClass}. */
    public static String of(Class<?> pluginClass) {
        return VERSIONS.get(pluginClass);
    }

    private static String read(Class<?> pluginClass) {
        try (InputStream in = pluginClass.getResourceAsStream("version.properties")) {
            if (in == null) {
                return UNKNOWN;
            }
            Properties properties = new Properties();
            properties.load(in);
            String version = properties.getProperty("version", UNKNOWN).trim();
            // An unfiltered file (the build did not substitute the version) says nothing either.
            return version.isEmpty() || version.contains("${") ? UNKNOWN : version;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the version of " + pluginClass.getName(), e);
        }
    }
}
