package dev.cdcconnect.cassandra.session;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.ssl.ProgrammaticSslEngineFactory;
import dev.cdcconnect.cassandra.CassandraSinkConfig;
import dev.cdcconnect.support.config.ConfigProblem;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Opens driver sessions as the sink's settings say: contact points, local data center, credentials, TLS. */
public final class Sessions {

    /**
     * The execution profile of the writer's batches. Cassandra answers a batch over its warn thresholds (5 KiB, or
     * more than 10 partitions in an unlogged batch) with a warning the driver would log for every request; the
     * batches are sized on purpose (write.batch.*), below the thresholds that make Cassandra reject them.
     */
    public static final String BATCH_PROFILE = "cdcconnect-batches";

    private Sessions() {
    }

    /**
     * Opens a session and checks that the local data center is one of the cluster's.
     *
     * @throws ConfigProblem naming the setting at fault when the cluster cannot be reached or refuses the
     *                         session (wrong credentials, TLS trust, data center)
     */
    public static CqlSession open(CassandraSinkConfig config) {
        // The driver loads its reference configuration through a class loader: the plugin's, not the worker's.
        ClassLoader loader = Sessions.class.getClassLoader();
        DriverConfigLoader driverConfig = DriverConfigLoader.programmaticBuilder(loader)
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, config.requestTimeout())
                .withString(DefaultDriverOption.REQUEST_CONSISTENCY, config.consistencyLevel().name())
                .withBoolean(DefaultDriverOption.REQUEST_DEFAULT_IDEMPOTENCE, true)
                .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(10))
                .withDuration(DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, Duration.ofSeconds(10))
                .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, Duration.ofSeconds(30))
                .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, Duration.ofSeconds(30))
                .startProfile(BATCH_PROFILE)
                .withBoolean(DefaultDriverOption.REQUEST_LOG_WARNINGS, false)
                .endProfile()
                .build();
        CqlSessionBuilder builder = CqlSession.builder()
                .withClassLoader(loader)
                .withConfigLoader(driverConfig)
                .withLocalDatacenter(config.localDatacenter());
        for (String point : config.contactPoints()) {
            int colon = point.lastIndexOf(':');
            String host = colon < 0 ? point : point.substring(0, colon);
            int port = colon < 0 ? config.port() : Integer.parseInt(point.substring(colon + 1));
            builder.addContactPoint(new InetSocketAddress(host, port));
        }
        if (!config.username().isEmpty()) {
            builder.withAuthCredentials(config.username(), config.password().value());
        }
        if (config.sslEnabled()) {
            builder.withSslEngineFactory(new ProgrammaticSslEngineFactory(sslContext(config), null,
                    config.hostnameValidation()));
        }
        CqlSession session;
        try {
            session = builder.build();
        } catch (RuntimeException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            String key = message.contains("Authentication") ? CassandraSinkConfig.USERNAME
                    : message.contains("SSL") || message.contains("certificat") || message.contains("handshake")
                    ? CassandraSinkConfig.SSL_TRUSTSTORE_PATH : CassandraSinkConfig.CONTACT_POINTS;
            throw new ConfigProblem(key, key.equals(CassandraSinkConfig.CONTACT_POINTS)
                    ? String.join(",", config.contactPoints()) : "[see message]",
                    "cannot open a session with Cassandra: " + message);
        }
        Set<String> dataCenters = new TreeSet<>();
        for (Node node : session.getMetadata().getNodes().values()) {
            if (node.getDatacenter() != null) {
                dataCenters.add(node.getDatacenter());
            }
        }
        if (!dataCenters.contains(config.localDatacenter())) {
            session.close();
            throw new ConfigProblem(CassandraSinkConfig.LOCAL_DATACENTER, config.localDatacenter(),
                    "is not a data center of the cluster; its data centers are " + dataCenters);
        }
        return session;
    }

    private static SSLContext sslContext(CassandraSinkConfig config) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            if (config.trustStorePath().isEmpty()) {
                context.init(null, null, null);
                return context;
            }
            KeyStore store = KeyStore.getInstance(config.trustStoreType());
            try (InputStream in = Files.newInputStream(Path.of(config.trustStorePath()))) {
                store.load(in, config.trustStorePassword().value().toCharArray());
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigProblem(CassandraSinkConfig.SSL_TRUSTSTORE_PATH, config.trustStorePath(),
                    "cannot read the trust store (" + config.trustStoreType() + "): " + e.getMessage());
        }
    }
}
