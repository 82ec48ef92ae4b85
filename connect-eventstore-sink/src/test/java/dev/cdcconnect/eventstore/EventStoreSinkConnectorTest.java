package dev.cdcconnect.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import dev.cdcconnect.testkit.logging.LogCapture;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.sink.SinkConnector;
import org.junit.jupiter.api.Test;

class EventStoreSinkConnectorTest {

    @Test
    void workersFindTheConnectorThroughItsServiceManifest() {
        assertThat(ServiceLoader.load(SinkConnector.class).stream().map(ServiceLoader.Provider::type))
                .contains(EventStoreSinkConnector.class);
    }

    @Test
    void versionIsTheProjectVersion() {
        assertThat(new EventStoreSinkConnector().version()).isEqualTo(System.getProperty("project.version"))
                .isNotBlank();
        assertThat(new EventStoreSinkTask().version()).isEqualTo(new EventStoreSinkConnector().version());
    }

    @Test
    void eachTaskGetsTheConfigurationAndItsIndex() {
        EventStoreSinkConnector connector = new EventStoreSinkConnector();
        connector.start(Map.of("name", "es", EventStoreSinkConfig.CONNECTION_STRING, "kurrentdb://db:2113"));

        List<Map<String, String>> tasks = connector.taskConfigs(3);

        assertThat(tasks).extracting(t -> t.get(EventStoreSinkConfig.TASK_ID)).containsExactly("0", "1", "2");
        assertThat(tasks).allSatisfy(t -> assertThat(t).containsEntry(EventStoreSinkConfig.CONNECTION_STRING,
                "kurrentdb://db:2113"));
        connector.stop();
    }

    @Test
    void theConnectorLogsTheServersVersionOnceItAnswers() {
        try (EventStoreStandIn server = EventStoreStandIn.start(); LogCapture log = LogCapture.start()) {
            EventStoreSinkConnector connector = new EventStoreSinkConnector();
            connector.start(Map.of("name", "orders-to-es",
                    EventStoreSinkConfig.CONNECTION_STRING, server.connectionString()));
            try {
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                        log.linesContaining("EventStoreDB sink orders-to-es: the server answers, version "
                                + server.options().serverVersion().versionString())).hasSize(1));
            } finally {
                connector.stop();
            }
        }
    }

    /** A node that accepts connections and never answers: the connector starts and stops all the same. */
    @Test
    void aServerThatNeverAnswersNeitherHoldsUpNorOutlivesTheConnector() throws IOException {
        String password = "p/a?s@s:w%rd";
        try (SilentServer silent = new SilentServer(); LogCapture log = LogCapture.start()) {
            EventStoreSinkConnector connector = new EventStoreSinkConnector();
            connector.start(Map.of("name", "silent",
                    EventStoreSinkConfig.CONNECTION_STRING, silent.connectionString(),
                    EventStoreSinkConfig.USERNAME, "admin", EventStoreSinkConfig.PASSWORD, password,
                    EventStoreSinkConfig.DEADLINE_MS, "60000"));
            assertThat(Thread.getAllStackTraces().keySet()).anyMatch(t -> t.getName()
                    .equals("eventstore-sink-probe-silent"));

            connector.stop();

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Thread.getAllStackTraces()
                    .keySet()).noneMatch(t -> t.getName().equals("eventstore-sink-probe-silent")));
            assertThat(log.linesContaining("EventStoreDB sink silent: the server answers")).isEmpty();
            assertThat(log.lines()).noneMatch(line -> line.contains(password));
        }
    }

    @Test
    void validateReportsRulesAcrossKeysOnTheKeyToChange() {
        Map<String, String> props = new HashMap<>();
        props.put(EventStoreSinkConfig.CONNECTION_STRING, "kurrentdb://db:2113");
        props.put(EventStoreSinkConfig.STREAM_NAME_TEMPLATE, "${schema}-${table}-${key}");
        props.put(EventStoreSinkConfig.TOMBSTONE_HANDLING, "tombstone");
        props.put(EventStoreSinkConfig.DELIVERY_GUARANTEE, "twice");
        props.put(EventStoreSinkConfig.APPEND_MAX_BYTES, String.valueOf(8 * 1024 * 1024));
        props.put(EventStoreSinkConfig.BUFFER_MAX_BYTES, String.valueOf(2 * 1024 * 1024));

        Config config = new EventStoreSinkConnector().validate(props);

        assertThat(errors(config, EventStoreSinkConfig.BUFFER_MAX_BYTES)).singleElement().asString()
                .contains("must be at least append.max.bytes");
        assertThat(errors(config, EventStoreSinkConfig.APPEND_MAX_BYTES)).isEmpty();
        assertThat(errors(config, EventStoreSinkConfig.STREAM_NAME_TEMPLATE)).isEmpty();
        assertThat(errors(config, EventStoreSinkConfig.DELIVERY_GUARANTEE)).singleElement().asString()
                .contains("twice").contains("exactly-once, at-least-once");
        assertThat(errors(config, EventStoreSinkConfig.TOMBSTONE_HANDLING)).isEmpty();
        assertThat(errors(config, EventStoreSinkConfig.CONNECTION_STRING)).isEmpty();
    }

    @Test
    void thePasswordIsASecret() {
        assertThat(EventStoreSinkConfig.CONFIG_DEF.configKeys().get(EventStoreSinkConfig.PASSWORD).type)
                .isEqualTo(org.apache.kafka.common.config.ConfigDef.Type.PASSWORD);
    }

    private static List<String> errors(Config config, String key) {
        return config.configValues().stream().filter(v -> v.name().equals(key)).findFirst()
                .map(ConfigValue::errorMessages).orElseThrow();
    }
}
