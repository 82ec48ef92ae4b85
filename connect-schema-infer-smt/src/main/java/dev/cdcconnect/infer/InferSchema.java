package dev.cdcconnect.infer;

import dev.cdcconnect.infer.schema.FieldSpec;
import dev.cdcconnect.infer.schema.InferenceFailure;
import dev.cdcconnect.infer.schema.JsonText;
import dev.cdcconnect.infer.schema.SchemaSnapshot;
import dev.cdcconnect.infer.schema.TopicSchema;
import dev.cdcconnect.infer.store.SchemaStore;
import dev.cdcconnect.support.KeyOrValueTransformation;
import dev.cdcconnect.support.PluginVersion;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Gives schemaless JSON keys or values (Maps from JsonConverter with {@code schemas.enable=false}, or JSON text)
 * a Connect schema learned per topic, so that sinks needing a schema, such as JDBC sinks, can write them. The
 * schema only ever gains fields, and by default a record that would need a published field's type to change is
 * rejected rather than written changed; records that already have a schema, and null keys or values, pass
 * through (tombstones get the key {@code key.fields} names).
 */
public abstract class InferSchema<R extends ConnectRecord<R>> extends KeyOrValueTransformation<R> {

    public static final String OVERVIEW_DOC = "Infer a Connect schema for schemaless JSON "
            + "(<code>" + Key.class.getName() + "</code> for the record key, <code>" + Value.class.getName()
            + "</code> for the value). The schema is learned per topic, shared by a connector's tasks through a "
            + "schema store, and never changes a published field's type unless type.conflicts=widen.";

    private static final Logger LOG = LoggerFactory.getLogger(InferSchema.class);

    /** Attempts at storing a change before giving up when other tasks keep changing the same schema. */
    private static final int MAX_STORE_ATTEMPTS = 10;

    private InferSchemaConfig config;
    private JsonText json;
    private KeyProjection keyProjection;
    private SchemaStore store;
    private long refreshNanos;
    private long lastRead;
    /** Per topic, the schemas stored for it since its last tombstone, in store order. */
    private final Map<String, List<SchemaSnapshot>> stored = new HashMap<>();
    private final Map<String, Learned> schemas = new HashMap<>();

    private InferSchema(Side side) {
        super(side);
    }

    /** A topic's learned schema. */
    private record Learned(TopicSchema schema) {
    }

    @Override
    public void configure(Map<String, ?> props) {
        config = new InferSchemaConfig(props);
        json = new JsonText(config.settings().maxDepth());
        List<String> keyFields = config.keyFields();
        keyProjection = keyFields.isEmpty() ? null : new KeyProjection(keyFields);
        schemas.clear();
        stored.clear();
        closeStore();
        store = config.schemaStore().orElse(null);
        refreshNanos = TimeUnit.MILLISECONDS.toNanos(config.getLong(InferSchemaConfig.STORE_REFRESH_MS));
        LOG.info("InferSchema ({}) configured: {}, key fields {}, seeded topics {}, schema store {}", side(),
                config.settings(), keyFields, config.seeds().keySet(), config.schemaStoreSummary());
        if (store != null) {
            readStore();
            LOG.info("InferSchema ({}) read the learned schemas of topics {} from the schema store", side(),
                    stored.keySet());
        } else if (config.seeds().isEmpty()) {
            LOG.info("InferSchema ({}) keeps learned schemas in memory only: after a restart they are learned again "
                    + "from the records that follow (set {} to keep them)", side(), InferSchemaConfig.STORE_TOPIC);
        }
    }

    @Override
    protected R apply(R record, Schema schema, Object operand) {
        try {
            Object document = document(schema, operand);
            if (document == null) {
                return record;
            }
            if (store != null && System.nanoTime() - lastRead >= refreshNanos) {
                readStore();
            }
            TopicSchema topicSchema = learned(record.topic()).schema();
            Object value = topicSchema.fit(document);
            if (value == null) {
                value = change(record.topic(), document);
                topicSchema = learned(record.topic()).schema();
            }
            return withInferred(record, topicSchema.schema(), value);
        } catch (InferenceFailure failure) {
            throw new DataException("InferSchema could not infer the " + side() + " schema of the record at "
                    + coordinates(record) + ": " + failure.getMessage());
        }
    }

