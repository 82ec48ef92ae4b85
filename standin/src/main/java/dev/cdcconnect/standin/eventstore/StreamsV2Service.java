package dev.cdcconnect.standin.eventstore;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.grpc.stub.StreamObserver;
import io.kurrentdb.protocol.v2.streams.AppendRecord;
import io.kurrentdb.protocol.v2.streams.AppendRequest;
import io.kurrentdb.protocol.v2.streams.AppendResponse;
import io.kurrentdb.protocol.v2.streams.AppendSessionResponse;
import io.kurrentdb.protocol.v2.streams.SchemaFormat;
import io.kurrentdb.protocol.v2.streams.StreamsServiceGrpc;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The v2 {@code kurrentdb.protocol.v2.streams.StreamsService/AppendSession} (KurrentDB 25.1+): one
 * {@code AppendRequest} per stream, committed atomically when the client completes the stream, answered as
 * KurrentDB's {@code StreamsService.AppendSession} does.
 */
final class StreamsV2Service extends StreamsServiceGrpc.StreamsServiceImplBase {
    private static final Pattern SCHEMA_NAME = Pattern.compile("^[\\p{L}\\p{N}_.$:-]+$");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final StreamsBackend backend;

    StreamsV2Service(StreamsBackend backend) {
        this.backend = backend;
    }

    @Override
    public StreamObserver<AppendRequest> appendSession(StreamObserver<AppendSessionResponse> response) {
        var limits = backend.limits();
        return new AppendCall<>(backend, response, Errors::v2Timeout) {
            private final List<StreamStore.StreamWrite> writes = new ArrayList<>();
            private final List<AppendRequest> requests = new ArrayList<>();
            private final TreeSet<String> seen = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
            private int totalSize;
            private int recordCount;

            @Override
            void accept(AppendRequest request) {
                validate(request);
                if (!seen.add(request.getStream())) {
                    throw Errors.v2StreamAlreadyInSession(request.getStream());
                }
                var events = new ArrayList<StreamStore.ProposedEvent>(request.getRecordsCount());
                for (var original : request.getRecordsList()) {
                    var record = preProcess(original);
                    var recordId = record.getRecordId();
                    int size = record.getData().size()
                            + Struct.newBuilder().putAllFields(record.getPropertiesMap()).build().getSerializedSize()
                            + record.getSchema().getName().getBytes(StandardCharsets.UTF_8).length;
                    if (size > limits.maxEventSize()) {
                        throw Errors.v2RecordSizeExceeded(request.getStream(), recordId, size, limits.maxEventSize());
                    }
                    totalSize += size;
                    if (totalSize > limits.maxAppendSize()) {
                        throw Errors.v2TransactionSizeExceeded(recordCount + 1, totalSize, limits.maxAppendSize());
                    }
                    recordCount++;
                    boolean json = record.getSchema().getFormat() == SchemaFormat.SCHEMA_FORMAT_JSON;
                    events.add(new StreamStore.ProposedEvent(UUID.fromString(recordId), record.getSchema().getName(),
                            json, record.getData().toByteArray(), metadataSeenByV1Readers(record, json)));
                }
                long expected = request.hasExpectedRevision() ? request.getExpectedRevision() : StreamStore.ANY;
                writes.add(new StreamStore.StreamWrite(request.getStream(), expected, events));
                requests.add(request);
            }

            @Override
            List<StreamStore.StreamWrite> writes() {
                if (writes.isEmpty()) {
                    throw Errors.v2NoRequests();
                }
                return writes;
            }

            @Override
            void reply(StreamStore.WriteResult result) {
                if (result instanceof StreamStore.Written w) {
                    var reply = AppendSessionResponse.newBuilder().setPosition(w.position());
                    for (int i = 0; i < writes.size(); i++) {
                        reply.addOutput(AppendResponse.newBuilder().setStream(writes.get(i).stream())
                                .setStreamRevision(w.lastRevisions()[i]));
                    }
                    response.onNext(reply.build());
                    response.onCompleted();
                } else if (result instanceof StreamStore.WrongVersion wv) {
                    response.onError(Errors.v2RevisionConflict(wv.stream(),
                            requests.get(wv.streamIndex()).getExpectedRevision(), wv.current()));
                } else if (result instanceof StreamStore.Deleted d) {
                    response.onError(Errors.v2Tombstoned(d.stream()));
                }
            }
        };
    }

    /** {@code AppendRequestValidator}: stream name, expected revision, at least one record. */
    private static void validate(AppendRequest request) {
        if (request.getStream().isEmpty()) {
            throw Errors.v2BadRequest("Stream must not be empty.");
        }
        if (request.getStream().equals("$$")) {
            throw Errors.v2BadRequest("Stream must not be '$$'.");
        }
        if (request.hasExpectedRevision()) {
            long expected = request.getExpectedRevision();
            if (expected < 0 && expected != StreamStore.NO_STREAM && expected != StreamStore.ANY
                    && expected != StreamStore.STREAM_EXISTS) {
                throw Errors.v2BadRequest("Expected revision must be positive or one of the allowed constants:"
                        + " NoStream (-1), Any (-2) or Exists (-4).");
            }
        }
        if (request.getRecordsCount() == 0) {
            throw Errors.v2BadRequest("Stream append request must contain at least one record");
        }
    }

