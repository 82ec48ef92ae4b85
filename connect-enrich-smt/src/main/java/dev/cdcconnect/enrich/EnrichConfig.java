package dev.cdcconnect.enrich;

import dev.cdcconnect.enrich.jdbc.JdbcSpec;
import dev.cdcconnect.enrich.table.TableSpec;
import dev.cdcconnect.support.Redaction;
import dev.cdcconnect.support.config.ConfigProblem;
import dev.cdcconnect.support.config.Validators;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.connect.storage.Converter;

/**
 * Configuration of the {@link Enrich} transform: the list of named lookups ({@code lookups=user,store}) and,
 * for each name, its keys under {@code lookup.<name>.}. The {@link ConfigDef} therefore depends on the
 * {@code lookups} value: {@link #configDef(Map)} builds it, and every message names the full key
 * ({@code lookup.user.miss.policy}), the bad value and what would be valid.
 */
public final class EnrichConfig extends AbstractConfig {

    public static final String LOOKUPS_CONFIG = "lookups";
    private static final String LOOKUPS_DOC = "Names of the lookups to apply, in order, e.g. 'user,store'. Each"
            + " name is configured with the keys lookup.<name>.*.";
    public static final String ENVELOPE_FIELDS_CONFIG = "envelope.fields";
    private static final String ENVELOPE_FIELDS_DOC = "For Debezium change events: which row states to enrich,"
            + " 'after' and/or 'before'. Key fields are read from the row being enriched. Records that are not"
            + " change-event envelopes are enriched at their top level.";
    /** Kafka consumer settings shared by all topic-fed lookups (bootstrap.servers, security...). */
    public static final String CONSUMER_PREFIX = "consumer.";
    public static final String LOOKUP_PREFIX = "lookup.";

    public static final String SOURCE = "source";
    public static final String KEY_FIELD = "key.field";
    public static final String FIELDS = "fields";
    public static final String OUTPUT = "output";
    public static final String OUTPUT_FIELD = "output.field";
    public static final String OUTPUT_PREFIX = "output.prefix";
    public static final String MISS_POLICY = "miss.policy";
    public static final String WAIT_TIMEOUT_MS = "wait.timeout.ms";
    public static final String WAIT_FALLBACK = "wait.fallback";
    public static final String TOPIC = "topic";
    public static final String TOPIC_LOAD_TIMEOUT_MS = "topic.load.timeout.ms";
    public static final String TABLE_MAX_BYTES = "table.max.bytes";
    public static final String TOPIC_UNREADABLE = "topic.unreadable";
    public static final String KEY_CONVERTER = "key.converter";
    public static final String VALUE_CONVERTER = "value.converter";
    public static final String JDBC_URL = "jdbc.url";
    public static final String JDBC_USER = "jdbc.user";
    public static final String JDBC_PASSWORD = "jdbc.password";
    public static final String JDBC_QUERY = "jdbc.query";
    public static final String JDBC_POOL_SIZE = "jdbc.pool.size";
    public static final String JDBC_CONNECTION_TIMEOUT_MS = "jdbc.connection.timeout.ms";
    public static final String JDBC_QUERY_TIMEOUT_MS = "jdbc.query.timeout.ms";
    public static final String JDBC_WAIT_BACKOFF_MS = "jdbc.wait.backoff.ms";
    public static final String CACHE_MAX_SIZE = "cache.max.size";
    public static final String CACHE_HIT_TTL_MS = "cache.hit.ttl.ms";
    public static final String CACHE_MISS_TTL_MS = "cache.miss.ttl.ms";

    static final String SOURCE_TOPIC = "topic";
    static final String SOURCE_JDBC = "jdbc";
    static final String DEFAULT_CONVERTER = "org.apache.kafka.connect.json.JsonConverter";
    static final long DEFAULT_TABLE_MAX_BYTES = 256L * 1024 * 1024;
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
    private static final List<String> PASS_THROUGH = List.of(KEY_CONVERTER + ".", VALUE_CONVERTER + ".", CONSUMER_PREFIX);

    /** The keys that do not depend on the lookup names: what a Connect worker shows and validates. */
    public static final ConfigDef CONFIG_DEF = baseConfigDef();

    private final List<LookupSpec> lookups;

