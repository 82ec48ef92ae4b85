package dev.cdcconnect.eventstore;

import dev.cdcconnect.event.values.JsonValues;
import dev.cdcconnect.eventstore.connection.ClientSettings;
import dev.cdcconnect.eventstore.event.DataFormat;
import dev.cdcconnect.eventstore.event.EventMapper;
import dev.cdcconnect.eventstore.event.EventMetadata;
import dev.cdcconnect.eventstore.event.EventTypes;
import dev.cdcconnect.eventstore.event.TombstoneHandling;
import dev.cdcconnect.eventstore.event.ValueSource;
import dev.cdcconnect.eventstore.stream.StreamNames;
import dev.cdcconnect.eventstore.stream.Template;
import dev.cdcconnect.eventstore.write.DeliveryGuarantee;
import dev.cdcconnect.eventstore.write.StreamWriter;
import dev.cdcconnect.eventstore.write.WrongExpectedVersionHandling;
import dev.cdcconnect.support.Redaction;
import dev.cdcconnect.support.config.ConfigProblem;
import dev.cdcconnect.support.config.Validators;
import dev.cdcconnect.support.sink.SinkConfig;
import dev.cdcconnect.support.config.Validators.OneOf;
import io.kurrent.dbclient.KurrentDBClientSettings;
import io.kurrent.dbclient.KurrentDBConnectionString;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.types.Password;

/** Configuration of the EventStoreDB sink: keys, documentation, validation and typed values. */
public final class EventStoreSinkConfig extends SinkConfig {

    private static final String CONNECTION_GROUP = "Connection";
    private static final String STREAMS_GROUP = "Streams";
    private static final String EVENTS_GROUP = "Events";
    private static final String DELIVERY_GROUP = "Delivery";
    private static final String THROUGHPUT_GROUP = "Throughput";
    private static final String RETRIES_GROUP = "Retries";

    public static final String CONNECTION_STRING = "eventstore.connection.string";
    private static final String CONNECTION_STRING_DOC = "Where EventStoreDB/KurrentDB is, as a connection string: "
            + "kurrentdb://host:2113 (also kurrentdb+discover://, esdb://, esdb+discover://, several hosts "
            + "separated by commas). TLS is on unless the string says ?tls=false; settings such as "
            + "tlsVerifyCert, nodePreference or keepAliveInterval go in the string. Credentials do not: use "
            + "eventstore.username and eventstore.password, which are kept secret.";

    public static final String USERNAME = "eventstore.username";
    private static final String USERNAME_DOC = "User to authenticate as. Empty: no credentials are sent.";

    public static final String PASSWORD = "eventstore.password";
    private static final String PASSWORD_DOC = "Password of eventstore.username.";

    public static final String TLS_CA_FILE = "eventstore.tls.ca.file";
    private static final String TLS_CA_FILE_DOC = "PEM file with the certificate authority that signed the "
            + "server's certificate, when it is not one the JVM trusts. Empty: the JVM's trust store.";

    public static final String DEADLINE_MS = "eventstore.deadline.ms";
    private static final String DEADLINE_MS_DOC = "How long one append, read or delete may take before it is "
            + "abandoned and retried (the client's deadline for each call). A call the client leaves unanswered "
            + "for twice this plus one second is abandoned too: the client is replaced and the records are "
            + "retried, under the same rules, so nothing is written twice.";

    public static final String STREAM_NAME_TEMPLATE = "stream.name.template";
    private static final String STREAM_NAME_TEMPLATE_DOC = "Name of the stream each record's event goes to. "
            + "Placeholders: ${topic}, ${database}, ${schema}, ${table}, ${key} (the record key; a composite "
            + "key's values joined with '-' in field-name order), ${key.<field>} (one key field). A name without "
            + "placeholders puts every event in that one stream. Values are escaped: '%' and control characters "
            + "become %XX; before the first '-' of the template (the category of the $ce- projection) a '-' "
            + "in a value becomes %2D; a name never starts with '$'. ${table} falls back to the last "
            + "segment of the topic name for records without a source block.";

