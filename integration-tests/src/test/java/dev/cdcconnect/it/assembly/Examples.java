package dev.cdcconnect.it.assembly;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cdcconnect.testkit.cassandra.CassandraServer;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.MariaDbServer;
import dev.cdcconnect.testkit.db.PostgresServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bundle's example connector configurations ({@code etc/*.json}, each the body of {@code POST /connectors}),
 * pointed at this test's servers. The examples name the hosts of a typical deployment ({@code kafka:9092},
 * {@code postgres:5432}, {@code mysql} / {@code mariadb}, {@code eventstore:2113}, {@code cassandra:9042});
 * everything else is used as the file says, but for MySQL sources, which run as Debezium's MariaDB connector on the
 * test kit's MariaDB. Cassandra is the test kit's node, started only when an example
 * needs it.
 */
final class Examples {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern POSTGRES_URL = Pattern.compile("jdbc:postgresql://postgres(?::\\d+)?/(\\w+)(.*)");
    private static final Pattern EVENTSTORE_URL =
            Pattern.compile("(esdb|kurrentdb|esdb\\+discover|kurrentdb\\+discover)://eventstore(?::\\d+)?(.*)");
    private static final Map<String, Database> DATABASES = new HashMap<>();
    private static final String MYSQL_CONNECTOR = "io.debezium.connector.mysql.MySqlConnector";
    private static final String MARIADB_CONNECTOR = "io.debezium.connector.mariadb.MariaDbConnector";

    /** One example: the connector name and configuration from its file. */
    record Example(String file, String name, Map<String, String> config) {

        String connectorClass() {
            return config.get("connector.class");
        }
    }

    /** Where the test's servers are. */
    record Servers(String bootstrapServers, String eventStoreConnectionString) {
    }

    private Examples() {
    }

    static Example read(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        JsonNode config = root.path("config");
        if (!root.hasNonNull("name") || !config.isObject() || !config.hasNonNull("connector.class")) {
            throw new AssertionError(file + " is not the body of POST /connectors with a connector.class: " + root);
        }
        Map<String, String> values = new LinkedHashMap<>();
        config.fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asText()));
        return new Example(file.getFileName().toString(), root.get("name").asText(), values);
    }

    /** The example's configuration with its hosts, databases and credentials replaced by this test's. */
    static Map<String, String> localized(Example example, Servers servers) {
        Map<String, String> config = new LinkedHashMap<>();
        // as POST /connectors gives it to the connector; workers before 3.7 also want it for validation
        config.put("name", example.name());
        String connectorClass = example.connectorClass().toLowerCase();
        for (Map.Entry<String, String> entry : example.config().entrySet()) {
            String key = entry.getKey();
            String value = entry.getValue().replace("kafka:9092", servers.bootstrapServers());
            Matcher postgres = POSTGRES_URL.matcher(value);
            Matcher eventStore = EVENTSTORE_URL.matcher(value);
            if (postgres.matches()) {
                Database database = postgres(postgres.group(1));
                value = database.jdbcUrl() + postgres.group(2);
                String prefix = key.substring(0, key.length() - key.substring(key.lastIndexOf('.') + 1).length());
                // the credentials beside the URL: connection.username/password, or lookup.<name>.jdbc.user/password
                for (String userKey : new String[] {prefix + "username", prefix + "user"}) {
                    if (example.config().containsKey(userKey)) {
                        config.put(userKey, database.user());
                    }
                }
                if (example.config().containsKey(prefix + "password")) {
                    config.put(prefix + "password", database.password());
                }
            } else if (eventStore.matches()) {
                value = servers.eventStoreConnectionString();
            }
            config.putIfAbsent(key, value);
        }
        if (config.containsKey("cassandra.contact.points")) {
            CassandraServer cassandra = CassandraServer.shared();
            config.put("cassandra.contact.points", cassandra.contactPoint());
            config.put("cassandra.local.datacenter", cassandra.dataCenter());
            if (cassandra.authentication()) {
                config.put("cassandra.username", cassandra.username());
                config.put("cassandra.password", cassandra.password());
            }
        }
        if (connectorClass.contains("postgres") && config.containsKey("database.hostname")) {
            Database database = postgres(config.getOrDefault("database.dbname", "postgres"));
            sourceDatabase(config, database);
        } else if ((connectorClass.contains("mariadb") || connectorClass.contains("mysql"))
                && config.containsKey("database.hostname")) {
            sourceDatabase(config, mariaDb(config.getOrDefault("database.include.list", "inventory").split(",")[0]));
            if (example.connectorClass().equals(MYSQL_CONNECTOR)) {
                // MariaDB stands in for MySQL: Debezium's MariaDB connector takes the MySQL connector's settings
                config.put("connector.class", MARIADB_CONNECTOR);
            }
        }
        return config;
    }

    private static void sourceDatabase(Map<String, String> config, Database database) {
        config.put("database.hostname", database.host());
        config.put("database.port", Integer.toString(database.port()));
        config.put("database.user", database.user());
        config.put("database.password", database.password());
        if (config.containsKey("database.dbname")) {
            config.put("database.dbname", database.name());
        }
    }

    /** The test kit's Postgres database standing in for the database an example names, made once per JVM. */
    static synchronized Database postgres(String name) {
        return DATABASES.computeIfAbsent("postgres/" + name,
                n -> PostgresServer.shared().createDatabase("bundle_" + name.toLowerCase()));
    }

    private static synchronized Database mariaDb(String name) {
        return DATABASES.computeIfAbsent("mariadb/" + name,
                n -> MariaDbServer.shared().createDatabase("bundle_" + name.toLowerCase()));
    }
}
