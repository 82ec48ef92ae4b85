package dev.cdcconnect.testkit.connect;

import dev.cdcconnect.testkit.db.Database;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The configuration of a Debezium source connector reading a test kit {@link Database}, as the embedded cluster
 * runs it: one task, topics created with one partition and replication factor 1 on the single broker.
 *
 * <pre>{@code
 * rest.createOrUpdate("shop-source", DebeziumSources.postgres(db, "shop")
 *         .slot("shop_slot").publication("shop_pub")
 *         .tables("public.users", "public.orders")
 *         .build());
 * }</pre>
 */
public final class DebeziumSources {

    public static final String POSTGRES_CONNECTOR = "io.debezium.connector.postgresql.PostgresConnector";
    public static final String MARIADB_CONNECTOR = "io.debezium.connector.mariadb.MariaDbConnector";

    private final Map<String, String> config = new LinkedHashMap<>();

    private DebeziumSources(String connectorClass, Database database, String topicPrefix) {
        config.put("connector.class", connectorClass);
        config.put("tasks.max", "1");
        config.putAll(server(database));
        config.put("topic.prefix", topicPrefix);
    }

    /**
     * Debezium's Postgres source on the database through {@code pgoutput}. The Postgres server is shared by every
     * test and replication slots are server-wide, so each source must name its own {@link #slot(String) slot}.
     */
    public static DebeziumSources postgres(Database database, String topicPrefix) {
        DebeziumSources source = new DebeziumSources(POSTGRES_CONNECTOR, database, topicPrefix);
        source.config.put("database.dbname", database.name());
        source.config.put("plugin.name", "pgoutput");
        return source.withTopicCreation();
    }

    /**
     * Debezium's MariaDB source on the database (and only that one of the shared server), its schema history in
     * the topic {@code <topicPrefix>.schema-history} of the cluster at {@code bootstrapServers}. The server id
     * must be unique among the binlog clients of the shared server.
     */
    public static DebeziumSources mariadb(Database database, String topicPrefix, int serverId,
                                          String bootstrapServers) {
        DebeziumSources source = new DebeziumSources(MARIADB_CONNECTOR, database, topicPrefix);
        source.config.put("database.server.id", Integer.toString(serverId));
        source.config.put("database.include.list", database.name());
        source.config.put("schema.history.internal.kafka.bootstrap.servers", bootstrapServers);
        source.config.put("schema.history.internal.kafka.topic", topicPrefix + ".schema-history");
        return source.withTopicCreation();
    }

    /**
     * The settings that reach the database: {@code database.hostname}, {@code port}, {@code user},
     * {@code password} and {@code dbname}, to put over a connector configuration written for another server.
     */
    public static Map<String, String> connection(Database database) {
        Map<String, String> connection = server(database);
        connection.put("database.dbname", database.name());
        return connection;
    }

    private static Map<String, String> server(Database database) {
        Map<String, String> server = new LinkedHashMap<>();
        server.put("database.hostname", database.host());
        server.put("database.port", Integer.toString(database.port()));
        server.put("database.user", database.user());
        server.put("database.password", database.password());
        return server;
    }

    private DebeziumSources withTopicCreation() {
        config.put("topic.creation.default.replication.factor", "1");
        config.put("topic.creation.default.partitions", "1");
        return this;
    }

    /** The Postgres replication slot ({@code slot.name}). */
    public DebeziumSources slot(String name) {
        return with("slot.name", name);
    }

    /** The Postgres publication ({@code publication.name}). */
    public DebeziumSources publication(String name) {
        return with("publication.name", name);
    }

    /** The tables captured ({@code table.include.list}), each as {@code schema.table} or {@code database.table}. */
    public DebeziumSources tables(String... tables) {
        if (tables.length == 0) {
            throw new IllegalArgumentException("name at least one table; without table.include.list every table"
                    + " is captured");
        }
        return with("table.include.list", String.join(",", tables));
    }

    /** Sets any other setting, or replaces one set before. */
    public DebeziumSources with(String key, String value) {
        config.put(key, value);
        return this;
    }

    /** The configuration, in the order it was set. */
    public Map<String, String> build() {
        if (POSTGRES_CONNECTOR.equals(config.get("connector.class")) && !config.containsKey("slot.name")) {
            throw new IllegalStateException("a Postgres source on the shared server needs its own slot.name; "
                    + "the default slot of another test's source would be taken");
        }
        return Collections.unmodifiableMap(new LinkedHashMap<>(config));
    }
}
