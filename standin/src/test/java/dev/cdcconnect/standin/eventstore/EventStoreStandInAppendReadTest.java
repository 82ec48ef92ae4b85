package dev.cdcconnect.standin.eventstore;

import static dev.cdcconnect.standin.eventstore.StandInTestSupport.await;
import static dev.cdcconnect.standin.eventstore.StandInTestSupport.client;
import static dev.cdcconnect.standin.eventstore.StandInTestSupport.dataOf;
import static dev.cdcconnect.standin.eventstore.StandInTestSupport.json;
import static dev.cdcconnect.standin.eventstore.StandInTestSupport.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.kurrent.dbclient.AppendToStreamOptions;
import io.kurrent.dbclient.EventData;
import io.kurrent.dbclient.KurrentDBClient;
import io.kurrent.dbclient.ReadAllOptions;
import io.kurrent.dbclient.ReadStreamOptions;
import io.kurrent.dbclient.ResolvedEvent;
import io.kurrent.dbclient.StreamState;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EventStoreStandInAppendReadTest {
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
    void connectionStringNamesTheLoopbackPortWithoutTls() {
        assertThat(standIn.connectionString()).isEqualTo("kurrentdb://127.0.0.1:" + standIn.port() + "?tls=false");
        assertThat(standIn.port()).isPositive();
    }

    @Test
    void appendedEventsAreReadBackWithRevisionsTypeAndMetadata() throws Exception {
        var id = UUID.randomUUID();
        var event = EventData.builderAsJson(id, "created", "{\"id\":1}".getBytes(StandardCharsets.UTF_8))
                .metadataAsBytes("{\"topic\":\"t\"}".getBytes(StandardCharsets.UTF_8)).build();

        var result = await(client.appendToStream("customers-1",
                AppendToStreamOptions.get().streamState(StreamState.noStream()), event, json("updated", "{\"id\":1,\"v\":2}")));

        assertThat(result.getNextExpectedRevision()).isEqualTo(StreamState.streamRevision(1));
        assertThat(result.getLogPosition().getCommitUnsigned()).isPositive();
        var events = read(client, "customers-1");
        assertThat(events).extracting(e -> e.getEvent().getRevision()).containsExactly(0L, 1L);
        var first = events.get(0).getEvent();
        assertThat(first.getEventId()).isEqualTo(id);
        assertThat(first.getEventType()).isEqualTo("created");
        assertThat(first.getContentType()).isEqualTo("application/json");
        assertThat(new String(first.getUserMetadata(), StandardCharsets.UTF_8)).isEqualTo("{\"topic\":\"t\"}");
        assertThat(first.getStreamId()).isEqualTo("customers-1");
        assertThat(dataOf(events)).containsExactly("{\"id\":1}", "{\"id\":1,\"v\":2}");
    }

    @Test
    void readsCarryTheCreatedTimeTheClientParsesFromDotNetTicks() throws Exception {
        var before = Instant.now();
        await(client.appendToStream("s", json("e", "{}")));

        var created = read(client, "s").get(0).getEvent().getCreated();

        assertThat(created).isCloseTo(before, within(5, ChronoUnit.SECONDS));
        assertThat(standIn.events("s").get(0).created()).isEqualTo(created);
    }

    @Test
    void binaryEventsKeepTheirContentType() throws Exception {
        await(client.appendToStream("bin", EventData.builderAsBinary("blob", new byte[] {1, 2, 3}).build()));

        var event = read(client, "bin").get(0).getEvent();

        assertThat(event.getContentType()).isEqualTo("application/octet-stream");
        assertThat(event.getEventData()).containsExactly(1, 2, 3);
    }

    @Test
    void readsFromARevisionBackwardsAndWithACount() throws Exception {
        for (int i = 0; i < 5; i++) {
            await(client.appendToStream("counted", json("e", "{\"n\":" + i + "}")));
        }

        var fromTwo = await(client.readStream("counted", ReadStreamOptions.get().fromRevision(2).maxCount(2)));
        var backwardsFromEnd = await(client.readStream("counted", ReadStreamOptions.get().backwards().fromEnd().maxCount(3)));
        var backwardsFromOne = await(client.readStream("counted", ReadStreamOptions.get().backwards().fromRevision(1)));
        var forwardsFromEnd = await(client.readStream("counted", ReadStreamOptions.get().forwards().fromEnd()));

        assertThat(revisions(fromTwo.getEvents())).containsExactly(2L, 3L);
        assertThat(revisions(backwardsFromEnd.getEvents())).containsExactly(4L, 3L, 2L);
        assertThat(revisions(backwardsFromOne.getEvents())).containsExactly(1L, 0L);
        assertThat(forwardsFromEnd.getEvents()).isEmpty();
        assertThat(fromTwo.getLastStreamPosition()).isEqualTo(4L);
    }

    @Test
    void readingAMissingStreamIsStreamNotFound() throws Exception {
        var failure = StandInTestSupport.failure(client.readStream("nothing-here", ReadStreamOptions.get()));

        assertThat(failure).isInstanceOf(io.kurrent.dbclient.StreamNotFoundException.class);
    }

    @Test
    void readAllReturnsEventsOfAllStreamsInCommitOrderWithGrowingPositions() throws Exception {
        await(client.appendToStream("a", json("e", "{\"n\":1}")));
        await(client.appendToStream("b", json("e", "{\"n\":2}"), json("e", "{\"n\":3}")));
        await(client.appendToStream("a", json("e", "{\"n\":4}")));

        var all = await(client.readAll(ReadAllOptions.get().forwards().fromStart())).getEvents();

        assertThat(all).extracting(e -> e.getEvent().getStreamId()).containsExactly("a", "b", "b", "a");
        assertThat(dataOf(all)).containsExactly("{\"n\":1}", "{\"n\":2}", "{\"n\":3}", "{\"n\":4}");
        var positions = all.stream().map(e -> e.getEvent().getPosition().getCommitUnsigned()).toList();
        assertThat(positions).isSorted().doesNotHaveDuplicates();
        assertThat(all).allSatisfy(e -> {
            assertThat(e.getEvent().getPosition().getPrepareUnsigned()).isEqualTo(e.getEvent().getPosition().getCommitUnsigned());
            assertThat(e.getPosition()).contains(e.getEvent().getPosition());
        });
    }

    @Test
    void readAllFromAPositionBackwardsAndWithACount() throws Exception {
        for (int i = 0; i < 4; i++) {
            await(client.appendToStream("s" + i, json("e", "{\"n\":" + i + "}")));
        }
        var all = await(client.readAll(ReadAllOptions.get().forwards().fromStart())).getEvents();
        var third = all.get(2).getEvent().getPosition();

        var fromThird = await(client.readAll(ReadAllOptions.get().forwards().fromPosition(third))).getEvents();
        var beforeThird = await(client.readAll(ReadAllOptions.get().backwards().fromPosition(third))).getEvents();
        var lastTwo = await(client.readAll(ReadAllOptions.get().backwards().fromEnd().maxCount(2))).getEvents();

        assertThat(dataOf(fromThird)).containsExactly("{\"n\":2}", "{\"n\":3}");
        assertThat(dataOf(beforeThird)).containsExactly("{\"n\":1}", "{\"n\":0}");
        assertThat(dataOf(lastTwo)).containsExactly("{\"n\":3}", "{\"n\":2}");
    }

    @Test
    void inspectionHelpersShowWhatWasStored() throws Exception {
        var id = UUID.randomUUID();
        await(client.appendToStream("orders-7", json(id, "placed", "{\"total\":3}")));
        await(client.appendToStream("orders-8", json("placed", "{}")));

        assertThat(standIn.streams()).containsExactly("orders-7", "orders-8");
        assertThat(standIn.totalAppends()).isEqualTo(2);
        assertThat(standIn.lastRevision("orders-7")).isZero();
        var stored = standIn.events("orders-7");
        assertThat(stored).singleElement().satisfies(e -> {
            assertThat(e.eventId()).isEqualTo(id);
            assertThat(e.eventType()).isEqualTo("placed");
            assertThat(e.dataAsString()).isEqualTo("{\"total\":3}");
            assertThat(e.metadata()).isEmpty();
            assertThat(e.revision()).isZero();
            assertThat(e.isJson()).isTrue();
        });
    }

    @Test
    void categoryHoldsEveryStreamNamedUpToItsFirstDash() throws Exception {
        await(client.appendToStream("customers-1", json("created", "{\"n\":1}")));
        await(client.appendToStream("orders-1", json("placed", "{}")));
        await(client.appendToStream("customers-2-x", json("created", "{\"n\":2}")));
        await(client.appendToStream("customers", json("created", "{}")));
        await(client.appendToStream("$customers-3", json("created", "{}")));

        assertThat(standIn.category("customers")).extracting(StoredEvent::stream)
                .containsExactly("customers-1", "customers-2-x");
    }

    @Test
    void byCorrelationIdGroupsEventsWhoseMetadataCarriesTheId() throws Exception {
        var metadata = "{\"$correlationId\":\"tx-7\"}".getBytes(StandardCharsets.UTF_8);
        await(client.appendToStream("a-1", EventData.builderAsJson("e", "{}".getBytes(StandardCharsets.UTF_8))
                .metadataAsBytes(metadata).build()));
        await(client.appendToStream("b-1", json("e", "{}")));
        await(client.appendToStream("b-2", EventData.builderAsJson("e", "{}".getBytes(StandardCharsets.UTF_8))
                .metadataAsBytes(metadata).build()));

        assertThat(standIn.byCorrelationId("tx-7")).extracting(StoredEvent::stream).containsExactly("a-1", "b-2");
    }

    private static List<Long> revisions(List<ResolvedEvent> events) {
        return events.stream().map(e -> e.getEvent().getRevision()).toList();
    }
}
