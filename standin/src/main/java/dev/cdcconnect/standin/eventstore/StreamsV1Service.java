package dev.cdcconnect.standin.eventstore;

import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.kurrent.dbclient.proto.shared.Shared;
import io.kurrent.dbclient.proto.streams.StreamsGrpc;
import io.kurrent.dbclient.proto.streams.StreamsOuterClass.AppendReq;
import io.kurrent.dbclient.proto.streams.StreamsOuterClass.AppendResp;
import io.kurrent.dbclient.proto.streams.StreamsOuterClass.DeleteReq;
import io.kurrent.dbclient.proto.streams.StreamsOuterClass.DeleteResp;
import io.kurrent.dbclient.proto.streams.StreamsOuterClass.ReadReq;
import io.kurrent.dbclient.proto.streams.StreamsOuterClass.ReadResp;
import io.kurrent.dbclient.proto.streams.StreamsOuterClass.TombstoneReq;
import io.kurrent.dbclient.proto.streams.StreamsOuterClass.TombstoneResp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.LongFunction;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The v1 {@code event_store.client.streams.Streams} service: Append, Read (streams and {@code $all}), Delete and
 * Tombstone, answering as KurrentDB's {@code Streams.Append/Read/Delete.cs} do.
 */
final class StreamsV1Service extends StreamsGrpc.StreamsImplBase {
    private final StreamsBackend backend;
    private final StreamStore store;

    StreamsV1Service(StreamsBackend backend) {
        this.backend = backend;
        this.store = backend.store();
    }

    @Override
    public StreamObserver<AppendReq> append(StreamObserver<AppendResp> response) {
        var limits = backend.limits();
        return new AppendCall<>(backend, response, Errors::timeout) {
            private AppendReq.Options options;
            private final List<StreamStore.ProposedEvent> events = new ArrayList<>();
            private int size;
            private String stream;
            private long expected;

            @Override
            void accept(AppendReq request) {
                if (options == null) {
                    if (request.getContentCase() != AppendReq.ContentCase.OPTIONS) {
                        throw Errors.handlerException();
                    }
                    options = request.getOptions();
                    return;
                }
                if (request.getContentCase() != AppendReq.ContentCase.PROPOSED_MESSAGE) {
                    throw Errors.handlerException();
                }
                var message = request.getProposedMessage();
                var metadata = message.getMetadataMap();
                var type = metadata.get("type");
                if (type == null) {
                    throw Errors.requiredMetadataMissing("type");
                }
                var contentType = metadata.get("content-type");
                if (contentType == null) {
                    throw Errors.requiredMetadataMissing("content-type");
                }
                var data = message.getData().toByteArray();
                var custom = message.getCustomMetadata().toByteArray();
                var id = toUuid(message.getId());
                int eventSize = Limits.eventSize(type, data, custom);
                if (eventSize > limits.maxEventSize()) {
                    throw Errors.maxAppendEventSizeExceeded(id == null ? "" : id.toString(), eventSize,
                            limits.maxEventSize());
                }
                size += eventSize;
                if (size > limits.maxAppendSize()) {
                    throw Errors.maxAppendSizeExceeded(limits.maxAppendSize());
                }
                events.add(new StreamStore.ProposedEvent(id, type, "application/json".equals(contentType), data, custom));
            }

            @Override
            List<StreamStore.StreamWrite> writes() {
                if (options == null) {
                    throw Errors.handlerException();
                }
                stream = options.getStreamIdentifier().getStreamName().toStringUtf8();
                if (StreamNames.isInvalid(stream) || events.stream().anyMatch(e -> e.id() == null || e.type().isEmpty())) {
                    throw Errors.handlerException();
                }
                expected = expectedRevision(options.getExpectedStreamRevisionCase(), options.getRevision());
                return List.of(new StreamStore.StreamWrite(stream, expected, events));
            }

            @Override
            void reply(StreamStore.WriteResult result) {
                if (result instanceof StreamStore.Written w) {
                    var success = AppendResp.Success.newBuilder();
                    if (w.lastRevisions()[0] < 0) {
                        success.setNoStream(Shared.Empty.getDefaultInstance());
                    } else {
                        success.setCurrentRevision(w.lastRevisions()[0]);
                    }
                    if (w.position() < 0) {
                        success.setNoPosition(Shared.Empty.getDefaultInstance());
                    } else {
                        success.setPosition(AppendResp.Position.newBuilder()
                                .setCommitPosition(w.position()).setPreparePosition(w.position()));
                    }
                    complete(AppendResp.newBuilder().setSuccess(success).build());
                } else if (result instanceof StreamStore.WrongVersion wv) {
                    complete(AppendResp.newBuilder()
                            .setWrongExpectedVersion(wrongExpectedVersion(expected, wv.current())).build());
                } else {
                    response.onError(Errors.streamDeleted(stream));
                }
            }

            private void complete(AppendResp reply) {
                response.onNext(reply);
                response.onCompleted();
            }
        };
    }

