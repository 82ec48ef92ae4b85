package dev.cdcconnect.standin.eventstore;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.kurrentdb.protocol.v2.common.errors.NotLeaderNodeErrorDetails;
import io.kurrentdb.protocol.v2.streams.errors.AppendRecordSizeExceededErrorDetails;
import io.kurrentdb.protocol.v2.streams.errors.AppendTransactionSizeExceededErrorDetails;
import io.kurrentdb.protocol.v2.streams.errors.StreamAlreadyInAppendSessionErrorDetails;
import io.kurrentdb.protocol.v2.streams.errors.StreamRevisionConflictErrorDetails;
import io.kurrentdb.protocol.v2.streams.errors.StreamTombstonedErrorDetails;
import java.util.UUID;

/**
 * The gRPC errors KurrentDB sends, with its status codes, messages and trailers: the v1 API's
 * ({@code RpcExceptions}: an {@code exception} trailer naming the case plus detail trailers) and the v2 API's
 * (a {@code google.rpc.Status} with an {@code ErrorInfo} and typed details).
 */
final class Errors {
    private Errors() {
    }

    private static Metadata.Key<String> key(String name) {
        return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
    }

    private static StatusRuntimeException v1(Status status, String... trailers) {
        var metadata = new Metadata();
        for (int i = 0; i < trailers.length; i += 2) {
            metadata.put(key(trailers[i]), trailers[i + 1]);
        }
        return status.asRuntimeException(metadata);
    }

    static StatusRuntimeException serverNotReady() {
        return Status.UNAVAILABLE.withDescription("Server Is Not Ready").asRuntimeException();
    }

    static StatusRuntimeException serverBusy() {
        return Status.UNAVAILABLE.withDescription("Server Is Too Busy").asRuntimeException();
    }

    static StatusRuntimeException notLeader(String host, int port) {
        return v1(Status.NOT_FOUND.withDescription("Leader info available"),
                "exception", "not-leader", "leader-endpoint-host", host, "leader-endpoint-port", Integer.toString(port));
    }

    static StatusRuntimeException timeout() {
        return Status.ABORTED.withDescription("Operation timed out: Commit timed out.").asRuntimeException();
    }

    static StatusRuntimeException streamDeleted(String stream) {
        return v1(Status.FAILED_PRECONDITION.withDescription("Event stream '" + stream + "' is deleted."),
                "exception", "stream-deleted", "stream-name", stream);
    }

    static StatusRuntimeException wrongExpectedVersion(String operation, String stream, long expected, long actual) {
        return v1(Status.FAILED_PRECONDITION.withDescription(operation
                        + " failed due to WrongExpectedVersion. Stream: " + stream + ", Expected version: " + expected
                        + ", Actual version: " + actual),
                "exception", "wrong-expected-version", "stream-name", stream,
                "expected-version", Long.toString(expected), "actual-version", Long.toString(actual));
    }

    static StatusRuntimeException requiredMetadataMissing(String property) {
        return v1(Status.INVALID_ARGUMENT.withDescription("Required Metadata Property '" + property + "' is missing"),
                "exception", "missing-required-metadata-property", "required-metadata-properties", "type,content-type");
    }

    static StatusRuntimeException maxAppendEventSizeExceeded(String eventId, int size, int max) {
        return v1(Status.INVALID_ARGUMENT.withDescription("Event with Id: " + eventId + ", Size: " + size
                        + ", exceeds Maximum Append Event Size of " + max + "."),
                "exception", "maximum-append-event-size-exceeded", "maximum-append-event-size", Integer.toString(max),
                "event-id", eventId, "proposed-append-event-size", Integer.toString(size));
    }

    static StatusRuntimeException maxAppendSizeExceeded(int max) {
        return v1(Status.INVALID_ARGUMENT.withDescription("Maximum Append Size of " + max + " Exceeded."),
                "exception", "maximum-append-size-exceeded", "maximum-append-size", Integer.toString(max));
    }

    /** What ASP.NET gRPC answers when a handler throws (e.g. an invalid stream id or event reaching the core). */
    static StatusRuntimeException handlerException() {
        return Status.UNKNOWN.withDescription("Exception was thrown by handler.").asRuntimeException();
    }

    static StatusRuntimeException invalidArgument(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }

    // v2 API: google.rpc.Status details, domain and reason as KurrentDB's ErrorExtensions derive them.

