package dev.cdcconnect.eventstore.write;

import dev.cdcconnect.eventstore.event.EventMetadata;
import io.kurrent.dbclient.KurrentDBClient;
import io.kurrent.dbclient.ReadResult;
import io.kurrent.dbclient.ReadStreamOptions;
import io.kurrent.dbclient.RecordedEvent;
import io.kurrent.dbclient.ResolvedEvent;
import io.kurrent.dbclient.StreamNotFoundException;
import io.kurrent.dbclient.StreamState;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads a stream's end to learn its revision and, for the wanted topic-partitions, the offset of the last record
 * it holds from each (from the {@code kafka.*} entries of the events' metadata) and the source position of that
 * record's change (from its {@code op} and {@code source.*} entries). Reads backwards, first the last
 * event alone (enough when the stream is fed from one partition), then pages, up to a limit of events.
 */
final class StreamRecovery {

    private static final int PAGE = 100;

    private final KurrentDBClient client;
    private final String stream;
    private final Set<TopicPartition> missing;
    private final int maxEvents;
    private final StreamProgress progress;
    private int scanned;

    private StreamRecovery(KurrentDBClient client, String stream, Set<TopicPartition> wanted, int maxEvents) {
        this.client = client;
        this.stream = stream;
        this.missing = new HashSet<>(wanted);
        this.maxEvents = maxEvents;
        this.progress = new StreamProgress(StreamState.noStream());
        this.progress.known.addAll(wanted);
    }

    /**
     * What the stream holds: a tombstoned stream's progress says so; a missing (or soft-deleted) stream
     * expects no stream.
     */
    static CompletableFuture<StreamProgress> read(KurrentDBClient client, String stream, Set<TopicPartition> wanted,
                                                  int maxEvents) {
        return new StreamRecovery(client, stream, wanted, maxEvents).page(-1, 1);
    }

    private CompletableFuture<StreamProgress> page(long fromRevision, int count) {
        // From the leader: a follower may not have the latest events yet.
        ReadStreamOptions options = ReadStreamOptions.get().backwards().maxCount(count).notResolveLinkTos()
                .requiresLeader();
        options = fromRevision < 0 ? options.fromEnd() : options.fromRevision(fromRevision);
        return client.readStream(stream, options).handle((result, error) -> {
            if (error != null) {
                Throwable cause = Failure.unwrap(error);
                if (cause instanceof StreamNotFoundException) {
                    return CompletableFuture.completedFuture(progress);
                }
                if (Failure.classify(cause) == Failure.STREAM_DELETED) {
                    progress.tombstoned = true;
                    return CompletableFuture.completedFuture(progress);
                }
                return CompletableFuture.<StreamProgress>failedFuture(cause);
            }
            return next(result, fromRevision < 0, count);
        }).thenCompose(f -> f);
    }

    private CompletableFuture<StreamProgress> next(ReadResult result, boolean first, int count) {
        List<ResolvedEvent> events = result.getEvents();
        long oldest = -1;
        for (ResolvedEvent resolved : events) {
            RecordedEvent event = resolved.getOriginalEvent();
            if (first && oldest < 0) {
                progress.expected = StreamState.streamRevision(event.getRevision());
            }
            oldest = event.getRevision();
            scanned++;
            EventMetadata.readPosition(event.getUserMetadata()).ifPresent(position -> {
                if (missing.remove(position.partition())) {
                    progress.written.put(position.partition(), new StreamProgress.Last(position.offset(),
                            EventMetadata.readSourcePosition(event.getUserMetadata()).orElse(null)));
                }
            });
            if (missing.isEmpty()) {
                break;
            }
        }
        boolean more = events.size() == count && oldest > 0 && scanned < maxEvents && !missing.isEmpty();
        if (!more) {
            return CompletableFuture.completedFuture(progress);
        }
        return page(oldest - 1, Math.min(PAGE, maxEvents - scanned));
    }
}
