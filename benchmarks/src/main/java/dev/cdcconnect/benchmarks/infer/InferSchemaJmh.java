package dev.cdcconnect.benchmarks.infer;

import dev.cdcconnect.benchmarks.ThreadCpu;
import dev.cdcconnect.infer.InferSchema;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Per-record cost of {@code InferSchema$Value} on what a worker's JsonConverter (schemas.enable=false) hands a
 * sink task, against the JsonConverter parse of the same bytes. Records cycle through a pool of order documents
 * of one shape: flat, nested (customer, address, items) or nested with optional fields coming and going.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class InferSchemaJmh {

    private static final int POOL = 64;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Param({"flat", "nested", "optional"})
    public String shape;

    private final JsonConverter converter = new JsonConverter();
    private final InferSchema.Value<SinkRecord> transform = new InferSchema.Value<>();
    private final byte[][] bytes = new byte[POOL][];
    private final SinkRecord[] records = new SinkRecord[POOL];
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        converter.configure(Map.of("schemas.enable", "false"), false);
        transform.configure(Map.of());
        Random random = new Random(42);
        for (int i = 0; i < POOL; i++) {
            bytes[i] = JSON.writeValueAsBytes(order(shape, random, i));
            SchemaAndValue converted = converter.toConnectData("orders", bytes[i]);
            records[i] = new SinkRecord("orders", 0, null, null, converted.schema(), converted.value(), i);
        }
        // learn the topic's schema first: the steady state is what is measured
        for (SinkRecord record : records) {
            transform.apply(record);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        transform.close();
    }

    @Benchmark
    public SinkRecord transform(ThreadCpu cpu) {
        cpu.op();
        SinkRecord record = records[next];
        next = (next + 1) & (POOL - 1);
        return transform.apply(record);
    }

    @Benchmark
    public SchemaAndValue jsonconverter(ThreadCpu cpu) {
        cpu.op();
        byte[] value = bytes[next];
        next = (next + 1) & (POOL - 1);
        return converter.toConnectData("orders", value);
    }

    /** An order document as the demo's generator writes one. */
    static Map<String, Object> order(String shape, Random random, int id) {
        Map<String, Object> order = new LinkedHashMap<>();
        order.put("order_id", 100_000 + id);
        order.put("user_id", 1 + random.nextInt(100_000));
        order.put("store_id", 1 + random.nextInt(10_000));
        order.put("quantity", 1 + random.nextInt(5));
        order.put("amount", (1000 + random.nextInt(90_000)) / 100.0);
        order.put("status", List.of("NEW", "PAID", "SHIPPED").get(random.nextInt(3)));
        order.put("ordered_at", "2024-05-%02dT%02d:%02d:00Z".formatted(1 + id % 28, id % 24, id % 60));
        order.put("paid", random.nextBoolean());
        if (shape.equals("flat")) {
            return order;
        }
        order.put("customer", Map.of("name", "customer-" + random.nextInt(1000), "email", "c@example.com",
                "address", Map.of("street", "1 Main St", "city", "Oslo", "zip", "0150")));
        order.put("items", List.of(Map.of("sku", "SKU-" + random.nextInt(500), "qty", 1 + random.nextInt(3)),
                Map.of("sku", "SKU-" + random.nextInt(500), "qty", 1)));
        if (shape.equals("optional")) {
            if (random.nextBoolean()) {
                order.put("coupon", "SAVE5");
            }
            if (random.nextInt(3) == 0) {
                order.put("note", random.nextBoolean() ? null : "leave at the door");
            }
            if (random.nextBoolean()) {
                order.put("gift_wrap", random.nextBoolean());
            }
            if (random.nextInt(4) == 0) {
                order.put("discount", random.nextInt(20));
            }
        }
        return order;
    }
}
