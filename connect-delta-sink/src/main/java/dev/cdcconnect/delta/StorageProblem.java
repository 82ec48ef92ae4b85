package dev.cdcconnect.delta;

import java.util.Locale;

/** What a storage failure most likely means for the sink's settings, and what to check: for the task's error. */
final class StorageProblem {

    private StorageProblem() {
    }

    /** A sentence naming the likely problem and the settings to check, from the failure's causes. */
    static String whatToCheck(Throwable failure, DeltaSinkConfig config) {
        String endpoint = config.s3Endpoint().isEmpty() ? "the default AWS endpoint" : config.s3Endpoint();
        boolean s3 = config.tableRoot().startsWith("s3a://");
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String name = t.getClass().getName();
            String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (t instanceof javax.net.ssl.SSLException || message.contains("unrecognized ssl message")
                    || message.contains("plaintext connection")) {
                return "TLS mismatch with " + endpoint + ": the endpoint is https but the server speaks plain "
                        + "http, or its certificate is not trusted; check s3.endpoint (http:// or https://)";
            }
            if (name.endsWith("UnknownStoreException") || message.contains("nosuchbucket")
                    || message.contains("bucket does not exist")) {
                return "the bucket of " + config.tableRoot() + " does not exist at " + endpoint
                        + "; check the bucket in delta.table.root, and s3.endpoint";
            }
            if (t instanceof java.nio.file.AccessDeniedException || message.contains("invalidaccesskeyid")
                    || message.contains("signaturedoesnotmatch") || message.contains("access denied")
                    || message.contains("status code: 403") || message.contains("forbidden")) {
                return "the storage at " + endpoint + " refuses the credentials; check s3.access.key and "
                        + "s3.secret.key, and that they may read and write " + config.tableRoot();
            }
            if (t instanceof java.net.ConnectException || t instanceof java.net.UnknownHostException
                    || t instanceof java.net.NoRouteToHostException || t instanceof java.net.SocketTimeoutException
                    || name.endsWith("ConnectTimeoutException") || message.contains("connection refused")
                    || message.contains("unable to execute http request")) {
                return s3 ? "the storage is unreachable at " + endpoint + "; check s3.endpoint (host and port) "
                        + "and that the server is running"
                        : "the storage of " + config.tableRoot() + " is unreachable; check delta.table.root";
            }
        }
        return "check that the storage of " + config.tableRoot() + " is available"
                + (s3 ? " at " + endpoint + " (s3.endpoint) with the configured credentials" : "");
    }
}
