package dev.cdcconnect.standin.eventstore;

import static org.assertj.core.api.Assertions.assertThat;

import io.kurrent.dbclient.EventData;
import io.kurrent.dbclient.KurrentDBClient;
import io.kurrent.dbclient.KurrentDBConnectionString;
import io.kurrent.dbclient.ReadStreamOptions;
import io.kurrent.dbclient.ResolvedEvent;
import io.kurrent.dbclient.StreamNotFoundException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Shared pieces of the stand-in tests: a real client per test and small event builders. */
final class StandInTestSupport {
    private StandInTestSupport() {
    }

    static KurrentDBClient client(EventStoreStandIn standIn) {
        return KurrentDBClient.create(KurrentDBConnectionString.parseOrThrow(standIn.connectionString()));
    }

    /** A client whose calls fail with DEADLINE_EXCEEDED after {@code deadlineMs} when the server does not answer. */
    static KurrentDBClient client(EventStoreStandIn standIn, long deadlineMs) {
        return KurrentDBClient.create(KurrentDBConnectionString.parseOrThrow(
                standIn.connectionString() + "&defaultDeadline=" + deadlineMs));
    }

    static EventData json(UUID id, String type, String data) {
        return EventData.builderAsJson(id, type, data.getBytes(StandardCharsets.UTF_8)).build();
    }

    static EventData json(String type, String data) {
        return json(UUID.randomUUID(), type, data);
    }

    static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(15, TimeUnit.SECONDS);
    }

    /** The cause a failed client future carries (the client completes futures exceptionally). */
    static Throwable failure(CompletableFuture<?> future) throws Exception {
        try {
            future.get(15, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected the call to fail");
    }

    /** The stream as the real client reads it forwards, or an empty list if the server says it is not found. */
    static List<ResolvedEvent> read(KurrentDBClient client, String stream) throws Exception {
        try {
            return await(client.readStream(stream, ReadStreamOptions.get().forwards().fromStart())).getEvents();
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(StreamNotFoundException.class);
            return List.of();
        }
    }

    static List<String> dataOf(List<ResolvedEvent> events) {
        return events.stream().map(e -> new String(e.getOriginalEvent().getEventData(), StandardCharsets.UTF_8)).toList();
    }
}
