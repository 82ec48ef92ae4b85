package dev.cdcconnect.it.eventstore;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.testkit.connect.DebeziumSources;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.MariaDbServer;
import dev.cdcconnect.testkit.db.PostgresServer;
import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import dev.cdcconnect.standin.eventstore.StoredEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code $correlationId} groups exactly one database transaction with the default
 * {@code event.correlation.id=transaction}: real Postgres (with and without transaction metadata) and MariaDB
 * captures by Debezium 3.5, checked against the BEGIN/END records of Debezium's transaction topic.
 */
class TransactionCorrelationIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final String PG_WITH = "estxa";
    private static final String PG_WITHOUT = "estxb";
    private static final String MARIA = "estxm";
    private static final String SINK = "es-tx-sink";

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static Database postgres;
    private static Database maria;
    private static EventStoreStandIn eventStore;

    @BeforeAll
    static void start() {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        eventStore = EventStoreStandIn.start();
        postgres = PostgresServer.shared().createDatabase("es_tx");
        postgres.execute("CREATE TABLE orders (id INT PRIMARY KEY, item TEXT NOT NULL, qty INT NOT NULL)",
                "INSERT INTO orders VALUES (1, 'apple', 1), (2, 'pear', 2)");
        maria = MariaDbServer.shared().createDatabase("es_tx_maria");
        maria.execute("CREATE TABLE orders (id INT PRIMARY KEY, item VARCHAR(32) NOT NULL, qty INT NOT NULL)",
                "INSERT INTO orders VALUES (1, 'apple', 1), (2, 'pear', 2)");
    }

    @AfterAll
    static void stop() {
        for (String connector : List.of(SINK, PG_WITH, PG_WITHOUT, MARIA)) {
            rest.delete(connector);
        }
        eventStore.close();
    }

    @Test
    void everyEventOfOneTransactionAndNoOtherCarriesItsCorrelationId() {
        rest.createOrUpdate(PG_WITH, DebeziumSources.postgres(postgres, PG_WITH).slot("es_txa_slot")
                .publication("es_txa_pub").tables("public.orders").with("provide.transaction.metadata", "true").build());
        rest.createOrUpdate(PG_WITHOUT, DebeziumSources.postgres(postgres, PG_WITHOUT).slot("es_txb_slot")
                .publication("es_txb_pub").tables("public.orders").build());
        rest.createOrUpdate(MARIA, DebeziumSources.mariadb(maria, MARIA, 184071, connect.bootstrapServers())
                .with("provide.transaction.metadata", "true").build());
        List<String> topics = List.of(PG_WITH + ".public.orders", PG_WITHOUT + ".public.orders",
                MARIA + ".es_tx_maria.orders");
        Map<String, String> sink = EventStoreSinks.config(eventStore, String.join(",", topics), 1);
        // One stream per topic and row: the three sources capture tables of the same shape.
        sink.put("stream.name.template", "${topic}-${key}");
        rest.createOrUpdate(SINK, sink);
        for (String topic : topics) {
            // The snapshot of the two rows is read before the transactions below.
            connect.awaitRecords(topic, 2, TIMEOUT);
        }

        for (Database db : List.of(postgres, maria)) {
            db.inTransaction("INSERT INTO orders VALUES (3, 'plum', 3), (4, 'fig', 4), (5, 'kiwi', 5)",
                    "UPDATE orders SET qty = qty + 10 WHERE id = 1");
            db.execute("UPDATE orders SET qty = 7 WHERE id = 2");
            db.inTransaction("DELETE FROM orders WHERE id = 3", "INSERT INTO orders VALUES (6, 'lime', 6)",
                    "UPDATE orders SET item = 'red apple' WHERE id = 1");
            db.execute("UPDATE orders SET qty = qty * 2 WHERE id IN (4, 5)");
            db.inTransaction("INSERT INTO orders VALUES (7, 'date', 7)", "INSERT INTO orders VALUES (8, 'yuzu', 8)");
        }
        // Per source: 2 snapshot reads; 4 + 1 + 3 + 2 + 2 = 12 changes; 1 tombstone after the delete.
        int records = 2 + 12 + 1;
        for (String topic : topics) {
            connect.awaitRecords(topic, records, TIMEOUT);
            EventStoreSinks.awaitAllCommitted(connect, SINK, topic, TIMEOUT);
        }

        List<Integer> postgresCounts = checkAgainstTransactionTopic(PG_WITH, topics.get(0), true);
        List<Integer> mariaCounts = checkAgainstTransactionTopic(MARIA, topics.get(2), false);
        assertThat(postgresCounts).containsExactly(4, 1, 3, 2, 2);
        assertThat(mariaCounts).containsExactly(4, 1, 3, 2, 2);
        // Without transaction metadata, the same transactions in the same order: the counts of the source with it.
        checkWithoutTransactionMetadata(topics.get(1), postgresCounts);
    }

    /**
     * The data topic's changes, cut where {@code transaction.total_order} starts again at 1, are the transactions
     * of the END records, in order and with their {@code event_count}; each transaction's events carry one
     * correlation id of their own. Returns the event counts.
     */
    private static List<Integer> checkAgainstTransactionTopic(String prefix, String topic, boolean postgresIds) {
        List<JsonNode> ends = new ArrayList<>();
        int begins = 0;
        for (ConsumerRecord<byte[], byte[]> record : consumeAll(prefix + ".transaction")) {
            JsonNode payload = CustomerChanges.json(record.value()).path("payload");
            if ("BEGIN".equals(payload.path("status").asText())) {
                begins++;
            } else if ("END".equals(payload.path("status").asText()) && payload.path("event_count").asInt() > 0) {
                ends.add(payload);
            }
        }
        assertThat(ends).as("END records of %s", prefix).hasSize(5);
        assertThat(begins).isGreaterThanOrEqualTo(5);

        List<List<ConsumerRecord<byte[], byte[]>>> transactions = new ArrayList<>();
        Map<Long, String> correlation = correlationIdsByOffset(topic);
        for (ConsumerRecord<byte[], byte[]> record : consumeAll(topic)) {
            JsonNode payload = record.value() == null ? null : CustomerChanges.json(record.value()).path("payload");
            if (payload == null || "r".equals(payload.path("op").asText())) {
                if (payload != null) {
                    assertThat(correlation.get(record.offset())).as("snapshot read at offset %s", record.offset())
                            .isNull();
                }
                continue;
            }
            long order = payload.path("transaction").path("total_order").asLong();
            if (order == 1) {
                transactions.add(new ArrayList<>());
            }
            transactions.get(transactions.size() - 1).add(record);
        }
        List<Integer> counts = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < transactions.size(); i++) {
            JsonNode end = ends.get(i);
            List<ConsumerRecord<byte[], byte[]>> events = transactions.get(i);
            assertThat(events).as("transaction %s", end).hasSize(end.path("event_count").asInt());
            Set<String> ids = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> record : events) {
                ids.add(correlation.get(record.offset()));
            }
            String id = ids.iterator().next();
            assertThat(ids).as("correlation ids of transaction %s", end).hasSize(1).doesNotContainNull();
            // The transaction's id as Debezium's END record names it: Postgres <txId>:<lsn>, MariaDB the GTID.
            String transactionId = end.path("id").asText();
            if (postgresIds) {
                assertThat(transactionId).startsWith(id + ":");
            } else {
                assertThat(transactionId).isEqualTo(id);
            }
            assertThat(seen.add(id)).as("%s is the id of one transaction only", id).isTrue();
            // $by_correlation_id groups the transaction's events (the other Postgres source captured it too).
            assertThat(eventStore.byCorrelationId(id)).filteredOn(e -> topic.equals(
                    CustomerChanges.json(e.metadata()).path("kafka.topic").asText())).hasSize(events.size());
            counts.add(events.size());
        }
        return counts;
    }

    private static void checkWithoutTransactionMetadata(String topic, List<Integer> counts) {
        Map<Long, String> correlation = correlationIdsByOffset(topic);
        List<Long> changes = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : consumeAll(topic)) {
            if (record.value() == null) {
                continue;
            }
            if ("r".equals(CustomerChanges.json(record.value()).path("payload").path("op").asText())) {
                assertThat(correlation.get(record.offset())).isNull();
            } else {
                changes.add(record.offset());
            }
        }
        assertThat(changes).hasSize(counts.stream().mapToInt(Integer::intValue).sum());
        Set<String> seen = new HashSet<>();
        int next = 0;
        for (int count : counts) {
            Set<String> ids = new HashSet<>();
            for (long offset : changes.subList(next, next + count)) {
                ids.add(correlation.get(offset));
            }
            next += count;
            assertThat(ids).hasSize(1).doesNotContainNull();
            assertThat(seen.add(ids.iterator().next())).isTrue();
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> consumeAll(String topic) {
        return connect.consume(topic, (int) connect.records(topic), TIMEOUT);
    }

    /** The $correlationId of each event the sink wrote from the topic, by Kafka offset (null: none). */
    private static Map<Long, String> correlationIdsByOffset(String topic) {
        Map<Long, String> ids = new HashMap<>();
        for (StoredEvent event : eventStore.allEvents()) {
            JsonNode metadata = CustomerChanges.json(event.metadata());
            if (topic.equals(metadata.path("kafka.topic").asText())) {
                JsonNode id = metadata.get("$correlationId");
                ids.put(metadata.path("kafka.offset").asLong(), id == null ? null : id.asText());
            }
        }
        return ids;
    }
}