    /**
     * The expected revision of an append, delete or tombstone request, whose options carry the same
     * {@code expected_stream_revision} choice; a choice left unset is refused.
     */
    private static long expectedRevision(Enum<?> revisionCase, long revision) {
        return switch (revisionCase.name()) {
            case "REVISION" -> revision;
            case "NO_STREAM" -> StreamStore.NO_STREAM;
            case "ANY" -> StreamStore.ANY;
            case "STREAM_EXISTS" -> StreamStore.STREAM_EXISTS;
            default -> throw Errors.invalidArgument("'" + revisionCase.name() + "' is not a valid expected revision");
        };
    }

    /** Both the current fields and the 20.6 ones, as the server fills them. */
    private static AppendResp.WrongExpectedVersion wrongExpectedVersion(long expected, long current) {
        var empty = Shared.Empty.getDefaultInstance();
        var wev = AppendResp.WrongExpectedVersion.newBuilder();
        if (expected == StreamStore.ANY) {
            wev.setExpectedAny(empty).setAny2060(empty);
        } else if (expected == StreamStore.STREAM_EXISTS) {
            wev.setExpectedStreamExists(empty).setStreamExists2060(empty);
        } else if (expected == StreamStore.NO_STREAM) {
            wev.setExpectedNoStream(empty).setExpectedRevision2060(-1L);
        } else {
            wev.setExpectedRevision(expected).setExpectedRevision2060(expected);
        }
        if (current < 0) {
            wev.setCurrentNoStream(empty).setNoStream2060(empty);
        } else {
            wev.setCurrentRevision(current).setCurrentRevision2060(current);
        }
        return wev.build();
    }

    @Override
    public void read(ReadReq request, StreamObserver<ReadResp> response) {
        var options = request.getOptions();
        if (!options.hasUuidOption()) {
            response.onError(Errors.invalidArgument("'uuidOption' is a required argument of type UUIDOption"));
            return;
        }
        if (options.getCountOptionCase() != ReadReq.Options.CountOptionCase.COUNT) {
            response.onError(io.grpc.Status.UNIMPLEMENTED
                    .withDescription("The EventStoreDB stand-in does not serve subscriptions").asRuntimeException());
            return;
        }
        boolean structured = options.getUuidOption().getContentCase() != ReadReq.Options.UUIDOption.ContentCase.STRING;
        boolean forwards = options.getReadDirection() == ReadReq.Options.ReadDirection.Forwards;
        long count = options.getCount();
        switch (options.getStreamOptionCase()) {
            case STREAM -> readStream(options, forwards, count, structured, response);
            case ALL -> readAll(options, forwards, count, structured, response);
            default -> response.onError(Errors.invalidArgument("'" + options.getStreamOptionCase()
                    + "' is not a valid stream option"));
        }
    }

    private void readStream(ReadReq.Options options, boolean forwards, long count, boolean structured,
                            StreamObserver<ReadResp> response) {
        var streamOptions = options.getStream();
        var stream = streamOptions.getStreamIdentifier().getStreamName().toStringUtf8();
        long from = switch (streamOptions.getRevisionOptionCase()) {
            case REVISION -> streamOptions.getRevision();
            case START -> 0;
            // Forwards from the end reads nothing; backwards from the end starts at the last event.
            case END -> forwards ? Long.MAX_VALUE : Long.MAX_VALUE - 1;
            case REVISIONOPTION_NOT_SET -> 0;
        };
        if (from < 0) {
            from = Long.MAX_VALUE; // an unsigned revision beyond Long.MAX_VALUE: past the end
        }
        var read = store.readStream(stream, from, forwards, count);
        if (read.tombstoned()) {
            response.onError(Errors.streamDeleted(stream));
            return;
        }
        if (!read.found()) {
            response.onNext(ReadResp.newBuilder().setStreamNotFound(ReadResp.StreamNotFound.newBuilder()
                    .setStreamIdentifier(identifier(stream))).build());
            response.onCompleted();
            return;
        }
        for (var event : read.events()) {
            response.onNext(ReadResp.newBuilder().setEvent(readEvent(event, structured)).build());
        }
        if (options.getControlOption().getCompatibility() >= 1) {
            response.onNext(ReadResp.newBuilder().setLastStreamPosition(read.lastRevision()).build());
        }
        response.onCompleted();
    }

    private void readAll(ReadReq.Options options, boolean forwards, long count, boolean structured,
                         StreamObserver<ReadResp> response) {
        var all = options.getAll();
        long from = switch (all.getAllOptionCase()) {
            case POSITION -> all.getPosition().getCommitPosition();
            case START -> 0;
            case END, ALLOPTION_NOT_SET -> store.endOfLog();
        };
        if (from < 0) {
            from = Long.MAX_VALUE;
        }
        Predicate<StoredEvent> filter = options.getFilterOptionCase() == ReadReq.Options.FilterOptionCase.FILTER
                ? filter(options.getFilter())
                : e -> true;
        for (var event : store.readAll(from, forwards, count, filter)) {
            response.onNext(ReadResp.newBuilder().setEvent(readEvent(event, structured)).build());
        }
        response.onCompleted();
    }

