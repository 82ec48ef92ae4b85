package dev.cdcconnect.standin.eventstore;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The stand-in's storage: streams, the {@code $all} log and the consistency checks of KurrentDB's
 * {@code IndexWriter.CheckCommit}. Writes to one stream are serialized by that stream's lock; writes to different
 * streams run concurrently and only meet briefly to take their positions in {@code $all}.
 */
final class StreamStore {
    static final long NO_STREAM = -1;
    static final long ANY = -2;
    static final long STREAM_EXISTS = -4;
    /** Revision the server gives a tombstone record ({@code EventNumber.DeletedStream}). */
    static final long DELETED_STREAM = Long.MAX_VALUE;

    /** Roughly a prepare record's fixed part, so positions grow like byte offsets in a transaction file. */
    private static final int RECORD_OVERHEAD = 96;

    record ProposedEvent(UUID id, String type, boolean json, byte[] data, byte[] metadata) {
    }

    record StreamWrite(String stream, long expected, List<ProposedEvent> events) {
    }

    /** Outcome of an append to one or more streams. */
    sealed interface WriteResult permits Written, WrongVersion, Deleted {
    }

    /**
     * Success (new events or an idempotent repeat). {@code lastRevisions[i]} is the last revision of stream i
     * after the write, -1 if it has no events; {@code position} is the log position of the last event, -1 if none.
     */
    record Written(long[] lastRevisions, long position, boolean idempotent) implements WriteResult {
    }

    record WrongVersion(int streamIndex, String stream, long expected, long current, boolean softDeleted)
            implements WriteResult {
    }

    record Deleted(int streamIndex, String stream) implements WriteResult {
    }

    /** Outcome of a delete or tombstone: a position, a version conflict or an already tombstoned stream. */
    sealed interface DeleteResult permits DeleteDone, DeleteWrongVersion, DeleteOfTombstoned {
    }

    record DeleteDone(long position) implements DeleteResult {
    }

    record DeleteWrongVersion(long expected, long current) implements DeleteResult {
    }

    record DeleteOfTombstoned() implements DeleteResult {
    }

    /** A stream read: not found, tombstoned, or events plus the stream's last revision. */
    record StreamRead(boolean found, boolean tombstoned, List<StoredEvent> events, long lastRevision) {
    }

    private static final class StoredStream {
        final String name;
        final ReentrantLock lock = new ReentrantLock();
        final List<StoredEvent> events = new ArrayList<>();
        /** Revisions below this are hidden by a soft delete ({@code $tb}); MAX while soft-deleted and not recreated. */
        long truncateBefore;
        boolean softDeleted;
        boolean tombstoned;
        /** Event count readable without the lock, for the metadata-stream check of another stream's write. */
        volatile int size;

        StoredStream(String name) {
            this.name = name;
        }

        long lastRevision() {
            return events.size() - 1;
        }

        long currentVersion() {
            return tombstoned ? DELETED_STREAM : lastRevision();
        }

        void add(StoredEvent event) {
            events.add(event);
            size = events.size();
        }
    }

    private enum Decision { OK, IDEMPOTENT, CONFLICT, DELETED }

    private record Check(Decision decision, long current, long idempotentLast, boolean softDeleted) {
    }

    private final Map<String, StoredStream> streams = new ConcurrentHashMap<>();
    private final ReentrantLock logLock = new ReentrantLock();
    private final List<StoredEvent> all = new ArrayList<>();
    private final AtomicLong appendCount = new AtomicLong();
    private long nextPosition = 1024;
    private volatile EventIdCache idCache;
    private final long idCacheBytes;

    StreamStore(long idCacheBytes) {
        this.idCacheBytes = idCacheBytes;
        this.idCache = new EventIdCache(idCacheBytes);
    }

    /** Forgets every cached event id, as a restart or leader change does. */
    void dropIdCache() {
        idCache = new EventIdCache(idCacheBytes);
    }

    long appendCount() {
        return appendCount.get();
    }

