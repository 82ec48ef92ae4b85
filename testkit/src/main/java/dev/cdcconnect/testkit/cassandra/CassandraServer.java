package dev.cdcconnect.testkit.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.cdcconnect.testkit.ForkedJvm;
import dev.cdcconnect.testkit.SharedResources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real one-node Apache Cassandra 5.0 started in a JVM of its own (never in the test JVM: Cassandra's logback,
 * Guava, Jackson and SecurityManager use clash with Kafka's). Its classpath is the one Maven resolved for
 * {@code org.apache.cassandra:cassandra-all} into the {@code testkit-cassandra} resource
 * {@code dev/cdcconnect/testkit/cassandra/cassandra-classpath.txt}.
 *
 * <p>The node listens on 127.0.0.1 on free ports, in data center {@code datacenter1}, with one token and the
 * SimpleSnitch. By default it requires a password ({@code cassandra}/{@code cassandra}) and accepts TLS as well
 * as plain connections on the same port, with a self-signed certificate for 127.0.0.1 whose trust store
 * ({@link #trustStore()}, PKCS12) the kit writes. It is ready when the driver can connect and query, and is
 * stopped (its directory removed) by {@link #close()}.
 */
public final class CassandraServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CassandraServer.class);
    private static final String CLASSPATH_RESOURCE = "dev/cdcconnect/testkit/cassandra/cassandra-classpath.txt";
    private static final String NODE_PID = "node.pid";
    private static final Path NODES_DIR = Path.of(System.getProperty("java.io.tmpdir"), "cdcconnect-cassandra");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z][a-z0-9_]{0,47}");
    public static final String DATA_CENTER = "datacenter1";
    public static final String SUPERUSER = "cassandra";
    public static final String SUPERUSER_PASSWORD = "cassandra";
    private static final String STORE_PASSWORD = "changeit";

    // Cassandra's own jvm17-server.options: the JDK internals it reaches into.
    private static final List<String> JPMS_FLAGS = List.of(
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-exports", "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
            "--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
            "--add-exports", "java.sql/java.sql=ALL-UNNAMED",
            "--add-exports", "java.base/java.lang.ref=ALL-UNNAMED",
            "--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
            "--add-exports", "jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports", "jdk.attach/sun.tools.attach=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.base/java.io=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens", "jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/java.util=ALL-UNNAMED");

    private static CassandraServer shared;

    /** How to start a node. */
    public record Options(String name, boolean authentication, boolean tls, String heap, Duration startTimeout) {

        /** Password authentication and optional TLS on, 1 GiB heap, up to 3 minutes to start. */
        public static Options defaults() {
            return new Options("node", true, true, "1g", Duration.ofMinutes(3));
        }

        public Options name(String value) {
            return new Options(value, authentication, tls, heap, startTimeout);
        }

        public Options authentication(boolean value) {
            return new Options(name, value, tls, heap, startTimeout);
        }

        public Options tls(boolean value) {
            return new Options(name, authentication, value, heap, startTimeout);
        }

        public Options heap(String value) {
            return new Options(name, authentication, tls, value, startTimeout);
        }

        public Options startTimeout(Duration value) {
            return new Options(name, authentication, tls, heap, value);
        }
    }

    private final Options options;
    private final Path directory;
    private final ForkedJvm jvm;
    private final int nativePort;
    private final Path trustStore;
    private CqlSession session;

    private CassandraServer(Options options, Path directory, ForkedJvm jvm, int nativePort, Path trustStore) {
        this.options = options;
        this.directory = directory;
        this.jvm = jvm;
        this.nativePort = nativePort;
        this.trustStore = trustStore;
    }

    /** The node shared by all tests of this JVM, started on first use, stopped when the test session ends. */
    public static synchronized CassandraServer shared() {
        if (shared == null) {
            shared = SharedResources.register("Cassandra", start(Options.defaults().name("shared")),
                    SharedResources.Rank.SERVERS);
        }
        return shared;
    }

    /** Starts a node of its own; the caller closes it. */
    public static CassandraServer start(Options options) {
        long started = System.nanoTime();
        String classpath = ForkedJvm.buildResource(CLASSPATH_RESOURCE, "testkit-cassandra");
        Path directory = ForkedJvm.ownedDirectory(NODES_DIR, options.name() + "-", NODE_PID, "a Cassandra node");
        int nativePort = ForkedJvm.freePort();
        int storagePort = ForkedJvm.freePort();
        Path trustStore = null;
        Path yaml = directory.resolve("cassandra.yaml");
        try {
            Path keyStore = null;
            if (options.tls()) {
                keyStore = directory.resolve("node-keystore.p12");
                trustStore = directory.resolve("truststore.p12");
                writeStores(directory, keyStore, trustStore);
            }
            Files.writeString(yaml, yaml(directory, nativePort, storagePort, options, keyStore));
            Files.writeString(directory.resolve("logback.xml"), logback());
        } catch (IOException e) {
            ForkedJvm.deleteRecursively(directory);
            throw new UncheckedIOException("Cannot prepare a Cassandra node", e);
        }
        List<String> arguments = new ArrayList<>(List.of("-Xmx" + options.heap(), "-Xms256m", "-Xss512k",
                "-XX:+UseG1GC", "-XX:+ParallelRefProcEnabled", "-XX:MaxTenuringThreshold=1",
                "-Djdk.attach.allowAttachSelf=true", "-Dio.netty.tryReflectionSetAccessible=true"));
        arguments.addAll(JPMS_FLAGS);
        arguments.addAll(List.of(
                "-Dcassandra-foreground=yes",
                "-Dcassandra.config=" + yaml.toUri(),
                "-Dcassandra.storagedir=" + directory,
                "-Dcassandra.logdir=" + directory,
                "-Dlogback.configurationFile=" + directory.resolve("logback.xml"),
                "-Dcassandra.ring_delay_ms=0",
                "-Dcassandra.skip_wait_for_gossip_to_settle=0",
                "-Dcassandra.superuser_setup_delay_ms=0",
                "-Dcassandra.available_processors=2",
                "-cp", classpath,
                "org.apache.cassandra.service.CassandraDaemon"));
        ForkedJvm jvm = ForkedJvm.start("Cassandra", arguments, directory, directory.resolve("output.log"), false);
        CassandraServer server = new CassandraServer(options, directory, jvm, nativePort, trustStore);
        try {
            jvm.recordPid(directory.resolve(NODE_PID));
            jvm.awaitReady(options.startTimeout(), Duration.ofMillis(250), server::checkCql);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        LOG.info("Cassandra started in {} ms on 127.0.0.1:{} (pid {}, authentication {}, TLS {})",
                Duration.ofNanos(System.nanoTime() - started).toMillis(), nativePort, jvm.pid(),
                options.authentication() ? "on" : "off", options.tls() ? "optional" : "off");
        return server;
    }

    public String host() {
        return "127.0.0.1";
    }

    /** The CQL native transport port (plain and, when TLS is on, TLS connections). */
    public int port() {
        return nativePort;
    }

    /** {@code 127.0.0.1:port}, as a contact point. */
    public String contactPoint() {
        return host() + ":" + port();
    }

    public String dataCenter() {
        return DATA_CENTER;
    }

    public boolean authentication() {
        return options.authentication();
    }

    /** The superuser name, or null when authentication is off. */
    public String username() {
        return options.authentication() ? SUPERUSER : null;
    }

    /** The superuser password, or null when authentication is off. */
    public String password() {
        return options.authentication() ? SUPERUSER_PASSWORD : null;
    }

    /** A PKCS12 trust store holding the node's certificate, or empty when TLS is off. */
    public Optional<Path> trustStore() {
        return Optional.ofNullable(trustStore);
    }

    public String trustStorePassword() {
        return STORE_PASSWORD;
    }

    /** A session of the kit's own (superuser, plain connection), opened on first use and closed with the node. */
    public synchronized CqlSession session() {
        if (session == null || session.isClosed()) {
            session = newSession();
        }
        return session;
    }

    /** A new session (superuser, plain connection); the caller closes it. */
    public CqlSession newSession() {
        CqlSessionBuilder builder = CqlSession.builder()
                .addContactPoint(new InetSocketAddress(host(), nativePort))
                .withLocalDatacenter(DATA_CENTER)
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30))
                        .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(10))
                        .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, Duration.ofSeconds(30))
                        .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, Duration.ofSeconds(30))
                        .build());
        if (options.authentication()) {
            builder.withAuthCredentials(SUPERUSER, SUPERUSER_PASSWORD);
        }
        return builder.build();
    }

    /** Runs CQL statements in order with the kit's session; returns the last one's rows. */
    public List<Row> execute(String... cql) {
        ResultSet last = null;
        for (String statement : cql) {
            last = session().execute(statement);
        }
        return last == null ? List.of() : last.all();
    }

    /** Creates a keyspace (replication factor 1), dropping one of that name first, and returns its name. */
    public String createKeyspace(String name) {
        if (!IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException("keyspace name must be a lower-case CQL identifier: " + name);
        }
        execute("DROP KEYSPACE IF EXISTS " + name,
                "CREATE KEYSPACE " + name + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
        return name;
    }

    /** The last lines the node logged (startup problems, errors). */
    public String logTail(int lines) {
        return jvm.logTail(lines);
    }

    /** The process id of the node's JVM. */
    public long pid() {
        return jvm.pid();
    }

    /** Whether the node's JVM is running. */
    public boolean isRunning() {
        return jvm.isAlive();
    }

    @Override
    public synchronized void close() {
        if (session != null) {
            try {
                session.close();
            } catch (RuntimeException e) {
                LOG.debug("Closing the kit's session failed", e);
            }
        }
        jvm.stop(Duration.ofSeconds(30));
        ForkedJvm.deleteRecursively(directory);
    }

    /** Ready when the driver can connect and query: a closed port is not tried with the driver. */
    private void checkCql() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host(), nativePort), 500);
        } catch (IOException e) {
            throw new IOException("port closed", e);
        }
        try (CqlSession probe = newSession()) {
            probe.execute("SELECT release_version FROM system.local");
        }
    }

    private static String yaml(Path dir, int nativePort, int storagePort, Options options, Path keyStore) {
        StringBuilder yaml = new StringBuilder();
        yaml.append("cluster_name: cdcconnect-test\n")
                .append("num_tokens: 1\n")
                .append("partitioner: org.apache.cassandra.dht.Murmur3Partitioner\n")
                .append("endpoint_snitch: SimpleSnitch\n")
                .append("listen_address: 127.0.0.1\n")
                .append("rpc_address: 127.0.0.1\n")
                .append("storage_port: ").append(storagePort).append('\n')
                .append("native_transport_port: ").append(nativePort).append('\n')
                .append("start_native_transport: true\n")
                .append("seed_provider:\n")
                .append("  - class_name: org.apache.cassandra.locator.SimpleSeedProvider\n")
                .append("    parameters:\n")
                .append("      - seeds: \"127.0.0.1:").append(storagePort).append("\"\n")
                .append("data_file_directories:\n  - ").append(dir.resolve("data")).append('\n')
                .append("commitlog_directory: ").append(dir.resolve("commitlog")).append('\n')
                .append("saved_caches_directory: ").append(dir.resolve("saved_caches")).append('\n')
                .append("hints_directory: ").append(dir.resolve("hints")).append('\n')
                .append("cdc_raw_directory: ").append(dir.resolve("cdc_raw")).append('\n')
                .append("commitlog_sync: periodic\n")
                .append("commitlog_sync_period: 10000ms\n")
                .append("concurrent_compactors: 1\n")
                .append("auto_snapshot: false\n")
                .append("snapshot_before_compaction: false\n")
                .append("dynamic_snitch: false\n")
                .append("authenticator: ").append(options.authentication() ? "PasswordAuthenticator" : "AllowAllAuthenticator")
                .append('\n')
                .append("authorizer: AllowAllAuthorizer\n");
        if (keyStore != null) {
            yaml.append("client_encryption_options:\n")
                    .append("  enabled: true\n")
                    .append("  optional: true\n")
                    .append("  keystore: ").append(keyStore).append('\n')
                    .append("  keystore_password: ").append(STORE_PASSWORD).append('\n')
                    .append("  store_type: PKCS12\n")
                    .append("  require_client_auth: false\n");
        }
        return yaml.toString();
    }

    // Cassandra logs through logback; to standard output, which the kit sends to output.log.
    private static String logback() {
        return """
                <configuration>
                  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n</pattern></encoder>
                  </appender>
                  <root level="INFO"><appender-ref ref="OUT"/></root>
                </configuration>
                """;
    }

    /** A key pair and self-signed certificate for 127.0.0.1 (the node's), and a trust store holding the certificate. */
    private static void writeStores(Path dir, Path keyStore, Path trustStore) throws IOException {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Path certificate = dir.resolve("node.crt");
        run(dir, keytool, "-genkeypair", "-alias", "node", "-keyalg", "RSA", "-keysize", "2048", "-validity", "3650",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-keystore", keyStore.toString(),
                "-storetype", "PKCS12", "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
        run(dir, keytool, "-exportcert", "-alias", "node", "-keystore", keyStore.toString(), "-storepass",
                STORE_PASSWORD, "-file", certificate.toString());
        run(dir, keytool, "-importcert", "-noprompt", "-alias", "node", "-file", certificate.toString(),
                "-keystore", trustStore.toString(), "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);
    }

    private static void run(Path dir, String... command) throws IOException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", command[0], command[1]) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