    private static Predicate<StoredEvent> filter(ReadReq.Options.FilterOptions filter) {
        boolean byStream = filter.getFilterCase() == ReadReq.Options.FilterOptions.FilterCase.STREAM_IDENTIFIER;
        var expression = byStream ? filter.getStreamIdentifier() : filter.getEventType();
        Predicate<String> matches;
        if (!expression.getRegex().isEmpty()) {
            var pattern = Pattern.compile(expression.getRegex());
            matches = s -> pattern.matcher(s).find();
        } else {
            var prefixes = List.copyOf(expression.getPrefixList());
            matches = s -> prefixes.stream().anyMatch(s::startsWith);
        }
        return byStream ? e -> matches.test(e.stream()) : e -> matches.test(e.eventType());
    }

    private static ReadResp.ReadEvent readEvent(StoredEvent event, boolean structured) {
        var recorded = ReadResp.ReadEvent.RecordedEvent.newBuilder()
                .setId(uuid(event.eventId(), structured))
                .setStreamIdentifier(identifier(event.stream()))
                .setStreamRevision(event.revision())
                .setCommitPosition(event.position())
                .setPreparePosition(event.position())
                .putMetadata("type", event.eventType())
                .putMetadata("created", Long.toString(ticksSinceEpoch(event.created())))
                .putMetadata("content-type", event.contentType())
                .setData(ByteString.copyFrom(event.data()))
                .setCustomMetadata(ByteString.copyFrom(event.metadata()));
        return ReadResp.ReadEvent.newBuilder().setEvent(recorded).setCommitPosition(event.position()).build();
    }

    @Override
    public void delete(DeleteReq request, StreamObserver<DeleteResp> response) {
        var options = request.getOptions();
        deleteStream(options.getStreamIdentifier(), options.getExpectedStreamRevisionCase(), options.getRevision(),
                false, response, position -> DeleteResp.newBuilder()
                        .setPosition(DeleteResp.Position.newBuilder().setCommitPosition(position)
                                .setPreparePosition(position))
                        .build());
    }

    @Override
    public void tombstone(TombstoneReq request, StreamObserver<TombstoneResp> response) {
        var options = request.getOptions();
        deleteStream(options.getStreamIdentifier(), options.getExpectedStreamRevisionCase(), options.getRevision(),
                true, response, position -> TombstoneResp.newBuilder()
                        .setPosition(TombstoneResp.Position.newBuilder().setCommitPosition(position)
                                .setPreparePosition(position))
                        .build());
    }

    private <R> void deleteStream(Shared.StreamIdentifier identifier, Enum<?> revisionCase, long revision,
                                  boolean hard, StreamObserver<R> response, LongFunction<R> success) {
        var stream = identifier.getStreamName().toStringUtf8();
        long expected;
        try {
            expected = expectedRevision(revisionCase, revision);
        } catch (StatusRuntimeException e) {
            response.onError(e);
            return;
        }
        if (StreamNames.isInvalid(stream)) {
            response.onError(Errors.handlerException());
            return;
        }
        var result = store.delete(stream, expected, hard);
        if (result instanceof StreamStore.DeleteDone done) {
            response.onNext(success.apply(done.position()));
            response.onCompleted();
        } else if (result instanceof StreamStore.DeleteWrongVersion wv) {
            response.onError(Errors.wrongExpectedVersion("Delete", stream, wv.expected(), wv.current()));
        } else {
            response.onError(Errors.streamDeleted(stream));
        }
    }

    static Shared.StreamIdentifier identifier(String stream) {
        return Shared.StreamIdentifier.newBuilder().setStreamName(ByteString.copyFromUtf8(stream)).build();
    }

    private static Shared.UUID uuid(UUID id, boolean structured) {
        return structured
                ? Shared.UUID.newBuilder().setStructured(Shared.UUID.Structured.newBuilder()
                        .setMostSignificantBits(id.getMostSignificantBits())
                        .setLeastSignificantBits(id.getLeastSignificantBits())).build()
                : Shared.UUID.newBuilder().setString(id.toString()).build();
    }

    /** The proposed id, or null for a missing or empty one (which the server rejects). */
    private static UUID toUuid(Shared.UUID id) {
        UUID uuid = switch (id.getValueCase()) {
            case STRUCTURED -> new UUID(id.getStructured().getMostSignificantBits(),
                    id.getStructured().getLeastSignificantBits());
            case STRING -> {
                try {
                    yield UUID.fromString(id.getString());
                } catch (IllegalArgumentException e) {
                    yield null;
                }
            }
            case VALUE_NOT_SET -> null;
        };
        return uuid == null || (uuid.getMostSignificantBits() == 0 && uuid.getLeastSignificantBits() == 0) ? null : uuid;
    }

    /** .NET ticks (100 ns) since the Unix epoch, the server's {@code created} metadata. */
    static long ticksSinceEpoch(Instant instant) {
        return instant.getEpochSecond() * 10_000_000L + instant.getNano() / 100;
    }
}
