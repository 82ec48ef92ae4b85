package dev.cdcconnect.it.assembly;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A Kafka Connect distributed worker in a JVM of its own, started the way {@code bin/connect-distributed.sh}
 * starts one: {@code ConnectDistributed} with a worker properties file, on the classpath of the Connect version
 * under test. Its output goes to a log file in the work folder.
 */
final class ForkedConnectWorker implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;
    private final String restUrl;

    private final Thread stopOnExit;

    private ForkedConnectWorker(String name, Process process, Path log, String restUrl) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.restUrl = restUrl;
        // a test JVM that ends without closing the worker must not leave it running
        this.stopOnExit = new Thread(process::destroyForcibly, "stop-" + name);
        Runtime.getRuntime().addShutdownHook(stopOnExit);
    }

    /**
     * Starts a worker with {@code workerLib/*} as its classpath and {@code props} (plus its REST listener on a free
     * port) as its configuration.
     */
    static ForkedConnectWorker start(String name, Path workerLib, Path workDir, Map<String, String> props)
            throws IOException {
        int port = freePort();
        String restUrl = "http://127.0.0.1:" + port + "/";
        Path config = workDir.resolve(name + ".properties");
        Files.writeString(config, props.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("\n", "", "\nlisteners=http://127.0.0.1:" + port
                        + "\nrest.advertised.host.name=127.0.0.1\nrest.advertised.port=" + port + "\n")));
        Path log4j = workDir.resolve(name + "-log4j.properties");
        Files.writeString(log4j, String.join("\n",
                "log4j.rootLogger=INFO, stdout",
                "log4j.appender.stdout=org.apache.log4j.ConsoleAppender",
                "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout",
                "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c:%L)%n",
                "log4j.logger.org.reflections=ERROR",
                ""));
        Path log = workDir.resolve(name + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(List.of(java, "-Xms128m", "-Xmx768m",
                "-Dlog4j.configuration=" + log4j.toUri(), "-cp", workerLib.toAbsolutePath() + "/*",
                "org.apache.kafka.connect.cli.ConnectDistributed", config.toString()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new ForkedConnectWorker(name, process, log, restUrl);
    }

    String restUrl() {
        return restUrl;
    }

    /** Waits until the worker answers {@code GET /} and has joined its group (it lists connectors). */
    void awaitReady(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try {
            await("Connect worker " + name + " ready at " + restUrl).atMost(timeout)
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new AssertionError("worker " + name + " exited with " + process.exitValue()
                                    + "; its log ends with:\n" + logTail(60));
                        }
                        return ok(http, "connectors");
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("worker " + name + " not ready after " + timeout + "; its log ends with:\n"
                    + logTail(60), e);
        }
    }

    private boolean ok(HttpClient http, String path) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(restUrl + path))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The last lines of the worker's log, for failure messages. */
    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines of the worker's log that contain {@code text}. */
    List<String> logLines(String text) {
        try {
            return Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(l -> l.contains(text)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException exiting) {
            // the JVM is shutting down: the hook stops the worker
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
