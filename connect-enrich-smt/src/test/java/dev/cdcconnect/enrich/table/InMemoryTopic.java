package dev.cdcconnect.enrich.table;

import dev.cdcconnect.enrich.lookup.LookupSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A one-partition topic held in memory that feeds a real {@link TopicTable} through a real
 * {@link TopicTableSource}, in place of a Kafka consumer: records appended here reach the table only when
 * the table loads or a catch-up is requested (or {@link #deliver()} is called), so tests can put the table
 * behind its topic on purpose. The consumer loop itself is tested against a broker in the integration tests.
 */
public final class InMemoryTopic implements Feed {

    private record Entry(Object key, Object value) {
    }

    private final String lookup;
    private final String topic;
    private final List<Entry> entries = new ArrayList<>();
    private TopicTable table;
    private CatchUp catchUp;
    private int delivered;
    private volatile boolean reachable = true;
    private volatile Throwable failure;
    private Thread thread;
    private volatile boolean running;

    public InMemoryTopic(String lookup, String topic) {
        this.lookup = lookup;
        this.topic = topic;
    }

    /** A source over this topic keeping the given columns, bounded as given. */
    public LookupSource source(List<String> keep, long maxBytes, Duration loadTimeout) {
        TableSpec spec = new TableSpec(lookup, topic, Map.of(), Object.class, Map.of(), Object.class, Map.of(), keep,
                maxBytes, true);
        table = new TopicTable(lookup, topic, keep, maxBytes);
        catchUp = new CatchUp();
        return TopicTableSource.over(spec, table, catchUp, this, loadTimeout);
    }

    /** This topic as the feed of a table made elsewhere (by {@link TopicTableSource#open}). */
    Feed feed(TopicTable table, CatchUp catchUp) {
        this.table = table;
        this.catchUp = catchUp;
        return this;
    }

    public LookupSource source(List<String> keep) {
        return source(keep, Long.MAX_VALUE, Duration.ofSeconds(5));
    }

    /** Appends a record; the table sees it on its next catch-up. */
    public synchronized InMemoryTopic append(Object key, Object value) {
        entries.add(new Entry(key, value));
        return this;
    }

    /** Applies everything appended so far, as a consumer keeping up would. */
    public synchronized void deliver() {
        while (delivered < entries.size()) {
            Entry e = entries.get(delivered++);
            try {
                table.apply(e.key(), e.value(), null);
            } catch (RuntimeException ex) {
                failure = ex;
                catchUp.failAll(ex);
                throw ex;
            }
        }
        catchUp.advance(0, delivered);
    }

    /** From now on end offsets cannot be fetched, as when the brokers are down. */
    public void unreachable() {
        reachable = false;
    }

    public TopicTable table() {
        return table;
    }

    public boolean running() {
        return thread != null && thread.isAlive();
    }

    @Override
    public void start() {
        running = true;
        thread = new Thread(() -> {
            while (running) {
                serve();
                synchronized (this) {
                    try {
                        wait(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }, "in-memory-topic-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    private void serve() {
        if (!reachable || failure != null || !catchUp.hasUntargeted()) {
            return;
        }
        List<CatchUp.Waiter> waiters = catchUp.takeUntargeted();
        int end;
        synchronized (this) {
            end = entries.size();
        }
        catchUp.target(waiters, Map.of(0, (long) end));
        try {
            deliver();
        } catch (RuntimeException e) {
            // failure recorded; waiters failed
        }
    }

    @Override
    public synchronized void wakeup() {
        notifyAll();
    }

    @Override
    public Throwable failure() {
        return failure;
    }

    @Override
    public String lastError() {
        return reachable ? null : "brokers unreachable";
    }

    @Override
    public long lag() {
        synchronized (this) {
            return entries.size() - delivered;
        }
    }

    @Override
    public void stop(Duration timeout) {
        running = false;
        wakeup();
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
