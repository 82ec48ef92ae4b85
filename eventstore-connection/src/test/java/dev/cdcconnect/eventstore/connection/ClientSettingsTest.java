package dev.cdcconnect.eventstore.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kurrent.dbclient.KurrentDBClientSettings;
import io.kurrent.dbclient.NodePreference;
import io.kurrent.dbclient.UserCredentials;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClientSettingsTest {

    @Test
    void whatTheConnectionStringSaysIsKept() {
        KurrentDBClientSettings settings = ClientSettings.of("kurrentdb://node1:2113,node2:2114?tls=true&tlsVerifyCert=false"
                + "&nodePreference=follower&keepAliveInterval=5000&keepAliveTimeout=7000&maxDiscoverAttempts=3"
                + "&discoveryInterval=250&gossipTimeout=900&tlsCaFile=/etc/ca.pem&userCertFile=/etc/c.pem"
                + "&userKeyFile=/etc/c.key", Optional.empty(), Optional.empty(), Optional.empty(), Duration.ofSeconds(7));

        assertThat(settings.getHosts()).extracting(h -> h.getHost() + ":" + h.getPort())
                .containsExactly("node1:2113", "node2:2114");
        assertThat(settings.isTls()).isTrue();
        assertThat(settings.isTlsVerifyCert()).isFalse();
        assertThat(settings.getNodePreference()).isEqualTo(NodePreference.FOLLOWER);
        assertThat(settings.getKeepAliveInterval()).isEqualTo(5000);
        assertThat(settings.getKeepAliveTimeout()).isEqualTo(7000);
        assertThat(settings.getMaxDiscoverAttempts()).isEqualTo(3);
        assertThat(settings.getDiscoveryInterval()).isEqualTo(250);
        assertThat(settings.getGossipTimeout()).isEqualTo(900);
        assertThat(settings.getTlsCaFile()).isEqualTo("/etc/ca.pem");
        assertThat(settings.getDefaultClientCertificate()).isNotNull();
        assertThat(settings.getDefaultClientCertificate().getCertFile()).isEqualTo("/etc/c.pem");
        assertThat(settings.getDefaultDeadline()).isEqualTo(7_000L);
        assertThat(settings.getDefaultCredentials()).isNull();
    }

    @Test
    void credentialsAndCaFileGivenBesideTheConnectionStringAreUsed() throws Exception {
        String password = "p/a?s@s:w%rd";
        KurrentDBClientSettings settings = ClientSettings.of("kurrentdb://node1:2113?tlsCaFile=/etc/ca.pem",
                Optional.of("admin"), Optional.of(password), Optional.of("/etc/other-ca.pem"), Duration.ofSeconds(10));

        assertThat(basicAuthHeader(settings.getDefaultCredentials())).isEqualTo("Basic "
                + Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8)));
        assertThat(settings.getTlsCaFile()).isEqualTo("/etc/other-ca.pem");
    }

    /** What the client sends with every call (the client keeps it package-private). */
    private static String basicAuthHeader(UserCredentials credentials) throws ReflectiveOperationException {
        Method header = UserCredentials.class.getDeclaredMethod("basicAuthHeader");
        header.setAccessible(true);
        return (String) header.invoke(credentials);
    }

    @Test
    void blankCredentialsAndCaFileCountAsNotGiven() {
        KurrentDBClientSettings settings = ClientSettings.of("kurrentdb://node1:2113?tls=false", Optional.of(" "),
                Optional.of("secret"), Optional.of(""), Duration.ofSeconds(10));

        assertThat(settings.getDefaultCredentials()).isNull();
        assertThat(settings.getTlsCaFile()).isNull();
        assertThat(settings.isTls()).isFalse();
    }

    @Test
    void aBadConnectionStringFailsWithTheClientsReason() {
        assertThatThrownBy(() -> ClientSettings.of("http://node1:2113", Optional.empty(), Optional.empty(),
                Optional.empty(), Duration.ofSeconds(10))).hasMessageContaining("http");
    }
}
