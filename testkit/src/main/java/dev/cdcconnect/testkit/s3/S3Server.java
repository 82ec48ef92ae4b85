package dev.cdcconnect.testkit.s3;

import dev.cdcconnect.testkit.ForkedJvm;
import dev.cdcconnect.testkit.SharedResources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
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
    private ForkedJvm jvm;

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
            S3Server server = new S3Server(dir, ForkedJvm.freePort());
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
        Path file = directory.resolve("s3proxy.properties");
        try {
            Properties props = new Properties();
            props.setProperty("s3proxy.endpoint", endpoint());
            props.setProperty("s3proxy.authorization", "aws-v2-or-v4");
            props.setProperty("s3proxy.identity", ACCESS_KEY);
            props.setProperty("s3proxy.credential", SECRET_KEY);
            props.setProperty("jclouds.provider", "filesystem");
            props.setProperty("jclouds.filesystem.basedir", directory.resolve("data").toString());
            try (var out = Files.newOutputStream(file)) {
                props.store(out, null);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the S3Proxy settings", e);
        }
        jvm = ForkedJvm.start("S3Proxy", List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                        "-cp", ForkedJvm.buildResource(CLASSPATH_RESOURCE, "testkit-s3"), "org.gaul.s3proxy.Main",
                        "--properties", file.toString()),
                null, directory.resolve("output.log"), true);
        try {
            jvm.awaitReady(Duration.ofSeconds(60), Duration.ofMillis(100), this::checkListening);
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
        LOG.info("S3 server started in {} ms on {} (pid {})",
                Duration.ofNanos(System.nanoTime() - started).toMillis(), endpoint(), jvm.pid());
    }

    /** Stops the server; its data stays, and {@link #start()} brings it back. */
    public synchronized void stop() {
        if (jvm == null) {
            return;
        }
        jvm.stop(Duration.ZERO);
        jvm = null;
    }

    public synchronized boolean isRunning() {
        return jvm != null && jvm.isAlive();
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
        return ForkedJvm.tail(directory.resolve("output.log"), lines);
    }

    @Override
    public synchronized void close() {
        stop();
        ForkedJvm.deleteRecursively(directory);
    }

    private void checkListening() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
        }
    }
}
