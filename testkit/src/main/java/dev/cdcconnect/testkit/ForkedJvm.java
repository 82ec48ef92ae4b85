package dev.cdcconnect.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A program the kit runs in a JVM of its own (a server whose libraries would clash with the test JVM's, or a one-off
 * reader): the same {@code java} as the test JVM, standard output and error in one log file, a wait for readiness
 * or for the program's end that reports the log's last lines when it fails, and a stop that ends the JVM.
 *
 * <p>Servers that keep state in a directory of their own make it with {@link #ownedDirectory}: it records the test
 * JVM's pid, so that a later start can stop a server whose test JVM died without stopping it.
 */
public final class ForkedJvm implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ForkedJvm.class);
    private static final String OWNER_PID = "owner.pid";
    private static final int LOG_TAIL_LINES = 40;

    /** Tells whether a forked program is ready: returns when it is, throws (with what it saw) when not yet. */
    @FunctionalInterface
    public interface Readiness {
        void check() throws Exception;
    }

    private final String name;
    private final Process process;
    private final Path log;

    private ForkedJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code java} with these arguments (JVM options, then {@code -cp …} and a main class, or {@code -jar …},
     * then the program's arguments).
     *
     * @param name         what runs, for log lines and errors ("Cassandra", "Spark")
     * @param directory    the working directory, or null for the test JVM's
     * @param log          where standard output and error go
     * @param appendToLog  whether a restart adds to the log rather than replacing it
     */
    public static ForkedJvm start(String name, List<String> arguments, Path directory, Path log, boolean appendToLog) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(appendToLog ? ProcessBuilder.Redirect.appendTo(log.toFile())
                        : ProcessBuilder.Redirect.to(log.toFile()));
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        try {
            return new ForkedJvm(name, builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + name, e);
        }
    }

    /**
     * The text of a resource that a kit module wrote at build time (a resolved classpath, a jar's path), trimmed.
     *
     * @param module the module that writes it, named in the error when it is missing
     */
    public static String buildResource(String resource, String module) {
        try (InputStream in = ForkedJvm.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Resource " + resource + " is missing: the " + module
                        + " module must be built (./mvnw -o verify -pl " + module + ")");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read resource " + resource, e);
        }
    }

    /** A port of 127.0.0.1 free at the time of the call. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free port", e);
        }
    }

    /**
     * A new directory under {@code parent} for a program this test JVM starts: it records this JVM as its owner, and
     * the program's pid goes to {@code pidFile} in it ({@link #recordPid}). Programs that earlier test JVMs started
     * there and left running when they died (killed, crashed) are stopped first.
     *
     * @param name what runs there, for the log line when one is stopped
     */
    public static Path ownedDirectory(Path parent, String prefix, String pidFile, String name) {
        stopOrphans(parent, pidFile, name);
        try {
            Files.createDirectories(parent);
            Path directory = Files.createTempDirectory(parent, prefix);
            Files.writeString(directory.resolve(OWNER_PID), Long.toString(ProcessHandle.current().pid()));
            return directory;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot make a directory under " + parent, e);
        }
    }

    /**
     * Stops the programs under {@code parent} whose owner is not alive and removes their directories. A program is
     * stopped only when its command line names its directory, never a JVM another live test JVM owns or a process
     * that got a reused pid.
     */
    private static void stopOrphans(Path parent, String pidFile, String name) {
        if (!Files.isDirectory(parent)) {
            return;
        }
        try (Stream<Path> dirs = Files.list(parent)) {
            for (Path dir : dirs.toList()) {
                Optional<Long> owner = readPid(dir.resolve(OWNER_PID));
                if (owner.isEmpty() || ProcessHandle.of(owner.get()).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                readPid(dir.resolve(pidFile)).flatMap(ProcessHandle::of)
                        .filter(p -> p.info().commandLine().map(c -> c.contains(dir.toString())).orElse(false))
                        .ifPresent(p -> {
                            LOG.warn("Stopping {} (pid {}) left running by a test JVM that is gone", name, p.pid());
                            p.destroyForcibly();
                            p.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
                        });
                deleteRecursively(dir);
            }
        } catch (IOException e) {
            LOG.debug("Cannot look for {} left running under {}", name, parent, e);
        }
    }

    /** Deletes a file or a directory with everything in it; what cannot be deleted is left and logged. */
    public static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.debug("Cannot delete {}", p, e);
                }
            });
        } catch (IOException e) {
            LOG.debug("Cannot delete {}", dir, e);
        }
    }

    /** Writes the JVM's pid to a file: the {@code pidFile} of its {@link #ownedDirectory}. */
    public ForkedJvm recordPid(Path file) {
        try {
            Files.writeString(file, Long.toString(process.pid()));
            return this;
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("Cannot record the pid of " + name, e);
        }
    }

    /**
     * Waits until {@code readiness} passes, checking every {@code interval}. Throws, with the last lines of the log,
     * when the JVM exits first or the time runs out; the JVM is left to the caller to stop.
     */
    public void awaitReady(Duration timeout, Duration interval, Readiness readiness) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with code " + process.exitValue()
                        + " while starting; its log ends with:\n" + logTail(LOG_TAIL_LINES));
            }
            try {
                readiness.check();
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for " + name, e);
            } catch (Exception e) {
                last = e;
            }
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for " + name, e);
            }
        }
        throw new IllegalStateException(name + " was not ready within " + timeout.toSeconds() + " s (last: "
                + (last == null ? "not checked" : last.getMessage()) + "); its log ends with:\n"
                + logTail(LOG_TAIL_LINES), last);
    }

    /**
     * Waits for the program to end with exit code 0. Throws, with the last lines of the log, when it fails or the
     * time runs out (the JVM is then stopped).
     *
     * @param task what the program does, for the errors ("reading [t1]")
     */
    public void awaitSuccess(Duration timeout, String task, int logLines) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(name + " did not finish " + task + " within " + timeout.toSeconds()
                        + " s; its log ends with:\n" + logTail(logLines));
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while " + name + " was " + task, e);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(name + " failed " + task + " (exit " + process.exitValue()
                    + "); its log ends with:\n" + logTail(logLines));
        }
    }

    /** The last lines of the log. */
    public String logTail(int lines) {
        return tail(log, lines);
    }

    /** The last lines of a text file, or why there are none. */
    public static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Asks the JVM to end (as a shutdown signal does) and waits up to {@code grace} for it; then, or right away for
     * a zero grace, ends it forcibly.
     */
    public void stop(Duration grace) {
        try {
            if (!grace.isZero()) {
                process.destroy();
                if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** {@link #stop(Duration)} with 20 seconds to end on its own. */
    @Override
    public void close() {
        stop(Duration.ofSeconds(20));
    }

    private static Optional<Long> readPid(Path file) {
        try {
            return Optional.of(Long.parseLong(Files.readString(file).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
