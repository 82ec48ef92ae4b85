package dev.cdcconnect.standin.eventstore;

import static dev.cdcconnect.standin.eventstore.StandInTestSupport.await;
import static dev.cdcconnect.standin.eventstore.StandInTestSupport.client;
import static dev.cdcconnect.standin.eventstore.StandInTestSupport.dataOf;
import static dev.cdcconnect.standin.eventstore.StandInTestSupport.failure;
import static dev.cdcconnect.standin.eventstore.StandInTestSupport.json;
import static dev.cdcconnect.standin.eventstore.StandInTestSupport.read;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kurrent.dbclient.AppendStreamRequest;
import io.kurrent.dbclient.EventData;
import io.kurrent.dbclient.KurrentDBClient;
import io.kurrent.dbclient.RecordSizeExceededException;
import io.kurrent.dbclient.StreamState;
import io.kurrent.dbclient.StreamTombstonedException;
import io.kurrent.dbclient.TransactionMaxSizeExceededException;
import io.kurrent.dbclient.WrongExpectedVersionException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The v2 append session behind {@code multiStreamAppend}, and how older servers lack it. */
class EventStoreStandInMultiStreamAppendTest {
    private EventStoreStandIn standIn;
    private KurrentDBClient client;

    private void start(EventStoreStandIn.Options options) {
        standIn = EventStoreStandIn.start(options);
        client = client(standIn);
    }

    @AfterEach
    void stop() throws Exception {
        // Server first: a session the client abandoned keeps its channel busy until the server cancels it.
        standIn.close();
        client.shutdown().get();
    }

    private static AppendStreamRequest request(String stream, StreamState expected, EventData... events) {
        return new AppendStreamRequest(stream, List.of(events).iterator(), expected);
    }

    private static EventData withMetadata(String type, String data, String metadata) {
        return EventData.builderAsJson(UUID.randomUUID(), type, data.getBytes(StandardCharsets.UTF_8))
                .metadataAsBytes(metadata.getBytes(StandardCharsets.UTF_8)).build();
    }

    @Test
    void appendsToSeveralStreamsAtomicallyAndReportsEachRevision() throws Exception {
        start(EventStoreStandIn.Options.defaults());
        await(client.appendToStream("orders-1", json("placed", "{}")));

        var response = await(client.multiStreamAppend(List.of(
                request("orders-1", StreamState.streamRevision(0), json("paid", "{\"n\":1}"), json("shipped", "{\"n\":2}")),
                request("customers-9", StreamState.noStream(), json("created", "{\"n\":3}"))).iterator()));

        assertThat(response.getResults()).extracting(r -> r.getStream() + "@" + r.getStreamRevision())
                .containsExactly("orders-1@2", "customers-9@0");
        assertThat(dataOf(read(client, "orders-1"))).containsExactly("{}", "{\"n\":1}", "{\"n\":2}");
        assertThat(read(client, "customers-9").get(0).getEvent().getEventType()).isEqualTo("created");
        var lastPosition = standIn.events("customers-9").get(0).position();
        assertThat(response.getPosition()).isEqualTo(lastPosition);
        assertThat(standIn.totalAppends()).isEqualTo(2);
    }

    @Test
    void metadataReachesV1ReadersAsAJsonObjectWithTheSchemaProperties() throws Exception {
        start(EventStoreStandIn.Options.defaults());

        await(client.multiStreamAppend(List.of(request("s", StreamState.any(),
                withMetadata("created", "{}", "{\"topic\":\"t\",\"$correlationId\":\"tx-1\"}"))).iterator()));

        var metadata = new ObjectMapper().readValue(read(client, "s").get(0).getEvent().getUserMetadata(), Map.class);
        assertThat(metadata).containsEntry("topic", "t").containsEntry("$correlationId", "tx-1")
                .containsEntry("$schema.name", "created").containsEntry("$schema.format", "Json");
    }

    @Test
    void metadataWithANonStringValueIsRefusedByTheClient() throws Exception {
        start(EventStoreStandIn.Options.defaults());

        var failure = failure(client.multiStreamAppend(List.of(request("s", StreamState.any(),
                withMetadata("created", "{}", "{\"offset\":42}"))).iterator()));

        assertThat(failure).isInstanceOf(IllegalArgumentException.class);
        assertThat(standIn.streams()).isEmpty();
    }

