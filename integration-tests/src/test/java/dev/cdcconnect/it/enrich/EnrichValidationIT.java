package dev.cdcconnect.it.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import java.io.File;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What is checked when, for the Enrich transform's settings, through the worker's real REST API: the keys a
 * transform declares ({@code lookups}, {@code envelope.fields}) at {@code /config/validate} and at
 * {@code PUT /connectors/<name>/config}; per-lookup keys, which Connect cannot show a transform, when the task
 * starts (a failed task naming the full key) and beforehand by the pre-flight command run as a user runs it, with
 * the plugin folder and the worker's libraries on its class path.
 */
class EnrichValidationIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String SINK_CLASS = "io.debezium.connector.jdbc.JdbcSinkConnector";
    private static final String TYPO = "transforms.enrich.lookup.user.miss.polcy";

    private static ConnectCluster connect;
    private static ConnectRestClient rest;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        connect.createTopic("validate.users", 1);
        connect.createTopic("validate.orders", 1);
    }

    private static Map<String, String> sinkConfig(String... overrides) {
        Map<String, String> config = new HashMap<>(Map.ofEntries(
                Map.entry("connector.class", SINK_CLASS),
                Map.entry("tasks.max", "1"),
                Map.entry("topics", "validate.orders"),
                Map.entry("connection.url", "jdbc:postgresql://127.0.0.1:1/none"),
                Map.entry("connection.username", "none"),
                Map.entry("transforms", "enrich"),
                Map.entry("transforms.enrich.type", "dev.cdcconnect.enrich.Enrich$Value"),
                Map.entry("transforms.enrich.lookups", "user"),
                Map.entry("transforms.enrich.consumer.bootstrap.servers", connect.bootstrapServers()),
                Map.entry("transforms.enrich.lookup.user.topic", "validate.users"),
                Map.entry("transforms.enrich.lookup.user.key.field", "user_id")));
        for (int i = 0; i < overrides.length; i += 2) {
            config.put(overrides[i], overrides[i + 1]);
        }
        return config;
    }

    @Test
    void theValidateEndpointAndPutCheckTheDeclaredKeys() {
        var validation = rest.validate(SINK_CLASS, sinkConfig("transforms.enrich.lookups", "user,9lives",
                "transforms.enrich.envelope.fields", "after,middle"));

        assertThat(validation.errors().get("transforms.enrich.lookups")).anyMatch(m -> m.contains("'9lives'"));
        assertThat(validation.errors().get("transforms.enrich.envelope.fields")).anyMatch(m -> m.contains("middle"));
        try {
            rest.createOrUpdate("enrich-validate-lookups", sinkConfig("transforms.enrich.lookups", "user,user"));
            throw new AssertionError("PUT accepted a lookups list naming a lookup twice");
        } catch (RuntimeException e) {
            assertThat(e.getMessage()).contains("400").contains("appears twice");
        }
        assertThat(rest.connectors()).doesNotContain("enrich-validate-lookups");
    }

    @Test
    void aMisspelledLookupKeyPassesConnectFailsTheTaskAndIsCaughtByThePreflightCommand() throws Exception {
        Map<String, String> config = sinkConfig(TYPO, "fail");

        // Connect cannot see per-lookup keys: no error at validation, 201 at PUT
        var validation = rest.validate(SINK_CLASS, config);
        assertThat(validation.errors().keySet()).noneMatch(k -> k.startsWith("transforms.enrich.lookup."));
        Path file = dir.resolve("connector.json");
        Files.writeString(file, new ObjectMapper().writeValueAsString(Map.of("name", "enrich-validate-typo", "config",
                config)));

        // the pre-flight command, as documented, before submitting
        Preflight preflight = preflight(file);
        assertThat(preflight.exit()).isEqualTo(1);
        assertThat(preflight.out()).contains(TYPO + ": The key lookup.user.miss.polcy is not a setting of a lookup");

        // submitted anyway: created (201), then the task fails at start, naming the full key
        HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        rest.baseUri().resolve("/connectors/enrich-validate-typo/config"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(new ObjectMapper().writeValueAsString(config))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).isEqualTo(201);
        try {
            String trace = rest.awaitTaskFailed("enrich-validate-typo", TIMEOUT).toString();
            assertThat(trace).contains("lookup.user.miss.polcy is not a setting of a lookup");
        } finally {
            rest.delete("enrich-validate-typo");
        }

        // the corrected configuration passes the pre-flight
        Files.writeString(file, new ObjectMapper().writeValueAsString(sinkConfig()));
        assertThat(preflight(file).exit()).isZero();
    }

    private record Preflight(int exit, String out) {
    }

    /** Runs the pre-flight command in its own JVM: the plugin folder plus the worker's libraries on the class path. */
    private static Preflight preflight(Path config) throws Exception {
        Path plugins = ConnectCluster.pluginPathFromSystemProperty().stream()
                .filter(p -> p.toString().contains("connect-enrich-smt")).findFirst().orElseThrow();
        String classPath = plugins.resolve("connect-enrich-smt") + File.separator + "*" + File.pathSeparator
                + System.getProperty("java.class.path");
        Process process = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, "dev.cdcconnect.enrich.EnrichPreflight", config.toString()))
                .redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Preflight(process.exitValue(), out);
    }
}
