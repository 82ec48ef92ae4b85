package dev.cdcconnect.it.delta;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a user sees from the worker's {@code /config/validate} when a Delta sink configuration could lose commits:
 * several tasks on {@code s3a://}, where Delta Kernel's log store excludes concurrent writers only within one JVM.
 */
class DeltaSinkValidationIT {

    private static final String CONNECTOR = "dev.cdcconnect.delta.DeltaSinkConnector";

    private static Map<String, String> config(String tasks, String... extra) {
        Map<String, String> config = new LinkedHashMap<>(Map.of(
                "name", "delta-validate", "connector.class", CONNECTOR, "topics", "dbserver2.public.customers1",
                "tasks.max", tasks, "delta.table.root", "s3a://change-data-capture/delta",
                "s3.endpoint", "http://127.0.0.1:9", "s3.path.style.access", "true"));
        for (int i = 0; i < extra.length; i += 2) {
            config.put(extra[i], extra[i + 1]);
        }
        return config;
    }

    @Test
    void severalTasksOnS3AreRefusedOnTheTableRootUnlessALogStoreIsNamed() {
        ConnectRestClient rest = ConnectCluster.shared().rest();

        ConnectRestClient.Validation refused = rest.validate(CONNECTOR, config("2"));
        assertThat(refused.errorCount()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.errors().get("delta.table.root")).singleElement().asString()
                .contains("tasks.max=2 with an s3a:// table root")
                .contains("Use tasks.max=1")
                .contains("hadoop.io.delta.kernel.logStore.s3a.impl");

        assertThat(rest.validate(CONNECTOR, config("1")).errorCount()).isZero();
        assertThat(rest.validate(CONNECTOR, config("2", "hadoop.io.delta.kernel.logStore.s3a.impl",
                "io.delta.storage.S3SingleDriverLogStore")).errorCount()).isZero();
    }
}