    /**
     * The record with its inferred key or value; a value's record also gets the key that {@code key.fields}
     * builds from it.
     */
    private R withInferred(R record, Schema schema, Object value) {
        Struct key = side() == Side.VALUE && value instanceof Struct struct ? keyFromValue(record, struct) : null;
        if (key == null) {
            return newRecord(record, schema, value);
        }
        return record.newRecord(record.topic(), record.kafkaPartition(), key.schema(), key, schema, value,
                record.timestamp(), record.headers());
    }

    /**
     * A record with a null key or value. With {@code key.fields}, a null key is built from the value's fields,
     * and a tombstone (null value) gets the key of the row it deletes; otherwise it passes through.
     */
    @Override
    protected R applyToNull(R record) {
        if (side() == Side.KEY) {
            if (record.value() instanceof Struct value) {
                Struct key = keyFromValue(record, value);
                if (key != null) {
                    return newRecord(record, key.schema(), key);
                }
            }
            return record;
        }
        Struct key = keyOfTombstone(record);
        if (key == null || key == record.key()) {
            return record;
        }
        return record.newRecord(record.topic(), record.kafkaPartition(), key.schema(), key, record.valueSchema(),
                null, record.timestamp(), record.headers());
    }

    /**
     * Changes a topic's schema to take a document. With a store, the change is made on the latest stored schema,
     * stored, and read back in store order, so that every task folds the same changes in the same order: a
     * field's type is the one stored first, and a record that needs another (stored meanwhile by another task)
     * is rejected like any type conflict, or widens again.
     *
     * @return the document as a value of the changed schema
     */
    private Object change(String topic, Object document) {
        TopicSchema topicSchema = learned(topic).schema();
        if (store == null) {
            if (topicSchema.learn(document)) {
                LOG.info("InferSchema ({}) schema of topic {} is now version {}: {}", side(), topic,
                        topicSchema.version(), topicSchema.schema());
            }
            return topicSchema.fit(document);
        }
        readStore();
        for (int attempt = 0; attempt < MAX_STORE_ATTEMPTS; attempt++) {
            topicSchema = learned(topic).schema();
            Object value = topicSchema.fit(document);
            if (value != null) {
                return value;
            }
            if (!topicSchema.learn(document)) {
                return topicSchema.fit(document);
            }
            try {
                store.save(side().toString(), topic, topicSchema.snapshot());
            } catch (RuntimeException e) {
                schemas.remove(topic); // the change is not stored: no record may carry it
                throw e;
            }
            readStore();
        }
        throw new RetriableException("InferSchema (" + side() + ") could not store a change of the schema of topic "
                + topic + " in " + MAX_STORE_ATTEMPTS + " attempts: other tasks kept changing it");
    }

    /**
     * Reads what was stored since the last read (this task's own changes included) and rebuilds the schemas of
     * the topics it concerns from everything stored for them, in store order.
     */
    private void readStore() {
        List<SchemaStore.Entry> entries = store.read(side().toString());
        lastRead = System.nanoTime();
        if (entries.isEmpty()) {
            return;
        }
        Set<String> changed = new LinkedHashSet<>();
        for (SchemaStore.Entry entry : entries) {
            if (entry.snapshot() == null) {
                stored.remove(entry.topic());
                LOG.info("InferSchema ({}) schema of topic {} was reset in the schema store", side(), entry.topic());
            } else {
                stored.computeIfAbsent(entry.topic(), t -> new ArrayList<>()).add(entry.snapshot());
            }
            changed.add(entry.topic());
        }
        for (String topic : changed) {
            Learned before = schemas.remove(topic);
            TopicSchema folded = fold(topic);
            List<SchemaSnapshot> snapshots = stored.getOrDefault(topic, List.of());
            if (!snapshots.isEmpty() && !folded.snapshot().equals(snapshots.get(snapshots.size() - 1))) {
                // The last stored record must hold everything stored before it, as compaction keeps only it:
                // two tasks that stored changes at the same time each miss the other's; store them together.
                store.save(side().toString(), topic, folded.snapshot());
            }
            Learned after = learned(topic);
            if (before == null || before.schema().version() != after.schema().version()
                    || !Objects.equals(before.schema().schema(), after.schema().schema())) {
                LOG.info("InferSchema ({}) schema of topic {} is now version {}: {}", side(), topic,
                        after.schema().version(), after.schema().schema());
            }
        }
    }

    /** The topic's schema as stored: every stored record since the last tombstone folded in store order. */
    private TopicSchema fold(String topic) {
        TopicSchema topicSchema = new TopicSchema(config.settings(), json, side() == Side.VALUE);
        List<SchemaSnapshot> snapshots = stored.getOrDefault(topic, List.of());
        for (int i = 0; i < snapshots.size(); i++) {
            if (i == 0) {
                topicSchema.restore(snapshots.get(i));
            } else {
                topicSchema.widen(snapshots.get(i));
            }
        }
        return topicSchema;
    }

