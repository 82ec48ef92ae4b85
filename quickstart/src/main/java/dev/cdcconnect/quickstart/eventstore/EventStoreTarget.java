package dev.cdcconnect.quickstart.eventstore;

import dev.cdcconnect.eventstore.connection.ClientSettings;
import dev.cdcconnect.quickstart.QuickstartException;
import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import io.kurrent.dbclient.KurrentDBClient;
import io.kurrent.dbclient.ReadStreamOptions;
import io.kurrent.dbclient.RecordedEvent;
import io.kurrent.dbclient.ResolvedEvent;
import io.kurrent.dbclient.StreamNotFoundException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Where the EventStoreDB sink writes: a server given by connection string, checked reachable before anything
 * starts, or else the in-memory stand-in, which speaks EventStoreDB's gRPC protocol but is not a database.
 * Either way the events are read back through the real client.
 */
public final class EventStoreTarget implements AutoCloseable {

    private final String connectionString;
    private final Optional<String> user;
    private final Optional<String> password;
    private final Optional<Path> caFile;
    private final EventStoreStandIn standIn;
    private final KurrentDBClient client;

    private EventStoreTarget(String connectionString, Optional<String> user, Optional<String> password,
                             Optional<Path> caFile, EventStoreStandIn standIn) {
        this.connectionString = connectionString;
        this.user = user;
        this.password = password;
        this.caFile = caFile;
        this.standIn = standIn;
        this.client = KurrentDBClient.create(ClientSettings.of(connectionString, user, password,
                caFile.map(Path::toString), Duration.ofSeconds(10)));
    }

    /** Starts the in-memory stand-in on a free port of 127.0.0.1. */
    public static EventStoreTarget standIn() {
        EventStoreStandIn standIn = EventStoreStandIn.start();
        return new EventStoreTarget(standIn.connectionString(), Optional.empty(), Optional.empty(), Optional.empty(),
                standIn);
    }

    /**
     * Connects to a real server and reads a stream that does not exist, which any reachable node answers; fails
     * with what went wrong (unreachable, TLS, credentials) otherwise.
     */
    public static EventStoreTarget connect(String connectionString, Optional<String> user, Optional<String> password,
                                           Optional<Path> caFile) throws QuickstartException {
        EventStoreTarget target;
        try {
            target = new EventStoreTarget(connectionString, user, password, caFile, null);
        } catch (RuntimeException e) {
            throw new QuickstartException("cannot use the EventStoreDB connection string " + connectionString + ": "
                    + e.getMessage(), e);
        }
        try {
            target.client.readStream("quickstart-probe-" + java.util.UUID.randomUUID(),
                    ReadStreamOptions.get().maxCount(1)).get(15, TimeUnit.SECONDS);
            return target;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StreamNotFoundException) {
                return target;
            }
            target.close();
            throw unreachable(connectionString, e.getCause());
        } catch (TimeoutException e) {
            target.close();
            throw unreachable(connectionString, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            target.close();
            throw new QuickstartException("interrupted while connecting to EventStoreDB", e);
        }
    }

    private static QuickstartException unreachable(String connectionString, Throwable cause) {
        String reason = cause == null ? "no answer"
                : cause instanceof TimeoutException ? "no answer within 15 s"
                : cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        return new QuickstartException("EventStoreDB at " + connectionString + " is not reachable (" + reason + "). "
                + "Check that the server runs and the address is right; for a node without TLS add ?tls=false, "
                + "for a secure node give --eventstore-user/--eventstore-password and, for a private CA, "
                + "--eventstore-tls-ca-file. Leave out --eventstore to use the in-memory stand-in.", cause);
    }

    public boolean isStandIn() {
        return standIn != null;
    }

    public String connectionString() {
        return connectionString;
    }

    /** The sink's connection settings: connection string, credentials, CA file. */
    public Map<String, String> sinkConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("eventstore.connection.string", connectionString);
        user.ifPresent(u -> config.put("eventstore.username", u));
        password.ifPresent(p -> config.put("eventstore.password", p));
        caFile.ifPresent(f -> config.put("eventstore.tls.ca.file", f.toString()));
        return config;
    }

    /** Events in streams whose name starts with the prefix; known only for the stand-in. */
    public OptionalLong eventCount(String streamPrefix) {
        if (standIn == null) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(standIn.streams().stream().filter(s -> s.startsWith(streamPrefix))
                .mapToLong(s -> standIn.events(s).size()).sum());
    }

    /** Streams whose name starts with the prefix; known only for the stand-in. */
    public OptionalLong streamCount(String streamPrefix) {
        if (standIn == null) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(standIn.streams().stream().filter(s -> s.startsWith(streamPrefix))
                .filter(s -> !standIn.events(s).isEmpty()).count());
    }

    /** A stream's events, oldest first, read through the client; empty when the stream does not exist. */
    public List<RecordedEvent> read(String stream) throws QuickstartException {
        try {
            return client.readStream(stream, ReadStreamOptions.get().forwards().fromStart().maxCount(1000))
                    .get(15, TimeUnit.SECONDS).getEvents().stream().map(ResolvedEvent::getOriginalEvent).toList();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StreamNotFoundException) {
                return List.of();
            }
            throw new QuickstartException("cannot read stream " + stream + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new QuickstartException("reading stream " + stream + " took more than 15 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QuickstartException("interrupted while reading stream " + stream, e);
        }
    }

    @Override
    public void close() {
        try {
            client.shutdown().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            // Closing a client that never connected may fail; nothing is left to release then.
        }
        if (standIn != null) {
            standIn.close();
        }
    }
}