    /** Appends to one stream (v1) or atomically to several (v2 session); each stream at most once. */
    WriteResult append(List<StreamWrite> writes) {
        // Metadata streams too: recreating a soft-deleted stream rewrites its $tb.
        var names = new ArrayList<String>();
        writes.forEach(w -> {
            names.add(w.stream());
            names.add(metastreamOf(w.stream()));
        });
        var locked = lockInOrder(names);
        try {
            var checks = new ArrayList<Check>(writes.size());
            for (var write : writes) {
                checks.add(check(stream(write.stream()), write.expected(), write.events()));
            }
            var result = decide(writes, checks);
            if (result != null) {
                return result;
            }
            return write(writes);
        } finally {
            locked.forEach(s -> s.lock.unlock());
        }
    }

    private WriteResult decide(List<StreamWrite> writes, List<Check> checks) {
        for (int i = 0; i < checks.size(); i++) {
            if (checks.get(i).decision() == Decision.DELETED) {
                return new Deleted(i, writes.get(i).stream());
            }
        }
        if (checks.stream().allMatch(c -> c.decision() == Decision.OK)) {
            return null;
        }
        if (checks.stream().allMatch(c -> c.decision() == Decision.IDEMPOTENT)) {
            var last = new long[writes.size()];
            long position = -1;
            for (int i = 0; i < writes.size(); i++) {
                last[i] = checks.get(i).idempotentLast();
                var event = stream(writes.get(i).stream()).events.get((int) last[i]);
                position = Math.max(position, event.position());
            }
            return new Written(last, position, true);
        }
        // A conflict, or idempotent streams mixed with new writes: the server reports the first such stream.
        for (int i = 0; i < checks.size(); i++) {
            var c = checks.get(i);
            if (c.decision() != Decision.OK) {
                return new WrongVersion(i, writes.get(i).stream(), writes.get(i).expected(), c.current(), c.softDeleted());
            }
        }
        throw new IllegalStateException("unreachable");
    }

    private Check check(StoredStream s, long expected, List<ProposedEvent> events) {
        long current = s.currentVersion();
        if (s.tombstoned) {
            if (!events.isEmpty() || !(expected == ANY || expected == NO_STREAM)) {
                return new Check(Decision.DELETED, current, -1, false);
            }
            return new Check(Decision.OK, current, -1, false);
        }
        if (expected == STREAM_EXISTS) {
            if (s.softDeleted) {
                return new Check(Decision.CONFLICT, current, -1, true);
            }
            var meta = streams.get(metastreamOf(s.name));
            if (current < 0 && (meta == null || meta.size == 0)) {
                return new Check(Decision.CONFLICT, current, -1, false);
            }
        }
        if (expected == ANY || expected == STREAM_EXISTS) {
            return weakCheck(s, current, events);
        }
        if (expected < current) {
            return strongCheck(s, current, expected, events);
        }
        if (expected > current) {
            return new Check(Decision.CONFLICT, current, -1, s.softDeleted);
        }
        return new Check(Decision.OK, current, -1, s.softDeleted);
    }

    /** {@code any}/{@code streamExists}: only the id cache says whether these events were written before. */
    private Check weakCheck(StoredStream s, long current, List<ProposedEvent> events) {
        var cache = idCache;
        long last = -1;
        for (int i = 0; i < events.size(); i++) {
            var cached = cache.get(events.get(i).id());
            if (cached != null && cached.stream().equals(s.name)) {
                last = cached.revision();
                continue;
            }
            return i == 0
                    ? new Check(Decision.OK, current, -1, s.softDeleted)
                    : new Check(Decision.CONFLICT, current, -1, s.softDeleted);
        }
        return events.isEmpty()
                ? new Check(Decision.OK, current, -1, s.softDeleted)
                : new Check(Decision.IDEMPOTENT, current, last, s.softDeleted);
    }

    /** Exact revision (or noStream on an existing stream): compare the stored events by id, durably. */
    private Check strongCheck(StoredStream s, long current, long expected, List<ProposedEvent> events) {
        long revision = expected;
        for (int i = 0; i < events.size(); i++) {
            revision++;
            if (revision <= s.lastRevision() && s.events.get((int) revision).eventId().equals(events.get(i).id())) {
                continue;
            }
            if (i > 0) {
                return new Check(Decision.CONFLICT, current, -1, s.softDeleted);
            }
            if (expected == NO_STREAM && s.softDeleted) {
                return new Check(Decision.OK, current, -1, true);
            }
            return new Check(Decision.CONFLICT, current, -1, s.softDeleted);
        }
        if (events.isEmpty()) {
            return expected == NO_STREAM && s.softDeleted
                    ? new Check(Decision.OK, current, -1, true)
                    : new Check(Decision.CONFLICT, current, -1, s.softDeleted);
        }
        return new Check(Decision.IDEMPOTENT, current, revision, s.softDeleted);
    }

