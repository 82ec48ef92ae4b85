package dev.cdcconnect.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cdcconnect.eventstore.write.DeliveryGuarantee;
import io.kurrent.dbclient.KurrentDBClientSettings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

class EventStoreSinkConfigTest {

    private static Map<String, String> props(String... settings) {
        Map<String, String> props = new HashMap<>();
        props.put(EventStoreSinkConfig.CONNECTION_STRING, "kurrentdb://localhost:2113?tls=false");
        for (int i = 0; i < settings.length; i += 2) {
            props.put(settings[i], settings[i + 1]);
        }
        return props;
    }

    private static List<String> errors(String key, Map<String, String> props) {
        return EventStoreSinkConfig.CONFIG_DEF.validate(props).stream().filter(v -> v.name().equals(key))
                .findFirst().map(ConfigValue::errorMessages).orElseThrow();
    }

    @Test
    void defaultsAreDocumentedAndSafe() {
        EventStoreSinkConfig config = new EventStoreSinkConfig(props());

        assertThat(config.streamNameTemplate().toString()).isEqualTo("${table}-${key}");
        assertThat(config.deliveryGuarantee()).isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(config.appendMaxBytes()).isEqualTo(1024 * 1024);
        assertThat(config.multiStreamAppend()).isTrue();
        for (var key : EventStoreSinkConfig.CONFIG_DEF.configKeys().values()) {
            if (!key.internalConfig) {
                assertThat(key.documentation).as(key.name).isNotBlank();
                assertThat(key.group).as(key.name).isNotNull();
                assertThat(key.displayName).as(key.name).isNotNull();
            }
        }
    }

    @Test
    void everyStructuredValueIsCheckedByItsKeysValidator() {
        assertThat(errors(EventStoreSinkConfig.STREAM_NAME_TEMPLATE,
                props(EventStoreSinkConfig.STREAM_NAME_TEMPLATE, "${tabel}-${key}")))
                .containsExactly("Invalid value ${tabel}-${key} for configuration stream.name.template: unknown "
                        + "placeholder ${tabel}; allowed: ${database}, ${key.<field>}, ${key}, ${schema}, ${table}, "
                        + "${topic} (valid: a stream name with placeholders ${topic}, ${database}, ${schema}, ${table}, "
                        + "${key}, ${key.<field>})");
        assertThat(errors(EventStoreSinkConfig.EVENT_TYPE_MAPPING,
                props(EventStoreSinkConfig.EVENT_TYPE_MAPPING, "updated=Changed")))
                .singleElement().asString().contains("updated=Changed").contains("unknown kind 'updated'")
                .contains("create, update, delete, read, truncate, message, tombstone, record");
        assertThat(errors(EventStoreSinkConfig.EVENT_CORRELATION_ID,
                props(EventStoreSinkConfig.EVENT_CORRELATION_ID, "txid")))
                .singleElement().asString().contains("'txid' is not a value source").contains("header:<name>");
        assertThat(errors(EventStoreSinkConfig.DELIVERY_GUARANTEE,
                props(EventStoreSinkConfig.DELIVERY_GUARANTEE, "once")))
                .singleElement().asString().contains("once").contains("exactly-once").contains("at-least-once");
        assertThat(errors(EventStoreSinkConfig.APPEND_MAX_BYTES, props(EventStoreSinkConfig.APPEND_MAX_BYTES, "10")))
                .singleElement().asString().contains("10").contains("at least 1024");
        assertThat(errors(EventStoreSinkConfig.TLS_CA_FILE, props(EventStoreSinkConfig.TLS_CA_FILE, "/no/such.pem")))
                .singleElement().asString().contains("/no/such.pem").contains("readable file");
    }

    @Test
    void connectionStringIsParsedAndCredentialsInItAreRejectedWithoutEchoingThem() {
        assertThat(errors(EventStoreSinkConfig.CONNECTION_STRING,
                props(EventStoreSinkConfig.CONNECTION_STRING, "http://localhost:2113")))
                .singleElement().asString().contains("http://localhost:2113").contains("kurrentdb://");
        assertThat(errors(EventStoreSinkConfig.CONNECTION_STRING,
                props(EventStoreSinkConfig.CONNECTION_STRING, "kurrentdb://localhost:2113?nodePreference=nearest")))
                .singleElement().asString().contains("is not a valid connection string").contains("nearest");
        List<String> credentials = errors(EventStoreSinkConfig.CONNECTION_STRING,
                props(EventStoreSinkConfig.CONNECTION_STRING, "esdb://admin:changeit@localhost:2113"));
        assertThat(credentials).singleElement().asString().contains("eventstore.password")
                .doesNotContain("changeit");
        assertThat(errors(EventStoreSinkConfig.CONNECTION_STRING, props(EventStoreSinkConfig.CONNECTION_STRING,
                "esdb+discover://node1:2113,node2:2113?tls=true&tlsVerifyCert=false"))).isEmpty();
    }

