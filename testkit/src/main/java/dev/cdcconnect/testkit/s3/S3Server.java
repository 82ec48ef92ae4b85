package dev.cdcconnect.testkit.s3;

import dev.cdcconnect.testkit.SharedResources;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An S3 API server for tests: S3Proxy on its filesystem backend, in a JVM of its own (its Jetty 11 would clash
 * with Kafka Connect's Jetty in the test JVM), listening on 127.0.0.1. Clients use path-style access, region
 * {@code us-east-1} and the server's access key and secret key (the secret holds characters that need escaping
 * in URLs and configs, so tests show they survive). Buckets are folders under the server's directory.
 *
 * <p>{@link #stop()} and {@link #start()} take the server away and bring it back on the same port with the same
 * data, so tests can show a client surviving an outage.
 */
public final class S3Server implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(S3Server.class);
    private static final String CLASSPATH_RESOURCE = "dev/cdcconnect/testkit/s3/s3proxy-classpath.txt";
    public static final String ACCESS_KEY = "cdcconnect";
    public static final String SECRET_KEY = "s3cr/t?k@y:50%+x";
    public static final String REGION = "us-east-1";

    private static S3Server shared;

    private final Path directory;
    private final int port;
    private Process process;

    private S3Server(Path directory, int port) {
        this.directory = directory;
        this.port = port;
    }

    /** The server shared by all tests of this JVM, started on first use, stopped when the test session ends. */
    public static synchronized S3Server shared() {
        if (shared == null || !shared.isRunning()) {
            shared = SharedResources.register("S3 server", open(), SharedResources.Rank.SERVERS);
        }
        return shared;
    }

    /** Starts a server of its own; the caller closes it. */
    public static S3Server open() {
        try {
            Path dir = Files.createTempDirectory("cdcconnect-s3-");
            Files.createDirectories(dir.resolve("data"));
            S3Server server = new S3Server(dir, freePort());
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare an S3 server", e);
        }
    }

    /** Starts the server (again, after {@link #stop()}) on its port, with its data; returns when it answers. */
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        long started = System.nanoTime();
        try {
            Properties props = new Properties();
            props.setProperty("s3proxy.endpoint", endpoint());
            props.setProperty("s3proxy.authorization", "aws-v2-or-v4");
            props.setProperty("s3proxy.identity", ACCESS_KEY);
            props.setProperty("s3proxy.credential", SECRET_KEY);
            props.setProperty("jclouds.provider", "filesystem");
            props.setProperty("jclouds.filesystem.basedir", directory.resolve("data").toString());
            Path file = directory.resolve("s3proxy.properties");
            try (var out = Files.newOutputStream(file)) {
                props.store(out, null);
            }
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-cp", classpath(), "org.gaul.s3proxy.Main", "--properties", file.toString()));
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("output.log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start S3Proxy", e);
        }
        awaitPort(Duration.ofSeconds(60));
        LOG.info("S3 server started in {} ms on {} (pid {})",
                Duration.ofNanos(System.nanoTime() - started).toMillis(), endpoint(), process.pid());
    }

    /** Stops the server; its data stays, and {@link #start()} brings it back. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** {@code http://127.0.0.1:port}. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** Creates a bucket (an empty folder), if there is none of that name, and returns its name. */
    public String createBucket(String name) {
        try {
            Files.createDirectories(directory.resolve("data").resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return name;
    }

    /** Where an object of a bucket is stored, to look at without going through the S3 API. */
    public Path objectPath(String bucket, String key) {
        return directory.resolve("data").resolve(bucket).resolve(key);
    }

    /** The last lines the server logged. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(directory.resolve("output.log"), StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public synchronized void close() {
        stop();
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.debug("Cannot delete {}", directory, e);
        }
    }

    private void awaitPort(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Proxy exited with code " + process.exitValue()
                        + " while starting; its log ends with:\n" + logTail(40));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while waiting for S3Proxy", ie);
                }
            }
        }
        throw new IllegalStateException("S3Proxy did not listen within " + timeout.toSeconds() + " s; its log ends "
                + "with:\n" + logTail(40));
    }

    private static String classpath() throws IOException {
        try (InputStream in = S3Server.class.getClassLoader().getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("Resource " + CLASSPATH_RESOURCE + " is missing: the testkit-s3 module "
                        + "must be built (./mvnw -o install -pl testkit-s3)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
