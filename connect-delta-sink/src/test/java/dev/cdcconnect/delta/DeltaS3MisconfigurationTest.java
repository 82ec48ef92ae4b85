package dev.cdcconnect.delta;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cdcconnect.testkit.logging.LogCapture;
import dev.cdcconnect.testkit.s3.S3Server;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.junit.jupiter.api.Test;

/**
 * Storage the sink cannot use (wrong credentials, a bucket that does not exist, https against a plain http server,
 * an address nobody listens on): the task does not retry for ever in silence. Within {@code retry.timeout.ms} it
 * fails with a message that names what to check, and never with the secret key in it.
 */
class DeltaS3MisconfigurationTest {

    static final Duration WINDOW = Duration.ofSeconds(3);

    final DeltaSinkS3Test base = new DeltaSinkS3Test();

    /**
     * A bucket of this test's own: Hadoop keeps one file system per bucket and JVM, with the endpoint and credentials
     * of the first task that used it, so each misconfiguration needs a bucket no other test has used.
     */
    final String bucket = base.s3.createBucket("misconf-" + java.util.UUID.randomUUID().toString().substring(0, 8));
    final String root = "s3a://" + bucket + "/lake";

    Map<String, String> props(String... extra) {
        Map<String, String> props = base.props(DeltaSinkConfig.TABLE_ROOT, root,DeltaSinkConfig.RETRY_MAX_ATTEMPTS, "1",
                DeltaSinkConfig.RETRY_BACKOFF_MS, "50", DeltaSinkConfig.RETRY_BACKOFF_MAX_MS, "100",
                DeltaSinkConfig.RETRY_TIMEOUT_MS, Long.toString(WINDOW.toMillis()),
                DeltaSinkConfig.COMMIT_INTERVAL_MS, "100");
        for (int i = 0; i < extra.length; i += 2) {
            props.put(extra[i], extra[i + 1]);
        }
        return props;
    }

    /**
     * Puts records as Connect does, again after each retriable error, until the task fails; returns the failure's
     * text with its causes, after checking it came after the window and well within twice it.
     */
    String failure(Map<String, String> props) throws InterruptedException {
        try (LogCapture log = LogCapture.start()) {
            String message = failureOf(props);
            assertThat(log.text()).as("the log").isNotEmpty().doesNotContain(S3Server.SECRET_KEY)
                    .doesNotContain(props.get(DeltaSinkConfig.S3_SECRET_KEY));
            return message;
        }
    }

    private String failureOf(Map<String, String> props) throws InterruptedException {
        DeltaSinkTask task = base.start(props);
        long started = System.nanoTime();
        Throwable failure = null;
        while (failure == null && System.nanoTime() - started < WINDOW.multipliedBy(2).plusSeconds(60).toNanos()) {
            try {
                task.put(base.inserts(0, 10));
                Thread.sleep(150);
                task.put(List.of());
            } catch (RetriableException e) {
                Thread.sleep(100);
            } catch (ConnectException e) {
                failure = e;
            }
        }
        Duration after = Duration.ofNanos(System.nanoTime() - started);
        assertThat(failure).as("failure of the task").isNotNull();
        String text = stackText(failure);
        System.out.printf("failed after %d ms: %s%n", after.toMillis(), failure.getMessage());
        assertThat(after).as("time to fail").isLessThan(WINDOW.multipliedBy(2).plusSeconds(60));
        assertThat(text).doesNotContain(S3Server.SECRET_KEY)
                .doesNotContain(props.get(DeltaSinkConfig.S3_SECRET_KEY));
        task.stop();
        return failure.getMessage();
    }

    @Test
    void aWrongSecretKeyFailsTheTaskNamingTheCredentials() throws Exception {
        assertThat(failure(props(DeltaSinkConfig.S3_SECRET_KEY, "not-" + S3Server.SECRET_KEY)))
                .contains(root)
                .contains("s3.access.key").contains("s3.secret.key");
    }

    @Test
    void aWrongAccessKeyFailsTheTaskNamingTheCredentials() throws Exception {
        assertThat(failure(props(DeltaSinkConfig.S3_ACCESS_KEY, "nobody")))
                .contains("s3.access.key").contains("s3.secret.key");
    }

    @Test
    void aMissingBucketFailsTheTaskNamingTheBucket() throws Exception {
        assertThat(failure(props(DeltaSinkConfig.TABLE_ROOT, "s3a://no-" + bucket + "/lake")))
                .contains("no-" + bucket).contains("delta.table.root");
    }

    @Test
    void anHttpsEndpointForAPlainHttpServerFailsTheTaskNamingTheTlsMismatch() throws Exception {
        String https = base.s3.endpoint().replace("http:", "https:");
        assertThat(failure(props(DeltaSinkConfig.S3_ENDPOINT, https)))
                .contains("TLS").contains(https).contains("s3.endpoint");
    }

    @Test
    void anEndpointNobodyListensOnFailsTheTaskNamingIt() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String endpoint = "http://127.0.0.1:" + port;
        assertThat(failure(props(DeltaSinkConfig.S3_ENDPOINT, endpoint)))
                .contains(endpoint).contains("s3.endpoint").contains("unreachable");
    }

    private static String stackText(Throwable e) {
        StringWriter out = new StringWriter();
        e.printStackTrace(new PrintWriter(out));
        return out.toString();
    }
}
