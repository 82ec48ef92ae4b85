package dev.cdcconnect.quickstart.traffic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cdcconnect.quickstart.postgres.PostgresServer;
import dev.cdcconnect.quickstart.postgres.ShopSchema;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The shop's customers: places orders in Postgres at a steady rate, moves some on (PLACED, PAID, SHIPPED,
 * DELIVERED) and cancels some (deletes them), with valid users and stores, as the seed's generate script did.
 * Each placed order is also sent as schemaless JSON to a Kafka topic, as the web shop of the schemaless-JSON
 * seed did. Counts are readable from any thread while it runs.
 */
public final class OrderTraffic {

    /** Probability that placing an order is followed by moving a random open order to its next status. */
    static final double UPDATE_SHARE = 0.3;
    /** Probability that placing an order is followed by cancelling (deleting) a random open order. */
    static final double DELETE_SHARE = 0.1;
    static final List<String> STATUSES = List.of("PLACED", "PAID", "SHIPPED", "DELIVERED");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PostgresServer postgres;
    private final KafkaProducer<String, String> producer;
    private final String jsonTopic;
    private final int orders;
    private final double rate;
    private final Random random;

    private final AtomicLong placed = new AtomicLong();
    private final AtomicLong updated = new AtomicLong();
    private final AtomicLong deleted = new AtomicLong();
    private final AtomicLong jsonSent = new AtomicLong();
    private final AtomicReference<Exception> jsonFailure = new AtomicReference<>();
    private final Map<Long, String> open = new ConcurrentHashMap<>();
    private final Map<Long, List<String>> history = new ConcurrentHashMap<>();
    private volatile boolean stopped;
    private volatile long startedNanos;
    private volatile long finishedNanos;

    public OrderTraffic(PostgresServer postgres, KafkaProducer<String, String> producer, String jsonTopic,
                        int orders, double rate, long seed) {
        this.postgres = postgres;
        this.producer = producer;
        this.jsonTopic = jsonTopic;
        this.orders = orders;
        this.rate = rate;
        this.random = new Random(seed);
    }

    /** Places every order, paced to the rate; returns early when {@link #stop()} is called. */
    public void run() throws SQLException, InterruptedException {
        startedNanos = System.nanoTime();
        long interval = (long) (TimeUnit.SECONDS.toNanos(1) / rate);
        List<Long> openIds = new ArrayList<>();
        try (Connection connection = postgres.connect(ShopSchema.DATABASE);
             PreparedStatement insert = connection.prepareStatement(
                     "INSERT INTO orders (order_id, user_id, store_id, quantity, amount, status, ordered_at) "
                             + "VALUES (?, ?, ?, ?, ?, ?, ?)");
             PreparedStatement update = connection.prepareStatement("UPDATE orders SET status = ? WHERE order_id = ?");
             PreparedStatement delete = connection.prepareStatement("DELETE FROM orders WHERE order_id = ?")) {
            for (long id = 1; id <= orders && !stopped; id++) {
                long due = startedNanos + (id - 1) * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                place(insert, id);
                openIds.add(id);
                if (random.nextDouble() < UPDATE_SHARE) {
                    advance(update, openIds);
                }
                if (random.nextDouble() < DELETE_SHARE && openIds.size() > 1) {
                    long victim = openIds.remove(random.nextInt(openIds.size() - 1));
                    delete.setLong(1, victim);
                    delete.executeUpdate();
                    open.remove(victim);
                    history.get(victim).add("DELETED");
                    deleted.incrementAndGet();
                }
            }
        } finally {
            producer.flush();
            finishedNanos = System.nanoTime();
        }
    }

