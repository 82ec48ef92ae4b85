package dev.cdcconnect.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnrichPreflightTest {

    private static final String CONFIG = """
            {"name": "orders-sink", "config": {
              "connector.class": "io.debezium.connector.jdbc.JdbcSinkConnector",
              "transforms": "unwrap, enrich",
              "transforms.unwrap.type": "io.debezium.transforms.ExtractNewRecordState",
              "transforms.enrich.type": "dev.cdcconnect.enrich.Enrich$Value",
              "transforms.enrich.lookups": "user",
              "transforms.enrich.consumer.bootstrap.servers": "kafka:9092",
              "transforms.enrich.lookup.user.topic": "dbserver1.public.users",
              "transforms.enrich.lookup.user.key.field": "user_id",
              "transforms.enrich.lookup.user.miss.policy": "wait"%s
            }}""";

    @TempDir
    Path dir;

    private record Run(int exit, String out) {
    }

    private Run run(String json) throws Exception {
        Path file = dir.resolve("connector.json");
        Files.writeString(file, json);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = EnrichPreflight.run(new String[] {file.toString()}, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aCleanConfigurationPasses() throws Exception {
        Run run = run(CONFIG.formatted(""));

        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("no errors");
    }

    @Test
    void aMisspelledPerLookupKeyIsNamedByItsFullConnectorKey() throws Exception {
        Run run = run(CONFIG.formatted(",\n\"transforms.enrich.lookup.user.miss.polcy\": \"fail\""));

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).contains("transforms.enrich.lookup.user.miss.polcy: The key lookup.user.miss.polcy is not"
                + " a setting of a lookup").contains("1 error");
    }

    @Test
    void anInvalidValueAndAMissingKeyAreBothReported() throws Exception {
        Run run = run(CONFIG.formatted(",\n\"transforms.enrich.lookup.user.wait.fallback\": \"sometimes\"")
                .replace("\"transforms.enrich.lookup.user.key.field\": \"user_id\",", ""));

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).contains("transforms.enrich.lookup.user.wait.fallback: Invalid value sometimes")
                .contains("transforms.enrich.lookup.user.key.field: Missing required configuration");
    }

    @Test
    void aConfigurationWithoutEnrichHasNothingToCheck() throws Exception {
        Run run = run("{\"transforms\": \"unwrap\", \"transforms.unwrap.type\": \"x.Y\"}");

        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("no Enrich transform");
    }
}
