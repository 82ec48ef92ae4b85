package dev.cdcconnect.it.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cdcconnect.it.eventstore.EventStoreSinks;
import dev.cdcconnect.it.recipes.Recipe;
import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.testkit.connect.DebeziumSources;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.PostgresServer;
import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import dev.cdcconnect.standin.eventstore.StoredEvent;
import dev.cdcconnect.testkit.registry.SchemaRegistryServer;
import dev.cdcconnect.standin.shop.Shop;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seed 000 in Avro, as the bundle ships it ({@code etc/avro/000-postgres-source.json}, {@code 000-enrich.json} and
 * {@code 000-enrich-eventstore.json}, what the compose demo's Avro switch deploys): Debezium streams users, stores
 * and orders from Postgres in Avro through a real schema registry; Debezium's JDBC sink and the EventStoreDB sink
 * read the orders through the registry, the Enrich transform looks users and stores up in their Avro change topics
 * (its table consumers using the same converter), and the enriched orders land in a Postgres table and in a stream
 * per order. The examples run with only connection settings replaced. The rows must equal the database's own join,
 * every order's stream must start with its enriched snapshot or creation, and a column added to the orders table
 * mid-run must reach the enriched table without a restart.
 */
class EnrichedAvroOrdersToPostgresIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final Recipe SOURCE = Recipe.load("avro/000-postgres-source.json");
    private static final Recipe SINK = Recipe.load("avro/000-enrich.json");
    private static final Recipe TO_EVENTSTORE = Recipe.load("avro/000-enrich-eventstore.json");
    private static final String PREFIX = SOURCE.config().get("topic.prefix");
    private static final String TABLE = SINK.config().get("collection.name.format");
    private static final String ORDERS_TOPIC = PREFIX + ".public.orders";
    private static final String JOIN = "SELECT o.id, o.amount::text AS amount, u.name AS user_name,"
            + " u.email AS user_email, s.name AS store_name, s.city AS store_city"
            + " FROM orders o JOIN users u ON u.id = o.user_id JOIN stores s ON s.id = o.store_id";

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static SchemaRegistryServer registry;
    private static Database db;
    private static Shop shop;
    private static EventStoreStandIn eventStore;

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
        eventStore = EventStoreStandIn.start();
    }

    @AfterAll
    static void stop() {
        rest.delete(TO_EVENTSTORE.name());
        rest.delete(SINK.name());
        rest.delete(SOURCE.name());
        eventStore.close();
    }

    @Test
    void enrichedAvroOrdersEqualTheDatabaseJoinAndAnAddedColumnFlowsThrough() {
        Map<String, String> source = SOURCE.configWith(withRegistry(SOURCE, DebeziumSources.connection(db)));
        Map<String, String> sink = SINK.configWith(withRegistry(SINK, Map.of(
                "connection.url", db.jdbcUrl(),
                "connection.username", db.user(),
                "connection.password", db.password(),
                "transforms.enrich.consumer.bootstrap.servers", connect.bootstrapServers())));
        assertThat(SOURCE.validate(rest, source)).as("etc/avro/000-postgres-source.json validates").isEmpty();
        Map<String, String> toEventStore = TO_EVENTSTORE.configWith(withRegistry(TO_EVENTSTORE, Map.of(
                "eventstore.connection.string", eventStore.connectionString(),
                "transforms.enrich.consumer.bootstrap.servers", connect.bootstrapServers())));
        assertThat(SINK.validate(rest, sink)).as("etc/avro/000-enrich.json validates").isEmpty();
        assertThat(TO_EVENTSTORE.validate(rest, toEventStore)).as("etc/avro/000-enrich-eventstore.json validates")
                .isEmpty();

        rest.createOrUpdate(SOURCE.name(), source);
        rest.awaitRunning(SOURCE.name(), 1, TIMEOUT);
        connect.awaitRecords(ORDERS_TOPIC, 30, TIMEOUT);
        rest.createOrUpdate(SINK.name(), sink);
        rest.createOrUpdate(TO_EVENTSTORE.name(), toEventStore);
        rest.awaitRunning(SINK.name(), 1, TIMEOUT);
        rest.awaitRunning(TO_EVENTSTORE.name(), 1, TIMEOUT);

        List<Map<String, Object>> snapshotJoin = db.query(JOIN + " ORDER BY o.id");
        assertThat(snapshotJoin).hasSize(30);
        awaitRows(30);
        assertThat(db.query("SELECT id, amount::text AS amount, user_name, user_email, store_name, store_city FROM "
                + TABLE + " ORDER BY id")).isEqualTo(snapshotJoin);
        String template = TO_EVENTSTORE.config().get("stream.name.template");
        for (Map<String, Object> order : snapshotJoin) {
            String stream = template.replace("${key}", order.get("id").toString());
            List<StoredEvent> events = await("events in " + stream).atMost(TIMEOUT).pollInterval(Duration.ofMillis(300))
                    .until(() -> eventStore.events(stream), e -> !e.isEmpty());
            assertThat(events.get(0).eventType()).as(stream).isEqualTo("OrderSnapshotted");
            assertThat(events.get(0).dataAsString()).as(stream).contains(
                    "\"" + order.get("user_name") + "\"", "\"" + order.get("store_name") + "\"");
        }

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
        String gift = TO_EVENTSTORE.config().get("stream.name.template").replace("${key}", "100001");
        List<StoredEvent> giftEvents = await("events in " + gift).atMost(TIMEOUT).pollInterval(Duration.ofMillis(300))
                .until(() -> eventStore.events(gift), e -> !e.isEmpty());
        assertThat(giftEvents.get(0).eventType()).isEqualTo("OrderPlaced");
        assertThat(giftEvents.get(0).dataAsString()).contains("\"note\":\"gift wrap\"");
        Map<String, Object> noNote = new LinkedHashMap<>();
        noNote.put("note", null);
        assertThat(db.query("SELECT note FROM " + TABLE + " WHERE id = ?", plain)).containsExactly(noNote);
        assertThat(registry.versions(ORDERS_TOPIC + "-value")).hasSize(2);
        assertThat(registry.subjects()).contains(PREFIX + ".public.users-value", PREFIX + ".public.stores-value");
    }

    private static void awaitRows(int count) {
        await(count + " rows in " + TABLE).atMost(TIMEOUT).pollInterval(Duration.ofMillis(300)).until(() -> {
            EventStoreSinks.failIfATaskFailed(rest, SINK.name());
            EventStoreSinks.failIfATaskFailed(rest, TO_EVENTSTORE.name());
            return db.tableExists(TABLE)
                    && ((Number) db.query("SELECT count(*) AS n FROM " + TABLE).get(0).get("n")).intValue() >= count;
        });
    }

    /** The overrides plus this run's registry in every converter setting of the recipe that names one. */
    private static Map<String, String> withRegistry(Recipe recipe, Map<String, String> overrides) {
        Map<String, String> config = new LinkedHashMap<>(overrides);
        recipe.config().keySet().stream().filter(key -> key.endsWith("converter.apicurio.registry.url"))
                .forEach(key -> config.put(key, registry.apicurioApiUrl()));
        return config;
    }
}
