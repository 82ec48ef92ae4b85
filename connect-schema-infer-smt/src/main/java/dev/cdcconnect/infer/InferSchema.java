package dev.cdcconnect.infer;

import dev.cdcconnect.infer.schema.FieldSpec;
import dev.cdcconnect.infer.schema.InferenceFailure;
import dev.cdcconnect.infer.schema.JsonText;
import dev.cdcconnect.infer.schema.SchemaSnapshot;
import dev.cdcconnect.infer.schema.TopicSchema;
import dev.cdcconnect.infer.store.SchemaStore;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.connect.components.Versioned;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.transforms.Transformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Gives schemaless JSON keys or values (Maps from JsonConverter with {@code schemas.enable=false}, or JSON text)
 * a Connect schema learned per topic, so that sinks needing a schema, such as JDBC sinks, can write them. The
 * schema only ever widens; records that already have a schema, and null keys or values, pass through.
 */
public abstract class InferSchema<R extends ConnectRecord<R>> implements Transformation<R>, Versioned {

    public static final String OVERVIEW_DOC = "Infer a Connect schema for schemaless JSON "
            + "(<code>" + Key.class.getName() + "</code> for the record key, <code>" + Value.class.getName()
            + "</code> for the value). The schema is learned per topic and only ever widens.";

    private static final Logger LOG = LoggerFactory.getLogger(InferSchema.class);
    private static final String VERSION = readVersion();

    private InferSchemaConfig config;
    private JsonText json;
    private KeyProjection keyProjection;
    private SchemaStore store;
    private Map<String, List<SchemaSnapshot>> stored = Map.of();
    private final Map<String, Learned> schemas = new HashMap<>();

    /** A topic's learned schema and the version last written to the store. */
    private static final class Learned {
        final TopicSchema schema;
        int storedVersion;

        Learned(TopicSchema schema, int storedVersion) {
            this.schema = schema;
            this.storedVersion = storedVersion;
        }
    }

    @Override
    public void configure(Map<String, ?> props) {
        config = new InferSchemaConfig(props);
        json = new JsonText(config.settings().maxDepth());
        List<String> keyFields = config.keyFields();
        keyProjection = keyFields.isEmpty() ? null : new KeyProjection(keyFields);
        schemas.clear();
        closeStore();
        store = config.schemaStore().orElse(null);
        stored = store != null ? store.load(side()) : Map.of();
        LOG.info("InferSchema ({}) configured: {}, key fields {}, seeded topics {}, schema store {}", side(),
                config.settings(), keyFields, config.seeds().keySet(), config.schemaStoreSummary());
        if (store == null && config.seeds().isEmpty()) {
            LOG.info("InferSchema ({}) keeps learned schemas in memory only: after a restart they are learned again "
                    + "from the records that follow (set {} to keep them)", side(), InferSchemaConfig.STORE_TOPIC);
        }
    }

    @Override
    public R apply(R record) {
        Object operand = operand(record);
        if (operand == null) {
            return applyToNull(record);
        }
        try {
            Object document = document(operandSchema(record), operand);
            if (document == null) {
                return record;
            }
            Learned learned = schemas.get(record.topic());
            if (learned == null) {
                learned = learn(record.topic());
            }
            TopicSchema topicSchema = learned.schema;
            Object value = topicSchema.infer(document);
            if (topicSchema.version() != learned.storedVersion) {
                changed(record.topic(), learned);
            }
            return withInferred(record, topicSchema.schema(), value);
        } catch (InferenceFailure failure) {
            throw new DataException("InferSchema could not infer the " + side() + " schema of the record at "
                    + coordinates(record) + ": " + failure.getMessage());
        }
    }

