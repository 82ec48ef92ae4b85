package dev.cdcconnect.enrich.table;

import dev.cdcconnect.enrich.lookup.LookupSource;
import dev.cdcconnect.enrich.lookup.Row;
import dev.cdcconnect.enrich.lookup.RowLayout;
import dev.cdcconnect.support.Redaction;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.ObjectName;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.storage.Converter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lookup source backed by a {@link TopicTable} that a background consumer loads from the topic's beginning
 * and then keeps up to date. Transforms with equal {@link TableSpec}s in one worker share the table: one copy
 * in memory and one consumer however many tasks run.
 */
public final class TopicTableSource implements LookupSource {

    private static final Logger LOG = LoggerFactory.getLogger(TopicTableSource.class);
    private static final Map<TableSpec, Shared> SHARED = new HashMap<>();
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Shared shared;
    private final Duration loadTimeout;
    private volatile boolean loaded;
    private boolean closed;

    private TopicTableSource(Shared shared, Duration loadTimeout) {
        this.shared = shared;
        this.loadTimeout = loadTimeout;
    }

    /**
     * A source over a table fed by something other than a consumer of its own; not shared. The feed is
     * started here and stopped on {@link #close()}.
     */
    static TopicTableSource over(TableSpec spec, TopicTable table, CatchUp catchUp, Feed feed, Duration loadTimeout) {
        Shared shared = new Shared(spec, table, catchUp, feed);
        shared.users = 1;
        feed.start();
        return new TopicTableSource(shared, loadTimeout);
    }

    /** Opens the table of this spec, starting its consumer unless another transform in this worker already did. */
    public static TopicTableSource open(TableSpec spec, Duration loadTimeout) {
        return open(spec, loadTimeout, Shared::follower);
    }

    /** As {@link #open(TableSpec, Duration)}, the table fed by what the factory makes. */
    static TopicTableSource open(TableSpec spec, Duration loadTimeout, FeedFactory feeds) {
        synchronized (SHARED) {
            Shared shared = SHARED.get(spec);
            if (shared == null) {
                shared = Shared.start(spec, feeds);
                SHARED.put(spec, shared);
            }
            shared.users++;
            return new TopicTableSource(shared, loadTimeout);
        }
    }

    /** Makes the feed of a new shared table. */
    @FunctionalInterface
    interface FeedFactory {
        Feed create(TableSpec spec, TopicTable table, CatchUp catchUp);
    }

    @Override
    public Row find(Object key) {
        ensureLoaded();
        return shared.table.get(key);
    }

