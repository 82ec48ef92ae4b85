package dev.cdcconnect.eventstore.write;

import io.kurrent.dbclient.KurrentDBClientSettings;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Tells what keeps the sink from reaching EventStoreDB, where the client does not: once it gives up on a node it
 * answers every call with a bare "connection is closed", whatever the reason. Opens a TCP connection to each node of
 * the connection string and tries a TLS handshake, so it can name a host or port that refuses connections or does
 * not answer, and a TLS mismatch (the connection string asks for TLS, on by default, and the node runs without it,
 * or the reverse).
 */
public final class ConnectionCheck {

    private ConnectionCheck() {
    }

    /**
     * What is wrong with reaching the nodes, with what to check, or empty when every node accepts a connection
     * that speaks TLS as the connection string says (the problem is then beyond the connection: the last error
     * tells it).
     */
    public static Optional<String> diagnose(KurrentDBClientSettings settings, Duration timeout) {
        for (var host : settings.getHosts()) {
            Optional<String> problem = diagnose(host.getHost(), host.getPort(), settings.isTls(), timeout);
            if (problem.isPresent()) {
                return problem;
            }
        }
        return Optional.empty();
    }

    static Optional<String> diagnose(String host, int port, boolean tls, Duration timeout) {
        String node = host + ":" + port;
        int millis = (int) Math.max(1, timeout.toMillis());
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), millis);
        } catch (UnknownHostException e) {
            return Optional.of("host unreachable: the host '" + host + "' is unknown; check the host in "
                    + "eventstore.connection.string");
        } catch (ConnectException | NoRouteToHostException e) {
            return Optional.of("host/port unreachable: " + node + " refuses connections (" + e.getMessage()
                    + "); check that EventStoreDB runs there and the host and port in eventstore.connection.string "
                    + "(2113 by default)");
        } catch (SocketTimeoutException e) {
            return Optional.of("host/port unreachable: " + node + " did not accept a connection within " + millis
                    + " ms; check the host and port in eventstore.connection.string and any firewall between");
        } catch (IOException e) {
            return Optional.of("host/port unreachable: cannot connect to " + node + " (" + e + ")");
        }
        boolean speaksTls;
        try {
            speaksTls = speaksTls(host, port, millis);
        } catch (IOException | GeneralSecurityException e) {
            return Optional.empty();
        }
        if (tls && !speaksTls) {
            return Optional.of("TLS mismatch: the connection string asks for TLS (on unless it says ?tls=false) but "
                    + node + " does not speak TLS; if the node runs insecure, add ?tls=false to "
                    + "eventstore.connection.string, else check the node's certificate settings");
        }
        if (!tls && speaksTls) {
            return Optional.of("TLS mismatch: the connection string says tls=false but " + node + " speaks TLS; "
                    + "remove tls=false from eventstore.connection.string (and set eventstore.tls.ca.file if the "
                    + "JVM does not trust the node's certificate)");
        }
        return Optional.empty();
    }

    /** Whether the node completes a TLS handshake, whatever its certificate: only the protocol matters here. */
    private static boolean speaksTls(String host, int port, int millis) throws IOException, GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new AnyCertificate()}, null);
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(host, port), millis);
            plain.setSoTimeout(millis);
            try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, false)) {
                socket.setUseClientMode(true);
                socket.startHandshake();
                return true;
            } catch (IOException e) {
                // Not a TLS answer (an HTTP/2 frame, a reset, silence): the node speaks plain text.
                return false;
            }
        }
    }

    /** Accepts any certificate: the check only asks whether the node speaks TLS, it sends nothing. */
    private static final class AnyCertificate implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