    /** The schemaless document in an operand, null when the operand already has a schema of its own. */
    private Object document(Schema schema, Object operand) {
        if (schema == null) {
            if (operand instanceof String text && parsesSchemalessText()) {
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

    private Learned learn(String topic) {
        TopicSchema topicSchema = new TopicSchema(config.settings(), json, objectsOnly());
        List<SchemaSnapshot> snapshots = stored.getOrDefault(topic, List.of());
        for (int i = 0; i < snapshots.size(); i++) {
            if (i == 0) {
                topicSchema.restore(snapshots.get(i));
            } else {
                topicSchema.widen(snapshots.get(i));
            }
        }
        int restoredVersion = snapshots.size() == 1 ? topicSchema.version() : 0;
        List<FieldSpec> seed = config.seeds().get(topic);
        if (seed != null && topicSchema.widen(seed)) {
            restoredVersion = 0;
        }
        if (!snapshots.isEmpty()) {
            LOG.info("InferSchema ({}) starts topic {} from its stored schema, version {}: {}", side(), topic,
                    topicSchema.version(), topicSchema.schema());
        }
        Learned learned = new Learned(topicSchema, restoredVersion);
        schemas.put(topic, learned);
        return learned;
    }

    /** Logs a changed schema and stores it before any record carrying it leaves the transform. */
    private void changed(String topic, Learned learned) {
        TopicSchema topicSchema = learned.schema;
        LOG.info("InferSchema ({}) schema of topic {} is now version {}: {}", side(), topic, topicSchema.version(),
                topicSchema.schema());
        if (store != null) {
            store.save(side(), topic, topicSchema.snapshot());
        }
        learned.storedVersion = topicSchema.version();
    }

    /** A key built from the value's fields, for records that have none; null when not configured. */
    protected final Struct keyFromValue(R record, Struct value) {
        if (keyProjection == null || record.key() != null) {
            return null;
        }
        try {
            return keyProjection.project(value);
        } catch (InferenceFailure failure) {
            throw new DataException("InferSchema could not build the key of the record at " + coordinates(record)
                    + ": " + failure.getMessage());
        }
    }

    protected final Schema keySchemaFor(Struct key) {
        return key == null ? null : key.schema();
    }

    private static String coordinates(ConnectRecord<?> record) {
        StringBuilder b = new StringBuilder("topic '").append(record.topic()).append("' partition ")
                .append(record.kafkaPartition());
        if (record instanceof SinkRecord sink) {
            b.append(" offset ").append(sink.kafkaOffset());
        }
        return b.toString();
    }

    protected abstract Object operand(R record);

    protected abstract Schema operandSchema(R record);

    protected abstract R withInferred(R record, Schema schema, Object value);

    protected abstract R applyToNull(R record);

    /** Values must be objects; keys may be a bare JSON value. */
    protected abstract boolean objectsOnly();

    /**
     * Whether a String without a schema is JSON text. JsonConverter gives a JSON string document as such a
     * String, which is a fine key; a value must be an object, so a value String can only be JSON text.
     */
    protected abstract boolean parsesSchemalessText();

    protected abstract String side();

    @Override
    public ConfigDef config() {
        return InferSchemaConfig.CONFIG_DEF;
    }

    @Override
    public String version() {
        return VERSION;
    }

    @Override
    public void close() {
        schemas.clear();
        closeStore();
    }

    private void closeStore() {
        if (store != null) {
            store.close();
            store = null;
        }
    }

    private static String readVersion() {
        try (InputStream in = InferSchema.class.getResourceAsStream("version.properties")) {
            Properties properties = new Properties();
            if (in != null) {
                properties.load(in);
            }
            return properties.getProperty("version", AppInfoParser.getVersion());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Infers the schema of record keys. */
    public static final class Key<R extends ConnectRecord<R>> extends InferSchema<R> {

        @Override
        protected Object operand(R record) {
            return record.key();
        }

        @Override
        protected Schema operandSchema(R record) {
            return record.keySchema();
        }

        @Override
        protected R withInferred(R record, Schema schema, Object value) {
            return record.newRecord(record.topic(), record.kafkaPartition(), schema, value, record.valueSchema(),
                    record.value(), record.timestamp());
        }

        @Override
        protected R applyToNull(R record) {
            if (record.value() instanceof Struct value) {
                Struct key = keyFromValue(record, value);
                if (key != null) {
                    return withInferred(record, key.schema(), key);
                }
            }
            return record;
        }

        @Override
        protected boolean objectsOnly() {
            return false;
        }

        @Override
        protected boolean parsesSchemalessText() {
            return false;
        }

        @Override
        protected String side() {
            return "key";
        }
    }

    /** Infers the schema of record values. */
    public static final class Value<R extends ConnectRecord<R>> extends InferSchema<R> {

        @Override
        protected Object operand(R record) {
            return record.value();
        }

        @Override
        protected Schema operandSchema(R record) {
            return record.valueSchema();
        }

        @Override
        protected R withInferred(R record, Schema schema, Object value) {
            Struct key = value instanceof Struct struct ? keyFromValue(record, struct) : null;
            return record.newRecord(record.topic(), record.kafkaPartition(),
                    key != null ? key.schema() : record.keySchema(), key != null ? key : record.key(),
                    schema, value, record.timestamp());
        }

        @Override
        protected R applyToNull(R record) {
            return record;
        }

        @Override
        protected boolean objectsOnly() {
            return true;
        }

        @Override
        protected boolean parsesSchemalessText() {
            return true;
        }

        @Override
        protected String side() {
            return "value";
        }
    }
}