    public static final String STREAM_NAME_KEYLESS_TEMPLATE = "stream.name.keyless.template";
    private static final String STREAM_NAME_KEYLESS_TEMPLATE_DOC = "Name of the stream for records without a "
            + "key (changes of tables without a primary key, truncate events) when stream.name.template uses "
            + "${key}: one stream per table by default, so such tables do not stop the pipeline. Placeholders: "
            + "${topic}, ${database}, ${schema}, ${table}, escaped as in stream.name.template. Empty: such records "
            + "cannot be written and go to the dead letter queue (or fail the task without one).";

    public static final String EVENT_TYPE_MAPPING = "event.type.mapping";
    private static final String EVENT_TYPE_MAPPING_DOC = "Event types to use instead of the defaults, as "
            + "<kind>=<Type> entries, or <table>.<kind>=<Type> for one table (used as they are, without "
            + "event.type.template). Kinds and their default types: create=Created, update=Updated, "
            + "delete=Deleted, read=Snapshotted (snapshot reads), truncate=Truncated, message=MessageLogged, "
            + "tombstone=Tombstoned (markers for Kafka tombstones), record=Recorded (records that are not "
            + "change events). Example: update=CustomerChanged,orders.create=OrderPlaced";

    public static final String EVENT_TYPE_TEMPLATE = "event.type.template";
    private static final String EVENT_TYPE_TEMPLATE_DOC = "Event type built around the type chosen for the "
            + "kind: placeholders ${type}, ${table}, ${schema}, ${database}, ${topic}. Example: "
            + "${table}.${type} gives customers.Created.";

    public static final String EVENT_DATA_FORMAT = "event.data.format";
    private static final String EVENT_DATA_FORMAT_DOC = "What the event data holds, as JSON. row: the row as "
            + "the change left it (after), for deletes the row removed (before), a plain record's value. "
            + "envelope: the whole record value. before-after: {\"before\": ..., \"after\": ...}. Logical types: "
            + "decimals as numbers (see event.data.decimal.format), dates \"2024-03-01\", times "
            + "\"13:45:10.123\", timestamps with a zone as UTC instants \"2024-03-01T13:45:10.123Z\", timestamps "
            + "without one as \"2024-03-01T13:45:10.123456\", bytes as base64, JSON columns embedded.";

    public static final String EVENT_DATA_DECIMAL_FORMAT = "event.data.decimal.format";
    private static final String EVENT_DATA_DECIMAL_FORMAT_DOC = "How decimals are written: number (a JSON "
            + "number with every digit) or string (for readers that would round big numbers).";

    public static final String EVENT_METADATA_HEADERS = "event.metadata.headers";
    private static final String EVENT_METADATA_HEADERS_DOC = "Kafka headers copied into the event metadata, "
            + "as header.<name> entries.";

    public static final String EVENT_CORRELATION_ID = "event.correlation.id";
    private static final String EVENT_CORRELATION_ID_DOC = "What the metadata's $correlationId holds, which "
            + "EventStoreDB's $by_correlation_id projection groups by: " + ValueSource.SYNTAX
            + ". transaction: the source transaction id (transaction.id with provide.transaction.metadata, "
            + "else the Postgres txId, else the GTID).";

    public static final String EVENT_CAUSATION_ID = "event.causation.id";
    private static final String EVENT_CAUSATION_ID_DOC = "What the metadata's $causationId holds: "
            + ValueSource.SYNTAX + ".";

    public static final String TOMBSTONE_HANDLING = "tombstone.handling";
    private static final String TOMBSTONE_HANDLING_DOC = "What a Kafka tombstone (null value, sent after a "
            + "delete) does. ignore: nothing. marker: appends an event (kind tombstone) whose data is the key. "
            + "delete: soft-deletes the stream (it can be written again). tombstone: hard-deletes the stream; "
            + "later records for it go to the dead letter queue.";

