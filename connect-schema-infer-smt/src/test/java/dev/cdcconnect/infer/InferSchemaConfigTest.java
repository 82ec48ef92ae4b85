package dev.cdcconnect.infer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cdcconnect.infer.schema.NestedMode;
import dev.cdcconnect.infer.schema.TypeHint;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

class InferSchemaConfigTest {

    private static ConfigValue validate(String key, String value) {
        List<ConfigValue> values = InferSchemaConfig.CONFIG_DEF.validate(Map.of(key, value));
        return values.stream().filter(v -> v.name().equals(key)).findFirst().orElseThrow();
    }

    @Test
    void everyKeyHasGroupOrderWidthDisplayNameAndValidatorOrType() {
        for (ConfigDef.ConfigKey key : InferSchemaConfig.CONFIG_DEF.configKeys().values()) {
            assertThat(key.group).as(key.name).isNotBlank();
            assertThat(key.orderInGroup).as(key.name).isPositive();
            assertThat(key.width).as(key.name).isNotEqualTo(ConfigDef.Width.NONE);
            assertThat(key.displayName).as(key.name).isNotBlank().isNotEqualTo(key.name);
            assertThat(key.documentation).as(key.name).isNotBlank();
            if (key.type != ConfigDef.Type.BOOLEAN) {
                assertThat(key.validator).as(key.name).isNotNull();
            }
        }
    }

    @Test
    void bothTransformsReportTheProjectVersionNotKafkas() {
        assertThat(new InferSchema.Value<org.apache.kafka.connect.sink.SinkRecord>().version())
                .isEqualTo(System.getProperty("project.version")).isNotBlank();
        assertThat(new InferSchema.Key<org.apache.kafka.connect.sink.SinkRecord>().version())
                .isEqualTo(System.getProperty("project.version"));
    }

    @Test
    void defaultsFlattenWithUnderscoreAndKeepArraysAsJson() {
        InferSchemaConfig config = new InferSchemaConfig(Map.of());
        assertThat(config.settings().nestedMode()).isEqualTo(NestedMode.FLATTEN);
        assertThat(config.settings().delimiter()).isEqualTo("_");
        assertThat(config.settings().detectIso8601()).isFalse();
        assertThat(config.schemaStore()).isEmpty();
    }

    @Test
    void validationNamesTheBadHint() {
        ConfigValue value = validate("type.hints", "price:decimal(10,2),id:integer");
        assertThat(value.errorMessages()).singleElement().asString()
                .contains("type.hints")
                .contains("entry 'id:integer'")
                .contains("unknown type 'integer'")
                .contains("int32");
        assertThat(validate("type.hints", "price:decimal(10,2), created_at:timestamp").errorMessages()).isEmpty();
        assertThat(validate("type.hints", "price").errorMessages()).singleElement().asString()
                .contains("entry 'price' is not field:type");
        assertThat(validate("type.hints", "price:decimal(2,5)").errorMessages()).singleElement().asString()
                .contains("decimal precision");
        assertThat(validate("type.hints", "a:int32,a:int64").errorMessages()).singleElement().asString()
                .contains("field 'a' has more than one hint");
        assertThat(validate("type.hints", "p:decimal(10,2,base64),t:timestamp(micros),u:timestamp(millis),"
                + "m:time(micros)").errorMessages()).isEmpty();
        assertThat(validate("type.hints", "t:timestamp(nanos)").errorMessages()).singleElement().asString()
                .contains("unknown type 'timestamp(nanos)'").contains("timestamp(micros)");
        assertThat(validate("type.conflicts", "ignore").errorMessages()).singleElement().asString()
                .containsIgnoringCase("reject").containsIgnoringCase("widen");
        assertThat(validate("max.fields", "0").errorMessages()).isNotEmpty();
    }

