package dev.cdcconnect.testkit.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cdcconnect.testkit.ForkedJvm;
import dev.cdcconnect.testkit.SharedResources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apicurio Registry 2.4 server (the Quarkus application the {@code testkit-registry} module builds) started
 * in a JVM of its own on a free 127.0.0.1 port, with in-memory storage: every start is an empty registry. It
 * answers Apicurio's own API ({@link #apicurioApiUrl()}, what Apicurio's converters use) and the
 * Confluent-compatible one ({@link #confluentApiUrl()}, what Confluent's converters and tools use). It is ready
 * when its readiness check is UP, and is stopped by {@link #close()}.
 */
public final class SchemaRegistryServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryServer.class);
    private static final String RUNNER_RESOURCE = "dev/cdcconnect/testkit/registry/registry-runner.txt";
    private static final String SERVER_PID = "server.pid";
    private static final Path SERVERS_DIR = Path.of(System.getProperty("java.io.tmpdir"), "cdcconnect-registry");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HOST = "127.0.0.1";

    private static SchemaRegistryServer shared;

    /** How to start a registry. */
    public record Options(String name, String heap, Duration startTimeout) {

        /** 384 MiB heap, up to 3 minutes to start (a loaded 2-core machine needs ~20 s). */
        public static Options defaults() {
            return new Options("registry", "384m", Duration.ofMinutes(3));
        }

        public Options name(String value) {
            return new Options(value, heap, startTimeout);
        }

        public Options heap(String value) {
            return new Options(name, value, startTimeout);
        }

        public Options startTimeout(Duration value) {
            return new Options(name, heap, value);
        }
    }

    private final Path directory;
    private final ForkedJvm jvm;
    private final int port;
    private final Duration startTime;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private SchemaRegistryServer(Path directory, ForkedJvm jvm, int port, Duration startTime) {
        this.directory = directory;
        this.jvm = jvm;
        this.port = port;
        this.startTime = startTime;
    }

    /** The registry shared by all tests of this JVM, started on first use, stopped when the test session ends. */
    public static synchronized SchemaRegistryServer shared() {
        if (shared == null) {
            shared = SharedResources.register("Schema registry", start(Options.defaults().name("shared")),
                    SharedResources.Rank.SERVERS);
        }
        return shared;
    }

    /** Starts a registry of its own; the caller closes it. */
    public static SchemaRegistryServer start(Options options) {
        long started = System.nanoTime();
        String runnerJar = runnerJar();
        Path directory = ForkedJvm.ownedDirectory(SERVERS_DIR, options.name() + "-", SERVER_PID,
                "a schema registry");
        int port = ForkedJvm.freePort();
        List<String> arguments = List.of(
                "-Xmx" + options.heap(),
                // A short-lived test server: the C1 compiler alone starts it sooner and costs less CPU.
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Dquarkus.http.host=" + HOST,
                "-Dquarkus.http.port=" + port,
                // Storage is the registry's default, an in-memory H2 database: nothing outlives the JVM.
                // The directory on the command line tells an orphaned registry apart from other JVMs.
                "-Dcdcconnect.registry.dir=" + directory,
                "-jar", runnerJar);
        ForkedJvm jvm = ForkedJvm.start("The schema registry", arguments, directory, directory.resolve("output.log"),
                false);
        SchemaRegistryServer server = new SchemaRegistryServer(directory, jvm, port, Duration.ZERO);
        try {
            jvm.recordPid(directory.resolve(SERVER_PID));
            jvm.awaitReady(options.startTimeout(), Duration.ofMillis(200), server::checkReady);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        Duration startTime = Duration.ofNanos(System.nanoTime() - started);
        server = new SchemaRegistryServer(directory, jvm, port, startTime);
        LOG.info("Apicurio Registry started in {} ms on {} (pid {}, {} KiB resident)", startTime.toMillis(),
                server.url(), jvm.pid(), server.residentKib().orElse(-1));
        return server;
    }

    /** {@code http://127.0.0.1:port}. */
    public String url() {
        return "http://" + HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    /** Apicurio's own API ({@code /apis/registry/v2}): {@code apicurio.registry.url} of Apicurio's converters. */
    public String apicurioApiUrl() {
        return url() + "/apis/registry/v2";
    }

    /** The Confluent-compatible API ({@code /apis/ccompat/v7}): {@code schema.registry.url} of Confluent's tools. */
    public String confluentApiUrl() {
        return url() + "/apis/ccompat/v7";
    }

    /** How long the start took, from launching the JVM to a ready registry. */
    public Duration startTime() {
        return startTime;
    }

    /** The registry JVM's resident memory (Linux {@code VmRSS}), when the platform reports it. */
    public OptionalLong residentKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(jvm.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")));
                }
            }
        } catch (IOException | NumberFormatException e) {
            LOG.debug("Cannot read the registry's resident memory", e);
        }
        return OptionalLong.empty();
    }

    /** The subjects registered through the Confluent-compatible API's view, sorted. */
    public List<String> subjects() {
        List<String> subjects = new ArrayList<>();
        get(confluentApiUrl() + "/subjects").forEach(s -> subjects.add(s.asText()));
        subjects.sort(Comparator.naturalOrder());
        return subjects;
    }

    /** The version numbers of a subject, oldest first (empty when the subject does not exist). */
    public List<Integer> versions(String subject) {
        Optional<JsonNode> versions = getIfFound(confluentApiUrl() + "/subjects/" + encode(subject) + "/versions");
        List<Integer> numbers = new ArrayList<>();
        versions.ifPresent(v -> v.forEach(n -> numbers.add(n.asInt())));
        return numbers;
    }

    /** The schema text (Avro JSON) of one version of a subject. */
    public JsonNode schema(String subject, int version) {
        JsonNode node = get(confluentApiUrl() + "/subjects/" + encode(subject) + "/versions/" + version);
        try {
            return JSON.readTree(node.path("schema").asText());
        } catch (IOException e) {
            throw new UncheckedIOException("Version " + version + " of " + subject + " is not JSON", e);
        }
    }

    /** The schema (Avro JSON) of an id, as Confluent's deserializers look up the id framed in a record. */
    public JsonNode schemaById(int id) {
        JsonNode node = get(confluentApiUrl() + "/schemas/ids/" + id);
        try {
            return JSON.readTree(node.path("schema").asText());
        } catch (IOException e) {
            throw new UncheckedIOException("Schema " + id + " is not JSON", e);
        }
    }

    /** The schema text (Avro JSON) of the latest version of a subject. */
    public JsonNode latestSchema(String subject) {
        List<Integer> versions = versions(subject);
        if (versions.isEmpty()) {
            throw new IllegalStateException("No subject " + subject + " in the registry; subjects: " + subjects());
        }
        return schema(subject, versions.get(versions.size() - 1));
    }

    /** The last lines the registry logged. */
    public String logTail(int lines) {
        return jvm.logTail(lines);
    }

    public long pid() {
        return jvm.pid();
    }

    public boolean isRunning() {
        return jvm.isAlive();
    }

    @Override
    public synchronized void close() {
        jvm.stop(Duration.ofSeconds(20));
        ForkedJvm.deleteRecursively(directory);
    }

    /** Ready when the readiness check answers UP. */
    private void checkReady() throws IOException, InterruptedException {
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(url() + "/health/ready"))
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (health.statusCode() != 200 || !JSON.readTree(health.body()).path("status").asText().equals("UP")) {
            throw new IllegalStateException("HTTP " + health.statusCode() + " " + health.body());
        }
    }

    private JsonNode get(String url) {
        return getIfFound(url).orElseThrow(() -> new IllegalStateException("GET " + url + " answered 404"));
    }

    private Optional<JsonNode> getIfFound(String url) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 404) {
                return Optional.empty();
            }
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + url + " answered " + response.statusCode() + ": "
                        + response.body());
            }
            return Optional.of(JSON.readTree(response.body()));
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + url + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted: GET " + url, e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String runnerJar() {
        String runner = ForkedJvm.buildResource(RUNNER_RESOURCE, "testkit-registry");
        if (!Files.isRegularFile(Path.of(runner))) {
            throw new IllegalStateException("The registry runner " + runner + " is missing: build the "
                    + "testkit-registry module (./mvnw -o verify -pl testkit-registry)");
        }
        return runner;
    }
}
