package dev.cdcconnect.it.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.cdcconnect.it.kit.WorkerLog;
import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.standin.connect.ConnectRestException;
import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A connection string carrying {@code user:password@}, whatever its password holds ({@code / ? @ : %}), is refused by
 * {@code /config/validate} and by {@code PUT /connectors/{name}/config}, and neither the answers nor anything the
 * workers log shows any of the password; a password given where it belongs ({@code eventstore.password}) is not
 * logged either.
 */
class ConnectionStringCredentialsIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final String SINK = "es-credentials-sink";
    private static final String TOPIC = "bulk.credentials.customers";
    private static final List<String> PASSWORDS = List.of("Top/Secret2", "Top?Secret2", "Top@Secret2", "Top:Secret2",
            "Top%Secret2", "Top%2FSecret2", "a/b?c@d:e%fSecret2");

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static EventStoreStandIn eventStore;

    @BeforeAll
    static void start() {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        eventStore = EventStoreStandIn.start();
        connect.createTopic(TOPIC, 1);
    }

    @AfterAll
    static void stop() {
        rest.delete(SINK);
        eventStore.close();
    }

    @Test
    void credentialsInTheConnectionStringAreRefusedAndNeitherAnswersNorLogsShowThePassword() {
        try (WorkerLog log = WorkerLog.capture("dev.cdcconnect", Level.DEBUG)) {
            for (String password : PASSWORDS) {
                Map<String, String> config = EventStoreSinks.config(eventStore, TOPIC, 1);
                config.put("eventstore.connection.string",
                        "kurrentdb://admin:" + password + "@127.0.0.1:" + eventStore.port() + "?tls=false");

                ConnectRestClient.Validation validation = rest.validate(EventStoreSinks.CONNECTOR_CLASS, config);
                assertThat(validation.errors().get("eventstore.connection.string")).as(password)
                        .singleElement().asString().contains("must not contain credentials")
                        .contains("eventstore.password");
                assertNoSecretIn(validation.toString(), password);

                ConnectRestException refused = catchThrowableOfType(ConnectRestException.class,
                        () -> rest.createOrUpdate(SINK, config));
                assertThat(refused).as(password).isNotNull();
                assertThat(refused.status()).isEqualTo(400);
                assertThat(refused.body()).contains("must not contain credentials");
                assertNoSecretIn(refused.body(), password);
            }
            assertThat(rest.status(SINK)).as("a refused connector is not created").isEmpty();

            // The same password where it belongs: the connector runs, and its start-up lines show no password.
            Map<String, String> config = EventStoreSinks.config(eventStore, TOPIC, 1);
            config.put("eventstore.username", "admin");
            config.put("eventstore.password", PASSWORDS.get(PASSWORDS.size() - 1));
            rest.createOrUpdate(SINK, config);
            rest.awaitRunning(SINK, 1, TIMEOUT);
            assertThat(log.lines(l -> l.text().contains("EventStoreDB sink " + SINK + " task 0 started")))
                    .as("the task's start-up line, captured").isNotEmpty();

            for (String password : PASSWORDS) {
                assertNoSecretIn(log.text(), password);
            }
        }
    }

    private static void assertNoSecretIn(String text, String password) {
        assertThat(text).as("a text shown to a user or an operator").doesNotContain(password)
                .doesNotContain(URLEncoder.encode(password, StandardCharsets.UTF_8)).doesNotContain("Secret2");
    }
}
