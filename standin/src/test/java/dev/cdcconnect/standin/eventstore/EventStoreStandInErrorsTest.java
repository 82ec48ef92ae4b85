package dev.cdcconnect.standin.eventstore;

import static dev.cdcconnect.standin.eventstore.StandInTestSupport.await;
import static dev.cdcconnect.standin.eventstore.StandInTestSupport.client;
import static dev.cdcconnect.standin.eventstore.StandInTestSupport.failure;
import static dev.cdcconnect.standin.eventstore.StandInTestSupport.json;
import static dev.cdcconnect.standin.eventstore.StandInTestSupport.read;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.kurrent.dbclient.AppendToStreamOptions;
import io.kurrent.dbclient.DeleteStreamOptions;
import io.kurrent.dbclient.EventData;
import io.kurrent.dbclient.KurrentDBClient;
import io.kurrent.dbclient.ReadStreamOptions;
import io.kurrent.dbclient.StreamDeletedException;
import io.kurrent.dbclient.StreamNotFoundException;
import io.kurrent.dbclient.StreamState;
import io.kurrent.dbclient.WrongExpectedVersionException;
import io.kurrent.dbclient.proto.shared.Shared;
import io.kurrent.dbclient.proto.streams.StreamsGrpc;
import io.kurrent.dbclient.proto.streams.StreamsOuterClass.AppendReq;
import io.kurrent.dbclient.proto.streams.StreamsOuterClass.AppendResp;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The server's refusals: deleted streams, malformed events, sizes, stream names; and soft delete. */
class EventStoreStandInErrorsTest {
    private EventStoreStandIn standIn;
    private KurrentDBClient client;

    @BeforeEach
    void start() {
        standIn = EventStoreStandIn.start();
        client = client(standIn);
    }

    @AfterEach
    void stop() throws Exception {
        client.shutdown().get();
        standIn.close();
    }

