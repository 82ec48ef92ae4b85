package dev.cdcconnect.testkit.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SchemaRegistryServerTest {

    private static final String CUSTOMER_V1 = """
            {"type":"record","name":"Customer","namespace":"shop","fields":[{"name":"id","type":"int"}]}""";
    private static final String CUSTOMER_V2 = """
            {"type":"record","name":"Customer","namespace":"shop","fields":[{"name":"id","type":"int"},\
            {"name":"email","type":["null","string"],"default":null}]}""";

    private static SchemaRegistryServer registry;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        registry = SchemaRegistryServer.start(SchemaRegistryServer.Options.defaults().name("kit-test"));
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void runsInAJvmOfItsOwnOnLoopback() {
        assertThat(registry.isRunning()).isTrue();
        assertThat(registry.pid()).isNotEqualTo(ProcessHandle.current().pid());
        assertThat(registry.url()).startsWith("http://127.0.0.1:");
        assertThat(registry.versions("nothing-value")).isEmpty();
        assertThat(registry.startTime()).isPositive();
        assertThat(registry.residentKib()).isPresent();
    }

    @Test
    void registersAvroVersionsThroughTheConfluentApiAndServesThemOnItsOwn() throws Exception {
        assertThat(post(registry.confluentApiUrl() + "/subjects/kit.customers-value/versions", CUSTOMER_V1))
                .contains("\"id\"");
        post(registry.confluentApiUrl() + "/subjects/kit.customers-value/versions", CUSTOMER_V2);
        // The same schema again is no new version.
        post(registry.confluentApiUrl() + "/subjects/kit.customers-value/versions", CUSTOMER_V2);

        assertThat(registry.subjects()).contains("kit.customers-value");
        assertThat(registry.versions("kit.customers-value")).containsExactly(1, 2);
        assertThat(registry.latestSchema("kit.customers-value").path("fields").get(1).path("name").asText())
                .isEqualTo("email");
        HttpResponse<String> own = http.send(HttpRequest.newBuilder(
                        URI.create(registry.apicurioApiUrl() + "/groups/default/artifacts/kit.customers-value/versions"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(own.statusCode()).isEqualTo(200);
        assertThat(own.body()).contains("\"count\":2", "\"type\":\"AVRO\"");
    }

    @Test
    void startsEmptyAndClosingStopsTheJvm() {
        SchemaRegistryServer other = SchemaRegistryServer.start(SchemaRegistryServer.Options.defaults().name("closed"));
        ProcessHandle process = ProcessHandle.of(other.pid()).orElseThrow();
        assertThat(other.subjects()).isEmpty();

        other.close();

        assertThat(process.isAlive()).isFalse();
    }

    private String post(String url, String avroSchema) throws Exception {
        String body = "{\"schema\":" + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(avroSchema)
                + "}";
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }
}
