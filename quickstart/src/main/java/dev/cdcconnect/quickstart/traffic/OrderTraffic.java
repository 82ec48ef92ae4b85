package dev.cdcconnect.quickstart.traffic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cdcconnect.standin.postgres.PostgresServer;
import dev.cdcconnect.quickstart.postgres.ShopDatabase;
import dev.cdcconnect.standin.shop.Shop;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
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
 * The shop's customers at a steady rate: the {@link Shop} places random orders for users and stores that exist;
 * some orders are then changed (one more item) and some cancelled (deleted), as customers do. Each placed order
 * is also sent as schemaless JSON to a Kafka topic, as the web shop of the schemaless-JSON seed did. Counts are
 * readable from any thread while it runs.
 */
public final class OrderTraffic {

    /** Probability that placing an order is followed by changing a random open order. */
    public static final double UPDATE_SHARE = 0.3;
    /** Probability that placing an order is followed by cancelling (deleting) a random open order. */
    public static final double DELETE_SHARE = 0.1;
    public static final String PLACED = "placed";
    public static final String CHANGED = "changed";
    public static final String CANCELLED = "cancelled";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final Shop shop;
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
    /** Open orders: id to quantity. */
    private final Map<Long, Integer> open = new ConcurrentHashMap<>();
    private final Map<Long, List<String>> history = new ConcurrentHashMap<>();
    private volatile boolean stopped;
    private volatile long startedNanos;
    private volatile long finishedNanos;

    public OrderTraffic(Shop shop, PostgresServer postgres, KafkaProducer<String, String> producer, String jsonTopic,
                        int orders, double rate, long seed) {
        this.shop = shop;
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
        List<Long> openIds = new ArrayList<>();
        try (Connection connection = postgres.connect(ShopDatabase.DATABASE);
             PreparedStatement read = connection.prepareStatement(
                     "SELECT id, user_id, store_id, quantity, amount FROM orders WHERE id = ANY (?) ORDER BY id");
             PreparedStatement change = connection.prepareStatement(
                     "UPDATE orders SET quantity = quantity + 1, amount = amount + amount / quantity WHERE id = ?");
             PreparedStatement cancel = connection.prepareStatement("DELETE FROM orders WHERE id = ?")) {
            while (placed.get() < orders && !stopped) {
                // Orders due by now; placed in small batches so a high rate is kept with few round trips.
                double seconds = (System.nanoTime() - startedNanos) / 1e9;
                long due = Math.min(orders, (long) Math.floor(seconds * rate) + 1);
                int batch = (int) (due - placed.get());
                if (batch <= 0) {
                    TimeUnit.NANOSECONDS.sleep(Math.min(TICK_NANOS, (long) (1e9 / rate)));
                    continue;
                }
                List<Long> ids = shop.generateOrders(batch);
                for (Order order : read(read, connection, ids)) {
                    open.put(order.id(), order.quantity());
                    history.put(order.id(), new CopyOnWriteArrayList<>(List.of(PLACED)));
                    openIds.add(order.id());
                    placed.incrementAndGet();
                    sendJson(order);
                    if (random.nextDouble() < UPDATE_SHARE) {
                        long id = openIds.get(random.nextInt(openIds.size()));
                        change.setLong(1, id);
                        change.executeUpdate();
                        open.merge(id, 1, Integer::sum);
                        history.get(id).add(CHANGED);
                        updated.incrementAndGet();
                    }
                    if (random.nextDouble() < DELETE_SHARE && openIds.size() > 1) {
                        long id = openIds.remove(random.nextInt(openIds.size() - 1));
                        cancel.setLong(1, id);
                        cancel.executeUpdate();
                        open.remove(id);
                        history.get(id).add(CANCELLED);
                        deleted.incrementAndGet();
                    }
                }
            }
        } finally {
            producer.flush();
            finishedNanos = System.nanoTime();
        }
    }

    private record Order(long id, int userId, int storeId, int quantity, BigDecimal amount) {
    }

    private static List<Order> read(PreparedStatement read, Connection connection, List<Long> ids)
            throws SQLException {
        Array array = connection.createArrayOf("bigint", ids.toArray());
        read.setArray(1, array);
        List<Order> placed = new ArrayList<>();
        try (ResultSet rows = read.executeQuery()) {
            while (rows.next()) {
                placed.add(new Order(rows.getLong(1), rows.getInt(2), rows.getInt(3), rows.getInt(4),
                        rows.getBigDecimal(5)));
            }
        }
        array.free();
        return placed;
    }

    /** The same order as the web shop's JSON: nested customer and store, a line item array, an ISO timestamp. */
    private void sendJson(Order order) {
        ObjectNode json = JSON.createObjectNode();
        json.put("order_id", order.id());
        // to the microsecond, as databases and Debezium keep time: the pipeline's timestamp(micros) hint keeps
        // every digit of it and refuses finer ones rather than drop them
        json.put("placed_at", Instant.now().truncatedTo(ChronoUnit.MICROS).toString());
        json.putObject("customer").put("user_id", order.userId()).put("channel", random.nextBoolean() ? "web" : "app");
        json.putObject("store").put("store_id", order.storeId());
        json.putArray("items").addObject().put("sku", "SKU-" + (1000 + random.nextInt(9000)))
                .put("quantity", order.quantity())
                .put("price", order.amount().divide(BigDecimal.valueOf(order.quantity()), 2, RoundingMode.HALF_UP));
        json.put("amount", order.amount());
        json.put("gift", random.nextInt(10) == 0);
        producer.send(new ProducerRecord<>(jsonTopic, null, json.toString()), (metadata, error) -> {
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

    /** Open orders (placed, not cancelled) and their quantity. */
    public Map<Long, Integer> openOrders() {
        return new HashMap<>(open);
    }

    /** What happened to an order, in order: placed, changed..., cancelled. */
    public List<String> history(long orderId) {
        List<String> h = history.get(orderId);
        return h == null ? List.of() : List.copyOf(h);
    }

    /** The order with the most changes, preferring one that was cancelled: the stream worth showing. */
    public long mostEventfulOrder() {
        return history.entrySet().stream()
                .max(Comparator.<Map.Entry<Long, List<String>>>comparingInt(e -> e.getValue().size())
                        .thenComparing(e -> e.getValue().contains(CANCELLED))
                        .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
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
}
