package dev.cdcconnect.quickstart;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The quickstart run as a user runs it, {@code java -jar quickstart.jar ...} in a process of its own, with its
 * output collected line by line and the processes it starts (Postgres) remembered, to check they are gone after.
 */
final class QuickstartProcess implements AutoCloseable {

    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Set<ProcessHandle> descendants = ConcurrentHashMap.newKeySet();
    private final Thread reader;

    private QuickstartProcess(Process process) {
        this.process = process;
        this.reader = new Thread(this::read, "quickstart-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** The built jar, as the build passes it to the tests. */
    static Path jar() {
        String jar = System.getProperty("quickstart.jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("quickstart.jar not found (" + jar + "): run the tests with "
                    + "./mvnw verify -pl quickstart -am");
        }
        return Path.of(jar);
    }

    /** Runs {@code <java> -Djava.io.tmpdir=<tmp> -jar quickstart.jar <args>}. */
    static QuickstartProcess start(Path java, Path tmp, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Djava.io.tmpdir=" + tmp, "-jar",
                jar().toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        return new QuickstartProcess(process);
    }

    static Path currentJava() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                lines.add(line);
                System.out.println("quickstart> " + line);
                process.descendants().forEach(descendants::add);
            }
        } catch (IOException e) {
            lines.add("(output read failed: " + e + ")");
        }
    }

    /** Waits for a line matching the pattern; fails with everything printed so far when none comes in time. */
    Matcher awaitLine(String regex, Duration timeout) {
        Pattern pattern = Pattern.compile(regex);
        await("a line matching " + regex).atMost(timeout).pollInterval(Duration.ofMillis(200))
                .failFast("the quickstart ended", () -> !process.isAlive() && !reader.isAlive()
                        && find(pattern).isEmpty())
                .until(() -> find(pattern).isPresent());
        return find(pattern).orElseThrow();
    }

    /** The first line matching the pattern, if printed yet. */
    Optional<Matcher> find(Pattern pattern) {
        for (String line : lines) {
            Matcher m = pattern.matcher(line);
            if (m.find()) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    Matcher line(String regex) {
        return find(Pattern.compile(regex)).orElseThrow(() -> new AssertionError("no line matches " + regex
                + " in:\n" + output()));
    }

    /** Waits for the process to end and its output to be read; returns its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the quickstart did not end within " + timeout + "; output:\n" + output());
        }
        reader.join(timeout.toMillis());
        return process.exitValue();
    }

    /** Sends SIGINT, as Ctrl-C in a terminal does; SIGTERM where there is no kill command (same shutdown path). */
    void interrupt() throws IOException, InterruptedException {
        Optional<Path> kill = Stream.of("/usr/bin/kill", "/bin/kill").map(Path::of).filter(Files::isExecutable)
                .findFirst();
        if (kill.isEmpty()) {
            process.destroy();
            return;
        }
        int code = new ProcessBuilder(kill.get().toString(), "-INT", Long.toString(process.pid())).inheritIO()
                .start().waitFor();
        if (code != 0) {
            throw new AssertionError("kill -INT " + process.pid() + " failed with " + code);
        }
    }

    /** Records the processes the quickstart has started so far. */
    Set<ProcessHandle> descendants() {
        process.descendants().forEach(descendants::add);
        return Set.copyOf(descendants);
    }

    /** Processes the quickstart started that still run. */
    Set<String> aliveDescendants() {
        return descendants.stream().filter(ProcessHandle::isAlive)
                .map(p -> p.pid() + " " + p.info().commandLine().or(() -> p.info().command()).orElse("?")
                        + " (parent " + p.parent().map(ProcessHandle::pid).orElse(-1L) + ")")
                .collect(Collectors.toSet());
    }

    /**
     * Processes whose command line names the directory: Postgres runs from binaries unpacked there and is
     * started through pg_ctl, so it is not a child of the quickstart's JVM.
     */
    static Set<String> processesUsing(Path dir) {
        String path = dir.toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(path)).orElse(false))
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?"))
                .collect(Collectors.toSet());
    }

    String output() {
        return String.join("\n", lines);
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
}
