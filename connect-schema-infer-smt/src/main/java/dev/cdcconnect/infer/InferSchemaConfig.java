package dev.cdcconnect.infer;

import dev.cdcconnect.infer.schema.ArrayMode;
import dev.cdcconnect.infer.schema.FieldSpec;
import dev.cdcconnect.infer.schema.InferenceSettings;
import dev.cdcconnect.infer.schema.NestedMode;
import dev.cdcconnect.infer.schema.TypeConflicts;
import dev.cdcconnect.infer.schema.TypeHint;
import dev.cdcconnect.infer.store.KafkaSchemaStore;
import dev.cdcconnect.infer.store.SchemaStore;
import dev.cdcconnect.support.Redaction;
import dev.cdcconnect.support.config.ConfigProblem;
import dev.cdcconnect.support.config.Validators;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Configuration of the {@link InferSchema} transforms. */
public final class InferSchemaConfig extends AbstractConfig {

    public static final String NESTED_MODE = "nested.mode";
    private static final String NESTED_MODE_DOC = "What a nested JSON object becomes: 'flatten' (one field per leaf, "
            + "named by joining the path with flatten.delimiter), 'struct' (a nested optional Struct) or 'json' "
            + "(a STRING field holding the object's JSON text).";

    public static final String FLATTEN_DELIMITER = "flatten.delimiter";
    private static final String FLATTEN_DELIMITER_DOC = "Joins the keys of a nested path into a flattened field "
            + "name: customer.address.city becomes customer_address_city with '_'.";

    public static final String ARRAY_MODE = "array.mode";
    private static final String ARRAY_MODE_DOC = "What a JSON array becomes: 'json' (a STRING field holding its "
            + "JSON text) or 'array' (a Connect ARRAY when its elements are int64, float64, boolean or string "
            + "values that agree, JSON text otherwise).";

    public static final String ISO8601_DETECT = "iso8601.detect";
    private static final String ISO8601_DETECT_DOC = "Give strings that are ISO-8601 dates (yyyy-MM-dd) the Date "
            + "type and ISO-8601 date-times the Timestamp type. Off, such strings are STRING like any other; a "
            + "field whose later values are not ISO-8601 widens to STRING.";

    public static final String MAX_DEPTH = "max.depth";
    private static final String MAX_DEPTH_DOC = "How deep objects and arrays may nest, the document itself being "
            + "level 1. A deeper record fails with a DataException (so errors.tolerance and the dead letter queue "
            + "apply).";

    public static final String TYPE_CONFLICTS = "type.conflicts";
    private static final String TYPE_CONFLICTS_DOC = "What a record does whose value needs a field of the published "
            + "schema to change type (a fraction in an int64 field, a string in a boolean one, a number in a string "
            + "one): 'reject' fails the record with a DataException naming the field and the value (so "
            + "errors.tolerance and the dead letter queue apply) and leaves the schema as it was, so that a sink "
            + "that never changes a column's type (such as Debezium's JDBC sink) never receives a value its column "
            + "would round or refuse; 'widen' widens the field's type (int64 to float64, date to timestamp, anything "
            + "else to string), for sinks that alter columns. New fields are added either way.";

    public static final String MAX_FIELDS = "max.fields";
    private static final String MAX_FIELDS_DOC = "How many fields (nested ones included) a topic's learned schema "
            + "may have. A record that would take it past this fails with a DataException and leaves the schema "
            + "as it was, so one record with thousands of keys cannot make a table too wide for its database "
            + "(Postgres allows 1600 columns, Oracle 1000).";

    public static final String TYPE_HINTS = "type.hints";
    private static final String TYPE_HINTS_DOC = "Comma-separated field:type pairs that pin a field's type over "
            + "inference, e.g. 'price:decimal(10,2),created_at:timestamp,day:date,id:int32,payload:json'. Fields are "
            + "named as they come out: the flattened name (or the dotted path, customer.id) when flattening, the "
            + "dotted path of a nested Struct's field otherwise. Types: " + TypeHint.VALID_TYPES + ". timestamp "
            + "reads ISO-8601 text or epoch milliseconds; timestamp(micros) reads epoch microseconds (Debezium's "
            + "MicroTimestamp) or ISO-8601 text to the microsecond, as " + TypeHint.MICRO_TIMESTAMP_SCHEMA_NAME
            + "; date reads yyyy-MM-dd or days since 1970-01-01; time reads HH:mm:ss or milliseconds since "
            + "midnight; time(micros) reads microseconds since midnight (Debezium's MicroTime); decimal rounds half "
            + "up to its scale; decimal(p,s,base64) reads Debezium's base64 of the unscaled bytes at scale s; json "
            + "keeps the value's JSON text under the schema name " + TypeHint.JSON_SCHEMA_NAME + ". A value the "
            + "type cannot hold, or could hold only by dropping digits, fails the record.";