    @Test
    void hintsGivenAsDottedPathsNameFlattenedFields() {
        InferSchemaConfig config = new InferSchemaConfig(Map.of("type.hints", "customer.zip:int32",
                "flatten.delimiter", "__"));
        assertThat(config.settings().hints()).containsOnlyKeys("customer__zip");
        assertThat(config.settings().hints().get("customer__zip")).isEqualTo(TypeHint.parse("int32"));
        InferSchemaConfig struct = new InferSchemaConfig(Map.of("type.hints", "customer.zip:int32",
                "nested.mode", "struct"));
        assertThat(struct.settings().hints()).containsOnlyKeys("customer.zip");
    }

    @Test
    void validationNamesBadEnumsSeedsAndStoreSettings() {
        assertThat(validate("nested.mode", "deep").errorMessages()).singleElement().asString()
                .contains("nested.mode").containsIgnoringCase("flatten");
        assertThat(validate("array.mode", "list").errorMessages()).isNotEmpty();
        assertThat(validate("max.depth", "0").errorMessages()).isNotEmpty();
        assertThat(validate("schema.seed", "orders:qty:number").errorMessages()).singleElement().asString()
                .contains("schema.seed").contains("unknown type 'number'");
        assertThat(validate("schema.seed", "orders:qty").errorMessages()).singleElement().asString()
                .contains("is not topic:field:type");
        assertThat(validate("schema.seed", "orders:s:struct<a:int64,b:array<string>>").errorMessages()).isEmpty();
        assertThat(validate("schema.store.topic", "bad topic").errorMessages()).isNotEmpty();
        assertThat(validate("schema.store.bootstrap.servers", "localhost").errorMessages()).singleElement()
                .asString().contains("'localhost' has no valid port").contains("host:port");
        assertThat(validate("schema.store.replication.factor", "0").errorMessages()).isNotEmpty();
        assertThat(validate("key.fields", "id,,x").errorMessages()).singleElement().asString()
                .contains("must not be blank");
        assertThat(validate("key.fields", "id,id").errorMessages()).isNotEmpty();
    }

    @Test
    void storeTopicNeedsItsCluster() {
        assertThatThrownBy(() -> new InferSchemaConfig(Map.of("schema.store.topic", "learned-schemas")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("schema.store.bootstrap.servers");
        assertThatThrownBy(() -> new InferSchemaConfig(Map.of("schema.store.bootstrap.servers", "localhost:9092")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("schema.store.topic");
        InferSchemaConfig config = new InferSchemaConfig(Map.of("schema.store.topic", "learned-schemas",
                "schema.store.bootstrap.servers", "localhost:9092", "schema.store.client.security.protocol", "SSL"));
        assertThat(config.schemaStore()).isPresent();
        assertThat(config.schemaStoreSummary()).isEqualTo("topic learned-schemas on [localhost:9092], refreshed every "
                + "5000 ms, client settings {security.protocol=SSL}");
    }

    @Test
    void seedsAreGroupedByTopic() {
        InferSchemaConfig config = new InferSchemaConfig(Map.of("schema.seed",
                "orders:qty:float64,orders:s:struct<a:int64,b:string>,users:id:string"));
        assertThat(config.seeds()).containsOnlyKeys("orders", "users");
        assertThat(config.seeds().get("orders")).extracting(f -> f.typeText())
                .containsExactly("float64", "struct<a:int64,b:string>");
    }

    @Test
    void storeSummaryMasksSecretClientSettings() {
        String secret = "p/a?s@s:w%rd";
        InferSchemaConfig config = new InferSchemaConfig(Map.of(
                "schema.store.topic", "schemas", "schema.store.bootstrap.servers", "kafka:9092",
                "schema.store.client.security.protocol", "SASL_SSL",
                "schema.store.client.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"" + secret
                        + "\";",
                "schema.store.client.ssl.truststore.password", secret,
                "schema.store.client.ssl.key.password", secret));
        String summary = config.schemaStoreSummary();
        assertThat(summary).contains("topic schemas on [kafka:9092]", "security.protocol=SASL_SSL",
                "sasl.jaas.config=[hidden]", "ssl.truststore.password=[hidden]", "ssl.key.password=[hidden]");
        assertThat(summary).doesNotContain(secret).doesNotContain("p/a?s").doesNotContain("w%rd");
    }
}
