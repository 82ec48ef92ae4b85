package dev.cdcconnect.testkit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Servers shared by all tests of a JVM (the Connect cluster, the databases) are closed here once, when the
 * JUnit launcher session ends: Connect clusters first (their connectors hold database connections), then the
 * servers. Outside JUnit (benchmarks, tools) a shutdown hook does the same.
 */
public final class SharedResources implements LauncherSessionListener {

    /** When a resource is closed relative to others: lower ranks close first. */
    public enum Rank { CLIENTS, CONNECT, SERVERS }

    private static final Logger LOG = LoggerFactory.getLogger(SharedResources.class);
    private static final List<Entry> OPEN = new ArrayList<>();
    private static boolean hookInstalled;

    private record Entry(String name, AutoCloseable resource, Rank rank, long sequence) {
    }

    /** Registers a resource to close at the end of the test session (or of the JVM). */
    public static synchronized <T extends AutoCloseable> T register(String name, T resource, Rank rank) {
        if (!hookInstalled) {
            Runtime.getRuntime().addShutdownHook(new Thread(SharedResources::closeAll, "shared-resources-close"));
            hookInstalled = true;
        }
        OPEN.add(new Entry(name, resource, rank, OPEN.size()));
        return resource;
    }

    /** Closes every registered resource, by rank, the latest first within a rank. */
    public static void closeAll() {
        List<Entry> toClose;
        synchronized (SharedResources.class) {
            toClose = new ArrayList<>(OPEN);
            OPEN.clear();
        }
        toClose.sort(Comparator.comparing(Entry::rank).thenComparing(Comparator.comparingLong(Entry::sequence).reversed()));
        for (Entry entry : toClose) {
            try {
                entry.resource().close();
            } catch (Exception e) {
                LOG.warn("Closing {} failed", entry.name(), e);
            }
        }
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        closeAll();
    }
}
