package dev.cdcconnect.infer.store;

import dev.cdcconnect.infer.schema.SchemaSnapshot;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Learned schemas in a compacted Kafka topic, keyed {@code side:topic}. Read whole at start, then followed by one
 * consumer; written, and waited for, each time a schema changes (rare: once per new field).
 */
public final class KafkaSchemaStore implements SchemaStore {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSchemaStore.class);

    private final String topic;
    private final Map<String, Object> clientProps;
    private final Duration timeout;
    private final Optional<Short> replicationFactor;
    private KafkaProducer<String, byte[]> producer;
    private KafkaConsumer<String, byte[]> consumer;
    private List<TopicPartition> partitions;

    /**
     * @param clientProps bootstrap servers plus any client settings (security, ...) for the admin client, the
     *                    consumer and the producer
     */
    public KafkaSchemaStore(String topic, Map<String, Object> clientProps, Duration timeout,
            Optional<Short> replicationFactor) {
        this.topic = topic;
        this.clientProps = Map.copyOf(clientProps);
        this.timeout = timeout;
        this.replicationFactor = replicationFactor;
    }

    /** Creates the compacted topic when it does not exist. */
    public void ensureTopic() {
        try (Admin admin = Admin.create(clientProps)) {
            if (admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS).contains(topic)) {
                return;
            }
            NewTopic newTopic = new NewTopic(topic, Optional.of(1), replicationFactor)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            admin.createTopics(List.of(newTopic)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("Created compacted schema store topic {}", topic);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new ConnectException("Cannot create the schema store topic " + topic, e.getCause());
            }
        } catch (TimeoutException e) {
            throw new ConnectException("Timed out after " + timeout + " creating the schema store topic " + topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException("Interrupted creating the schema store topic " + topic, e);
        }
    }

    @Override
    public List<Entry> read(String side) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Entry> entries = new ArrayList<>();
        try {
            if (consumer == null) {
                open();
            }
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            String prefix = side + ":";
            while (!reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new ConnectException("Timed out after " + timeout + " reading the schema store topic "
                            + topic);
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    if (record.key() == null || !record.key().startsWith(prefix)) {
                        continue;
                    }
                    String sourceTopic = record.key().substring(prefix.length());
                    if (record.value() == null) {
                        entries.add(new Entry(sourceTopic, null)); // an operator deleted what was learned
                        continue;
                    }
                    try {
                        entries.add(new Entry(sourceTopic, SnapshotCodec.decode(record.value())));
                    } catch (IllegalArgumentException e) {
                        LOG.warn("Skipping unreadable record at offset {} of schema store topic {}: {}",
                                record.offset(), topic, e.getMessage());
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new RetriableException("Timed out after " + timeout + " reading the schema store topic " + topic,
                    e);
        }
        return entries;
    }

    private void open() {
        ensureTopic();
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        partitions = new ArrayList<>();
        for (PartitionInfo info : consumer.partitionsFor(topic, timeout)) {
            partitions.add(new TopicPartition(topic, info.partition()));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void save(String side, String sourceTopic, SchemaSnapshot snapshot) {
        if (producer == null) {
            Map<String, Object> props = new HashMap<>(clientProps);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
            producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        }
        try {
            producer.send(new ProducerRecord<>(topic, side + ":" + sourceTopic, SnapshotCodec.encode(snapshot)))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new RetriableException("Cannot store the learned " + side + " schema of topic " + sourceTopic
                    + " in " + topic, e instanceof ExecutionException ? e.getCause() : e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetriableException("Interrupted storing the learned schema of topic " + sourceTopic, e);
        }
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(timeout);
            producer = null;
        }
        if (consumer != null) {
            consumer.close(timeout);
            consumer = null;
        }
    }
}