    public static final String DELIVERY_GUARANTEE = "delivery.guarantee";
    private static final String DELIVERY_GUARANTEE_DOC = "exactly-once: every append carries the exact "
            + "expected revision and deterministic event ids, so EventStoreDB refuses to write a record twice. "
            + "Before its first write after a start, a stream's last events are read to find the Kafka position "
            + "of the last record it holds, and records at or before it are skipped (with "
            + "wrong.expected.version.handling=resync a stream the task has not met is first appended to as a new "
            + "stream, and read only if it turns out to exist). A change event the source connector delivered "
            + "again in a later record (Debezium does after its task moves) is skipped too: one whose source "
            + "position (Postgres LSN, binlog file and position) is not after that of the last record its stream "
            + "holds from the same partition. Best with each stream fed from one "
            + "topic-partition, which the default stream name per row key gives. at-least-once: appends with "
            + "expected state any, for streams fed from several partitions or producers; a record redelivered "
            + "after a failure, or a change delivered again, is written again unless the server still remembers "
            + "its event id.";

    public static final String WRONG_EXPECTED_VERSION = "wrong.expected.version.handling";
    private static final String WRONG_EXPECTED_VERSION_DOC = "What happens when a stream's revision is not "
            + "the expected one because something else wrote to it. resync: its last events are read again, "
            + "records already there are skipped and the rest is appended after the foreign events. fail: the "
            + "task fails with an error naming the stream and both revisions.";

    public static final String RECOVERY_SCAN_MAX_EVENTS = "delivery.recovery.scan.max.events";
    private static final String RECOVERY_SCAN_MAX_EVENTS_DOC = "How many events from a stream's end are read, "
            + "at most, to find the last record it holds from a given topic-partition (streams fed from "
            + "several partitions, or written by others too). Records from a partition not seen within that "
            + "many events are treated as not yet written.";

    public static final String APPEND_MAX_BYTES = "append.max.bytes";
    private static final String APPEND_MAX_BYTES_DOC = "Largest append, counted as EventStoreDB does (data + "
            + "metadata + twice the type, per event). Events of one stream are grouped up to this size. The "
            + "default is safe for every server version (24.10 and 25.0 reject appends over 1 MiB); 25.1 and "
            + "later accept up to 256 MiB. An event larger than this (or than 16 MiB) goes to the dead letter "
            + "queue.";

    public static final String APPEND_CONCURRENCY = "append.concurrency";
    private static final String APPEND_CONCURRENCY_DOC = "Appends in flight at once, each to a different "
            + "stream. Order within a stream is always kept.";

    public static final String APPEND_MULTI_STREAM_CONCURRENCY = "append.multi.stream.concurrency";
    private static final String APPEND_MULTI_STREAM_CONCURRENCY_DOC = "Multi-stream appends in flight at once "
            + "(each one of append.concurrency). While this many are in flight, the ready streams wait and the next "
            + "append takes all that gathered, up to append.max.bytes: fewer, larger appends cost the client and the "
            + "server less per event than an append for every few streams.";

    public static final String APPEND_MULTI_STREAM = "append.multi.stream";
    private static final String APPEND_MULTI_STREAM_DOC = "Write the events of many streams in one atomic "
            + "multi-stream append when the server offers it (KurrentDB 25.1 and later; asked once when the task "
            + "starts writing). Older servers get appends stream by stream. With multi-stream appends every "
            + "metadata value is written as a string (\"kafka.offset\": \"42\"), as that protocol carries "
            + "metadata; set false to keep numbers as numbers on those servers too.";

    public static final String BUFFER_MAX_BYTES = "buffer.max.bytes";
    private static final String BUFFER_MAX_BYTES_DOC = "Largest amount of event data held in memory waiting to "
            + "be appended; when reached, put() waits. A larger buffer lets more events of one stream share an "
            + "append when the server is the bottleneck.";

    private static final String RETRY_MAX_ATTEMPTS_DOC = "How many times an append or read that failed for a "
            + "transient reason (server unavailable, deadline exceeded, not the leader, connection closed) is "
            + "retried before the task reports a retriable error; Connect then delivers the records again "
            + "later and the task keeps running.";