    public EnrichConfig(Map<?, ?> props) {
        super(configDef(props), props, false);
        checkKeysBelongToLookups(originalsStrings().keySet(), lookupNames(props));
        this.lookups = new ArrayList<>();
        Set<String> nestedFields = new HashSet<>();
        for (String name : getList(LOOKUPS_CONFIG)) {
            LookupSpec spec = lookup(name);
            if (spec.output() == LookupSpec.Output.NESTED && !nestedFields.add(spec.outputField())) {
                throw new ConfigProblem(key(name, OUTPUT_FIELD), spec.outputField(),
                        "another lookup already writes a field of that name");
            }
            lookups.add(spec);
        }
    }

    /** The lookups, in the order of {@code lookups}. */
    public List<LookupSpec> lookups() {
        return List.copyOf(lookups);
    }

    /** Whether to enrich the {@code after} / {@code before} row of change events. */
    public List<String> envelopeFields() {
        return getList(ENVELOPE_FIELDS_CONFIG);
    }

    /** The full key of a per-lookup setting. */
    public static String key(String lookup, String suffix) {
        return LOOKUP_PREFIX + lookup + "." + suffix;
    }

    /**
     * Validates a configuration as Connect's validate endpoint would if it knew the per-lookup keys: every key,
     * static or per lookup, gets a {@link ConfigValue} whose error messages name what is wrong, including the
     * checks across keys.
     */
    public static Map<String, ConfigValue> validate(Map<String, String> props) {
        Map<String, ConfigValue> values = new LinkedHashMap<>();
        for (ConfigValue value : configDef(props).validate(props)) {
            values.put(value.name(), value);
        }
        boolean clean = values.values().stream().allMatch(v -> v.errorMessages().isEmpty());
        if (clean) {
            try {
                new EnrichConfig(props);
            } catch (ConfigException e) {
                ConfigProblem.report(values, e, LOOKUPS_CONFIG);
            }
        }
        return values;
    }

    /** The full definition for these properties: the static keys plus each listed lookup's keys. */
    public static ConfigDef configDef(Map<?, ?> props) {
        ConfigDef def = baseConfigDef();
        for (String name : lookupNames(props)) {
            defineLookup(def, name);
        }
        return def;
    }

    private static ConfigDef baseConfigDef() {
        String group = "Enrich";
        return new ConfigDef()
                .define(LOOKUPS_CONFIG, Type.LIST, ConfigDef.NO_DEFAULT_VALUE,
                        Validators.of("distinct names of letters, digits and _, e.g. user,store", EnrichConfig::validateNames),
                        Importance.HIGH, LOOKUPS_DOC, group, 1, Width.MEDIUM, "Lookups")
                .define(ENVELOPE_FIELDS_CONFIG, Type.LIST, List.of("after"), ConfigDef.ValidList.in("after", "before"),
                        Importance.MEDIUM, ENVELOPE_FIELDS_DOC, group, 2, Width.SHORT, "Change-event rows to enrich");
    }

