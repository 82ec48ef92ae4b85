package dev.cdcconnect.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cdcconnect.cassandra.mapping.TableRef;
import dev.cdcconnect.event.SourceInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

class CassandraSinkConfigTest {

    private static Map<String, String> minimal() {
        Map<String, String> props = new HashMap<>();
        props.put("cassandra.contact.points", "cassandra1:9042,cassandra2");
        props.put("cassandra.local.datacenter", "dc1");
        props.put("cassandra.keyspace", "shop");
        return props;
    }

    @Test
    void theTableComesFromTheSourceTableByDefaultOrFromTheTopicMapping() {
        Map<String, String> props = minimal();
        props.put("topic.table.mapping", "dbserver1.public.orders=analytics.enriched_orders");
        CassandraSinkConfig config = new CassandraSinkConfig(props);
        SourceInfo source = new SourceInfo("postgresql", "dbserver1", "shop", "public", "users", 1L, null, 1L, 1L,
                null, null, null, null, null);

        assertThat(config.tableNames().resolve("dbserver1.public.users", source)).isEqualTo(TableRef.of("shop", "users"));
        assertThat(config.tableNames().resolve("plain-topic.events", null)).isEqualTo(TableRef.of("shop", "events"));
        assertThat(config.tableNames().resolve("dbserver1.public.orders", source))
                .isEqualTo(TableRef.of("analytics", "enriched_orders"));
        assertThat(config.tableNames().resolveWithoutRecord("dbserver1.public.users")).isEmpty();
    }

    @Test
    void aTemplateMayNameTheKeyspace() {
        Map<String, String> props = minimal();
        props.put("table.name.template", "${database}.${table}_changes");
        SourceInfo source = new SourceInfo("mysql", "s", "inventory", null, "customers", 1L, null, null, null,
                "f", 1L, 0L, null, 1L);

        assertThat(new CassandraSinkConfig(props).tableNames().resolve("t", source))
                .isEqualTo(TableRef.of("inventory", "customers_changes"));
    }

    @Test
    void validationNamesTheKeyAndWhatIsWrong() {
        Map<String, String> props = minimal();
        props.put("table.name.template", "${tabel}");
        props.put("column.mapping", "user.name=user name");
        props.put("cassandra.contact.points", "host:99999");
        props.put("write.consistency.level", "SERIAL");

        Map<String, List<String>> errors = new HashMap<>();
        for (ConfigValue value : CassandraSinkConfig.CONFIG_DEF.validate(props)) {
            errors.put(value.name(), value.errorMessages());
        }

        assertThat(errors.get("table.name.template").get(0)).contains("unknown placeholder ${tabel}");
        assertThat(errors.get("column.mapping").get(0)).contains("'user name'", "is not a column name");
        assertThat(errors.get("cassandra.contact.points").get(0)).contains("'host:99999' has no valid port");
        assertThat(errors.get("write.consistency.level").get(0)).contains("SERIAL");
        assertThat(errors.get("cassandra.local.datacenter")).isEmpty();
    }

    @Test
    void theLocalDataCenterIsRequired() {
        Map<String, String> props = minimal();
        props.remove("cassandra.local.datacenter");

        assertThatThrownBy(() -> new CassandraSinkConfig(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("cassandra.local.datacenter");
    }

    @Test
    void aUsernameNeedsAPasswordWhichIsNeverShown() {
        Map<String, String> props = minimal();
        props.put("cassandra.username", "app");

        assertThatThrownBy(() -> new CassandraSinkConfig(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("cassandra.password");
        props.put("cassandra.password", "s3cret");
        CassandraSinkConfig config = new CassandraSinkConfig(props);
        assertThat(config.summary().toString()).doesNotContain("s3cret");
        assertThat(config.password().toString()).doesNotContain("s3cret");
    }

    @Test
    void validateReportsAMissingPasswordOnThePasswordNotOnTheUsernameItsMessageAlsoNames() {
        Map<String, String> props = minimal();
        props.put(CassandraSinkConfig.USERNAME, "cassandra");

        Map<String, List<String>> errors = new HashMap<>();
        for (ConfigValue value : new CassandraSinkConnector().validate(props).configValues()) {
            errors.put(value.name(), value.errorMessages());
        }

        assertThat(errors.get(CassandraSinkConfig.PASSWORD)).singleElement().asString()
                .contains("is needed with " + CassandraSinkConfig.USERNAME + "=cassandra");
        assertThat(errors.get(CassandraSinkConfig.USERNAME)).isEmpty();
        assertThat(errors.get(CassandraSinkConfig.CONTACT_POINTS)).isEmpty();
    }

    @Test
    void theConnectorAndItsTaskReportTheProjectVersion() {
        assertThat(new CassandraSinkConnector().version()).isEqualTo(System.getProperty("project.version"))
                .isNotBlank();
        assertThat(new CassandraSinkTask().version()).isEqualTo(new CassandraSinkConnector().version());
    }
}
