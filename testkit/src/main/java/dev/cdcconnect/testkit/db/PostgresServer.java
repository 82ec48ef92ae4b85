package dev.cdcconnect.testkit.db;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import dev.cdcconnect.testkit.SharedResources;

/**
 * The tests' Postgres: the stand-ins' embedded server with logical decoding (see
 * {@link dev.cdcconnect.standin.postgres.PostgresServer}), shared by the tests of a JVM, with room for many
 * replication slots and connections, handing out {@link Database}s.
 */
public final class PostgresServer implements AutoCloseable {

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static PostgresServer shared;

    private final dev.cdcconnect.standin.postgres.PostgresServer postgres;

    private PostgresServer(dev.cdcconnect.standin.postgres.PostgresServer postgres) {
        this.postgres = postgres;
    }

    /** The server shared by all tests of this JVM, started on first use, closed when the test session ends. */
    public static synchronized PostgresServer shared() {
        if (shared == null) {
            shared = SharedResources.register("Postgres", start(Map.of()), SharedResources.Rank.SERVERS);
        }
        return shared;
    }

    /** Starts a server of its own with extra {@code postgresql.conf} settings; the caller closes it. */
    public static PostgresServer start(Map<String, String> serverConfig) {
        Map<String, String> config = new LinkedHashMap<>(Map.of(
                "max_replication_slots", "32",
                "max_wal_senders", "32",
                "max_connections", "300"));
        config.putAll(serverConfig);
        return new PostgresServer(dev.cdcconnect.standin.postgres.PostgresServer.start(config));
    }

    public String host() {
        return "localhost";
    }

    public int port() {
        return postgres.port();
    }

    public String user() {
        return dev.cdcconnect.standin.postgres.PostgresServer.USER;
    }

    public String password() {
        return dev.cdcconnect.standin.postgres.PostgresServer.PASSWORD;
    }

    /** The server's {@code postgres} database. */
    public Database database() {
        return database("postgres");
    }

    /** An existing database by name. */
    public Database database(String name) {
        return new Database(name, postgres.jdbcUrl(name) + "?user=" + user(), host(), port(), user(), password());
    }

    /** Creates a database (dropping one of that name first, with its replication slots), and returns it. */
    public Database createDatabase(String name) {
        if (!IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException("database name must be a lower-case SQL identifier: " + name);
        }
        Database admin = database();
        admin.query("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = ?", name);
        admin.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)", "CREATE DATABASE " + name);
        return database(name);
    }

    @Override
    public void close() {
        postgres.close();
    }
}