    /** Adds the keys of one lookup to a definition. */
    static void defineLookup(ConfigDef def, String name) {
        String group = "Lookup " + name;
        int order = 0;
        def.define(key(name, SOURCE), Type.STRING, SOURCE_TOPIC,
                        Validators.oneOf(SOURCE_TOPIC, SOURCE_JDBC), Importance.HIGH,
                        "Where rows come from: 'topic', a table loaded from a Kafka topic of change events and kept"
                                + " up to date (GlobalKTable semantics), or 'jdbc', a query by key with a cache.",
                        group, ++order, Width.SHORT, name + ": source")
                .define(key(name, KEY_FIELD), Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
                        Validators.of("a field name or dot path", EnrichConfig::validatePath),
                        Importance.HIGH, "Dot path of the field holding the lookup key, e.g. 'user_id'. For change"
                                + " events it is read within the row being enriched ('after', or 'before').",
                        group, ++order, Width.MEDIUM, name + ": key field")
                .define(key(name, FIELDS), Type.LIST, List.of(),
                        Validators.of("distinct column names", EnrichConfig::validateColumnNames), Importance.MEDIUM,
                        "Looked-up columns to keep, in output order; empty keeps all.", group, ++order, Width.LONG,
                        name + ": fields")
                .define(key(name, OUTPUT), Type.STRING, "nested", Validators.oneOf("nested", "flat"),
                        Importance.MEDIUM, "'nested': one struct field holding the looked-up columns (null on a"
                                + " miss); 'flat': one field per column named <prefix><column>, for sinks that need"
                                + " flat rows such as JDBC sinks.", group, ++order, Width.SHORT, name + ": output")
                .define(key(name, OUTPUT_FIELD), Type.STRING, name, new ConfigDef.NonEmptyString(), Importance.LOW,
                        "Name of the nested field (output=nested).", group, ++order, Width.SHORT, name + ": output field")
                .define(key(name, OUTPUT_PREFIX), Type.STRING, name + "_", null, Importance.LOW,
                        "Prefix of the flat fields (output=flat).", group, ++order, Width.SHORT, name + ": output prefix")
                .define(key(name, MISS_POLICY), Type.STRING, "null",
                        Validators.oneOf(MissPolicy.configValues(MissPolicy.values())),
                        Importance.HIGH, "When the key finds no row, or the record has no key: 'null' leaves the"
                                + " lookup's fields null (left join), 'fail' fails the record with a DataException,"
                                + " 'drop' drops the record, 'wait' first waits up to " + key(name, WAIT_TIMEOUT_MS)
                                + " for the row (a topic table catches up with its topic's end offsets as of the"
                                + " miss; a jdbc source queries again with backoff), then applies "
                                + key(name, WAIT_FALLBACK) + ".", group, ++order, Width.SHORT, name + ": miss policy")
                .define(key(name, WAIT_TIMEOUT_MS), Type.LONG, 5_000L, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                        "Bound on the wait of miss.policy=wait, per record. Keep it well under the sink's"
                                + " max.poll.interval.ms: the task does not poll while it waits.",
                        group, ++order, Width.SHORT, name + ": wait timeout")
                .define(key(name, WAIT_FALLBACK), Type.STRING, "null",
                        Validators.oneOf(MissPolicy.configValues(MissPolicy.NULL, MissPolicy.FAIL,
                                MissPolicy.DROP)), Importance.MEDIUM,
                        "What a miss does after waiting: 'null', 'fail' or 'drop'.", group, ++order, Width.SHORT,
                        name + ": wait fallback")
                .define(key(name, TOPIC), Type.STRING, null, null, Importance.HIGH,
                        "source=topic: the topic to load, typically the Debezium topic of the looked-up table. Keyed"
                                + " by the record key (a key struct of one field is unwrapped). Kafka consumer settings"
                                + " go in " + key(name, CONSUMER_PREFIX) + "* or, for all lookups, consumer.*"
                                + " (bootstrap.servers is required).", group, ++order, Width.MEDIUM, name + ": topic")
                .define(key(name, TOPIC_LOAD_TIMEOUT_MS), Type.LONG, 120_000L, ConfigDef.Range.atLeast(0),
                        Importance.MEDIUM, "source=topic: how long the first record waits for the table to load from"
                                + " the topic's beginning; past it the record fails as retriable.",
                        group, ++order, Width.SHORT, name + ": load timeout")
                .define(key(name, TABLE_MAX_BYTES), Type.LONG, DEFAULT_TABLE_MAX_BYTES, ConfigDef.Range.atLeast(0),
                        Importance.MEDIUM, "source=topic: bound on the estimated heap the table's rows take (shared"
                                + " by the connector's tasks in one worker). Past it the table fails rather than drop"
                                + " rows. Keep fewer columns with " + key(name, FIELDS) + " to need less.",
                        group, ++order, Width.SHORT, name + ": table bound")
                .define(key(name, TOPIC_UNREADABLE), Type.STRING, "skip",
                        Validators.oneOf("skip", "fail"), Importance.MEDIUM,
                        "source=topic: what a record of the topic that the converters or the table cannot read does:"
                                + " 'skip' skips it (its row keeps its previous state), counts it in the table's"
                                + " UnreadableRecords metric and logs a WARN naming topic, partition and offset (at most"
                                + " one a minute); 'fail' stops the table, and every lookup in it fails.",
                        group, ++order, Width.SHORT, name + ": unreadable records")
                .define(key(name, KEY_CONVERTER), Type.CLASS, null, Validators.of("a Converter class", EnrichConfig::validateConverter),
                        Importance.MEDIUM, "source=topic: converter of the topic's record keys, as the source"
                                + " connector wrote them (default " + DEFAULT_CONVERTER + "); settings under "
                                + key(name, KEY_CONVERTER) + ".*",
                        group, ++order, Width.LONG, name + ": key converter")
                .define(key(name, VALUE_CONVERTER), Type.CLASS, null, Validators.of("a Converter class", EnrichConfig::validateConverter),
                        Importance.MEDIUM, "source=topic: converter of the topic's record values (default "
                                + DEFAULT_CONVERTER + "); settings under " + key(name, VALUE_CONVERTER) + ".*", group, ++order, Width.LONG, name + ": value converter")
                .define(key(name, JDBC_URL), Type.STRING, null, Validators.of("a JDBC URL", EnrichConfig::validateJdbcUrl), Importance.HIGH,
                        "source=jdbc: JDBC URL of the database. Postgres and MySQL/MariaDB drivers ship with the plugin.",
                        group, ++order, Width.LONG, name + ": JDBC URL")
                .define(key(name, JDBC_USER), Type.STRING, null, null, Importance.HIGH, "source=jdbc: database user.",
                        group, ++order, Width.SHORT, name + ": JDBC user")
                .define(key(name, JDBC_PASSWORD), Type.PASSWORD, null, null, Importance.HIGH,
                        "source=jdbc: database password.", group, ++order, Width.SHORT, name + ": JDBC password")
                .define(key(name, JDBC_QUERY), Type.STRING, null, Validators.of("a SELECT with one ? parameter", EnrichConfig::validateQuery), Importance.HIGH,
                        "source=jdbc: a SELECT taking the key as its one parameter, e.g. 'SELECT name, email FROM"
                                + " users WHERE id = ?'. Its columns are the looked-up columns; the first row is used.",
                        group, ++order, Width.LONG, name + ": query")
                .define(key(name, JDBC_POOL_SIZE), Type.INT, 2, ConfigDef.Range.between(1, 100), Importance.LOW,
                        "source=jdbc: connections in the pool.", group, ++order, Width.SHORT, name + ": pool size")
                .define(key(name, JDBC_CONNECTION_TIMEOUT_MS), Type.LONG, 5_000L, ConfigDef.Range.atLeast(250),
                        Importance.LOW, "source=jdbc: how long to wait for a connection before the record fails as"
                                + " retriable (database down).", group, ++order, Width.SHORT, name + ": connection timeout")
                .define(key(name, JDBC_QUERY_TIMEOUT_MS), Type.LONG, 10_000L, ConfigDef.Range.atLeast(0),
                        Importance.LOW, "source=jdbc: how long one query may run (whole seconds; 0: no limit).",
                        group, ++order, Width.SHORT, name + ": query timeout")
                .define(key(name, JDBC_WAIT_BACKOFF_MS), Type.LONG, 100L, ConfigDef.Range.atLeast(1), Importance.LOW,
                        "source=jdbc, miss.policy=wait: first pause between queries for a missing row; doubles up"
                                + " to 1 s.", group, ++order, Width.SHORT, name + ": wait backoff")
                .define(key(name, CACHE_MAX_SIZE), Type.LONG, 100_000L, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                        "source=jdbc: entries (rows and misses) the cache holds at most; 0 turns the cache off.",
                        group, ++order, Width.SHORT, name + ": cache size")
                .define(key(name, CACHE_HIT_TTL_MS), Type.LONG, 300_000L, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                        "source=jdbc: how long a found row is served from the cache.", group, ++order, Width.SHORT,
                        name + ": cache hit TTL")
                .define(key(name, CACHE_MISS_TTL_MS), Type.LONG, 5_000L, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                        "source=jdbc: how long 'no such row' is served from the cache; at most the hit TTL, short so"
                                + " a row inserted after a miss is soon found.", group, ++order, Width.SHORT,
                        name + ": cache miss TTL");
    }