    private static StatusRuntimeException v2(Code code, String domain, String reason, String message, Message... details) {
        var status = com.google.rpc.Status.newBuilder().setCode(code.getNumber()).setMessage(message)
                .addDetails(Any.pack(ErrorInfo.newBuilder().setReason(reason).setDomain(domain).build()));
        for (var detail : details) {
            status.addDetails(Any.pack(detail));
        }
        return StatusProto.toStatusRuntimeException(status.build());
    }

    static StatusRuntimeException v2BadRequest(String message) {
        var badRequest = com.google.rpc.BadRequest.newBuilder()
                .addFieldViolations(com.google.rpc.BadRequest.FieldViolation.newBuilder().setDescription(message))
                .build();
        return v2(Code.INVALID_ARGUMENT, "server", "BAD_REQUEST", "The 'AppendRequest' is invalid: " + message,
                badRequest);
    }

    static StatusRuntimeException v2NotLeader(String host, int port) {
        var details = NotLeaderNodeErrorDetails.newBuilder().setCurrentLeader(
                NotLeaderNodeErrorDetails.NodeInfo.newBuilder().setHost(host).setPort(port)
                        .setNodeId(UUID.nameUUIDFromBytes((host + ":" + port).getBytes()).toString())).build();
        return v2(Code.FAILED_PRECONDITION, "server", "NOT_LEADER_NODE",
                "The server is not the leader node and cannot handle the request. Please retry your request against"
                        + " the leader node directly at " + host + ":" + port, details);
    }

    static StatusRuntimeException v2RevisionConflict(String stream, long expected, long actual) {
        var details = StreamRevisionConflictErrorDetails.newBuilder().setStream(stream)
                .setExpectedRevision(expected).setActualRevision(actual).build();
        return v2(Code.FAILED_PRECONDITION, "streams", "STREAM_REVISION_CONFLICT",
                "Append failed due to a revision conflict on stream '" + stream + "'. Expected revision: " + expected
                        + ". Actual revision: " + actual + ".", details);
    }

    static StatusRuntimeException v2Tombstoned(String stream) {
        var details = StreamTombstonedErrorDetails.newBuilder().setStream(stream).build();
        return v2(Code.FAILED_PRECONDITION, "streams", "STREAM_TOMBSTONED", "Stream '" + stream
                + "' has been tombstoned. It has been permanently removed from the system and cannot be restored.",
                details);
    }

    static StatusRuntimeException v2RecordSizeExceeded(String stream, String recordId, int size, int max) {
        var details = AppendRecordSizeExceededErrorDetails.newBuilder().setStream(stream).setRecordId(recordId)
                .setSize(size).setMaxSize(max).build();
        return v2(Code.INVALID_ARGUMENT, "streams", "APPEND_RECORD_SIZE_EXCEEDED", "The size of record " + recordId
                + " (" + size + " bytes) exceeds the maximum allowed size of " + max + " bytes", details);
    }

    static StatusRuntimeException v2TransactionSizeExceeded(int records, int size, int max) {
        var details = AppendTransactionSizeExceededErrorDetails.newBuilder().setSize(size).setMaxSize(max).build();
        return v2(Code.ABORTED, "streams", "APPEND_TRANSACTION_SIZE_EXCEEDED", "Transaction size (" + size
                + " bytes) exceeded the maximum allowed size of " + max + " bytes, after " + records + " record(s).",
                details);
    }

    static StatusRuntimeException v2StreamAlreadyInSession(String stream) {
        var details = StreamAlreadyInAppendSessionErrorDetails.newBuilder().setStream(stream).build();
        return v2(Code.ABORTED, "streams", "STREAM_ALREADY_IN_APPEND_SESSION", "Stream '" + stream
                + "' already has a different group of messages in this session.", details);
    }

    static StatusRuntimeException v2NoRequests() {
        return v2(Code.FAILED_PRECONDITION, "streams", "APPEND_SESSION_NO_REQUESTS",
                "Append session started, but no append requests were sent before ending the session.");
    }

    static StatusRuntimeException v2Timeout() {
        return v2(Code.DEADLINE_EXCEEDED, "server", "OPERATION_TIMEOUT", "AppendSession timed out while waiting for commit");
    }

    static StatusRuntimeException v2Overloaded() {
        return v2(Code.UNAVAILABLE, "server", "SERVER_OVERLOADED", "Server Is Too Busy");
    }
}
