package dev.cdcconnect.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

class EnrichConfigTest {

    private static Map<String, String> props(String... pairs) {
        Map<String, String> props = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            props.put(pairs[i], pairs[i + 1]);
        }
        return props;
    }

    private static Map<String, String> topicLookup(String... more) {
        Map<String, String> props = props("lookups", "user", "consumer.bootstrap.servers", "kafka:9092",
                "lookup.user.topic", "dbserver1.public.users", "lookup.user.key.field", "user_id");
        props.putAll(props(more));
        return props;
    }

    private static Map<String, String> jdbcLookup(String... more) {
        Map<String, String> props = props("lookups", "user", "lookup.user.source", "jdbc",
                "lookup.user.jdbc.url", "jdbc:postgresql://db/shop", "lookup.user.jdbc.query",
                "SELECT name FROM users WHERE id = ?", "lookup.user.key.field", "user_id");
        props.putAll(props(more));
        return props;
    }

    private static List<String> errors(Map<String, ConfigValue> values, String key) {
        assertThat(values).containsKey(key);
        return values.get(key).errorMessages();
    }

    @Test
    void topicLookupDefaults() {
        LookupSpec spec = new EnrichConfig(topicLookup()).lookups().get(0);

        assertThat(spec.name()).isEqualTo("user");
        assertThat(spec.output()).isEqualTo(LookupSpec.Output.NESTED);
        assertThat(spec.outputField()).isEqualTo("user");
        assertThat(spec.flatName("name")).isEqualTo("user_name");
        assertThat(spec.missPolicy()).isEqualTo(MissPolicy.NULL);
        assertThat(spec.waitTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(spec.table().topic()).isEqualTo("dbserver1.public.users");
        assertThat(spec.table().valueConverter()).isEqualTo(JsonConverter.class);
        assertThat(spec.table().consumerConfig()).containsEntry("bootstrap.servers", "kafka:9092");
        assertThat(spec.table().maxBytes()).isEqualTo(256L * 1024 * 1024);
        assertThat(spec.jdbc()).isNull();
    }

    @Test
    void perLookupConsumerAndConverterSettingsOverrideShared() {
        TableSpecView spec = new TableSpecView(new EnrichConfig(topicLookup(
                "lookup.user.consumer.bootstrap.servers", "other:9092", "consumer.security.protocol", "SSL",
                "lookup.user.value.converter.schemas.enable", "false")).lookups().get(0));

        assertThat(spec.consumer()).containsEntry("bootstrap.servers", "other:9092")
                .containsEntry("security.protocol", "SSL");
        assertThat(spec.valueConverterConfig()).containsEntry("schemas.enable", "false");
    }

    private record TableSpecView(LookupSpec spec) {
        Map<String, Object> consumer() {
            return spec.table().consumerConfig();
        }

        Map<String, Object> valueConverterConfig() {
            return spec.table().valueConverterConfig();
        }
    }

    @Test
    void jdbcLookupDefaults() {
        LookupSpec spec = new EnrichConfig(jdbcLookup("lookup.user.jdbc.password", "secret")).lookups().get(0);

        assertThat(spec.table()).isNull();
        assertThat(spec.jdbc().query()).isEqualTo("SELECT name FROM users WHERE id = ?");
        assertThat(spec.jdbc().password()).isEqualTo("secret");
        assertThat(spec.jdbc().toString()).doesNotContain("secret");
        assertThat(spec.jdbc().missTtl()).isLessThan(spec.jdbc().hitTtl());
        assertThat(spec.jdbc().cacheMaxSize()).isEqualTo(100_000);
    }

    @Test
    void badValuesAreRefusedNamingTheFullKey() {
        assertThatThrownBy(() -> new EnrichConfig(topicLookup("lookup.user.miss.policy", "maybe")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("lookup.user.miss.policy")
                .hasMessageContaining("maybe")
                .hasMessageContaining("must be one of: null, fail, drop, wait");
        assertThatThrownBy(() -> new EnrichConfig(topicLookup("lookup.user.wait.fallback", "wait")))
                .hasMessageContaining("lookup.user.wait.fallback");
        assertThatThrownBy(() -> new EnrichConfig(topicLookup("lookup.user.key.field", "after..id")))
                .hasMessageContaining("lookup.user.key.field").hasMessageContaining("empty segments");
    }

    @Test
    void theRequiredKeysOfEachSourceAreChecked() {
        Map<String, String> noTopic = topicLookup();
        noTopic.remove("lookup.user.topic");
        assertThatThrownBy(() -> new EnrichConfig(noTopic))
                .hasMessageContaining("lookup.user.topic").hasMessageContaining("is required when lookup.user.source=topic");

        Map<String, String> noServers = topicLookup();
        noServers.remove("consumer.bootstrap.servers");
        assertThatThrownBy(() -> new EnrichConfig(noServers))
                .hasMessageContaining("lookup.user.consumer.bootstrap.servers or consumer.bootstrap.servers");

        Map<String, String> noQuery = jdbcLookup();
        noQuery.remove("lookup.user.jdbc.query");
        assertThatThrownBy(() -> new EnrichConfig(noQuery)).hasMessageContaining("lookup.user.jdbc.query");
    }

    @Test
    void aMissMustNotOutliveAHit() {
        assertThatThrownBy(() -> new EnrichConfig(jdbcLookup("lookup.user.cache.hit.ttl.ms", "1000",
                "lookup.user.cache.miss.ttl.ms", "2000")))
                .hasMessageContaining("lookup.user.cache.miss.ttl.ms")
                .hasMessageContaining("must not exceed lookup.user.cache.hit.ttl.ms=1000");
    }

    @Test
    void aQueryTakesExactlyOneParameter() {
        assertThatThrownBy(() -> new EnrichConfig(jdbcLookup("lookup.user.jdbc.query",
                "SELECT name FROM users WHERE id = ? AND region = ?")))
                .hasMessageContaining("lookup.user.jdbc.query").hasMessageContaining("found 2");
        assertThat(new EnrichConfig(jdbcLookup("lookup.user.jdbc.query",
                "SELECT name FROM users WHERE id = ? AND note <> 'why?'")).lookups()).hasSize(1);
        assertThatThrownBy(() -> new EnrichConfig(jdbcLookup("lookup.user.jdbc.query", "DELETE FROM users WHERE id = ?")))
                .hasMessageContaining("must be a SELECT query");
    }

    @Test
    void keysOfUnlistedLookupsAndUnknownKeysAreRefused() {
        assertThatThrownBy(() -> new EnrichConfig(topicLookup("lookup.usr.topic", "x")))
                .hasMessageContaining("lookup.usr.topic names the lookup 'usr', which is not in lookups=user");
        assertThatThrownBy(() -> new EnrichConfig(topicLookup("lookup.user.miss.polcy", "fail")))
                .hasMessageContaining("lookup.user.miss.polcy is not a setting of a lookup");
    }

    @Test
    void lookupNamesAreValidatedByTheStaticDefinition() {
        List<ConfigValue> values = EnrichConfig.CONFIG_DEF.validate(props("lookups", "user,user"));
        assertThat(values.stream().filter(v -> v.name().equals("lookups")).findFirst().orElseThrow().errorMessages())
                .anyMatch(m -> m.contains("appears twice"));
        assertThat(new Enrich.Value<SinkRecord>().config().configKeys()).containsOnlyKeys("lookups", "envelope.fields");
    }

    @Test
    void twoNestedLookupsCannotWriteTheSameField() {
        Map<String, String> props = topicLookup("lookups", "user,buyer", "lookup.buyer.topic", "users",
                "lookup.buyer.key.field", "buyer_id", "lookup.buyer.output.field", "user");

        assertThatThrownBy(() -> new EnrichConfig(props)).hasMessageContaining("lookup.buyer.output.field");
    }

    @Test
    void validateReportsPerLookupKeysAsConnectWouldShowThem() {
        Map<String, ConfigValue> bad = EnrichConfig.validate(topicLookup("lookup.user.wait.timeout.ms", "-5"));
        assertThat(errors(bad, "lookup.user.wait.timeout.ms")).anyMatch(m -> m.contains("-5"));

        Map<String, String> missingTopic = topicLookup();
        missingTopic.remove("lookup.user.topic");
        assertThat(errors(EnrichConfig.validate(missingTopic), "lookup.user.topic"))
                .anyMatch(m -> m.contains("is required"));

        Map<String, ConfigValue> good = EnrichConfig.validate(topicLookup());
        assertThat(good.values()).allMatch(v -> v.errorMessages().isEmpty());
    }

    @Test
    void unreadableTableRecordsAreSkippedByDefaultAndFailOnlyWhenAskedTo() {
        assertThat(new EnrichConfig(topicLookup()).lookups().get(0).table().skipUnreadable()).isTrue();
        assertThat(new EnrichConfig(topicLookup("lookup.user.topic.unreadable", "FAIL")).lookups().get(0).table()
                .skipUnreadable()).isFalse();
        assertThatThrownBy(() -> new EnrichConfig(topicLookup("lookup.user.topic.unreadable", "ignore")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("lookup.user.topic.unreadable").hasMessageContaining("ignore")
                .hasMessageContaining("skip, fail");
    }
}