    private static final String RETRY_TIMEOUT_MS_DOC = "How long the sink keeps trying while EventStoreDB cannot "
            + "be used (calls fail for a transient reason: unreachable host or port, TLS mismatch, server "
            + "unavailable or busy, deadline exceeded) and none succeeds. Then the task fails with a message that "
            + "says what is wrong and what to check; until then it stays RUNNING, hands the records back to Connect "
            + "to deliver again, and logs one WARN line per backoff step.";

    public static final String VALIDATE_CONNECTION = "eventstore.validate.connection";
    private static final String VALIDATE_CONNECTION_DOC = "When true, /config/validate also connects to the nodes "
            + "of eventstore.connection.string and reports on that key what keeps it from reaching them (host or "
            + "port unreachable, TLS mismatch). Off by default, so that connectors can be created while the server "
            + "is down. It does not check credentials: refused ones fail the task at its first call.";

    private static final Set<String> CONNECTION_SCHEMES =
            Set.of("kurrentdb", "kurrentdb+discover", "kurrent+discover", "kdb", "kdb+discover", "esdb",
                    "esdb+discover");

    public static final ConfigDef CONFIG_DEF = configDef();

    private final Template streamNameTemplate;
    private final Template eventTypeTemplate;
    private final Template keylessStreamNameTemplate;

    public EventStoreSinkConfig(Map<?, ?> originals) {
        super(CONFIG_DEF, originals);
        this.streamNameTemplate = StreamNames.parseTemplate(getString(STREAM_NAME_TEMPLATE));
        this.eventTypeTemplate = EventTypes.parseTemplate(getString(EVENT_TYPE_TEMPLATE));
        this.keylessStreamNameTemplate = StreamNames.parseKeylessTemplate(getString(STREAM_NAME_KEYLESS_TEMPLATE));
        List<ConfigProblem> problems = crossFieldProblems(this::get);
        if (!problems.isEmpty()) {
            throw problems.get(0);
        }
    }