    @Test
    void aConflictOnOneStreamWritesNothingAnywhere() throws Exception {
        start(EventStoreStandIn.Options.defaults());
        await(client.appendToStream("b", json("e", "{}"), json("e", "{}")));

        var failure = failure(client.multiStreamAppend(List.of(
                request("a", StreamState.noStream(), json("e", "{}")),
                request("b", StreamState.streamRevision(0), json("e", "{}"))).iterator()));

        assertThat(failure).isInstanceOfSatisfying(WrongExpectedVersionException.class, e -> {
            assertThat(e.getStreamName()).isEqualTo("b");
            assertThat(e.getExpectedState()).isEqualTo(StreamState.streamRevision(0));
            assertThat(e.getActualState()).isEqualTo(StreamState.streamRevision(1));
        });
        assertThat(standIn.events("a")).isEmpty();
        assertThat(standIn.events("b")).hasSize(2);
    }

    @Test
    void aRepeatedSessionWithExactRevisionsIsIdempotent() throws Exception {
        start(EventStoreStandIn.Options.defaults());
        var a = json("e", "{\"n\":\"a\"}");
        var b = json("e", "{\"n\":\"b\"}");
        var first = await(client.multiStreamAppend(List.of(
                request("a", StreamState.noStream(), a), request("b", StreamState.noStream(), b)).iterator()));
        standIn.restart();

        var repeat = await(client.multiStreamAppend(List.of(
                request("a", StreamState.noStream(), a), request("b", StreamState.noStream(), b)).iterator()));

        assertThat(repeat.getPosition()).isEqualTo(first.getPosition());
        assertThat(standIn.events("a")).hasSize(1);
        assertThat(standIn.events("b")).hasSize(1);
    }

    @Test
    void aSessionMixingAnIdempotentRepeatWithNewEventsIsAConflict() throws Exception {
        start(EventStoreStandIn.Options.defaults());
        var a = json("e", "{\"n\":\"a\"}");
        await(client.appendToStream("a", a));

        var failure = failure(client.multiStreamAppend(List.of(
                request("a", StreamState.noStream(), a), request("b", StreamState.noStream(), json("e", "{}"))).iterator()));

        assertThat(failure).isInstanceOfSatisfying(WrongExpectedVersionException.class,
                e -> assertThat(e.getStreamName()).isEqualTo("a"));
        assertThat(standIn.events("b")).isEmpty();
    }