    /** {@code PreProcessRecord}: a missing id is generated, non-JSON formats and schema ids become properties. */
    private static AppendRecord preProcess(AppendRecord original) {
        var record = original.toBuilder();
        if (!original.hasRecordId()) {
            record.setRecordId(UUID.randomUUID().toString());
        }
        var format = original.getSchema().getFormat();
        if (format == SchemaFormat.UNRECOGNIZED || format == SchemaFormat.SCHEMA_FORMAT_UNSPECIFIED) {
            throw Errors.v2BadRequest("Schema format must not be Unspecified.");
        }
        if (format != SchemaFormat.SCHEMA_FORMAT_JSON) {
            record.putProperties("$schema.format", Value.newBuilder().setStringValue(formatName(format)).build());
        }
        if (original.getSchema().hasId()) {
            record.putProperties("$schema.id", Value.newBuilder().setStringValue(original.getSchema().getId()).build());
        }
        if (record.hasRecordId() && !isValidRecordId(record.getRecordId())) {
            throw Errors.v2BadRequest("Record ID must be a valid and non-empty UUID.");
        }
        var name = original.getSchema().getName();
        if (name.isEmpty()) {
            throw Errors.v2BadRequest("Schema name must not be empty");
        }
        if (!Normalizer.isNormalized(name, Normalizer.Form.NFC)) {
            throw Errors.v2BadRequest("Schema name must be in Unicode NFC (Normalization Form C)");
        }
        if (!SCHEMA_NAME.matcher(name).matches()) {
            throw Errors.v2BadRequest("Schema name can only contain unicode letters, digits, underscores, dashes,"
                    + " periods, colons, and dollar signs. Attempted Value: " + name);
        }
        for (var property : record.getPropertiesMap().entrySet()) {
            if (property.getKey().isEmpty()) {
                throw Errors.v2BadRequest("Property keys must not be empty.");
            }
            if (!hasKind(property.getValue())) {
                throw Errors.v2BadRequest("Property values must have a type set.");
            }
        }
        return record.build();
    }

    private static boolean isValidRecordId(String id) {
        try {
            var uuid = UUID.fromString(id);
            return uuid.getMostSignificantBits() != 0 || uuid.getLeastSignificantBits() != 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean hasKind(Value value) {
        return switch (value.getKindCase()) {
            case STRUCT_VALUE -> value.getStructValue().getFieldsMap().values().stream()
                    .allMatch(StreamsV2Service::hasKind);
            case LIST_VALUE -> value.getListValue().getValuesList().stream().allMatch(StreamsV2Service::hasKind);
            case KIND_NOT_SET -> false;
            default -> true;
        };
    }

    /** The C# enum name the server stores: {@code SCHEMA_FORMAT_BYTES} becomes {@code Bytes}. */
    private static String formatName(SchemaFormat format) {
        var bare = format.name().substring("SCHEMA_FORMAT_".length()).toLowerCase(Locale.ROOT);
        return Character.toUpperCase(bare.charAt(0)) + bare.substring(1);
    }

    /**
     * Records carry properties, not user metadata; a v1 reader gets them rendered as a JSON object with
     * {@code $schema.name} and {@code $schema.format} added (KurrentDB {@code EventRecord.SynthesizeMetadataFromProperties}).
     */
    private static byte[] metadataSeenByV1Readers(AppendRecord record, boolean json) {
        var object = new LinkedHashMap<String, Object>();
        record.getPropertiesMap().forEach((key, value) -> object.put(key, plain(value)));
        object.put("$schema.name", record.getSchema().getName());
        if (json) {
            object.put("$schema.format", "Json");
        }
        try {
            return JSON.writeValueAsBytes(object);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("record properties are not representable as JSON", e);
        }
    }

    private static Object plain(Value value) {
        return switch (value.getKindCase()) {
            case NULL_VALUE, KIND_NOT_SET -> null;
            case NUMBER_VALUE -> {
                double d = value.getNumberValue();
                yield d == Math.rint(d) && Math.abs(d) < 1e15 ? (Object) (long) d : (Object) d;
            }
            case STRING_VALUE -> value.getStringValue();
            case BOOL_VALUE -> value.getBoolValue();
            case STRUCT_VALUE -> {
                Map<String, Object> map = new LinkedHashMap<>();
                value.getStructValue().getFieldsMap().forEach((k, v) -> map.put(k, plain(v)));
                yield map;
            }
            case LIST_VALUE -> value.getListValue().getValuesList().stream().map(StreamsV2Service::plain).toList();
        };
    }
}