    public static final String KEY_FIELDS = "key.fields";
    private static final String KEY_FIELDS_DOC = "Fields of the value (as they come out, e.g. flattened names) to "
            + "build a Struct key from when a record has no key, so a sink can upsert on them. A record whose "
            + "value lacks one of them fails. The value transform takes them from the value it infers; the key "
            + "transform from a value that already has a schema.";

    public static final String SCHEMA_SEED = "schema.seed";
    private static final String SCHEMA_SEED_DOC = "Comma-separated topic:field:type entries the learned schema of a "
            + "topic starts from, so that a field is created with its final type before any record shows it (and "
            + "so a restarted task without a schema store never comes back narrower). Types: int64, float64, "
            + "boolean, string, bytes, date, timestamp, array<type>, struct<name:type,...>. Seeded types still "
            + "widen; use type.hints to pin a type.";

    public static final String STORE_TOPIC = "schema.store.topic";
    private static final String STORE_TOPIC_DOC = "Compacted Kafka topic the learned schemas are kept in (created "
            + "if missing), so that a restarted task never comes back narrower than what its sink has already "
            + "seen. Written each time a schema changes, read when the transform starts. Empty: learned schemas "
            + "live in memory only (see schema.seed). Use one topic per connector, or share it between connectors "
            + "that feed the same tables.";

    public static final String STORE_BOOTSTRAP_SERVERS = "schema.store.bootstrap.servers";
    private static final String STORE_BOOTSTRAP_SERVERS_DOC = "Kafka cluster holding schema.store.topic, as "
            + "host:port pairs. Further client settings (security.protocol, sasl.*, ssl.*, ...) go under the "
            + "prefix schema.store.client., e.g. schema.store.client.security.protocol=SASL_SSL.";

    public static final String STORE_TIMEOUT_MS = "schema.store.timeout.ms";
    private static final String STORE_TIMEOUT_MS_DOC = "How long reading the schema store at start, or writing a "
            + "changed schema to it, may take before the task fails.";

    public static final String STORE_REFRESH_MS = "schema.store.refresh.ms";
    private static final String STORE_REFRESH_MS_DOC = "How often a task reads what the connector's other tasks "
            + "stored in schema.store.topic while it runs. A schema change one task stored reaches the others at "
            + "their first record after this long at the latest; a task that meets a record its schema does not "
            + "take reads the store at once, before it changes anything.";

    public static final String STORE_REPLICATION_FACTOR = "schema.store.replication.factor";
    private static final String STORE_REPLICATION_FACTOR_DOC = "Replication factor of schema.store.topic when "
            + "the transform creates it; -1 takes the broker's default.";

    /** Prefix of the Kafka client settings used for the schema store. */
    public static final String STORE_CLIENT_PREFIX = "schema.store.client.";

