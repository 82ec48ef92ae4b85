package dev.cdcconnect.eventstore.connection;

import io.kurrent.dbclient.ConnectionSettingsBuilder;
import io.kurrent.dbclient.KurrentDBClientSettings;
import io.kurrent.dbclient.KurrentDBConnectionString;
import java.time.Duration;
import java.util.Optional;

/**
 * The client settings for a server given by connection string, with the credentials and CA file given beside it
 * (in settings of their own, so that a password never has to be written, escaped, into a URL) and a deadline for
 * every call. Everything else the connection string says (hosts, discovery, node preference, TLS, keep-alive, a
 * client certificate, features) is kept; credentials written into it (user:password@) are not used.
 */
public final class ClientSettings {

    private ClientSettings() {
    }

    /**
     * @param username empty for none
     * @param password used with {@code username}; empty is the empty password
     * @param caFile empty to keep the connection string's {@code tlsCaFile}, if any
     * @throws RuntimeException the client's own parse error, naming what is wrong, for a bad connection string
     */
    public static KurrentDBClientSettings of(String connectionString, Optional<String> username,
                                             Optional<String> password, Optional<String> caFile, Duration deadline) {
        KurrentDBClientSettings parsed = KurrentDBConnectionString.parseOrThrow(connectionString);
        ConnectionSettingsBuilder builder = KurrentDBClientSettings.builder()
                .dnsDiscover(parsed.isDnsDiscover())
                .maxDiscoverAttempts(parsed.getMaxDiscoverAttempts())
                .discoveryInterval(parsed.getDiscoveryInterval())
                .gossipTimeout(parsed.getGossipTimeout())
                .nodePreference(parsed.getNodePreference())
                .tls(parsed.isTls())
                .tlsVerifyCert(parsed.isTlsVerifyCert())
                .keepAliveTimeout(parsed.getKeepAliveTimeout())
                .keepAliveInterval(parsed.getKeepAliveInterval())
                .defaultDeadline(deadline.toMillis());
        for (var host : parsed.getHosts()) {
            builder.addHost(host.getHost(), host.getPort());
        }
        if (parsed.getDefaultClientCertificate() != null) {
            builder.defaultClientCertificate(parsed.getDefaultClientCertificate());
        }
        parsed.getFeatures().forEach(builder::feature);
        Optional<String> ca = caFile.filter(file -> !file.isBlank());
        if (ca.isPresent()) {
            builder.tlsCaFile(ca.get());
        } else if (parsed.getTlsCaFile() != null) {
            builder.tlsCaFile(parsed.getTlsCaFile());
        }
        username.filter(name -> !name.isBlank())
                .ifPresent(name -> builder.defaultCredentials(name, password.orElse("")));
        return builder.buildConnectionSettings();
    }
}
