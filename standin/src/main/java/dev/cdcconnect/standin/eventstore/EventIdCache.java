package dev.cdcconnect.standin.eventstore;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The server's in-memory FIFO cache of recently committed event ids (KurrentDB {@code IndexWriter._committedEvents},
 * a {@code BoundedCache} of 8 MiB). It is the only source of idempotence for appends expecting {@code any} or
 * {@code streamExists}; it is lost on restart or leader change. Entry sizes follow the server's estimate so the
 * number of ids it holds matches a real node.
 */
final class EventIdCache {
    /** KurrentDB {@code ESConsts.CommittedEventsMemCacheLimit}. */
    static final long DEFAULT_MAX_BYTES = 8L * 1024 * 1024;

    record Entry(String stream, long revision) {
    }

    private final long maxBytes;
    private final Map<UUID, Entry> entries = new HashMap<>();
    private final ArrayDeque<UUID> order = new ArrayDeque<>();
    private long currentBytes;

    EventIdCache(long maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("id cache size must be positive, was " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    synchronized Entry get(UUID id) {
        return entries.get(id);
    }

    synchronized void put(UUID id, String stream, long revision) {
        while (currentBytes > maxBytes && !order.isEmpty()) {
            var evicted = order.poll();
            var old = entries.remove(evicted);
            if (old != null) {
                currentBytes -= sizeOf(old);
            }
        }
        var entry = new Entry(stream, revision);
        // Like the server, a re-committed id keeps its first entry.
        if (entries.putIfAbsent(id, entry) == null) {
            order.add(id);
            currentBytes += sizeOf(entry);
        }
    }

    synchronized int size() {
        return entries.size();
    }

    /** Guid + event number + reference, plus the .NET size of the stream-name string rounded to 8 bytes. */
    private static long sizeOf(Entry entry) {
        long stringSize = 20L + entry.stream().length() * 2L + 1;
        return 16 + 4 + 8 + ((stringSize + 7) / 8) * 8;
    }
}
