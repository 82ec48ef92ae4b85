package dev.cdcconnect.enrich.table;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.storage.Converter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background thread that reads a topic from its beginning into a {@link TopicTable} and then follows it.
 * It owns the consumer (consumers are single-threaded); other threads reach it only through {@link CatchUp}
 * and {@link #wakeup()}.
 */
final class TableFollower implements Runnable, Feed {

    private static final Logger LOG = LoggerFactory.getLogger(TableFollower.class);
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration METADATA_BACKOFF = Duration.ofMillis(500);
    /** At most one WARN per interval about skipped records, however many there are. */
    static final Duration WARN_INTERVAL = Duration.ofMinutes(1);
    private static final String UNREADABLE_KEY = "topic.unreadable";

    private final TableSpec spec;
    private final TopicTable table;
    private final CatchUp catchUp;
    private final Consumer<byte[], byte[]> consumer;
    private final Converter keyConverter;
    private final Converter valueConverter;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;
    private volatile String lastError;
    private volatile Map<Integer, Long> lastEndOffsets = Map.of();
    private long nextWarn = System.nanoTime();
    private long suppressed;

    TableFollower(TableSpec spec, TopicTable table, CatchUp catchUp, Consumer<byte[], byte[]> consumer,
                  Converter keyConverter, Converter valueConverter) {
        this.spec = spec;
        this.table = table;
        this.catchUp = catchUp;
        this.consumer = consumer;
        this.keyConverter = keyConverter;
        this.valueConverter = valueConverter;
        this.thread = new Thread(this, "cdc-enrich-table-" + spec.lookup() + "-" + THREADS.incrementAndGet());
        this.thread.setDaemon(true);
    }

    @Override
    public void start() {
        thread.start();
    }

    @Override
    public void wakeup() {
        consumer.wakeup();
    }

    @Override
    public Throwable failure() {
        return failure;
    }

    @Override
    public String lastError() {
        return lastError;
    }

    @Override
    public long lag() {
        return catchUp.lag(lastEndOffsets);
    }

    @Override
    public void stop(Duration timeout) {
        running = false;
        consumer.wakeup();
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("Lookup {}: the consumer of topic {} did not stop within {} ms", spec.lookup(), spec.topic(),
                    timeout.toMillis());
        }
    }

    @Override
    public void run() {
        try {
            follow();
        } catch (Throwable t) {
            if (running) {
                failure = t;
                LOG.error("Lookup {}: stopped following topic {}: {}", spec.lookup(), spec.topic(), t.getMessage(), t);
                catchUp.failAll(t);
            }
        } finally {
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debug("Closing the consumer of topic {} failed", spec.topic(), e);
            }
            closeConverters();
        }
    }

    private void follow() {
        List<TopicPartition> partitions = List.of();
        long nextPartitionCheck = 0;
        while (running) {
            try {
                if (System.nanoTime() - nextPartitionCheck >= 0) {
                    List<TopicPartition> found = partitions();
                    nextPartitionCheck = System.nanoTime() + TableSpec.PARTITION_REFRESH.toNanos();
                    if (found.isEmpty()) {
                        lastError = "topic " + spec.topic() + " does not exist (or has no partitions) yet";
                        nextPartitionCheck = System.nanoTime() + METADATA_BACKOFF.toNanos();
                        pause(METADATA_BACKOFF);
                        continue;
                    }
                    if (!found.equals(partitions)) {
                        List<TopicPartition> added = new ArrayList<>(found);
                        added.removeAll(partitions);
                        consumer.assign(found);
                        consumer.seekToBeginning(added);
                        if (!partitions.isEmpty()) {
                            LOG.info("Lookup {}: topic {} now has {} partitions", spec.lookup(), spec.topic(), found.size());
                        }
                        partitions = found;
                    }
                }
                serveCatchUps(partitions);
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    apply(record);
                }
                for (TopicPartition tp : partitions) {
                    catchUp.advance(tp.partition(), consumer.position(tp));
                }
                warnSkippedSinceLastWarning();
                lastError = null;
            } catch (WakeupException e) {
                // a catch-up request or stop(): the loop serves it
            } catch (RetriableException e) {
                lastError = e.toString();
                LOG.warn("Lookup {}: reading topic {} failed, retrying: {}", spec.lookup(), spec.topic(), e.toString());
            }
        }
    }

    private List<TopicPartition> partitions() {
        List<PartitionInfo> infos = consumer.partitionsFor(spec.topic());
        List<TopicPartition> partitions = new ArrayList<>();
        if (infos != null) {
            for (PartitionInfo info : infos) {
                partitions.add(new TopicPartition(info.topic(), info.partition()));
            }
        }
        partitions.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
        return partitions;
    }

    private void serveCatchUps(List<TopicPartition> partitions) {
        if (!catchUp.hasUntargeted()) {
            return;
        }
        List<CatchUp.Waiter> waiters = catchUp.takeUntargeted();
        boolean served = false;
        try {
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            Map<Integer, Long> target = new HashMap<>();
            ends.forEach((tp, offset) -> target.put(tp.partition(), offset));
            lastEndOffsets = target;
            for (TopicPartition tp : partitions) {
                catchUp.advance(tp.partition(), consumer.position(tp));
            }
            catchUp.target(waiters, target);
            served = true;
        } finally {
            if (!served) {
                catchUp.giveBack(waiters);
            }
        }
    }

    private void apply(ConsumerRecord<byte[], byte[]> record) {
        Object key;
        Object value;
        try {
            SchemaAndValue k = keyConverter.toConnectData(record.topic(), record.key());
            SchemaAndValue v = record.value() == null ? SchemaAndValue.NULL : valueConverter.toConnectData(record.topic(), record.value());
            key = k.value();
            value = v.value();
        } catch (RuntimeException e) {
            unreadable(record, "cannot be read with the configured converters (lookup." + spec.lookup()
                    + ".key.converter / .value.converter)", e);
            return;
        }
        try {
            table.apply(key, value, headers(record));
        } catch (TableException e) {
            throw e;
        } catch (RuntimeException e) {
            unreadable(record, "cannot be applied", e);
        }
    }

    /**
     * One record the table cannot take: skipped, counted and reported (a WARN at once, then at most one per
     * {@link #WARN_INTERVAL} with the count skipped meanwhile), or, when the user asked for it, the end of the table.
     */
    private void unreadable(ConsumerRecord<byte[], byte[]> record, String what, RuntimeException e) {
        String where = "topic " + record.topic() + " partition " + record.partition() + " offset " + record.offset();
        if (!spec.skipUnreadable()) {
            throw new TableException("lookup " + spec.lookup() + ": the record at " + where + " " + what + ": "
                    + e.getMessage() + "; set lookup." + spec.lookup() + "." + UNREADABLE_KEY + "=skip to skip such"
                    + " records", e);
        }
        table.skippedUnreadable(where + ": " + e.getMessage());
        long now = System.nanoTime();
        if (now - nextWarn >= 0) {
            LOG.warn("Lookup {}: skipped the record at {}, which {}: {} ({} skipped since the last warning, {} in all;"
                            + " the row keeps its previous state; set lookup.{}.{}=fail to stop instead)", spec.lookup(),
                    where, what, e.getMessage(), suppressed + 1, table.unreadable(), spec.lookup(), UNREADABLE_KEY);
            suppressed = 0;
            nextWarn = now + WARN_INTERVAL.toNanos();
        } else {
            suppressed++;
            LOG.debug("Lookup {}: skipped the record at {}, which {}: {}", spec.lookup(), where, what, e.getMessage());
        }
    }

    private void warnSkippedSinceLastWarning() {
        if (suppressed > 0 && System.nanoTime() - nextWarn >= 0) {
            LOG.warn("Lookup {}: skipped {} more unreadable records of topic {} in the last {} s ({} in all; latest at {})",
                    spec.lookup(), suppressed, spec.topic(), WARN_INTERVAL.toSeconds(), table.unreadable(),
                    table.lastUnreadable());
            suppressed = 0;
            nextWarn = System.nanoTime() + WARN_INTERVAL.toNanos();
        }
    }

    private static ConnectHeaders headers(ConsumerRecord<byte[], byte[]> record) {
        Header op = record.headers().lastHeader("__op");
        if (op == null || op.value() == null) {
            return null;
        }
        ConnectHeaders headers = new ConnectHeaders();
        headers.addString("__op", new String(op.value(), StandardCharsets.UTF_8).replace("\"", ""));
        return headers;
    }

    private void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private void closeConverters() {
        for (Converter c : new Converter[] {keyConverter, valueConverter}) {
            if (c instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    LOG.debug("Closing a converter failed", e);
                }
            }
        }
    }

    boolean isAlive() {
        return thread.isAlive();
    }
}