    private Learned learned(String topic) {
        Learned learned = schemas.get(topic);
        if (learned == null) {
            TopicSchema topicSchema = fold(topic);
            List<FieldSpec> seed = config.seeds().get(topic);
            if (seed != null) {
                topicSchema.widen(seed);
            }
            learned = new Learned(topicSchema);
            schemas.put(topic, learned);
        }
        return learned;
    }

    /** The schemaless document in an operand, null when the operand already has a schema of its own. */
    private Object document(Schema schema, Object operand) {
        if (schema == null) {
            if (operand instanceof String text && side() == Side.VALUE) {
                return json.parse(text);
            }
            if (operand instanceof byte[] bytes) {
                return json.parse(bytes);
            }
            return operand;
        }
        if (schema.name() != null) {
            return null;
        }
        // StringConverter and ByteArrayConverter give JSON text a STRING or BYTES schema
        if (schema.type() == Schema.Type.STRING && operand instanceof String text) {
            return json.parse(text);
        }
        if (schema.type() == Schema.Type.BYTES) {
            if (operand instanceof byte[] bytes) {
                return json.parse(bytes);
            }
            if (operand instanceof ByteBuffer buffer) {
                byte[] bytes = new byte[buffer.remaining()];
                buffer.duplicate().get(bytes);
                return json.parse(bytes);
            }
        }
        return null;
    }

    /**
     * The key built from the value's fields, replacing whatever key the record has (none, a string, JSON, bytes,
     * a Struct), so that a sink keyed on {@code key.fields} always gets a Struct of them; null when not
     * configured.
     */
    private Struct keyFromValue(R record, Struct value) {
        if (keyProjection == null) {
            return null;
        }
        try {
            return keyProjection.project(value);
        } catch (InferenceFailure failure) {
            throw new DataException("InferSchema could not build the key of the record at " + coordinates(record)
                    + ": " + failure.getMessage());
        }
    }

    /**
     * The key of a tombstone as a Struct of {@code key.fields}, typed as the topic's learned value schema types
     * them, so that a sink can delete the row the tombstone names; null when not configured. The record's key
     * may be a JSON object holding the key fields (a Map, or JSON text as a String or bytes), or, for a single
     * key field, its bare value (JSON text, or a string or number).
     */
    private Struct keyOfTombstone(R record) {
        if (keyProjection == null) {
            return null;
        }
        if (record.key() instanceof Struct struct && record.keySchema() != null
                && record.keySchema().type() == Schema.Type.STRUCT) {
            return struct;
        }
        try {
            if (record.key() == null) {
                throw new InferenceFailure("a tombstone (null value) without a key names no row to delete");
            }
            if (store != null && System.nanoTime() - lastRead >= refreshNanos) {
                readStore();
            }
            Learned learned = learned(record.topic());
            if (learned.schema().schema() == null) {
                throw new InferenceFailure("a tombstone arrived before any value of the topic, so the types of "
                        + "its key fields " + config.keyFields() + " are not known yet");
            }
            return keyProjection.fromKey(learned.schema().schema(), keyDocument(record.key()));
        } catch (InferenceFailure failure) {
            throw new DataException("InferSchema could not build the key of the tombstone at " + coordinates(record)
                    + ": " + failure.getMessage());
        }
    }

    private Object keyDocument(Object key) {
        if (key instanceof byte[] bytes) {
            return json.parseOrText(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
        }
        if (key instanceof ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.duplicate().get(bytes);
            return json.parseOrText(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
        }
        if (key instanceof String text) {
            return json.parseOrText(text);
        }
        return key;
    }

    @Override
    public ConfigDef config() {
        return InferSchemaConfig.CONFIG_DEF;
    }

    @Override
    public String version() {
        return PluginVersion.of(InferSchema.class);
    }

    @Override
    public void close() {
        schemas.clear();
        stored.clear();
        closeStore();
    }

    private void closeStore() {
        if (store != null) {
            store.close();
            store = null;
        }
    }

    /** Infers the schema of record keys. */
    public static final class Key<R extends ConnectRecord<R>> extends InferSchema<R> {

        public Key() {
            super(Side.KEY);
        }
    }

    /** Infers the schema of record values. */
    public static final class Value<R extends ConnectRecord<R>> extends InferSchema<R> {

        public Value() {
            super(Side.VALUE);
        }
    }
}
