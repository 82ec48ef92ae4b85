package dev.cdcconnect.it.recipes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.testkit.connect.DebeziumSources;
import dev.cdcconnect.testkit.db.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One connector of a recipe the bundle ships in {@code etc/}: its name and config as the file gives them, so a
 * test deploys the file a user deploys and overrides only what differs between machines (hosts, ports,
 * credentials, paths).
 */
public record Recipe(String name, Map<String, String> config) {

    static final String RECIPES_DIR_PROPERTY = "cdcconnect.recipes.dir";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The folder of the bundle's examples in the source tree ({@code assembly/src/main/etc}). */
    public static Path etc() {
        String dir = System.getProperty(RECIPES_DIR_PROPERTY);
        if (dir == null || dir.isBlank()) {
            throw new IllegalStateException("System property " + RECIPES_DIR_PROPERTY + " must name the folder of"
                    + " the bundle's example connector configs");
        }
        return Path.of(dir).toAbsolutePath().normalize();
    }

    /** The repository's root folder. */
    static Path repository() {
        return etc().getParent().getParent().getParent().getParent();
    }

    /** Reads {@code etc/<file>}: a JSON object with {@code name} and {@code config}, as {@code POST /connectors} takes it. */
    public static Recipe load(String file) {
        return read(etc().resolve(file));
    }

    /** Reads a connector file: a JSON object with {@code name} and {@code config}. */
    static Recipe read(Path path) {
        try {
            JsonNode root = JSON.readTree(Files.readString(path));
            Map<String, String> config = new LinkedHashMap<>();
            root.required("config").properties().forEach(e -> config.put(e.getKey(), e.getValue().asText()));
            return new Recipe(root.required("name").asText(), config);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read recipe " + path, e);
        }
    }

    /** The config with some keys replaced; every replaced key must be one the recipe sets. */
    public Map<String, String> configWith(Map<String, String> overrides) {
        Map<String, String> merged = new LinkedHashMap<>(config);
        overrides.forEach((key, value) -> {
            if (!merged.containsKey(key)) {
                throw new IllegalArgumentException("Recipe " + name + " has no key " + key
                        + ": a test only overrides what the recipe sets");
            }
            merged.put(key, value);
        });
        return merged;
    }

    /**
     * A MySQL source recipe on the test kit's MariaDB: Debezium's MariaDB connector takes the MySQL connector's
     * settings; the class and the server's address and credentials are all that change, and the schema history
     * goes to the cluster at {@code bootstrapServers}. The database must have the name the recipe captures.
     */
    public Map<String, String> onMariaDb(Database database, String bootstrapServers) {
        String captured = config.get("database.include.list");
        if (!database.name().equals(captured)) {
            throw new IllegalArgumentException("Recipe " + name + " captures database.include.list=" + captured
                    + ", not the test database " + database.name());
        }
        Map<String, String> server = new LinkedHashMap<>();
        server.put("connector.class", DebeziumSources.MARIADB_CONNECTOR);
        server.put("database.hostname", database.host());
        server.put("database.port", Integer.toString(database.port()));
        server.put("database.user", database.user());
        server.put("database.password", database.password());
        server.put("schema.history.internal.kafka.bootstrap.servers", bootstrapServers);
        return configWith(server);
    }

    /** What {@code PUT /connector-plugins/{class}/config/validate} finds wrong in a config of this connector. */
    public Map<String, List<String>> validate(ConnectRestClient rest, Map<String, String> config) {
        Map<String, String> named = new LinkedHashMap<>(config);
        named.put("name", name);
        return rest.validate(config.get("connector.class"), named).errors();
    }
}
