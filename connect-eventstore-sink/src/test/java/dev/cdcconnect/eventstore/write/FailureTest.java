package dev.cdcconnect.eventstore.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import io.grpc.Status;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class FailureTest {

    private static Metadata trailer(String exception) {
        Metadata metadata = new Metadata();
        metadata.put(Metadata.Key.of("exception", Metadata.ASCII_STRING_MARSHALLER), exception);
        return metadata;
    }

    @Test
    void grpcStatusesAreClassifiedByWhatRetryingCanChange() {
        assertThat(Failure.classify(new CompletionException(Status.UNAVAILABLE.asRuntimeException())))
                .isEqualTo(Failure.TRANSIENT);
        assertThat(Failure.classify(Status.DEADLINE_EXCEEDED.asRuntimeException())).isEqualTo(Failure.TRANSIENT);
        assertThat(Failure.classify(Status.ABORTED.withDescription("Operation timed out").asRuntimeException()))
                .isEqualTo(Failure.TRANSIENT);
        assertThat(Failure.classify(Status.INVALID_ARGUMENT.asRuntimeException(
                trailer("maximum-append-event-size-exceeded")))).isEqualTo(Failure.TOO_BIG);
        assertThat(Failure.classify(Status.INVALID_ARGUMENT.asRuntimeException())).isEqualTo(Failure.INVALID);
        assertThat(Failure.classify(Status.FAILED_PRECONDITION.asRuntimeException(trailer("stream-deleted"))))
                .isEqualTo(Failure.STREAM_DELETED);
        assertThat(Failure.classify(Status.NOT_FOUND.asRuntimeException(trailer("not-leader"))))
                .isEqualTo(Failure.TRANSIENT);
        assertThat(Failure.classify(Status.PERMISSION_DENIED.asRuntimeException())).isEqualTo(Failure.FATAL);
        assertThat(Failure.classify(new UnsupportedOperationException("no multi-stream append")))
                .isEqualTo(Failure.UNSUPPORTED);
    }

    @Test
    void aCallLeftUnansweredReplacesTheClientLikeAShutDownOne() {
        UnansweredCallException unanswered = new UnansweredCallException("an append to stream 'customers-1'",
                java.time.Duration.ofSeconds(21));

        assertThat(Failure.classify(new CompletionException(unanswered))).isEqualTo(Failure.CLIENT_SHUT_DOWN);
        assertThat(Failure.describe(unanswered))
                .isEqualTo("UnansweredCallException: an append to stream 'customers-1' got no answer within 21000 ms");
    }

    @Test
    void refusedCredentialsFailAtOnceSayingWhatToCheck() {
        assertThat(Failure.classify(Status.UNAUTHENTICATED.asRuntimeException())).isEqualTo(Failure.FATAL);
        assertThat(Failure.describe(new CompletionException(Status.UNAUTHENTICATED.withDescription("Bad credentials")
                .asRuntimeException()))).startsWith("authentication refused")
                .contains("eventstore.username and eventstore.password");
        assertThat(Failure.describe(Status.PERMISSION_DENIED.asRuntimeException())).startsWith("access denied");
        assertThat(Failure.classify(new ServerUnreachableException("TLS mismatch"))).isEqualTo(Failure.TRANSIENT);
    }
}
