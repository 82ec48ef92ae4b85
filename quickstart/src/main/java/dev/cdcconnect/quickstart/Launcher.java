package dev.cdcconnect.quickstart;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

/**
 * Entry point of {@code java -jar quickstart.jar}. Compiled for Java 8 so that any JVM can run it: it checks that
 * this is a JDK 17 or later with the modules the servers need, then hands over to {@link Quickstart}.
 */
public final class Launcher {

    static final int MIN_JAVA = 17;

    /** Modules of the JDK the broker, the workers, the plugins and the quickstart itself use. */
    static final String[] REQUIRED_MODULES = {
        "java.sql", "java.management", "java.naming", "java.net.http", "java.security.jgss", "java.xml",
        "java.desktop", "jdk.unsupported",
    };

    private Launcher() {
    }

    public static void main(String[] args) throws Throwable {
        String problem = checkRuntime();
        if (problem != null) {
            System.err.println("cdc-connect quickstart cannot start: " + problem);
            System.exit(3);
        }
        configureLogging();
        Method main = Class.forName("dev.cdcconnect.quickstart.Quickstart").getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /**
     * Before any logger exists: the servers' logs go to a file, the terminal shows the quickstart's own lines. That
     * holds for java.util.logging too (gRPC's, of the EventStoreDB client and stand-in), which would otherwise print
     * to the terminal: its manager is chosen when JUL first starts, so this must run first.
     */
    static void configureLogging() {
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "classpath:quickstart-log4j2.xml");
        }
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", "org.apache.logging.log4j.jul.LogManager");
        }
    }

    /** What this JVM lacks, or null when it has everything. */
    static String checkRuntime() {
        String home = System.getProperty("java.home");
        int feature = featureVersion(System.getProperty("java.specification.version"));
        if (feature < MIN_JAVA) {
            return "it needs Java " + MIN_JAVA + " or later, and this is Java "
                    + System.getProperty("java.version") + " (" + home + "). Install a JDK " + MIN_JAVA
                    + "+ and run it with that one, e.g. JAVA_HOME=/path/to/jdk-17 $JAVA_HOME/bin/java -jar ...";
        }
        List<String> missing = missingModules();
        if (!missing.isEmpty()) {
            return "this Java runtime (" + home + ") lacks the module(s) " + String.join(", ", missing)
                    + ", which Kafka, Connect and the plugins need. It is a trimmed runtime (jlink or a slim image):"
                    + " run the quickstart with a full JDK " + MIN_JAVA + "+ instead.";
        }
        return null;
    }

    /** 8 for "1.8", 17 for "17". */
    static int featureVersion(String specificationVersion) {
        if (specificationVersion == null) {
            return 0;
        }
        String v = specificationVersion.startsWith("1.") ? specificationVersion.substring(2) : specificationVersion;
        int end = 0;
        while (end < v.length() && Character.isDigit(v.charAt(end))) {
            end++;
        }
        return end == 0 ? 0 : Integer.parseInt(v.substring(0, end));
    }

    /** Required modules absent from the boot layer; looked up reflectively, as Java 8 has no module API. */
    private static List<String> missingModules() {
        List<String> missing = new ArrayList<String>();
        try {
            Class<?> layerClass = Class.forName("java.lang.ModuleLayer");
            Object boot = layerClass.getMethod("boot").invoke(null);
            Method findModule = layerClass.getMethod("findModule", String.class);
            for (String module : REQUIRED_MODULES) {
                Object found = findModule.invoke(boot, module);
                if (!((Boolean) found.getClass().getMethod("isPresent").invoke(found))) {
                    missing.add(module);
                }
            }
        } catch (ReflectiveOperationException e) {
            missing.add("(cannot inspect modules: " + e + ")");
        }
        return missing;
    }
}
