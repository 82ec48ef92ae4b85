package dev.cdcconnect.it.recipes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.testkit.connect.ConnectRestClient;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The connector configs the compose demo's setup deploys (docker/connectors/, and etc/ examples with the demo's
 * changes from docker/overrides/ on top, merged as setup merges them) pass the plugins' own validation, for
 * every plugin the test cluster has. A config whose validation connects to its database gets the test's
 * Postgres instead of the demo's. The MySQL source and the DataStax Cassandra sink are installed only in the
 * demo's image, so their configs are not validated here.
 */
class DemoConnectorConfigsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> demoConnectors() {
        Path repo = Path.of(System.getProperty(Recipe.RECIPES_DIR_PROPERTY)).toAbsolutePath().normalize()
                .getParent().getParent().getParent().getParent();
        Path etc = repo.resolve("assembly/src/main/etc");
        Path docker = repo.resolve("docker");
        Database shop = PostgresServer.shared().createDatabase("demo_shop");
        Map<String, String> testPostgres = Map.of(
                "database.hostname", shop.host(),
                "database.port", Integer.toString(shop.port()),
                "database.dbname", shop.name());
        return Stream.of(
                Arguments.of(List.of(docker.resolve("connectors/shop-postgres-source.json")), testPostgres),
                Arguments.of(List.of(docker.resolve("connectors/000-enriched-orders-eventstore.json")), Map.of()),
                Arguments.of(List.of(etc.resolve("001-infer.json"), docker.resolve("overrides/001-infer.json")),
                        Map.of()),
                Arguments.of(List.of(etc.resolve("004-object-storage-sink.json"),
                        docker.resolve("overrides/004-object-storage-sink.json")), Map.of()),
                Arguments.of(List.of(etc.resolve("004-delta-sink.json")), Map.of()));
    }

    @ParameterizedTest
    @MethodSource("demoConnectors")
    void validates(List<Path> files, Map<String, String> testServers) throws IOException {
        ConnectRestClient rest = ConnectCluster.shared().rest();
        JsonNode connector = JSON.readTree(Files.readString(files.get(0)));
        Map<String, String> config = new LinkedHashMap<>();
        connector.required("config").properties().forEach(e -> config.put(e.getKey(), e.getValue().asText()));
        for (Path override : files.subList(1, files.size())) {
            JSON.readTree(Files.readString(override)).properties()
                    .forEach(e -> config.put(e.getKey(), e.getValue().asText()));
        }
        config.putAll(testServers);
        config.put("name", connector.required("name").asText());

        assertThat(rest.validate(config.get("connector.class"), config).errors())
                .as("validation of %s", files).isEmpty();
    }
}
