package dev.cdcconnect.it.kit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.testkit.connect.DebeziumSources;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.MariaDbServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kit end to end: Debezium's MariaDB source, loaded from plugin.path into the embedded 2-worker cluster,
 * streams a real MariaDB server's binlog into Kafka; the change events are read back from the topic.
 */
class MariaDbChangeEventsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String CONNECTOR = "kit-mariadb-source";
    private static final String TOPIC = "kitmaria.inventory.customers";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static Database inventory;

    @BeforeAll
    static void start() {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        inventory = MariaDbServer.shared().createDatabase("inventory");
        inventory.execute(
                "CREATE TABLE customers (id INT PRIMARY KEY, first_name VARCHAR(64) NOT NULL, email VARCHAR(128))",
                "INSERT INTO customers VALUES (1000, 'Anne', 'anne@example.com')");
    }

    @AfterAll
    static void stop() {
        rest.delete(CONNECTOR);
    }

    @Test
    void insertUpdateAndDeleteAreReadBackAsChangeEvents() throws IOException {
        rest.createOrUpdate(CONNECTOR,
                DebeziumSources.mariadb(inventory, "kitmaria", 184054, connect.bootstrapServers()).build());
        rest.awaitRunning(CONNECTOR, 1, TIMEOUT);

        // A RUNNING task may still be snapshotting: changes made now could be folded into the snapshot. The
        // snapshot read of the existing row shows the snapshot has read the table; later changes are streamed.
        List<ConsumerRecord<byte[], byte[]>> snapshot = connect.consume(TOPIC, 1, TIMEOUT);
        assertThat(snapshot).hasSize(1);
        JsonNode read = JSON.readTree(snapshot.get(0).value()).path("payload");
        assertThat(read.path("op").asText()).isEqualTo("r");
        assertThat(read.path("after").path("id").asInt()).isEqualTo(1000);

        inventory.execute(
                "INSERT INTO customers VALUES (1001, 'Sally', 'sally@example.com')",
                "UPDATE customers SET email = 'sally@walker.example' WHERE id = 1001",
                "DELETE FROM customers WHERE id = 1001");

        // the snapshot read, then create, update, delete and the delete's tombstone
        List<ConsumerRecord<byte[], byte[]>> records = connect.consume(TOPIC, 5, TIMEOUT);
        assertThat(records).hasSize(5);
        records = records.subList(1, 5);
        List<JsonNode> values = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            values.add(record.value() == null ? null : JSON.readTree(record.value()).path("payload"));
        }

        assertThat(values).hasSize(4);
        assertThat(values.get(0).path("op").asText()).isEqualTo("c");
        assertThat(values.get(0).path("after").path("email").asText()).isEqualTo("sally@example.com");
        assertThat(values.get(1).path("op").asText()).isEqualTo("u");
        assertThat(values.get(1).path("before").path("email").asText()).isEqualTo("sally@example.com");
        assertThat(values.get(1).path("after").path("email").asText()).isEqualTo("sally@walker.example");
        assertThat(values.get(2).path("op").asText()).isEqualTo("d");
        assertThat(values.get(2).path("before").path("id").asInt()).isEqualTo(1001);
        assertThat(values.get(2).path("after").isNull()).isTrue();
        assertThat(values.get(3)).as("tombstone after the delete").isNull();
        for (JsonNode value : values.subList(0, 3)) {
            JsonNode source = value.path("source");
            assertThat(source.path("connector").asText()).isEqualTo("mariadb");
            assertThat(source.path("db").asText()).isEqualTo("inventory");
            assertThat(source.path("table").asText()).isEqualTo("customers");
            assertThat(source.path("file").asText()).startsWith("binlog.");
            assertThat(source.path("pos").asLong()).isPositive();
        }
        JsonNode key = JSON.readTree(records.get(0).key()).path("payload");
        assertThat(key.path("id").asInt()).isEqualTo(1001);
    }
}