    private Written write(List<StreamWrite> writes) {
        var created = nowInTicks();
        var last = new long[writes.size()];
        long position = -1;
        var cache = idCache;
        logLock.lock();
        try {
            for (int i = 0; i < writes.size(); i++) {
                var write = writes.get(i);
                var s = stream(write.stream());
                if (!write.events().isEmpty() && s.softDeleted) {
                    // Appending to a soft-deleted stream recreates it from the first new revision.
                    s.softDeleted = false;
                    s.truncateBefore = s.lastRevision() + 1;
                    addRecord(stream(metastreamOf(s.name)), "$metadata", truncateBeforeJson(s.truncateBefore), created);
                }
                for (var proposed : write.events()) {
                    long revision = s.lastRevision() + 1;
                    var event = new StoredEvent(s.name, revision, proposed.id(), proposed.type(),
                            proposed.json() ? "application/json" : "application/octet-stream",
                            proposed.data(), proposed.metadata(), created, nextPosition);
                    nextPosition += recordSize(event);
                    s.add(event);
                    all.add(event);
                    cache.put(proposed.id(), s.name, revision);
                    position = event.position();
                }
                last[i] = s.lastRevision();
            }
        } finally {
            logLock.unlock();
        }
        appendCount.incrementAndGet();
        return new Written(last, position, false);
    }

    /** Soft delete ({@code hard == false}) or tombstone of a stream, with the append's expected-version rules. */
    DeleteResult delete(String name, long expected, boolean hard) {
        var locked = lockInOrder(List.of(name, metastreamOf(name)));
        try {
            var s = stream(name);
            if (s.tombstoned) {
                return new DeleteOfTombstoned();
            }
            long current = s.lastRevision();
            boolean matches = expected == ANY
                    || (expected == NO_STREAM && (current < 0 || s.softDeleted))
                    || (expected == STREAM_EXISTS && current >= 0 && !s.softDeleted)
                    || expected == current;
            if (!matches) {
                return new DeleteWrongVersion(expected, current);
            }
            var created = nowInTicks();
            logLock.lock();
            try {
                if (hard) {
                    s.tombstoned = true;
                    var record = new StoredEvent(name, DELETED_STREAM, UUID.randomUUID(), "$streamDeleted",
                            "application/octet-stream", new byte[0], new byte[0], created, nextPosition);
                    nextPosition += recordSize(record);
                    all.add(record);
                    return new DeleteDone(record.position());
                }
                s.softDeleted = true;
                s.truncateBefore = Long.MAX_VALUE;
                var record = addRecord(stream(metastreamOf(name)), "$metadata", truncateBeforeJson(DELETED_STREAM), created);
                return new DeleteDone(record.position());
            } finally {
                logLock.unlock();
            }
        } finally {
            locked.forEach(l -> l.lock.unlock());
        }
    }

    /** Appends a system record to a stream and {@code $all}; callers hold the stream's lock and the log lock. */
    private StoredEvent addRecord(StoredStream target, String type, byte[] data, Instant created) {
        var record = new StoredEvent(target.name, target.lastRevision() + 1, UUID.randomUUID(), type,
                "application/json", data, new byte[0], created, nextPosition);
        nextPosition += recordSize(record);
        target.add(record);
        all.add(record);
        return record;
    }

    private static byte[] truncateBeforeJson(long truncateBefore) {
        return ("{\"$tb\":" + truncateBefore + "}").getBytes(StandardCharsets.UTF_8);
    }

    static String metastreamOf(String stream) {
        return "$$" + stream;
    }

    /** Locks the named streams in name order (so concurrent multi-stream writers cannot deadlock). */
    private List<StoredStream> lockInOrder(List<String> names) {
        var locked = names.stream().distinct().sorted().map(this::stream).toList();
        locked.forEach(l -> l.lock.lock());
        return locked;
    }