    /** Passwords holding every character that ends a naive user-info parse, in every scheme and position. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"Top/Secret2", "Top?Secret2", "Top@Secret2",
            "Top:Secret2", "Top%Secret2", "Top%2FSecret2", "a/b?c@d:e%f"})
    void credentialsAreRejectedWithoutEchoingAnyPartOfThemWhateverThePasswordHolds(String password) {
        for (String value : List.of("kurrentdb://admin:" + password + "@localhost:2113?tls=false",
                "esdb+discover://admin:" + password + "@node1:2113,node2:2113/?tls=true",
                "kurrentdb://admin:" + password + "@localhost:2113", "http://admin:" + password + "@localhost:2113",
                "admin:" + password + "@localhost:2113")) {
            List<String> errors = errors(EventStoreSinkConfig.CONNECTION_STRING,
                    props(EventStoreSinkConfig.CONNECTION_STRING, value));
            assertThat(errors).as(value).singleElement().asString().contains("must not contain credentials")
                    .contains("eventstore.password").doesNotContain(password).doesNotContain("Top")
                    .doesNotContain("Secret2");
            assertThatThrownBy(() -> new EventStoreSinkConfig(props(EventStoreSinkConfig.CONNECTION_STRING, value)))
                    .as(value).hasMessageContaining("must not contain credentials").hasMessageNotContaining("Secret2");
        }
    }

    @Test
    void clientSettingsCombineTheStringWithSecretCredentialsAndDeadline() {
        EventStoreSinkConfig config = new EventStoreSinkConfig(props(
                EventStoreSinkConfig.CONNECTION_STRING, "kurrentdb://db1:2114?tls=false&keepAliveInterval=20000",
                EventStoreSinkConfig.USERNAME, "writer",
                EventStoreSinkConfig.PASSWORD, "s3cret",
                EventStoreSinkConfig.DEADLINE_MS, "2500"));

        KurrentDBClientSettings settings = config.clientSettings();

        assertThat(settings.isTls()).isFalse();
        assertThat(settings.getHosts()[0].getHost()).isEqualTo("db1");
        assertThat(settings.getHosts()[0].getPort()).isEqualTo(2114);
        assertThat(settings.getKeepAliveInterval()).isEqualTo(20_000);
        assertThat(settings.getDefaultDeadline()).isEqualTo(2500);
        assertThat(settings.getDefaultCredentials()).isNotNull();
        assertThat(config.summary().toString()).doesNotContain("s3cret");
        assertThat(new EventStoreSinkConfig(props(EventStoreSinkConfig.CONNECTION_STRING, "kurrentdb://db1"))
                .clientSettings().isTls()).isTrue();
    }

    @Test
    void templatesWithDatabaseAndSchemaGoWithEveryTombstoneHandling() {
        // A tombstone acts on the stream of the delete before it, whatever the template takes from the source block.
        for (String handling : List.of("ignore", "marker", "delete", "tombstone")) {
            assertThat(new EventStoreSinkConfig(props(
                    EventStoreSinkConfig.STREAM_NAME_TEMPLATE, "${database}-${schema}-${table}-${key}",
                    EventStoreSinkConfig.TOMBSTONE_HANDLING, handling)).tombstoneHandling().configName())
                    .isEqualTo(handling);
        }
    }

    @Test
    void bufferMustHoldOneAppend() {
        assertThatThrownBy(() -> new EventStoreSinkConfig(props(
                EventStoreSinkConfig.APPEND_MAX_BYTES, String.valueOf(8 * 1024 * 1024),
                EventStoreSinkConfig.BUFFER_MAX_BYTES, String.valueOf(2 * 1024 * 1024))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("buffer.max.bytes")
                .hasMessageContaining("must be at least append.max.bytes");
    }
}
