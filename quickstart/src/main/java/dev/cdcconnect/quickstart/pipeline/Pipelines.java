package dev.cdcconnect.quickstart.pipeline;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The connectors of the seed pipelines, as a user would PUT them to {@code /connectors/{name}/config}, and the
 * plugins each needs on the workers' plugin.path.
 */
public final class Pipelines {

    public static final String TOPIC_PREFIX = "shop";
    public static final String USERS_TOPIC = TOPIC_PREFIX + ".public.users";
    public static final String STORES_TOPIC = TOPIC_PREFIX + ".public.stores";
    public static final String ORDERS_TOPIC = TOPIC_PREFIX + ".public.orders";
    public static final String JSON_ORDERS_TOPIC = "orders_json";
    public static final String ENRICHED_TABLE = "enriched_orders";
    public static final String JSON_TABLE = "orders_json";
    public static final String STREAM_PREFIX = "order-";

    public static final String POSTGRES_SOURCE = "io.debezium.connector.postgresql.PostgresConnector";
    public static final String JDBC_SINK = "io.debezium.connector.jdbc.JdbcSinkConnector";
    public static final String ENRICH = "dev.cdcconnect.enrich.Enrich$Value";
    public static final String EVENTSTORE_SINK = "dev.cdcconnect.eventstore.EventStoreSinkConnector";
    public static final String INFER_SCHEMA = "dev.cdcconnect.infer.InferSchema$Value";

    /** One connector: its name, what it does, the plugin classes it needs, its config and task count. */
    public record Pipeline(String name, String description, List<String> plugins, Map<String, String> config,
                           int tasks) {
        /** The plugins this pipeline needs that the workers do not have. */
        public List<String> missing(Map<String, String> installed) {
            return plugins.stream().filter(p -> !installed.containsKey(p)).toList();
        }
    }

    /** Where the pipelines read from and write to. */
    public record Endpoints(String bootstrapServers, String postgresHost, int postgresPort, String database,
                            String user, String password, Map<String, String> eventStoreSink) {
        String jdbcUrl() {
            return "jdbc:postgresql://" + postgresHost + ":" + postgresPort + "/" + database;
        }
    }

    private Pipelines() {
    }