    @Test
    void appendToATombstonedStreamIsFailedPreconditionStreamDeleted() throws Exception {
        await(client.appendToStream("gone", json("e", "{}")));
        await(client.tombstoneStream("gone"));

        var viaClient = failure(client.appendToStream("gone", json("e", "{}")));
        var raw = rawAppend("gone", Map.of("type", "e", "content-type", "application/json"));

        assertThat(viaClient).isInstanceOfSatisfying(StreamDeletedException.class,
                e -> assertThat(e.getStreamName()).isEqualTo("gone"));
        assertThat(raw.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(trailer(raw, "exception")).isEqualTo("stream-deleted");
        assertThat(trailer(raw, "stream-name")).isEqualTo("gone");
        assertThat(standIn.isTombstoned("gone")).isTrue();
    }

    @Test
    void tombstonedStreamCannotBeReadOrDeletedAgain() throws Exception {
        await(client.appendToStream("gone", json("e", "{}")));
        await(client.tombstoneStream("gone"));

        var readFailure = failure(client.readStream("gone", ReadStreamOptions.get()));
        var deleteFailure = failure(client.deleteStream("gone"));

        assertThat(readFailure).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(trailer(e, "exception")).isEqualTo("stream-deleted");
        });
        assertThat(deleteFailure).isInstanceOf(StreamDeletedException.class);
        assertThat(standIn.events("gone")).isEmpty();
    }

    @Test
    void wrongExpectedVersionIsANormalAppendResponseWithBothFieldGenerations() throws Exception {
        await(client.appendToStream("s", json("e", "{}"), json("e", "{}")));

        var response = await(rawAppend("s", Map.of("type", "e", "content-type", "application/json"),
                (options, empty) -> options.setRevision(0)));

        assertThat(response.hasWrongExpectedVersion()).isTrue();
        var wrong = response.getWrongExpectedVersion();
        assertThat(wrong.getCurrentRevision()).isEqualTo(1);
        assertThat(wrong.getCurrentRevision2060()).isEqualTo(1);
        assertThat(wrong.getExpectedRevision()).isZero();
        assertThat(wrong.getExpectedRevision2060()).isZero();
        assertThat(standIn.events("s")).hasSize(2);
    }

    @Test
    void missingTypeIsInvalidArgument() throws Exception {
        var failure = rawAppend("s", Map.of("content-type", "application/json"));

        assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(trailer(failure, "exception")).isEqualTo("missing-required-metadata-property");
        assertThat(failure.getStatus().getDescription()).contains("'type'");
        assertThat(standIn.events("s")).isEmpty();
    }

    @Test
    void missingContentTypeIsInvalidArgument() throws Exception {
        var failure = rawAppend("s", Map.of("type", "e"));

        assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(failure.getStatus().getDescription()).contains("'content-type'");
        assertThat(standIn.events("s")).isEmpty();
    }

    @Test
    void eventSizeCountsDataMetadataAndTwiceTheTypeLength() throws Exception {
        restartWith(EventStoreStandIn.Options.defaults().withMaxEventSize(100));
        // 80 data + 10 metadata + 2 × 5 ("typeA") = 100: exactly the limit.
        var atLimit = EventData.builderAsJson("typeA", new byte[80]).metadataAsBytes(new byte[10]).build();
        var overLimit = EventData.builderAsJson("typeAB", new byte[80]).metadataAsBytes(new byte[10]).build();

        await(client.appendToStream("s", atLimit));
        var failure = failure(client.appendToStream("s", overLimit));

        assertThat(failure).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(trailer(e, "exception")).isEqualTo("maximum-append-event-size-exceeded");
            assertThat(trailer(e, "proposed-append-event-size")).isEqualTo("102");
            assertThat(trailer(e, "maximum-append-event-size")).isEqualTo("100");
            assertThat(trailer(e, "event-id")).isEqualTo(overLimit.getEventId().toString());
        });
        assertThat(standIn.events("s")).hasSize(1);
    }

    @Test
    void appendOverTheMaxAppendSizeIsInvalidArgumentAndWritesNothing() throws Exception {
        restartWith(EventStoreStandIn.Options.defaults().withMaxAppendSize(1000));
        var events = new EventData[3];
        for (int i = 0; i < events.length; i++) {
            events[i] = EventData.builderAsBinary("e", new byte[400]).build();
        }

        var failure = failure(client.appendToStream("s", events));
        await(client.appendToStream("s", events[0], events[1]));

        assertThat(failure).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(trailer(e, "exception")).isEqualTo("maximum-append-size-exceeded");
            assertThat(trailer(e, "maximum-append-size")).isEqualTo("1000");
        });
        assertThat(standIn.events("s")).hasSize(2);
    }

    @Test
    void maxAppendSizeDefaultsFollowTheServerVersion() {
        var oneMib = 1024 * 1024;
        assertThat(EventStoreStandIn.Options.defaults().withServerVersion(ServerVersion.V24_10).maxAppendSize())
                .isEqualTo(oneMib);
        assertThat(EventStoreStandIn.Options.defaults().withServerVersion(ServerVersion.V25_0).maxAppendSize())
                .isEqualTo(oneMib);
        assertThat(EventStoreStandIn.Options.defaults().withServerVersion(ServerVersion.V25_1).maxAppendSize())
                .isEqualTo(256 * oneMib);
        assertThat(EventStoreStandIn.Options.defaults().maxAppendSize()).isEqualTo(256 * oneMib);
        assertThat(EventStoreStandIn.Options.defaults().maxEventSize()).isEqualTo(16 * oneMib);
    }

    @Test
    void a24_10ServerRefusesAnAppendOverOneMebibyte() throws Exception {
        restartWith(EventStoreStandIn.Options.defaults().withServerVersion(ServerVersion.V24_10));
        var half = EventData.builderAsBinary("e", new byte[512 * 1024]).build();
        var rest = EventData.builderAsBinary("e", new byte[512 * 1024]).build();

        var failure = failure(client.appendToStream("s", half, rest));

        assertThat(failure).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(trailer(e, "maximum-append-size")).isEqualTo(Integer.toString(1024 * 1024)));
    }

    @Test
    void emptyAndDollarDollarStreamNamesAreRefused() throws Exception {
        var empty = failure(client.appendToStream("", json("e", "{}")));
        var dollars = failure(client.appendToStream("$$", json("e", "{}")));

        assertThat(empty).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN));
        assertThat(dollars).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN));
        assertThat(standIn.streams()).isEmpty();
    }

    @Test
    void dollarPrefixedSystemStreamsAndCategoryLikeNamesAreAccepted() throws Exception {
        await(client.appendToStream("$my-system", json("e", "{}")));
        await(client.appendToStream("customers-1-2", json("e", "{}")));

        assertThat(standIn.streams()).containsExactly("$my-system", "customers-1-2");
    }

    @Test
    void softDeletedStreamReadsAsNotFoundUntilAppendedToAgainWithRevisionsContinuing() throws Exception {
        await(client.appendToStream("s", json("e", "{\"n\":0}"), json("e", "{\"n\":1}")));

        await(client.deleteStream("s", DeleteStreamOptions.get().streamRevision(1)));
        var whileDeleted = failure(client.readStream("s", ReadStreamOptions.get()));
        assertThat(standIn.isSoftDeleted("s")).isTrue();
        await(client.appendToStream("s", json("e", "{\"n\":2}")));

        assertThat(whileDeleted).isInstanceOf(StreamNotFoundException.class);
        assertThat(read(client, "s")).extracting(e -> e.getEvent().getRevision()).containsExactly(2L);
        assertThat(standIn.isSoftDeleted("s")).isFalse();
        assertThat(standIn.allEvents()).extracting(StoredEvent::eventType).contains("$metadata");
    }

    @Test
    void softDeletedStreamAcceptsNoStreamButNotStreamExists() throws Exception {
        await(client.appendToStream("s", json("e", "{}")));
        await(client.deleteStream("s"));

        var exists = failure(client.appendToStream("s",
                AppendToStreamOptions.get().streamState(StreamState.streamExists()), json("e", "{}")));
        var recreated = await(client.appendToStream("s",
                AppendToStreamOptions.get().streamState(StreamState.noStream()), json("e", "{}")));

        assertThat(exists).isInstanceOf(WrongExpectedVersionException.class);
        assertThat(recreated.getNextExpectedRevision()).isEqualTo(StreamState.streamRevision(1));
    }

    @Test
    void softDeleteWritesTruncateBeforeIntoTheMetadataStreamAndRecreationMovesIt() throws Exception {
        await(client.appendToStream("s", json("e", "{}"), json("e", "{}")));

        await(client.deleteStream("s"));
        var whileDeleted = await(client.getStreamMetadata("s"));
        await(client.appendToStream("s", json("e", "{}")));
        var recreated = await(client.getStreamMetadata("s"));

        assertThat(whileDeleted.getTruncateBefore()).isEqualTo(Long.MAX_VALUE);
        assertThat(recreated.getTruncateBefore()).isEqualTo(2L);
        assertThat(standIn.streams()).containsExactly("s");
    }

    @Test
    void deleteWithAWrongExpectedRevisionIsWrongExpectedVersion() throws Exception {
        await(client.appendToStream("s", json("e", "{}"), json("e", "{}")));

        var failure = failure(client.deleteStream("s", DeleteStreamOptions.get().streamRevision(0)));

        assertThat(failure).isInstanceOfSatisfying(WrongExpectedVersionException.class, e -> {
            assertThat(e.getExpectedState()).isEqualTo(StreamState.streamRevision(0));
            assertThat(e.getActualState()).isEqualTo(StreamState.streamRevision(1));
        });
        assertThat(read(client, "s")).hasSize(2);
    }

    @Test
    void tombstoneRecordIsWrittenToAll() throws Exception {
        await(client.appendToStream("s", json("e", "{}")));

        var result = await(client.tombstoneStream("s"));

        var last = standIn.allEvents().get(standIn.allEvents().size() - 1);
        assertThat(last.eventType()).isEqualTo("$streamDeleted");
        assertThat(last.stream()).isEqualTo("s");
        assertThat(result.getPosition().getCommitUnsigned()).isEqualTo(last.position());
    }

    private void restartWith(EventStoreStandIn.Options options) throws Exception {
        client.shutdown().get();
        standIn.close();
        standIn = EventStoreStandIn.start(options);
        client = client(standIn);
    }

    private static String trailer(StatusRuntimeException e, String name) {
        return e.getTrailers().get(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
    }

    /** An Append the real client cannot send: one event with exactly the given gRPC metadata, expecting {@code any}. */
    private StatusRuntimeException rawAppend(String stream, Map<String, String> metadata) throws Exception {
        var failure = failure(rawAppend(stream, metadata, AppendReq.Options.Builder::setAny));
        assertThat(failure).isInstanceOf(StatusRuntimeException.class);
        return (StatusRuntimeException) failure;
    }

    private CompletableFuture<AppendResp> rawAppend(String stream, Map<String, String> metadata,
            java.util.function.BiFunction<AppendReq.Options.Builder, Shared.Empty, AppendReq.Options.Builder> expected) {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", standIn.port()).usePlaintext().build();
        var result = new CompletableFuture<AppendResp>();
        result.whenComplete((r, e) -> channel.shutdownNow());
        var requests = StreamsGrpc.newStub(channel).append(new StreamObserver<>() {
            @Override
            public void onNext(AppendResp value) {
                result.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
            }
        });
        var options = AppendReq.Options.newBuilder()
                .setStreamIdentifier(Shared.StreamIdentifier.newBuilder().setStreamName(ByteString.copyFromUtf8(stream)));
        requests.onNext(AppendReq.newBuilder().setOptions(expected.apply(options, Shared.Empty.getDefaultInstance())).build());
        requests.onNext(AppendReq.newBuilder().setProposedMessage(AppendReq.ProposedMessage.newBuilder()
                .setId(Shared.UUID.newBuilder().setString(UUID.randomUUID().toString()))
                .putAllMetadata(metadata)
                .setData(ByteString.copyFromUtf8("{}"))).build());
        requests.onCompleted();
        return result;
    }
}