    @Override
    public Row await(Object key, Duration timeout) {
        ensureLoaded();
        Row row = shared.table.get(key);
        if (row != null) {
            return row;
        }
        CatchUp.Waiter waiter = shared.catchUp.request();
        shared.follower.wakeup();
        try {
            waiter.done().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            shared.catchUp.cancel(waiter);
            if (!waiter.targeted()) {
                throw new RetriableException("lookup " + shared.spec.lookup() + ": could not fetch the end offsets of"
                        + " topic " + shared.spec.topic() + " within " + timeout.toMillis() + " ms to confirm a miss"
                        + lastError());
            }
            LOG.debug("Lookup {}: table still behind topic {} after {} ms", shared.spec.lookup(),
                    shared.spec.topic(), timeout.toMillis());
        } catch (ExecutionException e) {
            throw failed(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetriableException("lookup " + shared.spec.lookup() + ": interrupted while waiting", e);
        }
        return shared.table.get(key);
    }

    @Override
    public RowLayout layout() {
        return shared.table.layout();
    }

    /** The table, for status and tests. */
    public TopicTable table() {
        return shared.table;
    }

    @Override
    public void close() {
        boolean last;
        synchronized (SHARED) {
            if (closed) {
                return;
            }
            closed = true;
            last = --shared.users == 0;
            if (last) {
                SHARED.remove(shared.spec, shared);
            }
        }
        // outside the lock: stopping a consumer can take seconds, and every task's configure() needs the lock
        if (last) {
            shared.stop();
        }
    }

    private void ensureLoaded() {
        if (loaded) {
            Throwable failure = shared.follower.failure();
            if (failure != null) {
                throw failed(failure);
            }
            return;
        }
        try {
            shared.loaded.done().get(loadTimeout.toNanos(), TimeUnit.NANOSECONDS);
            loaded = true;
        } catch (TimeoutException e) {
            throw new RetriableException(String.format("lookup %s: the table from topic %s is still loading after %d ms"
                            + " (%,d records read, %,d rows, %,d offsets behind); raise lookup.%s.topic.load.timeout.ms"
                            + " or errors.retry.timeout%s", shared.spec.lookup(), shared.spec.topic(),
                    loadTimeout.toMillis(), shared.table.applied(), shared.table.size(), shared.follower.lag(),
                    shared.spec.lookup(), lastError()));
        } catch (ExecutionException e) {
            throw failed(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetriableException("lookup " + shared.spec.lookup() + ": interrupted while the table loads", e);
        }
    }

    private String lastError() {
        String error = shared.follower.lastError();
        return error == null ? "" : "; last error: " + error;
    }

    private ConnectException failed(Throwable cause) {
        if (cause instanceof TableException e) {
            return new TableException(e.getMessage(), e);
        }
        return new ConnectException("lookup " + shared.spec.lookup() + ": the table from topic " + shared.spec.topic()
                + " stopped: " + cause, cause);
    }

    /** One table, its consumer and the transforms using it. */
    private static final class Shared implements TableMXBean {
        private final TableSpec spec;
        private final TopicTable table;
        private final CatchUp catchUp;
        private final Feed follower;
        private final CatchUp.Waiter loaded;
        private final long started = System.nanoTime();
        private ObjectName mbean;
        private int users;

        private Shared(TableSpec spec, TopicTable table, CatchUp catchUp, Feed follower) {
            this.spec = spec;
            this.table = table;
            this.catchUp = catchUp;
            this.follower = follower;
            this.loaded = catchUp.request();
        }

        static Shared start(TableSpec spec, FeedFactory feeds) {
            int id = IDS.incrementAndGet();
            TopicTable table = new TopicTable(spec.lookup(), spec.topic(), spec.keep(), spec.maxBytes());
            CatchUp catchUp = new CatchUp();
            Feed feed = feeds.create(spec, table, catchUp);
            Shared shared = new Shared(spec, table, catchUp, feed);
            shared.loaded.done().thenRun(shared::logLoaded);
            shared.register(id);
            LOG.info("Lookup {}: loading the table from topic {} (bootstrap servers {}, keeping {}, bound {} bytes)",
                    spec.lookup(), spec.topic(),
                    Redaction.maskUrl(String.valueOf(spec.consumerConfig().get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG))),
                    spec.keep().isEmpty() ? "all columns" : spec.keep(), spec.maxBytes());
            feed.start();
            return shared;
        }

        /** The production feed: a consumer of the spec's topic, read with the spec's converters. */
        static Feed follower(TableSpec spec, TopicTable table, CatchUp catchUp) {
            Converter keyConverter = converter(spec.keyConverter(), spec.keyConverterConfig(), true);
            Converter valueConverter = converter(spec.valueConverter(), spec.valueConverterConfig(), false);
            Map<String, Object> config = new HashMap<>(spec.consumerConfig());
            config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "cdc-enrich-" + spec.lookup() + "-" + IDS.get());
            config.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            config.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
            config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
            config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
            config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
            KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
            return new TableFollower(spec, table, catchUp, consumer, keyConverter, valueConverter);
        }

        private static Converter converter(Class<?> type, Map<String, Object> config, boolean isKey) {
            // As the worker does for the converters it creates: a converter from another plugin folder (Apicurio's,
            // Confluent's) resolves its own class-valued settings through the context class loader, which here is
            // the connector's and cannot see them.
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(type.getClassLoader());
            try {
                Converter converter = (Converter) type.getDeclaredConstructor().newInstance();
                converter.configure(config, isKey);
                return converter;
            } catch (ReflectiveOperationException | ClassCastException e) {
                throw new ConnectException("cannot create the converter " + type.getName() + ": " + e, e);
            } finally {
                thread.setContextClassLoader(previous);
            }
        }

        private void logLoaded() {
            LOG.info(String.format("Lookup %s: loaded %,d rows (about %,d bytes of heap, %,d per row) from topic %s"
                            + " in %d ms", spec.lookup(), table.size(), table.estimatedBytes(),
                    table.size() == 0 ? 0 : table.estimatedBytes() / table.size(), spec.topic(),
                    Duration.ofNanos(System.nanoTime() - started).toMillis()));
        }

        private void register(int id) {
            try {
                mbean = new ObjectName("dev.cdcconnect.enrich:type=lookup-table,lookup=" + ObjectName.quote(spec.lookup())
                        + ",topic=" + ObjectName.quote(spec.topic()) + ",id=" + id);
                ManagementFactory.getPlatformMBeanServer().registerMBean(this, mbean);
            } catch (Exception e) {
                LOG.debug("Cannot register the table's MBean", e);
                mbean = null;
            }
        }

        void stop() {
            follower.stop(STOP_TIMEOUT);
            catchUp.failAll(new ConnectException("lookup " + spec.lookup() + ": closed"));
            if (mbean != null) {
                try {
                    ManagementFactory.getPlatformMBeanServer().unregisterMBean(mbean);
                } catch (Exception e) {
                    LOG.debug("Cannot unregister the table's MBean", e);
                }
            }
            LOG.info("Lookup {}: stopped following topic {} ({} rows dropped from memory)", spec.lookup(),
                    spec.topic(), table.size());
        }

        @Override
        public String getTopic() {
            return spec.topic();
        }

        @Override
        public long getRows() {
            return table.size();
        }

        @Override
        public long getEstimatedBytes() {
            return table.estimatedBytes();
        }

        @Override
        public long getMaxBytes() {
            return spec.maxBytes();
        }

        @Override
        public boolean isLoaded() {
            return loaded.done().isDone() && !loaded.done().isCompletedExceptionally();
        }

        @Override
        public long getRecordsApplied() {
            return table.applied();
        }

        @Override
        public long getLag() {
            return follower.lag();
        }

        @Override
        public long getUnreadableRecords() {
            return table.unreadable();
        }

        @Override
        public String getLastUnreadableRecord() {
            String last = table.lastUnreadable();
            return last == null ? "" : last;
        }

        @Override
        public int getUsers() {
            synchronized (SHARED) {
                return users;
            }
        }
    }
}
