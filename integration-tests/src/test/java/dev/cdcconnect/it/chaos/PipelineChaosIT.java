package dev.cdcconnect.it.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cdcconnect.it.eventstore.EventStoreSinks;
import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.testkit.connect.DebeziumSources;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.PostgresServer;
import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import dev.cdcconnect.standin.eventstore.StoredEvent;
import dev.cdcconnect.standin.shop.Shop;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole pipeline under faults: order changes (inserts, and updates that raise each
 * order's {@code version}) committed in Postgres at a steady rate while Debezium streams them to the EventStoreDB
 * sink (a stream per order) and, enriched with each order's user and store, to Debezium's JDBC sink into Postgres;
 * meanwhile, in turn, a Connect worker is stopped and another started, EventStoreDB is unavailable for 30 s, the
 * EventStoreDB sink is paused and resumed, and one of its tasks is restarted through the REST API. Afterwards every
 * stream must hold each of its order's versions 0, 1, 2, ... in order, none lost, no Kafka record written twice
 * and no change written twice (counted, all must be 0), and the enriched table must equal the database's join.
 * Debezium's Postgres source delivers at least once: after its task moves it sends again the changes since its last
 * committed offset, at new offsets; the sink recognises those by their source position and writes each change once.
 * {@code -Dchaos.changes=N} sets the size (default {@value #DEFAULT_CHANGES}).
 */
class PipelineChaosIT {

    static final int DEFAULT_CHANGES = 50_000;
    private static final int CHANGES = Integer.getInteger("chaos.changes", DEFAULT_CHANGES);
    private static final Duration LOAD = Duration.ofSeconds(70);
    private static final Duration OUTAGE = Duration.ofSeconds(30);
    private static final Duration TIMEOUT = Duration.ofMinutes(8);
    private static final String PREFIX = "chaos";
    private static final String SOURCE = "chaos-source";
    private static final String EVENTSTORE_SINK = "chaos-eventstore";
    private static final String JDBC_SINK = "chaos-jdbc";
    private static final String ORDERS_TOPIC = PREFIX + ".public.orders";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ConnectCluster connect;
    private static EventStoreStandIn eventStore;
    private static Database db;

    @BeforeAll
    static void start() {
        connect = ConnectCluster.shared();
        eventStore = EventStoreStandIn.start();
        db = PostgresServer.shared().createDatabase("chaos_shop");
        Shop shop = new Shop(db.jdbcUrl(), db.user(), db.password(), 5);
        shop.createTables();
        shop.addUsers(1, 200);
        shop.addStores(1, 20);
        db.execute("DROP TABLE orders",
                "CREATE TABLE orders (id BIGINT PRIMARY KEY, user_id INT NOT NULL, store_id INT NOT NULL,"
                        + " version INT NOT NULL)");
        ConnectRestClient rest = connect.rest();
        rest.createOrUpdate(SOURCE, DebeziumSources.postgres(db, PREFIX).slot("chaos_slot").publication("chaos_pub")
                .tables("public.users", "public.stores", "public.orders")
                .with("topic.creation.default.partitions", "3")
                .build());
        rest.awaitRunning(SOURCE, 1, TIMEOUT);
        connect.awaitRecords(PREFIX + ".public.users", 200, TIMEOUT);
        connect.awaitRecords(PREFIX + ".public.stores", 20, TIMEOUT);

        rest.createOrUpdate(EVENTSTORE_SINK, EventStoreSinks.config(eventStore, ORDERS_TOPIC, 2));
        rest.createOrUpdate(JDBC_SINK, jdbcSink());
        rest.awaitRunning(EVENTSTORE_SINK, 2, TIMEOUT);
        rest.awaitRunning(JDBC_SINK, 2, TIMEOUT);
    }

    @AfterAll
    static void stop() {
        ConnectRestClient rest = connect.rest();
        for (String connector : List.of(EVENTSTORE_SINK, JDBC_SINK, SOURCE)) {
            rest.delete(connector);
        }
        eventStore.close();
    }

    @Test
    void everyChangeArrivesOnceAndInOrderThroughWorkerLossOutagePauseAndTaskRestart() throws Exception {
        Load load = new Load();
        Thread generator = new Thread(load, "chaos-load");
        generator.start();
        try {
            sleep(Duration.ofSeconds(5));
            connect.stopOneWorker();
            sleep(Duration.ofSeconds(8));
            connect.addWorker();
            sleep(Duration.ofSeconds(4));
            eventStore.unavailableFor(OUTAGE);
            sleep(OUTAGE.plusSeconds(3));
            ConnectRestClient rest = connect.rest();
            rest.pause(EVENTSTORE_SINK);
            sleep(Duration.ofSeconds(5));
            rest.resume(EVENTSTORE_SINK);
            sleep(Duration.ofSeconds(3));
            rest.awaitRunning(EVENTSTORE_SINK, 2, TIMEOUT);
            rest.restartTask(EVENTSTORE_SINK, 0);
        } finally {
            generator.join(TIMEOUT.toMillis());
        }
        assertThat(load.failure.get()).as("the load generator's failure").isNull();
        assertThat(load.committed.get()).as("changes committed").isEqualTo(CHANGES);

        Map<Long, Integer> versions = new HashMap<>();
        for (Map<String, Object> row : db.query("SELECT id, version FROM orders")) {
            versions.put(((Number) row.get("id")).longValue(), ((Number) row.get("version")).intValue());
        }
        int expectedEvents = versions.values().stream().mapToInt(v -> v + 1).sum();
        assertThat(expectedEvents).isEqualTo(CHANGES);

        ConnectRestClient rest = connect.rest();
        await("every change in EventStoreDB").atMost(TIMEOUT).pollInterval(Duration.ofSeconds(2))
                .until(() -> failIfFailed(rest) && eventStore.category("orders").size() >= expectedEvents);
        Counts counts = streamCounts(versions);
        System.out.printf("chaos: %,d changes of %,d orders in EventStoreDB: lost %d, duplicated %d, out of order %d;"
                        + " delivered again by the source after its task moved, at another offset, and written again: %d%n",
                CHANGES, versions.size(), counts.lost(), counts.duplicated(), counts.outOfOrder(), counts.redelivered());
        assertThat(counts).as("lost, duplicated, out-of-order and redelivered changes in the streams")
                .isEqualTo(new Counts(0, 0, 0, 0));

        String join = "SELECT o.id, o.version, u.name AS user_name, s.name AS store_name FROM orders o"
                + " JOIN users u ON u.id = o.user_id JOIN stores s ON s.id = o.store_id";
        TreeSet<String> expected = rows(db.query(join));
        await("the enriched table equal to the database's join").atMost(TIMEOUT).pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> {
                    failIfFailed(rest);
                    assertThat(rows(db.query("SELECT id, version, user_name, store_name FROM enriched_orders")))
                            .isEqualTo(expected);
                });
        System.out.printf("chaos: the enriched table equals the join of %,d orders%n", expected.size());
    }

    /**
     * What the streams hold against what the database went through. {@code redelivered}: second copies of a change
     * that Debezium delivered again at another Kafka offset after its task moved (its Postgres source delivers at
     * least once), counted apart from {@code duplicated}, the second copies of one Kafka record (or of a change at
     * another source position). {@code outOfOrder} compares each change's first copy with the one before.
     */
    record Counts(long lost, long duplicated, long outOfOrder, long redelivered) {
    }

    /** Compares each order's stream with the versions 0..final the database went through. */
    private static Counts streamCounts(Map<Long, Integer> versions) throws IOException {
        Map<Long, List<Integer>> firstCopies = new TreeMap<>();
        Map<String, JsonNode> firstCopy = new HashMap<>();
        long duplicated = 0;
        long redelivered = 0;
        for (StoredEvent event : eventStore.category("orders")) {
            long id = Long.parseLong(event.stream().substring("orders-".length()));
            int version = JSON.readTree(event.data()).path("version").asInt();
            JsonNode metadata = JSON.readTree(event.metadata());
            JsonNode earlier = firstCopy.putIfAbsent(id + "/" + version, metadata);
            if (earlier == null) {
                firstCopies.computeIfAbsent(id, k -> new ArrayList<>()).add(version);
            } else if (kafkaRecord(earlier).equals(kafkaRecord(metadata))) {
                duplicated++;
            } else if (earlier.path("source.lsn").asText().equals(metadata.path("source.lsn").asText())) {
                redelivered++;
            } else {
                duplicated++;
            }
        }
        long lost = 0;
        long outOfOrder = 0;
        for (Map.Entry<Long, Integer> order : versions.entrySet()) {
            List<Integer> seen = firstCopies.getOrDefault(order.getKey(), List.of());
            lost += order.getValue() + 1 - seen.size();
            for (int i = 1; i < seen.size(); i++) {
                if (seen.get(i) <= seen.get(i - 1)) {
                    outOfOrder++;
                }
            }
        }
        return new Counts(lost, duplicated, outOfOrder, redelivered);
    }

    private static String kafkaRecord(JsonNode metadata) {
        return metadata.path("kafka.topic").asText() + "/" + metadata.path("kafka.partition").asText() + "/"
                + metadata.path("kafka.offset").asText();
    }

    private static TreeSet<String> rows(List<Map<String, Object>> rows) {
        TreeSet<String> lines = new TreeSet<>();
        for (Map<String, Object> row : rows) {
            lines.add(row.get("id") + "|" + row.get("version") + "|" + row.get("user_name") + "|"
                    + row.get("store_name"));
        }
        return lines;
    }

    private static boolean failIfFailed(ConnectRestClient rest) {
        for (String connector : List.of(EVENTSTORE_SINK, JDBC_SINK, SOURCE)) {
            JsonNode status = rest.status(connector).orElseThrow();
            for (JsonNode task : status.path("tasks")) {
                if ("FAILED".equals(task.path("state").asText())) {
                    throw new AssertionError(connector + " task " + task.path("id").asInt() + " failed: "
                            + task.path("trace").asText());
                }
            }
        }
        return true;
    }

    private static Map<String, String> jdbcSink() {
        Map<String, String> config = new HashMap<>();
        config.put("connector.class", "io.debezium.connector.jdbc.JdbcSinkConnector");
        config.put("tasks.max", "2");
        config.put("topics", ORDERS_TOPIC);
        config.put("connection.url", db.jdbcUrl());
        config.put("connection.username", db.user());
        config.put("connection.password", db.password());
        config.put("insert.mode", "upsert");
        config.put("primary.key.mode", "record_key");
        config.put("schema.evolution", "basic");
        config.put("collection.name.format", "enriched_orders");
        config.put("consumer.override.auto.offset.reset", "earliest");
        String p = "transforms.enrich.";
        config.put("transforms", "enrich");
        config.put(p + "type", "dev.cdcconnect.enrich.Enrich$Value");
        config.put(p + "lookups", "user,store");
        config.put(p + "consumer.bootstrap.servers", connect.bootstrapServers());
        for (String lookup : List.of("user", "store")) {
            config.put(p + "lookup." + lookup + ".topic", PREFIX + ".public." + lookup + "s");
            config.put(p + "lookup." + lookup + ".key.field", lookup + "_id");
            config.put(p + "lookup." + lookup + ".output", "flat");
            config.put(p + "lookup." + lookup + ".fields", "name");
            config.put(p + "lookup." + lookup + ".miss.policy", "wait");
            config.put(p + "lookup." + lookup + ".wait.fallback", "fail");
        }
        return config;
    }

    /**
     * Commits {@link #CHANGES} changes over {@link #LOAD}: every 10 ms one transaction with a few inserts of new
     * orders (version 0) and updates of existing ones (version + 1).
     */
    private static final class Load implements Runnable {
        final AtomicLong committed = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final AtomicBoolean done = new AtomicBoolean();

        @Override
        public void run() {
            Random random = new Random(11);
            long ticks = LOAD.toMillis() / 10;
            long start = System.nanoTime();
            long nextId = 1;
            try (Connection connection = db.connect();
                 PreparedStatement insert = connection.prepareStatement(
                         "INSERT INTO orders (id, user_id, store_id, version) VALUES (?, ?, ?, 0)");
                 PreparedStatement update = connection.prepareStatement(
                         "UPDATE orders SET version = version + 1 WHERE id = ?")) {
                connection.setAutoCommit(false);
                for (long tick = 1; tick <= ticks && committed.get() < CHANGES; tick++) {
                    long due = Math.min(CHANGES, tick * CHANGES / ticks) - committed.get();
                    for (long i = 0; i < due; i++) {
                        // A third updates (once there are orders), the rest insert.
                        if (nextId > 100 && random.nextInt(3) == 0) {
                            update.setLong(1, 1 + random.nextInt((int) (nextId - 1)));
                            update.addBatch();
                        } else {
                            insert.setLong(1, nextId++);
                            insert.setInt(2, 1 + random.nextInt(200));
                            insert.setInt(3, 1 + random.nextInt(20));
                            insert.addBatch();
                        }
                    }
                    insert.executeBatch();
                    update.executeBatch();
                    connection.commit();
                    committed.addAndGet(due);
                    long wait = start + tick * 10_000_000L - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
            } catch (SQLException | InterruptedException | RuntimeException e) {
                failure.set(e);
            } finally {
                done.set(true);
            }
        }
    }

    private static void sleep(Duration duration) throws InterruptedException {
        Thread.sleep(duration.toMillis());
    }
}