    @Test
    void theSameStreamTwiceInOneSessionIsAborted() throws Exception {
        start(EventStoreStandIn.Options.defaults());

        var failure = failure(client.multiStreamAppend(List.of(
                request("a", StreamState.any(), json("e", "{}")),
                request("A", StreamState.any(), json("e", "{}"))).iterator()));

        assertThat(failure).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ABORTED));
        assertThat(standIn.streams()).isEmpty();
    }

    @Test
    void aTombstonedStreamInTheSessionIsStreamTombstoned() throws Exception {
        start(EventStoreStandIn.Options.defaults());
        await(client.appendToStream("gone", json("e", "{}")));
        await(client.tombstoneStream("gone"));

        var failure = failure(client.multiStreamAppend(List.of(
                request("ok", StreamState.any(), json("e", "{}")),
                request("gone", StreamState.any(), json("e", "{}"))).iterator()));

        assertThat(failure).isInstanceOfSatisfying(StreamTombstonedException.class,
                e -> assertThat(e.getStreamName()).isEqualTo("gone"));
        assertThat(standIn.events("ok")).isEmpty();
    }

    @Test
    void aRecordOverTheMaxEventSizeIsRecordSizeExceeded() throws Exception {
        start(EventStoreStandIn.Options.defaults().withMaxEventSize(100));
        var big = EventData.builderAsJson(UUID.randomUUID(), "e", new byte[200]).build();

        var failure = failure(client.multiStreamAppend(List.of(request("s", StreamState.any(), big)).iterator()));

        assertThat(failure).isInstanceOfSatisfying(RecordSizeExceededException.class, e -> {
            assertThat(e.getStream()).isEqualTo("s");
            assertThat(e.getRecordId()).isEqualTo(big.getEventId().toString());
            assertThat(e.getMaxSize()).isEqualTo(100);
        });
    }

    @Test
    void aSessionOverTheMaxAppendSizeIsTransactionMaxSizeExceeded() throws Exception {
        start(EventStoreStandIn.Options.defaults().withMaxAppendSize(1000));

        var failure = failure(client.multiStreamAppend(List.of(
                request("a", StreamState.any(), EventData.builderAsJson("e", new byte[600]).build()),
                request("b", StreamState.any(), EventData.builderAsJson("e", new byte[600]).build())).iterator()));

        assertThat(failure).isInstanceOfSatisfying(TransactionMaxSizeExceededException.class,
                e -> assertThat(e.getMaxSize()).isEqualTo(1000));
        assertThat(standIn.streams()).isEmpty();
    }

    @Test
    void anOlderServerDoesNotAdvertiseItAndTheClientRefusesToTry() throws Exception {
        start(EventStoreStandIn.Options.defaults().withServerVersion(ServerVersion.V24_10));

        var failure = failure(client.multiStreamAppend(List.of(request("s", StreamState.any(), json("e", "{}"))).iterator()));
        await(client.appendToStream("s", json("e", "{}")));

        assertThat(failure).isInstanceOf(UnsupportedOperationException.class);
        assertThat(await(client.getServerVersion())).hasValueSatisfying(v -> assertThat(v.equals(24, 10, 0)).isTrue());
        assertThat(standIn.events("s")).hasSize(1);
    }

    @Test
    void itCanBeSwitchedOffOnANewerServer() throws Exception {
        start(EventStoreStandIn.Options.defaults().withMultiStreamAppend(false));

        var failure = failure(client.multiStreamAppend(List.of(request("s", StreamState.any(), json("e", "{}"))).iterator()));

        assertThat(failure).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aServerWithoutServerFeaturesStillServesAppendsAndReads() throws Exception {
        start(EventStoreStandIn.Options.defaults().withServerVersion(ServerVersion.V20_6));

        await(client.appendToStream("s", json("e", "{}")));

        assertThat(read(client, "s")).hasSize(1);
        assertThat(await(client.getServerVersion())).isEmpty();
    }

    @Test
    void serverFeaturesListTheServedMethodsWithAppendSessionOnlyWhereServed() throws Exception {
        start(EventStoreStandIn.Options.defaults());
        var newer = supportedMethods(standIn);
        try (var older = EventStoreStandIn.start(EventStoreStandIn.Options.defaults().withServerVersion(ServerVersion.V24_10))) {
            var olderMethods = supportedMethods(older);

            assertThat(newer.getEventStoreServerVersion()).isEqualTo("26.1.0");
            assertThat(newer.getMethodsList()).extracting(m -> m.getServiceName() + "/" + m.getMethodName())
                    .containsExactlyInAnyOrder(
                            "event_store.client.streams.streams/read",
                            "event_store.client.streams.streams/append",
                            "event_store.client.streams.streams/delete",
                            "event_store.client.streams.streams/tombstone",
                            "event_store.client.server_features.serverfeatures/getsupportedmethods",
                            "kurrentdb.protocol.v2.streams.streamsservice/appendsession");
            assertThat(olderMethods.getEventStoreServerVersion()).isEqualTo("24.10.0");
            assertThat(olderMethods.getMethodsList()).extracting(m -> m.getMethodName())
                    .contains("append").doesNotContain("appendsession");
        }
    }

    private static io.kurrent.dbclient.proto.serverfeatures.Serverfeatures.SupportedMethods supportedMethods(
            EventStoreStandIn server) throws Exception {
        var channel = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", server.port())
                .usePlaintext().build();
        try {
            return io.kurrent.dbclient.proto.serverfeatures.ServerFeaturesGrpc.newBlockingStub(channel)
                    .getSupportedMethods(io.kurrent.dbclient.proto.shared.Shared.Empty.getDefaultInstance());
        } finally {
            channel.shutdownNow().awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void newerServersReportTheirVersion() throws Exception {
        start(EventStoreStandIn.Options.defaults().withServerVersion(ServerVersion.V25_1));

        assertThat(await(client.getServerVersion())).hasValueSatisfying(v -> assertThat(v.equals(25, 1, 0)).isTrue());
    }
}
