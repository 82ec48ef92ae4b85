package dev.cdcconnect.benchmarks.enrich;

import dev.cdcconnect.benchmarks.HeapPeak;
import dev.cdcconnect.enrich.Enrich;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.transforms.Transformation;

/**
 * What a sink task's thread does with each record, as a worker runs it: poll, convert key and value with
 * JsonConverter, build the SinkRecord, apply the transformation, hand the result to {@code put} (here it is
 * only counted, so the figure is that of the pipeline up to the sink's own writes).
 */
final class SinkTaskLoop {

    /**
     * Orders per second once the first record is through, and how many came out enriched; the rates over the
     * first and the last tenth of the records (does throughput decay as the run goes on?); the peak of the used
     * heap, sampled every 20 ms during the run; the time the transformation took per record (the record's wait for a
     * core included, as a task's thread sees it), in nanoseconds at the 50th and 99th percentile and the most; zero
     * without a transformation.
     */
    record Outcome(double perSecond, long enriched, long records, double firstTenthPerSecond,
                   double lastTenthPerSecond, long peakHeapBytes, long applyP50Nanos, long applyP99Nanos,
                   long applyMaxNanos) {
    }

    private SinkTaskLoop() {
    }

    static Outcome run(String bootstrapServers, int orders, Transformation<SinkRecord> transform) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        JsonConverter keys = ShopTopics.converter(true);
        JsonConverter values = ShopTopics.converter(false);
        long records = 0;
        long enriched = 0;
        long started = 0;
        long tenth = 0;
        long ninetieth = 0;
        long ended;
        long tenthMark = Math.max(1, orders / 10);
        long ninetiethMark = orders - tenthMark;
        long[] applyNanos = new long[orders];
        HeapPeak heap = HeapPeak.start();
        try (heap; KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(ShopTopics.ORDERS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (records < orders) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    SchemaAndValue key = keys.toConnectData(r.topic(), r.headers(), r.key());
                    SchemaAndValue value = values.toConnectData(r.topic(), r.headers(), r.value());
                    SinkRecord record = new SinkRecord(r.topic(), r.partition(), key.schema(), key.value(),
                            value.schema(), value.value(), r.offset(), r.timestamp(), r.timestampType());
                    SinkRecord out = record;
                    if (transform != null) {
                        long before = System.nanoTime();
                        out = transform.apply(record);
                        if (records < orders) {
                            applyNanos[(int) records] = System.nanoTime() - before;
                        }
                    }
                    if (out != null && ((Struct) out.value()).getStruct("after").schema().field("user_name") != null
                            && ((Struct) out.value()).getStruct("after").get("user_name") != null) {
                        enriched++;
                    }
                    if (records++ == 0) {
                        // the first record waits for the tables to load; measure from here
                        started = System.nanoTime();
                    } else if (records == tenthMark) {
                        tenth = System.nanoTime();
                    } else if (records == ninetiethMark) {
                        ninetieth = System.nanoTime();
                    }
                }
            }
            // before the consumer closes: its close is not the last records' time
            ended = System.nanoTime();
        }
        double seconds = (ended - started) / 1e9;
        // the first record waited for the tables to load: its time is not a lookup's
        long[] measured = Arrays.copyOfRange(applyNanos, 1, (int) Math.min(records, orders));
        Arrays.sort(measured);
        return new Outcome((records - 1) / seconds, enriched, records, (tenthMark - 1) / ((tenth - started) / 1e9),
                (records - ninetiethMark) / ((ended - ninetieth) / 1e9), heap.peak(), percentile(measured, 0.50),
                percentile(measured, 0.99), measured.length == 0 ? 0 : measured[measured.length - 1]);
    }

    private static long percentile(long[] sorted, double fraction) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
    }

    static Enrich.Value<SinkRecord> topicTransform(String bootstrapServers) {
        Map<String, String> props = new HashMap<>();
        props.put("lookups", "user,store");
        props.put("consumer.bootstrap.servers", bootstrapServers);
        props.put("lookup.user.topic", ShopTopics.USERS);
        props.put("lookup.user.key.field", "user_id");
        props.put("lookup.user.output", "flat");
        props.put("lookup.user.fields", "name,email");
        props.put("lookup.store.topic", ShopTopics.STORES);
        props.put("lookup.store.key.field", "store_id");
        props.put("lookup.store.output", "flat");
        props.put("lookup.store.fields", "name,city");
        Enrich.Value<SinkRecord> transform = new Enrich.Value<>();
        transform.configure(props);
        return transform;
    }
}
