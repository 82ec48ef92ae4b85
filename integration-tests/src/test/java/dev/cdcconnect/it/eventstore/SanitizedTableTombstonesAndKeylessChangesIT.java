package dev.cdcconnect.it.eventstore;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.testkit.connect.DebeziumSources;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.PostgresServer;
import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import dev.cdcconnect.standin.eventstore.StoredEvent;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real Postgres captures by Debezium 3.5 through the embedded cluster, one sink per {@code tombstone.handling} mode,
 * all with the default {@code ${table}-${key}} streams: a table whose name Debezium sanitizes in the topic name
 * ({@code LİNKS}, topic {@code <prefix>.public.L_NKS}) has its tombstones act on the row's stream {@code LİNKS-<id>};
 * a table without a primary key, truncated too, goes to its table's stream and stops nothing.
 */
class SanitizedTableTombstonesAndKeylessChangesIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final String TABLE = "L\u0130NKS";
    private static final String PREFIX = "eslk";
    private static final String SOURCE = "es-lk-source";
    private static final String LINKS_TOPIC = PREFIX + ".public.L_NKS";
    private static final String AUDIT_TOPIC = PREFIX + ".public.audit_log";
    private static final List<String> MODES = List.of("ignore", "marker", "delete", "tombstone");

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static Database db;
    private static final Map<String, EventStoreStandIn> servers = new LinkedHashMap<>();

    @BeforeAll
    static void start() {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        for (String mode : MODES) {
            servers.put(mode, EventStoreStandIn.start());
        }
        db = PostgresServer.shared().createDatabase("es_links");
        db.execute("CREATE TABLE \"" + TABLE + "\" (id INT PRIMARY KEY, url TEXT NOT NULL)",
                "CREATE TABLE audit_log (note TEXT NOT NULL)",
                // Without a key, updates and deletes are published only with the whole row as identity.
                "ALTER TABLE audit_log REPLICA IDENTITY FULL",
                "INSERT INTO \"" + TABLE + "\" VALUES (1, 'https://one.example')",
                "INSERT INTO audit_log VALUES ('a')");
    }

    @AfterAll
    static void stop() {
        for (String mode : MODES) {
            rest.delete(sink(mode));
        }
        rest.delete(SOURCE);
        servers.values().forEach(EventStoreStandIn::close);
    }

    private static String sink(String mode) {
        return "es-lk-sink-" + mode;
    }

    @Test
    void tombstonesActOnTheRowsStreamAndKeylessChangesAndTruncatesOnTheTablesStream() {
        rest.createOrUpdate(SOURCE, DebeziumSources.postgres(db, PREFIX).slot("es_lk_slot").publication("es_lk_pub")
                .tables("public." + TABLE, "public.audit_log")
                // Truncates are skipped unless asked for.
                .with("skipped.operations", "none")
                .build());
        for (String mode : MODES) {
            Map<String, String> config = EventStoreSinks.config(servers.get(mode), LINKS_TOPIC + "," + AUDIT_TOPIC, 1);
            config.put("tombstone.handling", mode);
            rest.createOrUpdate(sink(mode), config);
        }
        connect.awaitRecords(LINKS_TOPIC, 1, TIMEOUT);
        connect.awaitRecords(AUDIT_TOPIC, 1, TIMEOUT);

        db.execute("INSERT INTO \"" + TABLE + "\" VALUES (2, 'https://two.example'), (3, 'https://three.example')",
                "DELETE FROM \"" + TABLE + "\" WHERE id = 2",
                "UPDATE \"" + TABLE + "\" SET url = 'https://3.example' WHERE id = 3",
                "INSERT INTO audit_log VALUES ('b')",
                "UPDATE audit_log SET note = 'c' WHERE note = 'b'",
                "DELETE FROM audit_log WHERE note = 'a'",
                "TRUNCATE audit_log",
                "INSERT INTO \"" + TABLE + "\" VALUES (4, 'https://four.example')");
        // snapshot read, 2 inserts, a delete and its tombstone, an update, an insert
        connect.awaitRecords(LINKS_TOPIC, 7, TIMEOUT);
        // snapshot read, insert, update, delete (and a tombstone if Debezium sends one for a keyless row), truncate
        connect.awaitRecords(AUDIT_TOPIC, 5, TIMEOUT);

        for (String mode : MODES) {
            EventStoreSinks.awaitAllCommitted(connect, sink(mode), LINKS_TOPIC, TIMEOUT);
            EventStoreSinks.awaitAllCommitted(connect, sink(mode), AUDIT_TOPIC, TIMEOUT);
            EventStoreStandIn server = servers.get(mode);

            assertThat(server.streams()).as(mode).noneMatch(stream -> stream.startsWith("L_NKS"));
            assertThat(types(server, TABLE + "-1")).as(mode).containsExactly("Snapshotted");
            assertThat(types(server, TABLE + "-3")).as(mode).containsExactly("Created", "Updated");
            assertThat(types(server, TABLE + "-4")).as(mode).containsExactly("Created");
            switch (mode) {
                case "ignore" -> assertThat(types(server, TABLE + "-2")).containsExactly("Created", "Deleted");
                case "marker" -> {
                    assertThat(types(server, TABLE + "-2")).containsExactly("Created", "Deleted", "Tombstoned");
                    assertThat(server.events(TABLE + "-2").get(2).dataAsString()).isEqualTo("{\"id\":2}");
                }
                case "delete" -> assertThat(server.isSoftDeleted(TABLE + "-2")).isTrue();
                default -> assertThat(server.isTombstoned(TABLE + "-2")).isTrue();
            }
            for (StoredEvent event : server.category(TABLE)) {
                JsonNode metadata = CustomerChanges.json(event.metadata());
                assertThat(metadata.path("kafka.topic").asText()).isEqualTo(LINKS_TOPIC);
                if (!"Tombstoned".equals(event.eventType())) {
                    assertThat(metadata.path("source.table").asText()).isEqualTo(TABLE);
                }
            }

            // The keyless table's changes and its truncate, in order, in the table's stream.
            List<StoredEvent> audit = server.events("audit_log");
            assertThat(audit).extracting(StoredEvent::eventType).as(mode)
                    .containsExactly("Snapshotted", "Created", "Updated", "Deleted", "Truncated");
            assertThat(audit.get(1).dataAsString()).isEqualTo("{\"note\":\"b\"}");
            assertThat(audit.get(3).dataAsString()).isEqualTo("{\"note\":\"a\"}");
            assertThat(audit.get(4).dataAsString()).isEqualTo("{}");
            assertThat(server.isSoftDeleted("audit_log") || server.isTombstoned("audit_log")).isFalse();
            assertThat(rest.status(sink(mode)).orElseThrow().path("tasks").get(0).path("state").asText())
                    .isEqualTo("RUNNING");
        }
    }

    private static List<String> types(EventStoreStandIn server, String stream) {
        return server.events(stream).stream().map(StoredEvent::eventType).toList();
    }
}