    private static ConfigDef configDef() {
        ConfigDef def = new ConfigDef();
        int order = 0;
        def.define(CONNECTION_STRING, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConnectionStringValidator(),
                Importance.HIGH, CONNECTION_STRING_DOC, CONNECTION_GROUP, ++order, Width.LONG, "Connection string");
        def.define(USERNAME, Type.STRING, "", Importance.HIGH, USERNAME_DOC, CONNECTION_GROUP, ++order,
                Width.MEDIUM, "Username");
        def.define(PASSWORD, Type.PASSWORD, "", Importance.HIGH, PASSWORD_DOC, CONNECTION_GROUP, ++order,
                Width.MEDIUM, "Password");
        def.define(TLS_CA_FILE, Type.STRING, "", Validators.readableFile("path of a readable PEM file, or empty"),
                Importance.MEDIUM, TLS_CA_FILE_DOC,
                CONNECTION_GROUP, ++order, Width.LONG, "TLS CA file");
        def.define(DEADLINE_MS, Type.LONG, 10_000L, ConfigDef.Range.between(100L, 600_000L), Importance.LOW,
                DEADLINE_MS_DOC, CONNECTION_GROUP, ++order, Width.SHORT, "Operation deadline (ms)");
        def.define(VALIDATE_CONNECTION, Type.BOOLEAN, false, Importance.LOW, VALIDATE_CONNECTION_DOC,
                CONNECTION_GROUP, ++order, Width.SHORT, "Check the connection in validation");

        order = 0;
        def.define(STREAM_NAME_TEMPLATE, Type.STRING, "${table}-${key}",
                Validators.parsing("a stream name with placeholders " + placeholders(StreamNames.PLACEHOLDERS),
                        StreamNames::parseTemplate), Importance.HIGH, STREAM_NAME_TEMPLATE_DOC,
                STREAMS_GROUP, ++order, Width.MEDIUM, "Stream name template");
        def.define(STREAM_NAME_KEYLESS_TEMPLATE, Type.STRING, "${table}",
                Validators.parsing("empty, or a stream name with placeholders "
                        + placeholders(StreamNames.KEYLESS_PLACEHOLDERS), StreamNames::parseKeylessTemplate),
                Importance.MEDIUM,
                STREAM_NAME_KEYLESS_TEMPLATE_DOC, STREAMS_GROUP, ++order, Width.MEDIUM, "Stream name for keyless records");

        order = 0;
        def.define(EVENT_TYPE_MAPPING, Type.LIST, "", Validators.list("<kind>=<Type> or <table>.<kind>=<Type>,... "
                        + "with kinds " + Arrays.stream(EventTypes.Kind.values()).map(EventTypes.Kind::key)
                        .collect(Collectors.joining(", ")), EventTypes::parseMappings),
                Importance.MEDIUM, EVENT_TYPE_MAPPING_DOC, EVENTS_GROUP, ++order, Width.LONG, "Event type mapping");
        def.define(EVENT_TYPE_TEMPLATE, Type.STRING, "${type}", Validators.parsing("an event type with "
                        + "placeholders " + placeholders(EventTypes.PLACEHOLDERS), EventTypes::parseTemplate),
                Importance.LOW, EVENT_TYPE_TEMPLATE_DOC, EVENTS_GROUP, ++order, Width.MEDIUM, "Event type template");
        choice(def, EVENT_DATA_FORMAT, DataFormat.ROW.configName(),
                oneOf(Arrays.stream(DataFormat.values()).map(DataFormat::configName)), Importance.MEDIUM,
                EVENT_DATA_FORMAT_DOC, EVENTS_GROUP, ++order, Width.SHORT, "Event data");
        choice(def, EVENT_DATA_DECIMAL_FORMAT, "number",
                oneOf(Arrays.stream(JsonValues.DecimalFormat.values()).map(f -> f.name().toLowerCase(Locale.ROOT))),
                Importance.LOW, EVENT_DATA_DECIMAL_FORMAT_DOC, EVENTS_GROUP, ++order, Width.SHORT, "Decimal format");
        def.define(EVENT_METADATA_HEADERS, Type.LIST, "",
                Validators.list("header names, separated by commas", EventStoreSinkConfig::headerNames),
                Importance.LOW, EVENT_METADATA_HEADERS_DOC, EVENTS_GROUP, ++order, Width.LONG, "Headers in metadata");
        def.define(EVENT_CORRELATION_ID, Type.STRING, "transaction", Validators.parsing(ValueSource.SYNTAX,
                        ValueSource::parse),
                Importance.LOW, EVENT_CORRELATION_ID_DOC, EVENTS_GROUP, ++order, Width.MEDIUM, "Correlation id");
        def.define(EVENT_CAUSATION_ID, Type.STRING, "none", Validators.parsing(ValueSource.SYNTAX, ValueSource::parse),
                Importance.LOW, EVENT_CAUSATION_ID_DOC, EVENTS_GROUP, ++order, Width.MEDIUM, "Causation id");
        choice(def, TOMBSTONE_HANDLING, TombstoneHandling.IGNORE.configName(),
                oneOf(Arrays.stream(TombstoneHandling.values()).map(TombstoneHandling::configName)),
                Importance.MEDIUM, TOMBSTONE_HANDLING_DOC, EVENTS_GROUP, ++order, Width.SHORT, "Tombstones");

        order = 0;
        choice(def, DELIVERY_GUARANTEE, DeliveryGuarantee.EXACTLY_ONCE.configName(),
                oneOf(Arrays.stream(DeliveryGuarantee.values()).map(DeliveryGuarantee::configName)),
                Importance.HIGH, DELIVERY_GUARANTEE_DOC, DELIVERY_GROUP, ++order, Width.SHORT, "Delivery guarantee");
        choice(def, WRONG_EXPECTED_VERSION, WrongExpectedVersionHandling.RESYNC.configName(),
                oneOf(Arrays.stream(WrongExpectedVersionHandling.values()).map(WrongExpectedVersionHandling::configName)),
                Importance.MEDIUM, WRONG_EXPECTED_VERSION_DOC, DELIVERY_GROUP, ++order, Width.SHORT,
                "On wrong expected version");
        def.define(RECOVERY_SCAN_MAX_EVENTS, Type.INT, 1000, ConfigDef.Range.between(1, 1_000_000),
                Importance.LOW, RECOVERY_SCAN_MAX_EVENTS_DOC, DELIVERY_GROUP, ++order, Width.SHORT,
                "Recovery scan limit (events)");

        order = 0;
        def.define(APPEND_MAX_BYTES, Type.INT, 1024 * 1024, ConfigDef.Range.between(1024, 256 * 1024 * 1024),
                Importance.MEDIUM, APPEND_MAX_BYTES_DOC, THROUGHPUT_GROUP, ++order, Width.SHORT,
                "Max append size (bytes)");
        def.define(APPEND_CONCURRENCY, Type.INT, 32, ConfigDef.Range.between(1, 1024), Importance.MEDIUM,
                APPEND_CONCURRENCY_DOC, THROUGHPUT_GROUP, ++order, Width.SHORT, "Appends in flight");
        def.define(APPEND_MULTI_STREAM_CONCURRENCY, Type.INT, 8, ConfigDef.Range.between(1, 1024), Importance.LOW,
                APPEND_MULTI_STREAM_CONCURRENCY_DOC, THROUGHPUT_GROUP, ++order, Width.SHORT,
                "Multi-stream appends in flight");
        def.define(APPEND_MULTI_STREAM, Type.BOOLEAN, true, Importance.LOW, APPEND_MULTI_STREAM_DOC,
                THROUGHPUT_GROUP, ++order, Width.SHORT, "Multi-stream append");
        def.define(BUFFER_MAX_BYTES, Type.LONG, 64L * 1024 * 1024,
                ConfigDef.Range.between(1024L * 1024, 4L * 1024 * 1024 * 1024), Importance.LOW,
                BUFFER_MAX_BYTES_DOC, THROUGHPUT_GROUP, ++order, Width.SHORT, "Buffer size (bytes)");

        order = defineRetries(def, RETRIES_GROUP, RETRY_MAX_ATTEMPTS_DOC);
        defineRetryTimeout(def, RETRIES_GROUP, ++order, RETRY_TIMEOUT_MS_DOC);

        def.defineInternal(TASK_ID, Type.STRING, "0", Importance.LOW);
        return def;
    }

