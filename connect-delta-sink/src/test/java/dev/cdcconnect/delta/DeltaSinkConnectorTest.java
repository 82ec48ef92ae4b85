package dev.cdcconnect.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

class DeltaSinkConnectorTest {

    static Map<String, String> props(String root, String tasks, String... extra) {
        Map<String, String> props = new java.util.HashMap<>(Map.of(
                "name", "lake", "topics", "t", "tasks.max", tasks, DeltaSinkConfig.TABLE_ROOT, root));
        for (int i = 0; i < extra.length; i += 2) {
            props.put(extra[i], extra[i + 1]);
        }
        return props;
    }

    static List<String> rootErrors(Map<String, String> props) {
        return new DeltaSinkConnector().validate(props).configValues().stream()
                .filter(v -> v.name().equals(DeltaSinkConfig.TABLE_ROOT))
                .findFirst().map(ConfigValue::errorMessages).orElseThrow();
    }

    @Test
    void severalTasksOnS3WithoutALogStoreThatExcludesWritersAreRefused() {
        Map<String, String> props = props("s3a://lake/cdc", "3");
        assertThatThrownBy(() -> new DeltaSinkConnector().start(props))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("tasks.max=3 with an s3a:// table root")
                .hasMessageContaining("Use tasks.max=1")
                .hasMessageContaining("hadoop.io.delta.kernel.logStore.s3a.impl");
        assertThat(rootErrors(props)).singleElement().asString().contains("tasks.max=3 with an s3a:// table root");
    }

    @Test
    void severalTasksAreAllowedOnS3WithANamedLogStoreAndOnLocalFolders() {
        for (Map<String, String> props : List.of(
                props("s3a://lake/cdc", "1"),
                props("s3a://lake/cdc", "4", "hadoop.io.delta.kernel.logStore.s3a.impl",
                        "io.delta.storage.S3SingleDriverLogStore"),
                props("/data/lake", "4"))) {
            assertThatCode(() -> new DeltaSinkConnector().start(props)).as(props.toString()).doesNotThrowAnyException();
            assertThat(rootErrors(props)).as(props.toString()).isEmpty();
        }
    }

    @Test
    void eachTaskGetsTheConfigurationAndItsIndex() {
        DeltaSinkConnector connector = new DeltaSinkConnector();
        connector.start(DeltaSinkConfigTest.props());

        List<Map<String, String>> tasks = connector.taskConfigs(2);

        assertThat(tasks).extracting(t -> t.get(DeltaSinkConfig.TASK_ID)).containsExactly("0", "1");
        assertThat(tasks).allSatisfy(t -> assertThat(t).containsEntry(DeltaSinkConfig.TABLE_ROOT, "/data/lake"));
    }

    @Test
    void validateReportsAProblemAcrossKeysOnTheKeyToChangeWithoutTheSecret() {
        Config config = new DeltaSinkConnector().validate(DeltaSinkConfigTest.props(DeltaSinkConfig.S3_ACCESS_KEY,
                "minio"));

        assertThat(errors(config, DeltaSinkConfig.S3_SECRET_KEY)).singleElement().asString()
                .contains("is needed with " + DeltaSinkConfig.S3_ACCESS_KEY);
        assertThat(errors(config, DeltaSinkConfig.TABLE_ROOT)).isEmpty();
        assertThat(errors(config, DeltaSinkConfig.S3_ACCESS_KEY)).isEmpty();
    }

    private static List<String> errors(Config config, String key) {
        return config.configValues().stream().filter(v -> v.name().equals(key)).findFirst()
                .map(ConfigValue::errorMessages).orElseThrow();
    }
}