    private static final String GROUP_INFERENCE = "Inference";
    private static final String GROUP_STORE = "Schema store";
    private static final Pattern TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final String GROUP_HINTS = "Types";
    private static final String GROUP_KEY = "Key";

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(NESTED_MODE, Type.STRING, "flatten", Validators.oneOf(NestedMode.values()), Importance.HIGH,
                    NESTED_MODE_DOC, GROUP_INFERENCE, 1, Width.SHORT, "Nested objects")
            .define(FLATTEN_DELIMITER, Type.STRING, "_", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    FLATTEN_DELIMITER_DOC, GROUP_INFERENCE, 2, Width.SHORT, "Flatten delimiter")
            .define(ARRAY_MODE, Type.STRING, "json", Validators.oneOf(ArrayMode.values()), Importance.MEDIUM,
                    ARRAY_MODE_DOC, GROUP_INFERENCE, 3, Width.SHORT, "Arrays")
            .define(ISO8601_DETECT, Type.BOOLEAN, false, Importance.MEDIUM, ISO8601_DETECT_DOC, GROUP_INFERENCE, 4,
                    Width.SHORT, "Detect ISO-8601 dates and times")
            .define(MAX_DEPTH, Type.INT, 16, ConfigDef.Range.between(1, 1000), Importance.LOW, MAX_DEPTH_DOC,
                    GROUP_INFERENCE, 5, Width.SHORT, "Maximum nesting depth")
            .define(TYPE_CONFLICTS, Type.STRING, "reject", Validators.oneOf(TypeConflicts.values()), Importance.HIGH,
                    TYPE_CONFLICTS_DOC, GROUP_INFERENCE, 6, Width.SHORT, "Type conflicts")
            .define(MAX_FIELDS, Type.INT, 1000, ConfigDef.Range.between(1, 100_000), Importance.MEDIUM,
                    MAX_FIELDS_DOC, GROUP_INFERENCE, 7, Width.SHORT, "Maximum number of fields")
            .define(TYPE_HINTS, Type.STRING, "", Validators.parsing("field:type,... with types " + TypeHint.VALID_TYPES,
                            InferSchemaConfig::parseHints), Importance.HIGH, TYPE_HINTS_DOC,
                    GROUP_HINTS, 1, Width.LONG, "Type hints")
            .define(SCHEMA_SEED, Type.STRING, "", Validators.parsing("topic:field:type,...", InferSchemaConfig::parseSeeds), Importance.LOW, SCHEMA_SEED_DOC,
                    GROUP_HINTS, 2, Width.LONG, "Schema seed")
            .define(KEY_FIELDS, Type.LIST, "", Validators.list("comma-separated field names", InferSchemaConfig::checkFieldNames), Importance.MEDIUM, KEY_FIELDS_DOC,
                    GROUP_KEY, 1, Width.MEDIUM, "Key from value fields")
            .define(STORE_TOPIC, Type.STRING, "", Validators.parsing("empty, or a topic name", InferSchemaConfig::checkTopicName), Importance.HIGH, STORE_TOPIC_DOC,
                    GROUP_STORE, 1, Width.MEDIUM, "Schema store topic")
            .define(STORE_BOOTSTRAP_SERVERS, Type.LIST, "", Validators.hostPorts(true, false), Importance.HIGH,
                    STORE_BOOTSTRAP_SERVERS_DOC, GROUP_STORE, 2, Width.LONG, "Schema store bootstrap servers")
            .define(STORE_TIMEOUT_MS, Type.LONG, 30_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    STORE_TIMEOUT_MS_DOC, GROUP_STORE, 3, Width.SHORT, "Schema store timeout (ms)")
            .define(STORE_REPLICATION_FACTOR, Type.SHORT, (short) -1, Validators.of("-1, or at least 1", InferSchemaConfig::checkReplicationFactor),
                    Importance.LOW, STORE_REPLICATION_FACTOR_DOC, GROUP_STORE, 4, Width.SHORT,
                    "Schema store replication factor")
            .define(STORE_REFRESH_MS, Type.LONG, 5_000L, ConfigDef.Range.atLeast(0), Importance.LOW,
                    STORE_REFRESH_MS_DOC, GROUP_STORE, 5, Width.SHORT, "Schema store refresh interval (ms)");

    private final InferenceSettings settings;
    private final Map<String, List<FieldSpec>> seeds;

    public InferSchemaConfig(Map<?, ?> originals) {
        super(CONFIG_DEF, originals);
        NestedMode nestedMode = NestedMode.valueOf(getString(NESTED_MODE).toUpperCase(Locale.ROOT));
        String delimiter = getString(FLATTEN_DELIMITER);
        Map<String, TypeHint> hints = new LinkedHashMap<>();
        parseHints(getString(TYPE_HINTS)).forEach((field, hint) ->
                hints.put(nestedMode == NestedMode.FLATTEN ? field.replace(".", delimiter) : field, hint));
        this.settings = new InferenceSettings(nestedMode, delimiter,
                ArrayMode.valueOf(getString(ARRAY_MODE).toUpperCase(Locale.ROOT)), getBoolean(ISO8601_DETECT),
                getInt(MAX_DEPTH), hints, TypeConflicts.valueOf(getString(TYPE_CONFLICTS).toUpperCase(Locale.ROOT)),
                getInt(MAX_FIELDS));
        this.seeds = parseSeeds(getString(SCHEMA_SEED));
        if (!getString(STORE_TOPIC).isEmpty() && getList(STORE_BOOTSTRAP_SERVERS).isEmpty()) {
            throw new ConfigProblem(STORE_BOOTSTRAP_SERVERS, "",
                    "the Kafka cluster of " + STORE_TOPIC + " '" + getString(STORE_TOPIC) + "' must be given");
        }
        if (getString(STORE_TOPIC).isEmpty() && !getList(STORE_BOOTSTRAP_SERVERS).isEmpty()) {
            throw new ConfigProblem(STORE_TOPIC, "", "a topic must be named when " + STORE_BOOTSTRAP_SERVERS
                    + " is set");
        }
    }