    /**
     * Problems that involve several keys, each on the key to report it on. {@code values} gives each key's parsed
     * value, or null when the key's own validator rejected it. Used by the constructor and by the connector's
     * validate().
     */
    static List<ConfigProblem> crossFieldProblems(java.util.function.Function<String, Object> values) {
        List<ConfigProblem> problems = new ArrayList<>();
        if (values.apply(APPEND_MAX_BYTES) instanceof Number append
                && values.apply(BUFFER_MAX_BYTES) instanceof Number buffer
                && buffer.longValue() < append.longValue()) {
            problems.add(new ConfigProblem(BUFFER_MAX_BYTES, buffer,
                    "must be at least " + APPEND_MAX_BYTES + " (" + append + ")"));
        }
        return problems;
    }

    private static OneOf oneOf(java.util.stream.Stream<String> allowed) {
        return new OneOf(allowed.toList());
    }

    /** Placeholders as the templates write them: ${topic}, ${key.<field>}. */
    private static String placeholders(List<String> names) {
        return names.stream().map(n -> n.endsWith(".") ? "${" + n + "<field>}" : "${" + n + "}")
                .collect(Collectors.joining(", "));
    }

    /** Defines a key whose value is one of a few words, validated and recommended by {@code allowed}. */
    private static void choice(ConfigDef def, String name, String defaultValue, OneOf allowed, Importance importance,
                               String doc, String group, int order, Width width, String displayName) {
        def.define(name, Type.STRING, defaultValue, allowed, importance, doc, group, order, width, displayName,
                List.of(), allowed);
    }