    /** The events a reader of the stream sees (soft-deleted ones hidden) from {@code fromRevision}. */
    StreamRead readStream(String name, long fromRevision, boolean forwards, long count) {
        var s = streams.get(name);
        if (s == null) {
            return new StreamRead(false, false, List.of(), -1);
        }
        s.lock.lock();
        try {
            if (s.tombstoned) {
                return new StreamRead(false, true, List.of(), DELETED_STREAM);
            }
            long last = s.lastRevision();
            // Metadata streams have an implicit $maxCount of 1: only the latest metadata is readable.
            long first = s.name.startsWith("$$") ? Math.max(0, last) : Math.max(0, s.truncateBefore);
            if (last < 0 || first > last) {
                return new StreamRead(false, false, List.of(), last);
            }
            var out = new ArrayList<StoredEvent>();
            if (forwards) {
                for (long r = Math.max(first, fromRevision); r <= last && out.size() < count; r++) {
                    out.add(s.events.get((int) r));
                }
            } else {
                for (long r = Math.min(last, fromRevision); r >= first && out.size() < count; r--) {
                    out.add(s.events.get((int) r));
                }
            }
            return new StreamRead(true, false, out, last);
        } finally {
            s.lock.unlock();
        }
    }

    /**
     * {@code $all} from a position: forwards includes the record at {@code position}, backwards starts before it.
     * Soft-deleted events stay in {@code $all}, as they do on a server until a scavenge.
     */
    List<StoredEvent> readAll(long position, boolean forwards, long count, Predicate<StoredEvent> filter) {
        logLock.lock();
        try {
            var out = new ArrayList<StoredEvent>();
            int start = firstIndexAtOrAfter(position);
            if (forwards) {
                for (int i = start; i < all.size() && out.size() < count; i++) {
                    if (filter.test(all.get(i))) {
                        out.add(all.get(i));
                    }
                }
            } else {
                for (int i = start - 1; i >= 0 && out.size() < count; i--) {
                    if (filter.test(all.get(i))) {
                        out.add(all.get(i));
                    }
                }
            }
            return out;
        } finally {
            logLock.unlock();
        }
    }

    long endOfLog() {
        logLock.lock();
        try {
            return nextPosition;
        } finally {
            logLock.unlock();
        }
    }

    private int firstIndexAtOrAfter(long position) {
        int lo = 0;
        int hi = all.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (all.get(mid).position() < position) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Visible events of a stream, oldest first; empty if it does not exist, is soft-deleted or tombstoned. */
    List<StoredEvent> events(String name) {
        var read = readStream(name, 0, true, Long.MAX_VALUE);
        return read.found() ? Collections.unmodifiableList(read.events()) : List.of();
    }

    /** Last revision written to the stream (soft-deleted events included), -1 if none. */
    long lastRevision(String name) {
        var s = streams.get(name);
        if (s == null) {
            return -1;
        }
        s.lock.lock();
        try {
            return s.lastRevision();
        } finally {
            s.lock.unlock();
        }
    }

    boolean isSoftDeleted(String name) {
        var s = streams.get(name);
        return s != null && withLock(s, () -> s.softDeleted);
    }

    boolean isTombstoned(String name) {
        var s = streams.get(name);
        return s != null && withLock(s, () -> s.tombstoned);
    }

    /** Names of the streams that have at least one event written, metadata streams excluded, sorted. */
    List<String> streamNames() {
        var names = new TreeMap<String, Boolean>();
        for (var s : streams.values()) {
            if (!s.name.startsWith("$$") && s.size > 0) {
                names.put(s.name, true);
            }
        }
        return List.copyOf(names.keySet());
    }

    /** Every record of {@code $all}, including soft-delete metadata and tombstones, in log order. */
    List<StoredEvent> allRecords() {
        logLock.lock();
        try {
            return List.copyOf(all);
        } finally {
            logLock.unlock();
        }
    }

    private StoredStream stream(String name) {
        return streams.computeIfAbsent(name, StoredStream::new);
    }

    private static boolean withLock(StoredStream s, java.util.function.BooleanSupplier body) {
        s.lock.lock();
        try {
            return body.getAsBoolean();
        } finally {
            s.lock.unlock();
        }
    }

    private static int recordSize(StoredEvent e) {
        return RECORD_OVERHEAD + e.stream().length() * 2 + e.eventType().length() * 2 + e.data().length
                + e.metadata().length;
    }

    /** Now, truncated to the 100 ns resolution of the .NET ticks the server stores. */
    private static Instant nowInTicks() {
        var now = Instant.now();
        return now.minusNanos(now.getNano() % 100);
    }
}
