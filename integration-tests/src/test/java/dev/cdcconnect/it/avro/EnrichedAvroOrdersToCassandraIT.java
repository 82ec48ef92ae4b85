package dev.cdcconnect.it.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.cql.Row;
import dev.cdcconnect.it.eventstore.EventStoreSinks;
import dev.cdcconnect.testkit.cassandra.CassandraServer;
import dev.cdcconnect.testkit.connect.ConnectCluster;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.testkit.connect.DebeziumSources;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.PostgresServer;
import dev.cdcconnect.testkit.registry.SchemaRegistryServer;
import dev.cdcconnect.standin.shop.Shop;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Cassandra leg in Avro: Debezium streams users, stores and orders from Postgres in Avro through a real schema
 * registry; the Cassandra sink reads the orders through the registry, Enrich looks users and stores up in their
 * Avro change topics, and what the driver reads back must equal the join in Postgres. A column added to the
 * orders (after the operator added it to the Cassandra table, as the sink's guide asks) reaches Cassandra without
 * a restart.
 */
class EnrichedAvroOrdersToCassandraIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final String PREFIX = "avrocass";
    private static final String SOURCE = "avro-cassandra-source";
    private static final String SINK = "avro-cassandra-sink";
    private static final String ORDERS_TOPIC = PREFIX + ".public.orders";
    private static final String JOIN = "SELECT o.id, o.quantity, o.amount, u.name AS user_name, s.city AS store_city"
            + " FROM orders o JOIN users u ON u.id = o.user_id JOIN stores s ON s.id = o.store_id";

    private static ConnectCluster connect;
    private static ConnectRestClient rest;
    private static SchemaRegistryServer registry;
    private static CassandraServer cassandra;
    private static Database db;
    private static Shop shop;

    @BeforeAll
    static void start() {
        connect = ConnectCluster.shared();
        rest = connect.rest();
        registry = SchemaRegistryServer.shared();
        cassandra = CassandraServer.shared();
        cassandra.createKeyspace("avro_shop");
        cassandra.execute("CREATE TABLE avro_shop.enriched_orders (id bigint PRIMARY KEY, user_id int, store_id int,"
                + " quantity int, amount decimal, user_name text, user_email text, store_name text, store_city text)");
        db = PostgresServer.shared().createDatabase("avro_cassandra_shop");
        shop = new Shop(db.jdbcUrl(), db.user(), db.password(), 13);
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
    void enrichedAvroOrdersEqualTheJoinInPostgresAndAnAddedColumnFlowsThrough() {
        rest.createOrUpdate(SOURCE, AvroConverters.with(DebeziumSources.postgres(db, PREFIX)
                .slot("avro_cassandra_slot").publication("avro_cassandra_pub")
                .tables("public.users", "public.stores", "public.orders")
                .build(), AvroConverters.avro(registry)));
        rest.awaitRunning(SOURCE, 1, TIMEOUT);
        rest.createOrUpdate(SINK, AvroConverters.with(sink(), AvroConverters.avro(registry)));
        rest.awaitRunning(SINK, 1, TIMEOUT);

        awaitCassandraMatchesSource(30);

        shop.generateOrders(5);
        db.execute("UPDATE orders SET amount = 4321.05, quantity = 9 WHERE id = 3", "DELETE FROM orders WHERE id = 5");
        awaitCassandraMatchesSource(34);

        cassandra.execute("ALTER TABLE avro_shop.enriched_orders ADD note text");
        db.execute("ALTER TABLE orders ADD COLUMN note VARCHAR(200)",
                "INSERT INTO orders (id, user_id, store_id, quantity, amount, note) VALUES (100001, 2, 3, 1, 7.25, 'gift')");
        awaitCassandraMatchesSource(35);
        await("the note of order 100001 in Cassandra").atMost(TIMEOUT).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(cassandra.execute(
                        "SELECT note FROM avro_shop.enriched_orders WHERE id = 100001").get(0).getString("note"))
                        .isEqualTo("gift"));
        assertThat(registry.versions(ORDERS_TOPIC + "-value")).hasSize(2);
    }

    private static Map<String, String> sink() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("connector.class", "dev.cdcconnect.cassandra.CassandraSinkConnector");
        config.put("tasks.max", "1");
        config.put("topics", ORDERS_TOPIC);
        config.put("consumer.override.auto.offset.reset", "earliest");
        config.put("cassandra.contact.points", cassandra.contactPoint());
        config.put("cassandra.local.datacenter", cassandra.dataCenter());
        config.put("cassandra.username", cassandra.username());
        config.put("cassandra.password", cassandra.password());
        config.put("cassandra.keyspace", "avro_shop");
        config.put("topic.table.mapping", ORDERS_TOPIC + "=enriched_orders");
        config.put("transforms", "enrich");
        config.put("transforms.enrich.type", "dev.cdcconnect.enrich.Enrich$Value");
        config.put("transforms.enrich.consumer.bootstrap.servers", connect.bootstrapServers());
        config.put("transforms.enrich.lookups", "user,store");
        for (String lookup : List.of("user", "store")) {
            String p = "transforms.enrich.lookup." + lookup + ".";
            config.put(p + "topic", PREFIX + ".public." + lookup + "s");
            config.put(p + "key.field", lookup + "_id");
            config.put(p + "miss.policy", "wait");
            config.put(p + "wait.fallback", "fail");
            AvroConverters.avro(registry).forEach((key, value) -> config.put(p + key, value));
        }
        config.put("transforms.enrich.lookup.user.fields", "name,email");
        config.put("transforms.enrich.lookup.store.fields", "name,city");
        return config;
    }

    private static void awaitCassandraMatchesSource(int expectedRows) {
        TreeSet<String> expected = new TreeSet<>();
        for (Map<String, Object> row : db.query(JOIN)) {
            expected.add(line(((Number) row.get("id")).longValue(), (Integer) row.get("quantity"),
                    (BigDecimal) row.get("amount"), (String) row.get("user_name"), (String) row.get("store_city")));
        }
        assertThat(expected).hasSize(expectedRows);
        await("avro_shop.enriched_orders equals the orders joined in Postgres").atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    EventStoreSinks.failIfATaskFailed(rest, SINK);
                    assertThat(cassandraRows()).containsExactlyElementsOf(expected);
                });
    }

    private static TreeSet<String> cassandraRows() {
        TreeSet<String> rows = new TreeSet<>();
        for (Row row : cassandra.execute("SELECT * FROM avro_shop.enriched_orders")) {
            rows.add(line(row.getLong("id"), row.getInt("quantity"), row.getBigDecimal("amount"),
                    row.getString("user_name"), row.getString("store_city")));
        }
        return rows;
    }

    private static String line(long id, int quantity, BigDecimal amount, String userName, String storeCity) {
        return String.format("%06d|%d|%s|%s|%s", id, quantity,
                amount == null ? null : amount.setScale(2).toPlainString(), userName, storeCity);
    }
}