    private static List<String> headerNames(List<String> names) {
        for (String name : names) {
            if (name.isBlank()) {
                throw new IllegalArgumentException("header names must not be empty");
            }
        }
        return names;
    }

    // ---- typed values

    public String connectionString() {
        return getString(CONNECTION_STRING).trim();
    }

    /** The client settings: the connection string, plus credentials, CA file and deadline from their keys. */
    public KurrentDBClientSettings clientSettings() {
        Password password = getPassword(PASSWORD);
        return ClientSettings.of(connectionString(), Optional.of(getString(USERNAME).trim()),
                Optional.ofNullable(password).map(Password::value), Optional.of(getString(TLS_CA_FILE).trim()),
                deadline());
    }

    public Duration deadline() {
        return Duration.ofMillis(getLong(DEADLINE_MS));
    }

    public Template streamNameTemplate() {
        return streamNameTemplate;
    }

    public List<EventTypes.Mapping> eventTypeMappings() {
        return EventTypes.parseMappings(getList(EVENT_TYPE_MAPPING));
    }

    public Template eventTypeTemplate() {
        return eventTypeTemplate;
    }

    public DataFormat dataFormat() {
        String value = getString(EVENT_DATA_FORMAT).trim();
        return Arrays.stream(DataFormat.values()).filter(f -> f.configName().equalsIgnoreCase(value)).findFirst()
                .orElseThrow();
    }

    public JsonValues.DecimalFormat decimalFormat() {
        return JsonValues.DecimalFormat.valueOf(getString(EVENT_DATA_DECIMAL_FORMAT).trim().toUpperCase(Locale.ROOT));
    }

    public List<String> metadataHeaders() {
        return getList(EVENT_METADATA_HEADERS).stream().map(String::trim).collect(Collectors.toList());
    }

    public ValueSource correlationId() {
        return ValueSource.parse(getString(EVENT_CORRELATION_ID));
    }

    public ValueSource causationId() {
        return ValueSource.parse(getString(EVENT_CAUSATION_ID));
    }

    public TombstoneHandling tombstoneHandling() {
        String value = getString(TOMBSTONE_HANDLING).trim();
        return Arrays.stream(TombstoneHandling.values()).filter(t -> t.configName().equalsIgnoreCase(value))
                .findFirst().orElseThrow();
    }

    public DeliveryGuarantee deliveryGuarantee() {
        String value = getString(DELIVERY_GUARANTEE).trim();
        return Arrays.stream(DeliveryGuarantee.values()).filter(d -> d.configName().equalsIgnoreCase(value))
                .findFirst().orElseThrow();
    }

    public WrongExpectedVersionHandling wrongExpectedVersionHandling() {
        String value = getString(WRONG_EXPECTED_VERSION).trim();
        return Arrays.stream(WrongExpectedVersionHandling.values())
                .filter(w -> w.configName().equalsIgnoreCase(value)).findFirst().orElseThrow();
    }

    public int recoveryScanMaxEvents() {
        return getInt(RECOVERY_SCAN_MAX_EVENTS);
    }

    public int appendMaxBytes() {
        return getInt(APPEND_MAX_BYTES);
    }

    public int appendConcurrency() {
        return getInt(APPEND_CONCURRENCY);
    }

    public boolean multiStreamAppend() {
        return getBoolean(APPEND_MULTI_STREAM);
    }

    public int appendMultiStreamConcurrency() {
        return getInt(APPEND_MULTI_STREAM_CONCURRENCY);
    }

    public long bufferMaxBytes() {
        return getLong(BUFFER_MAX_BYTES);
    }

    public boolean validateConnection() {
        return getBoolean(VALIDATE_CONNECTION);
    }

    public String taskId() {
        return getString(TASK_ID);
    }