    private LookupSpec lookup(String name) {
        String source = getString(key(name, SOURCE)).toLowerCase(Locale.ROOT);
        List<String> fields = getList(key(name, FIELDS));
        LookupSpec.Output output = LookupSpec.Output.valueOf(getString(key(name, OUTPUT)).toUpperCase(Locale.ROOT));
        TableSpec table = null;
        JdbcSpec jdbc = null;
        if (SOURCE_TOPIC.equals(source)) {
            table = tableSpec(name, fields);
        } else {
            jdbc = jdbcSpec(name, fields);
        }
        return new LookupSpec(name, getString(key(name, KEY_FIELD)), fields, output,
                getString(key(name, OUTPUT_FIELD)), getString(key(name, OUTPUT_PREFIX)),
                MissPolicy.parse(getString(key(name, MISS_POLICY))), millis(key(name, WAIT_TIMEOUT_MS)),
                MissPolicy.parse(getString(key(name, WAIT_FALLBACK))), table, millis(key(name, TOPIC_LOAD_TIMEOUT_MS)),
                jdbc);
    }

    private TableSpec tableSpec(String name, List<String> fields) {
        String topic = getString(key(name, TOPIC));
        if (topic == null || topic.isBlank()) {
            throw new ConfigProblem(key(name, TOPIC), topic, "is required when " + key(name, SOURCE) + "=topic");
        }
        Map<String, Object> consumer = new HashMap<>(originalsWithPrefix(CONSUMER_PREFIX));
        consumer.putAll(originalsWithPrefix(key(name, CONSUMER_PREFIX)));
        if (consumer.get("bootstrap.servers") == null || consumer.get("bootstrap.servers").toString().isBlank()) {
            throw new ConfigProblem(key(name, CONSUMER_PREFIX + "bootstrap.servers"), null,
                    "the Kafka cluster holding topic " + topic + " must be given, in "
                            + key(name, CONSUMER_PREFIX + "bootstrap.servers") + " or consumer.bootstrap.servers");
        }
        return new TableSpec(name, topic.trim(), Map.copyOf(consumer),
                converter(key(name, KEY_CONVERTER)), Map.copyOf(originalsWithPrefix(key(name, KEY_CONVERTER) + ".")),
                converter(key(name, VALUE_CONVERTER)), Map.copyOf(originalsWithPrefix(key(name, VALUE_CONVERTER) + ".")),
                fields, getLong(key(name, TABLE_MAX_BYTES)),
                "skip".equalsIgnoreCase(getString(key(name, TOPIC_UNREADABLE))));
    }

