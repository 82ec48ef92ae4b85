package dev.cdcconnect.testkit.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

class CassandraServerTest {

    private final CassandraServer cassandra = CassandraServer.shared();

    @Test
    void runsInAJvmOfItsOwnAndAnswersCql() {
        List<Row> rows = cassandra.execute("SELECT release_version, data_center FROM system.local");

        assertThat(rows.get(0).getString("release_version")).startsWith("5.0");
        assertThat(rows.get(0).getString("data_center")).isEqualTo(CassandraServer.DATA_CENTER);
        assertThat(cassandra.isRunning()).isTrue();
        assertThat(cassandra.pid()).isNotEqualTo(ProcessHandle.current().pid());
        assertThat(ProcessHandle.of(cassandra.pid()).orElseThrow().info().commandLine().orElseThrow())
                .contains("-Dcassandra-foreground=yes", "-Dcassandra.config=");
    }

    @Test
    void writesAndReadsRowsInAFreshKeyspace() {
        String ks = cassandra.createKeyspace("kit_rows");
        cassandra.execute("CREATE TABLE " + ks + ".t (id int PRIMARY KEY, name text)",
                "INSERT INTO " + ks + ".t (id, name) VALUES (1, 'one')");

        assertThat(cassandra.execute("SELECT name FROM " + ks + ".t WHERE id = 1").get(0).getString("name"))
                .isEqualTo("one");
    }

    @Test
    void refusesConnectionsWithoutCredentials() {
        assertThatThrownBy(() -> CqlSession.builder()
                .addContactPoint(new InetSocketAddress(cassandra.host(), cassandra.port()))
                .withLocalDatacenter(cassandra.dataCenter()).build().close())
                .isInstanceOf(AllNodesFailedException.class)
                .hasMessageContaining("Authentication error");
    }

    @Test
    void acceptsTlsConnectionsTrustingTheKitsTrustStore() throws Exception {
        Path trustStore = cassandra.trustStore().orElseThrow();
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(trustStore)) {
            store.load(in, cassandra.trustStorePassword().toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, trust.getTrustManagers(), null);

        try (CqlSession session = CqlSession.builder()
                .addContactPoint(new InetSocketAddress(cassandra.host(), cassandra.port()))
                .withLocalDatacenter(cassandra.dataCenter())
                .withAuthCredentials(cassandra.username(), cassandra.password())
                .withSslContext(ssl).build()) {
            assertThat(session.execute("SELECT cluster_name FROM system.local").one().getString(0))
                    .isEqualTo("cdcconnect-test");
        }
    }
}