    /** How the writer behaves. */
    public StreamWriter.Settings writerSettings() {
        return new StreamWriter.Settings(deliveryGuarantee(), wrongExpectedVersionHandling(), appendMaxBytes(),
                appendConcurrency(), multiStreamAppend(), appendMultiStreamConcurrency(), bufferMaxBytes(),
                retryMaxAttempts(), retryBackoff(), retryBackoffMax(), recoveryScanMaxEvents(), deadline(),
                retryTimeout());
    }

    /** The record-to-event mapping these settings describe. */
    public EventMapper eventMapper() {
        JsonValues json = new JsonValues(decimalFormat());
        EventMetadata metadata = new EventMetadata(json, correlationId(), causationId(), metadataHeaders(), false);
        return new EventMapper(new StreamNames(streamNameTemplate, keylessStreamNameTemplate, json),
                new EventTypes(eventTypeMappings(), eventTypeTemplate), dataFormat(), json, metadata,
                tombstoneHandling(), appendMaxBytes());
    }

    /** The settings an operator wants to see in the log at start; never the password. */
    public Map<String, String> summary() {
        Map<String, String> summary = new LinkedHashMap<>();
        summary.put(CONNECTION_STRING, Redaction.maskUrl(connectionString()));
        summary.put(USERNAME, getString(USERNAME).isBlank() ? "(none)" : getString(USERNAME));
        summary.put(STREAM_NAME_TEMPLATE, streamNameTemplate.toString());
        summary.put(STREAM_NAME_KEYLESS_TEMPLATE, keylessStreamNameTemplate == null ? "(none: dead letter queue)"
                : keylessStreamNameTemplate.toString());
        summary.put(EVENT_DATA_FORMAT, dataFormat().configName());
        summary.put(TOMBSTONE_HANDLING, tombstoneHandling().configName());
        summary.put(DELIVERY_GUARANTEE, deliveryGuarantee().configName());
        summary.put(WRONG_EXPECTED_VERSION, wrongExpectedVersionHandling().configName());
        summary.put(APPEND_MAX_BYTES, String.valueOf(appendMaxBytes()));
        summary.put(APPEND_CONCURRENCY, String.valueOf(appendConcurrency()));
        summary.put(APPEND_MULTI_STREAM, String.valueOf(multiStreamAppend()));
        summary.put(APPEND_MULTI_STREAM_CONCURRENCY, String.valueOf(appendMultiStreamConcurrency()));
        return summary;
    }

    // ---- validators: each parses the value so /config/validate reports what is wrong with it

    private static final class ConnectionStringValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String text = value == null ? "" : value.toString().trim();
            if (text.isEmpty()) {
                throw new ConfigProblem(name, value, "must be a connection string such as kurrentdb://host:2113");
            }
            if (text.indexOf('@') >= 0) {
                // Credentials (user:password@host) whose password may hold '/', '?', '@', ':' or '%': wherever the
                // '@' is, none of the value may be echoed, and no setting of the client takes an '@'.
                throw new ConfigProblem(name, Redaction.HIDDEN, "must not contain credentials (user:password@): "
                        + "set " + USERNAME + " and " + PASSWORD + ", whose value is kept secret");
            }
            int schemeEnd = text.indexOf("://");
            String scheme = schemeEnd < 0 ? "" : text.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
            if (!CONNECTION_SCHEMES.contains(scheme)) {
                throw new ConfigProblem(name, Redaction.maskUrl(text), "must start with one of "
                        + CONNECTION_SCHEMES.stream().sorted().map(s -> s + "://").collect(Collectors.joining(", ")));
            }
            try {
                KurrentDBConnectionString.parseOrThrow(text);
            } catch (RuntimeException e) {
                String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                throw new ConfigProblem(name, Redaction.maskUrl(text),
                        "is not a valid connection string: " + Redaction.maskUrl(reason));
            }
        }

        @Override
        public String toString() {
            return "kurrentdb://host[:port][,host[:port]...][?setting=value&...]";
        }
    }
}
