package dev.cdcconnect.standin.eventstore;

import static dev.cdcconnect.standin.eventstore.StandInTestSupport.await;
import static dev.cdcconnect.standin.eventstore.StandInTestSupport.client;
import static dev.cdcconnect.standin.eventstore.StandInTestSupport.dataOf;
import static dev.cdcconnect.standin.eventstore.StandInTestSupport.failure;
import static dev.cdcconnect.standin.eventstore.StandInTestSupport.json;
import static dev.cdcconnect.standin.eventstore.StandInTestSupport.read;
import static org.assertj.core.api.Assertions.assertThat;

import io.kurrent.dbclient.AppendToStreamOptions;
import io.kurrent.dbclient.EventData;
import io.kurrent.dbclient.KurrentDBClient;
import io.kurrent.dbclient.StreamState;
import io.kurrent.dbclient.WrongExpectedVersionException;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Which repeated appends the server recognizes, and from what: the id cache or the stored events. */
class EventStoreStandInIdempotenceTest {
    private EventStoreStandIn standIn;
    private KurrentDBClient client;

    private final EventData a = json(UUID.randomUUID(), "e", "{\"n\":\"a\"}");
    private final EventData b = json(UUID.randomUUID(), "e", "{\"n\":\"b\"}");
    private final EventData c = json(UUID.randomUUID(), "e", "{\"n\":\"c\"}");

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

    private static AppendToStreamOptions expecting(StreamState state) {
        return AppendToStreamOptions.get().streamState(state);
    }

    @Test
    void anyRepeatOfCachedEventsSucceedsWithoutWriting() throws Exception {
        var first = await(client.appendToStream("s", expecting(StreamState.any()), a, b));

        var repeat = await(client.appendToStream("s", expecting(StreamState.any()), a, b));

        assertThat(repeat.getNextExpectedRevision()).isEqualTo(StreamState.streamRevision(1));
        assertThat(repeat.getLogPosition()).isEqualTo(first.getLogPosition());
        assertThat(dataOf(read(client, "s"))).containsExactly("{\"n\":\"a\"}", "{\"n\":\"b\"}");
        assertThat(standIn.totalAppends()).isEqualTo(1);
    }

    @Test
    void streamExistsRepeatOfCachedEventsSucceedsWithoutWriting() throws Exception {
        await(client.appendToStream("s", expecting(StreamState.noStream()), a));
        await(client.appendToStream("s", expecting(StreamState.streamExists()), b));

        var repeat = await(client.appendToStream("s", expecting(StreamState.streamExists()), b));

        assertThat(repeat.getNextExpectedRevision()).isEqualTo(StreamState.streamRevision(1));
        assertThat(read(client, "s")).hasSize(2);
    }

    @Test
    void anyAppendWhoseFirstIdIsCachedButALaterOneIsNotIsWrongExpectedVersion() throws Exception {
        await(client.appendToStream("s", expecting(StreamState.any()), a, b));

        var failure = failure(client.appendToStream("s", expecting(StreamState.any()), a, c));

        assertThat(failure).isInstanceOf(WrongExpectedVersionException.class);
        var wrong = (WrongExpectedVersionException) failure;
        assertThat(wrong.getStreamName()).isEqualTo("s");
        assertThat(wrong.getExpectedState()).isEqualTo(StreamState.any());
        assertThat(wrong.getActualState()).isEqualTo(StreamState.streamRevision(1));
        assertThat(read(client, "s")).hasSize(2);
    }

    @Test
    void anyAppendWhoseFirstIdIsNotCachedWritesEverythingAgain() throws Exception {
        await(client.appendToStream("s", expecting(StreamState.any()), a));

        await(client.appendToStream("s", expecting(StreamState.any()), b, a));

        assertThat(dataOf(read(client, "s"))).containsExactly("{\"n\":\"a\"}", "{\"n\":\"b\"}", "{\"n\":\"a\"}");
    }

    @Test
    void idCacheIsLostOnRestartSoAnyRepeatDuplicates() throws Exception {
        await(client.appendToStream("s", expecting(StreamState.any()), a, b));

        standIn.restart();
        await(client.appendToStream("s", expecting(StreamState.any()), a, b));

        assertThat(read(client, "s")).extracting(e -> e.getEvent().getEventId())
                .containsExactly(a.getEventId(), b.getEventId(), a.getEventId(), b.getEventId());
    }

    @Test
    void idCacheIsAFifoBoundedBySizeSoOldIdsAreForgotten() throws Exception {
        standIn.close();
        // Each id costs 16 + 4 + 8 + 32 (the .NET string "s") = 60 bytes: 600 bytes hold about ten ids.
        standIn = EventStoreStandIn.start(EventStoreStandIn.Options.defaults().withIdCacheBytes(600));
        client.shutdown().get();
        client = client(standIn);
        await(client.appendToStream("s", expecting(StreamState.any()), a));
        for (int i = 0; i < 20; i++) {
            await(client.appendToStream("s", expecting(StreamState.any()), json("filler", "{}")));
        }
        var recent = json(UUID.randomUUID(), "e", "{\"n\":\"recent\"}");
        await(client.appendToStream("s", expecting(StreamState.any()), recent));

        await(client.appendToStream("s", expecting(StreamState.any()), recent));
        await(client.appendToStream("s", expecting(StreamState.any()), a));

        assertThat(read(client, "s")).extracting(e -> e.getEvent().getEventId())
                .containsOnlyOnce(recent.getEventId())
                .filteredOn(a.getEventId()::equals).hasSize(2);
    }