    private JdbcSpec jdbcSpec(String name, List<String> fields) {
        String url = getString(key(name, JDBC_URL));
        if (url == null) {
            throw new ConfigProblem(key(name, JDBC_URL), null, "is required when " + key(name, SOURCE) + "=jdbc");
        }
        String query = getString(key(name, JDBC_QUERY));
        if (query == null) {
            throw new ConfigProblem(key(name, JDBC_QUERY), null, "is required when " + key(name, SOURCE) + "=jdbc");
        }
        Duration hit = millis(key(name, CACHE_HIT_TTL_MS));
        Duration miss = millis(key(name, CACHE_MISS_TTL_MS));
        if (miss.compareTo(hit) > 0) {
            throw new ConfigProblem(key(name, CACHE_MISS_TTL_MS), miss.toMillis(), "must not exceed "
                    + key(name, CACHE_HIT_TTL_MS) + "=" + hit.toMillis() + ": a miss must not outlive a hit");
        }
        Password password = getPassword(key(name, JDBC_PASSWORD));
        return new JdbcSpec(name, url, getString(key(name, JDBC_USER)), password == null ? null : password.value(),
                query, fields, getInt(key(name, JDBC_POOL_SIZE)), millis(key(name, JDBC_CONNECTION_TIMEOUT_MS)),
                millis(key(name, JDBC_QUERY_TIMEOUT_MS)), getLong(key(name, CACHE_MAX_SIZE)), hit, miss,
                millis(key(name, JDBC_WAIT_BACKOFF_MS)));
    }

