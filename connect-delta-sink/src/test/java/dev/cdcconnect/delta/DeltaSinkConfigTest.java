package dev.cdcconnect.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class DeltaSinkConfigTest {

    static Map<String, String> props(String... pairs) {
        Map<String, String> props = new HashMap<>();
        props.put(DeltaSinkConfig.TABLE_ROOT, "/data/lake");
        for (int i = 0; i < pairs.length; i += 2) {
            props.put(pairs[i], pairs[i + 1]);
        }
        return props;
    }

    @Test
    void theConnectorAndItsTaskReportTheProjectVersion() {
        assertThat(new DeltaSinkConnector().version()).isEqualTo(System.getProperty("project.version"))
                .isNotBlank();
        assertThat(new DeltaSinkTask().version()).isEqualTo(new DeltaSinkConnector().version());
    }

    @Test
    void aPlainFolderIsALocalRoot() {
        assertThat(new DeltaSinkConfig(props(DeltaSinkConfig.TABLE_ROOT, "/data/lake/")).tableRoot())
                .isEqualTo("file:///data/lake");
        assertThat(new DeltaSinkConfig(props(DeltaSinkConfig.TABLE_ROOT, "s3a://bucket/cdc")).tableRoot())
                .isEqualTo("s3a://bucket/cdc");
    }

    @Test
    void anS3UriNamesTheS3aOneToUse() {
        assertThatThrownBy(() -> new DeltaSinkConfig(props(DeltaSinkConfig.TABLE_ROOT, "s3://bucket/cdc")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(DeltaSinkConfig.TABLE_ROOT)
                .hasMessageContaining("s3://bucket/cdc")
                .hasMessageContaining("use s3a://bucket/cdc");
    }

    @Test
    void anUnknownPlaceholderIsNamedWithTheKnownOnes() {
        assertThatThrownBy(() -> new DeltaSinkConfig(props(DeltaSinkConfig.TABLE_NAME_TEMPLATE, "${db}_${table}")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(DeltaSinkConfig.TABLE_NAME_TEMPLATE)
                .hasMessageContaining("unknown placeholder ${db}")
                .hasMessageContaining("${database}");
    }

    @Test
    void anEndpointMustBeHttp() {
        assertThatThrownBy(() -> new DeltaSinkConfig(props(DeltaSinkConfig.S3_ENDPOINT, "minio:9000")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(DeltaSinkConfig.S3_ENDPOINT)
                .hasMessageContaining("http(s)://host[:port]");
    }

    @Test
    void anAccessKeyNeedsItsSecretWhichIsNeverShown() {
        assertThatThrownBy(() -> new DeltaSinkConfig(props(DeltaSinkConfig.S3_ACCESS_KEY, "minio")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(DeltaSinkConfig.S3_SECRET_KEY);
        String secret = "p/a?s@s:w%rd";
        DeltaSinkConfig config = new DeltaSinkConfig(props(DeltaSinkConfig.TABLE_ROOT, "s3a://b/p",
                DeltaSinkConfig.S3_ACCESS_KEY, "minio", DeltaSinkConfig.S3_SECRET_KEY, secret));
        assertThat(config.s3SecretKey().value()).isEqualTo(secret);
        assertThat(config.summary().toString() + config).doesNotContain(secret);
    }

    @Test
    void hadoopSettingsPassThrough() {
        DeltaSinkConfig config = new DeltaSinkConfig(props("hadoop.fs.s3a.connection.maximum", "50"));
        assertThat(config.hadoopSettings()).containsEntry("fs.s3a.connection.maximum", "50");
    }
}
