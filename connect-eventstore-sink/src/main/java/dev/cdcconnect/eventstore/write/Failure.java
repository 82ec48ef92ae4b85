package dev.cdcconnect.eventstore.write;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kurrent.dbclient.ConnectionShutdownException;
import io.kurrent.dbclient.NotLeaderException;
import io.kurrent.dbclient.RecordSizeExceededException;
import io.kurrent.dbclient.StreamDeletedException;
import io.kurrent.dbclient.StreamTombstonedException;
import io.kurrent.dbclient.TransactionMaxSizeExceededException;
import io.kurrent.dbclient.WrongExpectedVersionException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** What a failed EventStoreDB call means for the records it carried. */
enum Failure {
    /** The server could not be used for now (unavailable, busy, not the leader, deadline passed): retry later. */
    TRANSIENT,
    /**
     * The client gave up on the server after failed discovery, or left a call unanswered: it must be replaced, then
     * the call retried.
     */
    CLIENT_SHUT_DOWN,
    /** The stream's revision is not the one expected. */
    WRONG_EXPECTED_VERSION,
    /** The stream was deleted for good (tombstoned). */
    STREAM_DELETED,
    /** An event or the append was over the server's size limit. */
    TOO_BIG,
    /** The server refused the content (for instance an invalid event): the same records will always fail. */
    INVALID,
    /** The server does not offer the operation (multi-stream append before 25.1). */
    UNSUPPORTED,
    /** Anything else (no permission, unexpected errors): the task cannot go on. */
    FATAL;

    private static final Metadata.Key<String> EXCEPTION = Metadata.Key.of("exception", Metadata.ASCII_STRING_MARSHALLER);

    static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        // The client wraps failures it does not know in a RuntimeException around the original one.
        if (e.getClass() == RuntimeException.class && e.getCause() != null
                && !(e.getCause() instanceof RuntimeException && e.getCause().getClass() == RuntimeException.class)) {
            return unwrap(e.getCause());
        }
        return e;
    }

    static Failure classify(Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof ConnectionShutdownException || e instanceof UnansweredCallException) {
            return CLIENT_SHUT_DOWN;
        }
        if (e instanceof NotLeaderException || e instanceof TimeoutException
                || e instanceof ServerUnreachableException) {
            return TRANSIENT;
        }
        if (e instanceof WrongExpectedVersionException) {
            return WRONG_EXPECTED_VERSION;
        }
        if (e instanceof StreamDeletedException || e instanceof StreamTombstonedException) {
            return STREAM_DELETED;
        }
        if (e instanceof RecordSizeExceededException || e instanceof TransactionMaxSizeExceededException) {
            return TOO_BIG;
        }
        if (e instanceof UnsupportedOperationException) {
            return UNSUPPORTED;
        }
        if (e instanceof StatusRuntimeException status) {
            return classify(status.getStatus(), status.getTrailers());
        }
        return FATAL;
    }

    private static Failure classify(Status status, Metadata trailers) {
        // Calls the client does not translate (reads, deletes) carry the server's reason in a trailer.
        String exception = trailers == null ? null : trailers.get(EXCEPTION);
        if ("stream-deleted".equals(exception)) {
            return STREAM_DELETED;
        }
        if ("wrong-expected-version".equals(exception)) {
            return WRONG_EXPECTED_VERSION;
        }
        if ("not-leader".equals(exception)) {
            return TRANSIENT;
        }
        return switch (status.getCode()) {
            case UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED, RESOURCE_EXHAUSTED, CANCELLED -> TRANSIENT;
            case INVALID_ARGUMENT -> exception != null && exception.startsWith("maximum-append") ? TOO_BIG : INVALID;
            case UNKNOWN, OUT_OF_RANGE, NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION -> INVALID;
            default -> FATAL;
        };
    }

    /** A short description of the failure for logs and error messages. */
    static String describe(Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof WrongExpectedVersionException wev) {
            return "wrong expected version on stream '" + wev.getStreamName() + "': expected "
                    + StreamPosition.describe(wev.getExpectedState()) + ", actual "
                    + StreamPosition.describe(wev.getActualState());
        }
        if (e instanceof StreamDeletedException deleted) {
            return "stream '" + deleted.getStreamName() + "' is deleted";
        }
        if (e instanceof StreamTombstonedException tombstoned) {
            return "stream '" + tombstoned.getStreamName() + "' is deleted";
        }
        if (e instanceof ConnectionShutdownException) {
            return "the EventStoreDB client shut down after it could not reach the server";
        }
        if (e instanceof NotLeaderException) {
            return "the node is not the leader";
        }
        if (e instanceof ServerUnreachableException) {
            return e.getMessage();
        }
        if (e instanceof StatusRuntimeException status) {
            if (status.getStatus().getCode() == Status.Code.UNAUTHENTICATED) {
                return "authentication refused (" + status.getStatus() + "): check eventstore.username and "
                        + "eventstore.password";
            }
            if (status.getStatus().getCode() == Status.Code.PERMISSION_DENIED) {
                return "access denied (" + status.getStatus() + "): the user of eventstore.username may not do this; "
                        + "check its rights on the server";
            }
        }
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