    @Test
    void exactRevisionRepeatIsIdempotentFromTheStoredEventsEvenAfterRestart() throws Exception {
        await(client.appendToStream("s", expecting(StreamState.noStream()), a));
        var original = await(client.appendToStream("s", expecting(StreamState.streamRevision(0)), b, c));

        standIn.restart();
        var repeat = await(client.appendToStream("s", expecting(StreamState.streamRevision(0)), b, c));

        assertThat(repeat.getNextExpectedRevision()).isEqualTo(StreamState.streamRevision(2));
        assertThat(repeat.getLogPosition()).isEqualTo(original.getLogPosition());
        assertThat(read(client, "s")).hasSize(3);
    }

    @Test
    void exactRevisionRepeatOfAPrefixIsIdempotent() throws Exception {
        await(client.appendToStream("s", expecting(StreamState.noStream()), a, b, c));

        var repeat = await(client.appendToStream("s", expecting(StreamState.streamRevision(0)), b));

        assertThat(repeat.getNextExpectedRevision()).isEqualTo(StreamState.streamRevision(1));
        assertThat(read(client, "s")).hasSize(3);
    }

    @Test
    void exactRevisionWithADifferentEventIsWrongExpectedVersion() throws Exception {
        await(client.appendToStream("s", expecting(StreamState.noStream()), a, b));

        var failure = failure(client.appendToStream("s", expecting(StreamState.streamRevision(0)), c));

        assertThat(failure).isInstanceOfSatisfying(WrongExpectedVersionException.class, wrong -> {
            assertThat(wrong.getExpectedState()).isEqualTo(StreamState.streamRevision(0));
            assertThat(wrong.getActualState()).isEqualTo(StreamState.streamRevision(1));
        });
    }

    @Test
    void exactRevisionWhoseFirstEventMatchesButALaterOneDiffersIsWrongExpectedVersion() throws Exception {
        await(client.appendToStream("s", expecting(StreamState.noStream()), a, b));

        var failure = failure(client.appendToStream("s", expecting(StreamState.noStream()), a, c));

        assertThat(failure).isInstanceOf(WrongExpectedVersionException.class);
        assertThat(read(client, "s")).hasSize(2);
    }

    @Test
    void exactRevisionEqualToTheCurrentOneWritesNormally() throws Exception {
        await(client.appendToStream("s", expecting(StreamState.noStream()), a));

        var result = await(client.appendToStream("s", expecting(StreamState.streamRevision(0)), b));

        assertThat(result.getNextExpectedRevision()).isEqualTo(StreamState.streamRevision(1));
        assertThat(read(client, "s")).hasSize(2);
    }

    @Test
    void exactRevisionBeyondTheCurrentOneIsWrongExpectedVersion() throws Exception {
        await(client.appendToStream("s", expecting(StreamState.noStream()), a));

        var failure = failure(client.appendToStream("s", expecting(StreamState.streamRevision(5)), b));

        assertThat(failure).isInstanceOfSatisfying(WrongExpectedVersionException.class,
                wrong -> assertThat(wrong.getActualState()).isEqualTo(StreamState.streamRevision(0)));
    }

    @Test
    void exactRevisionOnAMissingStreamIsWrongExpectedVersionWithNoStream() throws Exception {
        var failure = failure(client.appendToStream("missing", expecting(StreamState.streamRevision(0)), a));

        assertThat(failure).isInstanceOfSatisfying(WrongExpectedVersionException.class,
                wrong -> assertThat(wrong.getActualState()).isEqualTo(StreamState.noStream()));
    }

    @Test
    void noStreamRepeatOnTheStreamItCreatedIsIdempotent() throws Exception {
        await(client.appendToStream("s", expecting(StreamState.noStream()), a, b));
        standIn.restart();

        var repeat = await(client.appendToStream("s", expecting(StreamState.noStream()), a, b));

        assertThat(repeat.getNextExpectedRevision()).isEqualTo(StreamState.streamRevision(1));
        assertThat(read(client, "s")).hasSize(2);
    }

    @Test
    void noStreamWithOtherEventsOnAnExistingStreamIsWrongExpectedVersion() throws Exception {
        await(client.appendToStream("s", expecting(StreamState.noStream()), a));

        var failure = failure(client.appendToStream("s", expecting(StreamState.noStream()), b));

        assertThat(failure).isInstanceOf(WrongExpectedVersionException.class);
    }

    @Test
    void streamExistsOnAMissingStreamIsWrongExpectedVersion() throws Exception {
        var failure = failure(client.appendToStream("missing", expecting(StreamState.streamExists()), a));

        assertThat(failure).isInstanceOfSatisfying(WrongExpectedVersionException.class,
                wrong -> assertThat(wrong.getExpectedState()).isEqualTo(StreamState.streamExists()));
    }
}
