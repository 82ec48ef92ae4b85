package dev.cdcconnect.it.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cdcconnect.it.eventstore.EventStoreSinks;
import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.testkit.connect.ConnectRestClient;
import dev.cdcconnect.testkit.connect.DebeziumSources;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.PostgresServer;
import dev.cdcconnect.testkit.registry.SchemaRegistryServer;
import dev.cdcconnect.testkit.seed.Shop;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo this project replaces, in Avro: Debezium streams users, stores and orders from Postgres in Avro through
 * a real schema registry; Debezium's JDBC sink reads the orders through the registry, the Enrich transform looks
 * users and stores up in their Avro change topics (its table consumers using the same converter), and the enriched
 * rows land in a Postgres table. They must equal the database's own join, and a column added to the orders table
 * mid-run must reach the enriched table without a restart.
 */
class EnrichedAvroOrdersToPostgresIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final String PREFIX = "avroenrich";
    private static final String SOURCE = "avro-enrich-source";
    private static final String SINK = "avro-enrich-sink";
    private static final String TABLE = "enriched_orders_avro";
    private static final String ORDERS_TOPIC = PREFIX + ".public.orders";
    private static final String JOIN = "SELECT o.id, o.amount::text AS amount, u.name AS user_name,"
            + " u.email AS user_email, s.name AS store_name, s.city AS store_city"
            + " FROM orders o JOIN users u ON u.id = o.user_id JOIN stores s ON s.id = o.store_id";

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static SchemaRegistryServer registry;
    private static Database db;
    private static Shop shop;

    @BeforeAll
    static void start() {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        registry = SchemaRegistryServer.shared();
        db = PostgresServer.shared().createDatabase("avro_enrich_shop");
        shop = new Shop(db.jdbcUrl(), db.user(), db.password(), 11);
        shop.createTables();
        shop.addUsers(1, 20);
        shop.addStores(1, 5);
        shop.generateOrders(30);
    }

    @AfterAll
    static void stop() {
        rest.delete(SINK);
        rest.delete(SOURCE);
    }

    @Test
    void enrichedAvroOrdersEqualTheDatabaseJoinAndAnAddedColumnFlowsThrough() {
        rest.createOrUpdate(SOURCE, AvroConverters.with(DebeziumSources.postgres(db, PREFIX)
                .slot("avro_enrich_slot").publication("avro_enrich_pub")
                .tables("public.users", "public.stores", "public.orders")
                .build(), AvroConverters.avro(registry)));
        rest.awaitRunning(SOURCE, 1, TIMEOUT);
        connect.awaitRecords(ORDERS_TOPIC, 30, TIMEOUT);
        rest.createOrUpdate(SINK, AvroConverters.with(sink(), AvroConverters.avro(registry)));
        rest.awaitRunning(SINK, 1, TIMEOUT);

        List<Map<String, Object>> snapshotJoin = db.query(JOIN + " ORDER BY o.id");
        assertThat(snapshotJoin).hasSize(30);
        awaitRows(30);
        assertThat(db.query("SELECT id, amount::text AS amount, user_name, user_email, store_name, store_city FROM "
                + TABLE + " ORDER BY id")).isEqualTo(snapshotJoin);

        // A column added while everything runs: a new Avro schema version of the orders, a new column in the table.
        db.execute("ALTER TABLE orders ADD COLUMN note VARCHAR(200)",
                "INSERT INTO orders (id, user_id, store_id, quantity, amount, note)"
                        + " VALUES (100001, 2, 3, 1, 1234567.05, 'gift wrap')");
        long plain = shop.placeOrder(4, 5);

        awaitRows(32);
        List<Map<String, Object>> join = db.query(JOIN + " ORDER BY o.id");
        assertThat(db.query("SELECT id, amount::text AS amount, user_name, user_email, store_name, store_city FROM "
                + TABLE + " ORDER BY id")).isEqualTo(join);
        assertThat(db.query("SELECT note FROM " + TABLE + " WHERE id = 100001")).containsExactly(Map.of("note",
                "gift wrap"));
        Map<String, Object> noNote = new LinkedHashMap<>();
        noNote.put("note", null);
        assertThat(db.query("SELECT note FROM " + TABLE + " WHERE id = ?", plain)).containsExactly(noNote);
        assertThat(registry.versions(ORDERS_TOPIC + "-value")).hasSize(2);
        assertThat(registry.subjects()).contains(PREFIX + ".public.users-value", PREFIX + ".public.stores-value");
    }

    private static void awaitRows(int count) {
        await(count + " rows in " + TABLE).atMost(TIMEOUT).pollInterval(Duration.ofMillis(300)).until(() -> {
            EventStoreSinks.failIfATaskFailed(rest, SINK);
            return db.tableExists(TABLE)
                    && ((Number) db.query("SELECT count(*) AS n FROM " + TABLE).get(0).get("n")).intValue() >= count;
        });
    }

    private static Map<String, String> sink() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("connector.class", "io.debezium.connector.jdbc.JdbcSinkConnector");
        config.put("tasks.max", "1");
        config.put("topics", ORDERS_TOPIC);
        config.put("connection.url", db.jdbcUrl());
        config.put("connection.username", db.user());
        config.put("connection.password", db.password());
        config.put("insert.mode", "upsert");
        config.put("primary.key.mode", "record_key");
        config.put("schema.evolution", "basic");
        config.put("collection.name.format", TABLE);
        config.put("consumer.override.auto.offset.reset", "earliest");
        config.put("transforms", "enrich");
        config.put("transforms.enrich.type", "dev.cdcconnect.enrich.Enrich$Value");
        config.put("transforms.enrich.consumer.bootstrap.servers", connect.bootstrapServers());
        config.put("transforms.enrich.lookups", "user,store");
        for (String lookup : List.of("user", "store")) {
            String p = "transforms.enrich.lookup." + lookup + ".";
            config.put(p + "topic", PREFIX + ".public." + lookup + "s");
            config.put(p + "key.field", lookup + "_id");
            config.put(p + "output", "flat");
            config.put(p + "miss.policy", "wait");
            config.put(p + "wait.fallback", "fail");
            // The change topics are Avro: the lookup's table consumer reads them with the same converter.
            AvroConverters.avro(registry).forEach((key, value) -> config.put(p + key, value));
        }
        config.put("transforms.enrich.lookup.user.fields", "name,email");
        config.put("transforms.enrich.lookup.store.fields", "name,city");
        return config;
    }
}