    private void place(PreparedStatement insert, long id) throws SQLException {
        int user = 1 + random.nextInt(ShopSchema.USERS);
        int store = 1 + random.nextInt(ShopSchema.STORES);
        int quantity = 1 + random.nextInt(5);
        BigDecimal price = BigDecimal.valueOf(250 + random.nextInt(7750), 2);
        BigDecimal amount = price.multiply(BigDecimal.valueOf(quantity)).setScale(2, RoundingMode.HALF_UP);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        insert.setLong(1, id);
        insert.setInt(2, user);
        insert.setInt(3, store);
        insert.setInt(4, quantity);
        insert.setBigDecimal(5, amount);
        insert.setString(6, STATUSES.get(0));
        insert.setTimestamp(7, Timestamp.from(now));
        insert.executeUpdate();
        open.put(id, STATUSES.get(0));
        history.put(id, new CopyOnWriteArrayList<>(List.of(STATUSES.get(0))));
        placed.incrementAndGet();
        sendJson(id, user, store, quantity, price, amount, now);
    }

    private void advance(PreparedStatement update, List<Long> openIds) throws SQLException {
        long id = openIds.get(random.nextInt(openIds.size()));
        String current = open.get(id);
        int next = STATUSES.indexOf(current) + 1;
        if (next >= STATUSES.size()) {
            return;
        }
        update.setString(1, STATUSES.get(next));
        update.setLong(2, id);
        update.executeUpdate();
        open.put(id, STATUSES.get(next));
        history.get(id).add(STATUSES.get(next));
        updated.incrementAndGet();
    }

    /** The same order as the web shop's JSON: nested customer and store, a line item array, an ISO timestamp. */
    private void sendJson(long id, int user, int store, int quantity, BigDecimal price, BigDecimal amount,
                          Instant at) {
        ObjectNode order = JSON.createObjectNode();
        order.put("order_id", id);
        order.put("placed_at", at.toString());
        order.putObject("customer").put("user_id", user).put("channel", random.nextBoolean() ? "web" : "app");
        order.putObject("store").put("store_id", store);
        order.putArray("items").addObject().put("sku", "SKU-" + (1000 + random.nextInt(9000)))
                .put("quantity", quantity).put("price", price);
        order.put("amount", amount);
        order.put("gift", random.nextInt(10) == 0);
        producer.send(new ProducerRecord<>(jsonTopic, null, order.toString()), (metadata, error) -> {
            if (error == null) {
                jsonSent.incrementAndGet();
            } else {
                jsonFailure.compareAndSet(null, error);
            }
        });
    }

    public void stop() {
        stopped = true;
    }

    public long placed() {
        return placed.get();
    }

    public long updated() {
        return updated.get();
    }

    public long deleted() {
        return deleted.get();
    }

    /** Inserts, updates and deletes: one change event each. */
    public long changes() {
        return placed.get() + updated.get() + deleted.get();
    }

    /** JSON orders the broker has acknowledged. */
    public long jsonSent() {
        return jsonSent.get();
    }

    public Exception jsonFailure() {
        return jsonFailure.get();
    }

    /** Open orders (placed, not cancelled) and their status. */
    public Map<Long, String> openOrders() {
        return new HashMap<>(open);
    }

    /** What happened to an order: its statuses in order, then DELETED if cancelled. */
    public List<String> history(long orderId) {
        List<String> h = history.get(orderId);
        return h == null ? List.of() : List.copyOf(h);
    }

    /** The order with the most changes, preferring one that was cancelled: the stream worth showing. */
    public long mostEventfulOrder() {
        return history.entrySet().stream()
                .max(java.util.Comparator.<Map.Entry<Long, List<String>>>comparingInt(e -> e.getValue().size())
                        .thenComparing(e -> e.getValue().contains("DELETED"))
                        .thenComparing(Map.Entry::getKey, java.util.Comparator.reverseOrder()))
                .map(Map.Entry::getKey).orElse(1L);
    }

    /** Seconds since the first order; frozen when the last was placed. */
    public double elapsedSeconds() {
        if (startedNanos == 0) {
            return 0;
        }
        long end = finishedNanos != 0 ? finishedNanos : System.nanoTime();
        return (end - startedNanos) / 1e9;
    }

    public boolean finished() {
        return finishedNanos != 0;
    }
}