    /** The configured converter class, else JsonConverter as the worker provides it (loaded only when needed). */
    private Class<?> converter(String key) {
        Class<?> type = getClass(key);
        if (type != null) {
            return type;
        }
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        try {
            return Class.forName(DEFAULT_CONVERTER, true, loader != null ? loader : EnrichConfig.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new ConfigProblem(key, null, "no converter given and " + DEFAULT_CONVERTER + " cannot be loaded: " + e);
        }
    }

    private Duration millis(String key) {
        return Duration.ofMillis(getLong(key));
    }

    /** Rejects per-lookup keys of a lookup that is not listed, and unknown per-lookup keys (typos). */
    private static void checkKeysBelongToLookups(Set<String> keys, List<String> names) {
        ConfigDef def = new ConfigDef();
        names.forEach(n -> defineLookup(def, n));
        for (String k : keys) {
            if (!k.startsWith(LOOKUP_PREFIX) || def.configKeys().containsKey(k)) {
                continue;
            }
            String rest = k.substring(LOOKUP_PREFIX.length());
            int dot = rest.indexOf('.');
            String name = dot < 0 ? rest : rest.substring(0, dot);
            if (!names.contains(name)) {
                throw ConfigProblem.withMessage(k, "The key " + k + " names the lookup '" + name + "', which is not in "
                        + LOOKUPS_CONFIG + "=" + String.join(",", names));
            }
            String suffix = dot < 0 ? "" : rest.substring(dot + 1);
            if (PASS_THROUGH.stream().noneMatch(suffix::startsWith)) {
                throw ConfigProblem.withMessage(k, "The key " + k + " is not a setting of a lookup; valid: lookup."
                        + name + ".{" + String.join(", ", defKeysSuffixes(def, name)) + "} and the prefixes "
                        + PASS_THROUGH.stream().map(p -> "lookup." + name + "." + p + "*").toList());
            }
        }
    }

    private static List<String> defKeysSuffixes(ConfigDef def, String name) {
        String prefix = LOOKUP_PREFIX + name + ".";
        return def.configKeys().keySet().stream().filter(k -> k.startsWith(prefix))
                .map(k -> k.substring(prefix.length())).toList();
    }

    /** The valid lookup names listed in the properties; invalid ones are reported by the validator of {@code lookups}. */
    static List<String> lookupNames(Map<?, ?> props) {
        Object value = props.get(LOOKUPS_CONFIG);
        List<String> names = new ArrayList<>();
        if (value instanceof List<?> list) {
            list.forEach(v -> names.add(String.valueOf(v).trim()));
        } else if (value != null) {
            for (String part : value.toString().split(",")) {
                names.add(part.trim());
            }
        }
        return names.stream().filter(n -> NAME.matcher(n).matches()).distinct().toList();
    }

    private static void validateNames(String name, Object value) {
        @SuppressWarnings("unchecked")
        List<String> names = (List<String>) value;
        if (names == null || names.isEmpty()) {
            throw new ConfigProblem(name, value, "at least one lookup name is needed, e.g. 'user,store'");
        }
        Set<String> seen = new HashSet<>();
        for (String n : names) {
            if (!NAME.matcher(n).matches()) {
                throw new ConfigProblem(name, value, "'" + n + "' is not a valid lookup name: letters, digits and"
                        + " '_', starting with a letter");
            }
            if (!seen.add(n)) {
                throw new ConfigProblem(name, value, "the lookup name '" + n + "' appears twice");
            }
        }
    }

    private static void validatePath(String name, Object value) {
        String path = (String) value;
        if (path == null || path.isBlank()) {
            throw new ConfigProblem(name, value, "a field name or dot path is required, e.g. 'user_id'");
        }
        for (String part : path.split("\\.", -1)) {
            if (part.isBlank()) {
                throw new ConfigProblem(name, value, "a dot path has no empty segments, e.g. 'customer.id'");
            }
        }
    }

    private static void validateColumnNames(String name, Object value) {
        @SuppressWarnings("unchecked")
        List<String> names = (List<String>) value;
        Set<String> seen = new HashSet<>();
        for (String n : names) {
            if (n.isBlank() || !seen.add(n)) {
                throw new ConfigProblem(name, value, "column names must be non-empty and listed once");
            }
        }
    }

    private static void validateConverter(String name, Object value) {
        if (value instanceof Class<?> type && !Converter.class.isAssignableFrom(type)) {
            throw new ConfigProblem(name, type.getName(), "is not a " + Converter.class.getName());
        }
    }

    private static void validateJdbcUrl(String name, Object value) {
        if (value != null && !value.toString().startsWith("jdbc:")) {
            throw new ConfigProblem(name, Redaction.maskUrl(value.toString()), "a JDBC URL starts with 'jdbc:', e.g."
                    + " 'jdbc:postgresql://db:5432/shop'");
        }
    }

    private static void validateQuery(String name, Object value) {
        if (value == null) {
            return;
        }
        String query = value.toString().trim();
        String lower = query.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("select") && !lower.startsWith("with")) {
            throw new ConfigProblem(name, value, "must be a SELECT query");
        }
        int parameters = countParameters(query);
        if (parameters != 1) {
            throw new ConfigProblem(name, value, "must take exactly one parameter (?), the key; found " + parameters);
        }
    }

    private static int countParameters(String sql) {
        int count = 0;
        char quote = 0;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '?') {
                count++;
            }
        }
        return count;
    }

    /** Prints the reference of all keys, per-lookup keys shown for a lookup named {@code <name>}, as RST. */
    public static void main(String[] args) {
        ConfigDef def = baseConfigDef();
        defineLookup(def, "<name>");
        System.out.println(def.toEnrichedRst());
    }
}