    /** Debezium's Postgres source: the snapshot of users and stores, then every change of the three tables. */
    public static Pipeline source(Endpoints at) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("connector.class", POSTGRES_SOURCE);
        c.put("tasks.max", "1");
        c.put("database.hostname", at.postgresHost());
        c.put("database.port", Integer.toString(at.postgresPort()));
        c.put("database.user", at.user());
        c.put("database.password", at.password());
        c.put("database.dbname", at.database());
        c.put("topic.prefix", TOPIC_PREFIX);
        c.put("plugin.name", "pgoutput");
        c.put("slot.name", "quickstart");
        c.put("publication.name", "quickstart");
        c.put("publication.autocreate.mode", "filtered");
        c.put("table.include.list", "public.users,public.stores,public.orders");
        c.put("topic.creation.default.replication.factor", "1");
        c.put("topic.creation.default.partitions", "1");
        return new Pipeline("postgres-source", "Debezium Postgres source: users, stores, orders -> Kafka topics "
                + TOPIC_PREFIX + ".public.*", List.of(POSTGRES_SOURCE), c, 1);
    }

    /**
     * Orders joined to their user and store inside the sink, as seed 000's ksqlDB stream-table join did, upserted
     * into {@value #ENRICHED_TABLE} (and deleted from it when the order is cancelled).
     */
    public static Pipeline enrichedOrders(Endpoints at) {
        Map<String, String> c = jdbcSink(at, ORDERS_TOPIC, ENRICHED_TABLE);
        c.put("transforms", "enrich");
        c.put("transforms.enrich.type", ENRICH);
        c.put("transforms.enrich.lookups", "user,store");
        c.put("transforms.enrich.consumer.bootstrap.servers", at.bootstrapServers());
        c.put("transforms.enrich.lookup.user.topic", USERS_TOPIC);
        c.put("transforms.enrich.lookup.user.key.field", "user_id");
        c.put("transforms.enrich.lookup.user.fields", "name,email,city");
        c.put("transforms.enrich.lookup.user.output", "flat");
        c.put("transforms.enrich.lookup.user.output.prefix", "user_");
        c.put("transforms.enrich.lookup.user.miss.policy", "wait");
        c.put("transforms.enrich.lookup.store.topic", STORES_TOPIC);
        c.put("transforms.enrich.lookup.store.key.field", "store_id");
        c.put("transforms.enrich.lookup.store.fields", "name,city");
        c.put("transforms.enrich.lookup.store.output", "flat");
        c.put("transforms.enrich.lookup.store.output.prefix", "store_");
        c.put("transforms.enrich.lookup.store.miss.policy", "wait");
        return new Pipeline("enriched-orders-sink", "orders + Enrich (user and store looked up from their topics) "
                + "-> JDBC sink -> Postgres table " + ENRICHED_TABLE, List.of(JDBC_SINK, ENRICH), c, 2);
    }

    /** Every change of an order appended to the order's own stream, exactly once. */
    public static Pipeline eventStore(Endpoints at) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("connector.class", EVENTSTORE_SINK);
        c.put("tasks.max", "2");
        c.put("topics", ORDERS_TOPIC);
        c.putAll(at.eventStoreSink());
        c.put("stream.name.template", STREAM_PREFIX + "${key}");
        c.put("delivery.guarantee", "exactly-once");
        c.put("consumer.override.auto.offset.reset", "earliest");
        return new Pipeline("eventstore-sink", "order changes -> EventStoreDB sink -> one stream per order, "
                + STREAM_PREFIX + "<order id>", List.of(EVENTSTORE_SINK), c, 2);
    }

    /** Seed 001: schemaless JSON orders get a schema from InferSchema, so the JDBC sink can create and fill a table. */
    public static Pipeline jsonOrders(Endpoints at) {
        Map<String, String> c = jdbcSink(at, JSON_ORDERS_TOPIC, JSON_TABLE);
        c.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        c.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        c.put("value.converter.schemas.enable", "false");
        c.put("transforms", "infer");
        c.put("transforms.infer.type", INFER_SCHEMA);
        c.put("transforms.infer.key.fields", "order_id");
        c.put("transforms.infer.iso8601.detect", "true");
        // placed_at is Instant.toString(): microseconds, which timestamp(micros) keeps (a millisecond Timestamp
        // cannot hold them, so detection alone would reject such orders rather than drop digits)
        c.put("transforms.infer.type.hints",
                "amount:decimal(10,2),items_price:decimal(10,2),placed_at:timestamp(micros)");
        c.put("transforms.infer.schema.store.topic", "orders_json-schemas");
        c.put("transforms.infer.schema.store.bootstrap.servers", at.bootstrapServers());
        // A schema change is rare and must be stored before the records it describes are written: send it at once.
        c.put("transforms.infer.schema.store.client.linger.ms", "0");
        // An order the table cannot hold as it is (a type conflict, too many fields) is set aside, not the pipeline
        c.put("errors.tolerance", "all");
        c.put("errors.deadletterqueue.topic.name", JSON_ORDERS_TOPIC + "-dlq");
        c.put("errors.deadletterqueue.topic.replication.factor", "1");
        c.put("errors.deadletterqueue.context.headers.enable", "true");
        return new Pipeline("json-orders-sink", "schemaless JSON orders (topic " + JSON_ORDERS_TOPIC
                + ") -> InferSchema -> JDBC sink -> Postgres table " + JSON_TABLE, List.of(JDBC_SINK, INFER_SCHEMA),
                c, 2);
    }

    private static Map<String, String> jdbcSink(Endpoints at, String topic, String table) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("connector.class", JDBC_SINK);
        c.put("tasks.max", "2");
        c.put("topics", topic);
        c.put("connection.url", at.jdbcUrl());
        c.put("connection.username", at.user());
        c.put("connection.password", at.password());
        c.put("insert.mode", "upsert");
        c.put("delete.enabled", "true");
        c.put("primary.key.mode", "record_key");
        c.put("schema.evolution", "basic");
        c.put("collection.name.format", table);
        c.put("consumer.override.auto.offset.reset", "earliest");
        return c;
    }
}