    /** The store learned schemas persist in, if one is configured. */
    public Optional<SchemaStore> schemaStore() {
        String topic = getString(STORE_TOPIC);
        if (topic.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Object> clientProps = new LinkedHashMap<>(originalsWithPrefix(STORE_CLIENT_PREFIX));
        clientProps.put("bootstrap.servers", String.join(",", getList(STORE_BOOTSTRAP_SERVERS)));
        clientProps.putIfAbsent("client.id", "infer-schema-store-" + topic);
        short replicationFactor = getShort(STORE_REPLICATION_FACTOR);
        return Optional.of(new KafkaSchemaStore(topic, clientProps, Duration.ofMillis(getLong(STORE_TIMEOUT_MS)),
                replicationFactor < 0 ? Optional.empty() : Optional.of(replicationFactor)));
    }

    /**
     * The store's settings for the startup log line: its client settings with every secret masked
     * ({@code sasl.jaas.config}, {@code *.password}, credentials in URLs).
     */
    public String schemaStoreSummary() {
        if (getString(STORE_TOPIC).isEmpty()) {
            return "none";
        }
        Map<String, Object> client = originalsWithPrefix(STORE_CLIENT_PREFIX);
        return "topic " + getString(STORE_TOPIC) + " on " + getList(STORE_BOOTSTRAP_SERVERS)
                + ", refreshed every " + getLong(STORE_REFRESH_MS) + " ms"
                + (client.isEmpty() ? "" : ", client settings " + Redaction.maskProperties(new TreeMap<>(client)));
    }

    public InferenceSettings settings() {
        return settings;
    }

    public List<String> keyFields() {
        return getList(KEY_FIELDS);
    }

    /** Seeded fields by topic. */
    public Map<String, List<FieldSpec>> seeds() {
        return seeds;
    }

    /** Reads {@code field:type,...}; the field is everything before the type's colon. */
    static Map<String, TypeHint> parseHints(String text) {
        Map<String, TypeHint> hints = new LinkedHashMap<>();
        for (String entry : FieldSpec.splitTopLevel(text, ',')) {
            int colon = entry.lastIndexOf(':');
            if (colon <= 0 || colon == entry.length() - 1) {
                throw new ConfigProblem(TYPE_HINTS, text, "entry '" + entry + "' is not field:type");
            }
            String field = entry.substring(0, colon).trim();
            TypeHint hint;
            try {
                hint = TypeHint.parse(entry.substring(colon + 1));
            } catch (IllegalArgumentException e) {
                throw new ConfigProblem(TYPE_HINTS, text, "entry '" + entry + "': " + e.getMessage());
            }
            if (hints.put(field, hint) != null) {
                throw new ConfigProblem(TYPE_HINTS, text, "field '" + field + "' has more than one hint");
            }
        }
        return hints;
    }

    /** Reads {@code topic:field:type,...}. */
    static Map<String, List<FieldSpec>> parseSeeds(String text) {
        Map<String, List<FieldSpec>> seeds = new LinkedHashMap<>();
        for (String entry : FieldSpec.splitTopLevel(text, ',')) {
            int first = entry.indexOf(':');
            int second = first < 0 ? -1 : entry.indexOf(':', first + 1);
            if (first <= 0 || second <= first + 1 || second == entry.length() - 1) {
                throw new ConfigProblem(SCHEMA_SEED, text, "entry '" + entry + "' is not topic:field:type");
            }
            String topic = entry.substring(0, first).trim();
            String field = entry.substring(first + 1, second).trim();
            try {
                seeds.computeIfAbsent(topic, t -> new ArrayList<>())
                        .add(FieldSpec.parse(field, entry.substring(second + 1)));
            } catch (IllegalArgumentException e) {
                throw new ConfigProblem(SCHEMA_SEED, text, "entry '" + entry + "': " + e.getMessage());
            }
        }
        seeds.replaceAll((topic, fields) -> List.copyOf(fields));
        return Collections.unmodifiableMap(seeds);
    }

    private static List<String> checkFieldNames(List<String> fields) {
        if (fields.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("field names must not be blank");
        }
        if (fields.stream().distinct().count() != fields.size()) {
            throw new IllegalArgumentException("a field is named more than once");
        }
        return fields;
    }

    private static String checkTopicName(String topic) {
        if (topic != null && !topic.isEmpty() && !TOPIC_NAME.matcher(topic).matches()) {
            throw new IllegalArgumentException("a topic name has 1 to 249 of the characters a-z A-Z 0-9 . _ -");
        }
        return topic;
    }

    private static void checkReplicationFactor(String name, Object value) {
        if (value != null && (Short) value != -1 && (Short) value < 1) {
            throw new IllegalArgumentException("must be -1 (broker default) or at least 1");
        }
    }
}
