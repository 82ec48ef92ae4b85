package dev.cdcconnect.cassandra;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import dev.cdcconnect.cassandra.mapping.ColumnMapping;
import dev.cdcconnect.cassandra.mapping.StructMode;
import dev.cdcconnect.cassandra.mapping.TableNames;
import dev.cdcconnect.support.Redaction;
import dev.cdcconnect.support.config.ConfigProblem;
import dev.cdcconnect.support.config.Validators;
import dev.cdcconnect.support.sink.SinkConfig;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.types.Password;

/** Configuration of the Cassandra sink: keys, documentation, validation and typed values. */
public final class CassandraSinkConfig extends SinkConfig {

    private static final String CONNECTION_GROUP = "Connection";
    private static final String SECURITY_GROUP = "Security";
    private static final String MAPPING_GROUP = "Mapping";
    private static final String TABLES_GROUP = "Tables";
    private static final String WRITES_GROUP = "Writes";
    private static final String RETRIES_GROUP = "Retries";

    public static final String CONTACT_POINTS = "cassandra.contact.points";
    private static final String CONTACT_POINTS_DOC = "Cassandra nodes to connect to first, as host or host:port, "
            + "separated by commas; the driver discovers the others.";

    public static final String PORT = "cassandra.port";
    private static final String PORT_DOC = "CQL port of contact points given without one.";

    public static final String LOCAL_DATACENTER = "cassandra.local.datacenter";
    private static final String LOCAL_DATACENTER_DOC = "Data center the sink writes to (LOCAL_* consistency levels "
            + "and request routing refer to it), as the nodes report it (system.local data_center). Checked at "
            + "start against the cluster's data centers.";

    public static final String REQUEST_TIMEOUT_MS = "cassandra.request.timeout.ms";
    private static final String REQUEST_TIMEOUT_MS_DOC = "How long one write may take before it counts as timed "
            + "out and is retried.";

    public static final String USERNAME = "cassandra.username";
    private static final String USERNAME_DOC = "User for password authentication. Empty: no credentials are sent.";

    public static final String PASSWORD = "cassandra.password";
    private static final String PASSWORD_DOC = "Password of cassandra.username.";

    public static final String SSL_ENABLED = "cassandra.ssl.enabled";
    private static final String SSL_ENABLED_DOC = "Connect with TLS.";

    public static final String SSL_TRUSTSTORE_PATH = "cassandra.ssl.truststore.path";
    private static final String SSL_TRUSTSTORE_PATH_DOC = "Trust store (on the worker) holding the certificate of "
            + "the authority that signed the nodes' certificates. Empty: the JVM's default trust store.";

    public static final String SSL_TRUSTSTORE_PASSWORD = "cassandra.ssl.truststore.password";
    private static final String SSL_TRUSTSTORE_PASSWORD_DOC = "Password of the trust store.";

    public static final String SSL_TRUSTSTORE_TYPE = "cassandra.ssl.truststore.type";
    private static final String SSL_TRUSTSTORE_TYPE_DOC = "Format of the trust store: PKCS12 or JKS.";

    public static final String SSL_HOSTNAME_VALIDATION = "cassandra.ssl.hostname.validation";
    private static final String SSL_HOSTNAME_VALIDATION_DOC = "Check that each node's certificate names the "
            + "address the driver connects to.";

    public static final String KEYSPACE = "cassandra.keyspace";
    private static final String KEYSPACE_DOC = "Keyspace of tables whose name (from table.name.template or "
            + "topic.table.mapping) does not say one.";

    public static final String TABLE_NAME_TEMPLATE = "table.name.template";
    private static final String TABLE_NAME_TEMPLATE_DOC = "Table each topic's records go to, as table or "
            + "keyspace.table, with placeholders " + TableNames.PLACEHOLDERS + ". ${table} is the source table of "
            + "a change event, or the last dot-separated part of the topic name for other records.";

    public static final String TOPIC_TABLE_MAPPING = "topic.table.mapping";
    private static final String TOPIC_TABLE_MAPPING_DOC = "Tables for given topics, overriding "
            + "table.name.template: topic=table or topic=keyspace.table entries, separated by commas.";

    public static final String COLUMN_MAPPING = "column.mapping";
    private static final String COLUMN_MAPPING_DOC = "Columns for given fields, as path=column entries (path: a "
            + "field of the row, or a dot path into a nested struct such as user.name), or topic:path=column for "
            + "one topic. Fields not listed go to the column of the same name. A nested struct mapped as a whole "
            + "is written as a UDT or, into a text column, as JSON.";

    public static final String STRUCT_MODE = "struct.mode";
    private static final String STRUCT_MODE_DOC = "How nested structs (such as the lookups the Enrich transform "
            + "adds) are written when column.mapping does not say: flatten: one column per nested field, named "
            + "<field>_<nested field>; udt: one column of a user-defined type with the same field names; json: "
            + "one text column holding the struct as JSON.";

    public static final String UNKNOWN_FIELDS = "table.unknown.fields";
    private static final String UNKNOWN_FIELDS_DOC = "What a record field without a column in its table does: "
            + "fail: the record is reported (dead letter queue or task failure) naming the fields; ignore: the "
            + "field is not written.";

    public static final String TABLE_CREATE = "table.create";
    private static final String TABLE_CREATE_DOC = "Create missing tables (and keyspaces, and the UDTs of "
            + "struct.mode=udt) from the first record's schema; the record key's fields form the partition key. "
            + "Off: tables must exist, and are checked at start.";

    public static final String TABLE_CREATE_REPLICATION_FACTOR = "table.create.replication.factor";
    private static final String TABLE_CREATE_REPLICATION_FACTOR_DOC = "Replication factor, in the local data "
            + "center, of keyspaces created by table.create.";

    public static final String CONSISTENCY_LEVEL = "write.consistency.level";
    private static final String CONSISTENCY_LEVEL_DOC = "Consistency level of every write.";

    public static final String MAX_CONCURRENT_REQUESTS = "write.max.concurrent.requests";
    private static final String MAX_CONCURRENT_REQUESTS_DOC = "Writes (single statements or partition "
            + "batches) in flight at once, per task.";

    public static final String BATCH_MAX_STATEMENTS = "write.batch.max.statements";
    private static final String BATCH_MAX_STATEMENTS_DOC = "Most statements in one unlogged batch (which "
            + "writes may share one: write.batch.grouping); 1 turns batching off.";

    public static final String BATCH_MAX_BYTES = "write.batch.max.bytes";
    private static final String BATCH_MAX_BYTES_DOC = "Most bytes of values in one unlogged batch. Keep it below "
            + "the cluster's batch_size_fail_threshold (50 KiB by default), above which Cassandra rejects a batch; "
            + "a single statement larger than this is written on its own.";

    public static final String BATCH_GROUPING = "write.batch.grouping";
    private static final String BATCH_GROUPING_DOC = "Which writes share an unlogged batch. replica-set: writes to "
            + "partitions stored on the same replicas, as bulk loaders do: far fewer requests when rows are spread "
            + "over many partitions, each batch still applied by the nodes that own its rows, and kept within "
            + "write.batch.max.partitions and write.batch.multi.partition.max.bytes. partition: only writes to the "
            + "same partition.";

    public static final String BATCH_MAX_PARTITIONS = "write.batch.max.partitions";
    private static final String BATCH_MAX_PARTITIONS_DOC = "Most partitions one batch spans (write.batch.grouping="
            + "replica-set). Cassandra warns of every unlogged batch across more partitions than its "
            + "unlogged_batch_across_partitions_warn_threshold (10 by default): keep this at or below it.";

    public static final String BATCH_MULTI_PARTITION_MAX_BYTES = "write.batch.multi.partition.max.bytes";
    private static final String BATCH_MULTI_PARTITION_MAX_BYTES_DOC = "Most bytes of values in a batch that spans "
            + "more than one partition; a batch of one partition is bounded by write.batch.max.bytes only. Cassandra "
            + "warns of every batch across partitions larger than its batch_size_warn_threshold (5 KiB by default): "
            + "keep this at or below it.";

    public static final String FLUSH_RECORDS = "write.flush.records";
    private static final String FLUSH_RECORDS_DOC = "Records buffered before they are written; they are written "
            + "sooner when write.flush.interval.ms has passed or offsets are committed.";

    public static final String FLUSH_INTERVAL_MS = "write.flush.interval.ms";
    private static final String FLUSH_INTERVAL_MS_DOC = "Longest time a record waits in the buffer.";

    private static final String RETRY_MAX_ATTEMPTS_DOC = "How many times a write that failed for a transient "
            + "reason (node unavailable or overloaded, timeout, connection lost) is retried before the task "
            + "reports a retriable error; Connect then delivers the records again later.";

    public static final ConfigDef CONFIG_DEF = configDef();

    private final TableNames tableNames;
    private final ColumnMapping columnMapping;

    public CassandraSinkConfig(Map<?, ?> originals) {
        super(CONFIG_DEF, originals);
        this.tableNames = new TableNames(getString(KEYSPACE).trim(), getString(TABLE_NAME_TEMPLATE),
                TableNames.parseMappings(getList(TOPIC_TABLE_MAPPING)));
        this.columnMapping = ColumnMapping.parse(getList(COLUMN_MAPPING));
        if (getBoolean(SSL_ENABLED) && !getString(SSL_TRUSTSTORE_PATH).isBlank()
                && getPassword(SSL_TRUSTSTORE_PASSWORD).value().isEmpty()) {
            throw new ConfigProblem(SSL_TRUSTSTORE_PASSWORD, Redaction.HIDDEN,
                    "is needed to read " + SSL_TRUSTSTORE_PATH + "=" + getString(SSL_TRUSTSTORE_PATH));
        }
        if (!getString(USERNAME).isBlank() && getPassword(PASSWORD).value().isEmpty()) {
            throw new ConfigProblem(PASSWORD, Redaction.HIDDEN,
                    "is needed with " + USERNAME + "=" + getString(USERNAME));
        }
    }

    private static ConfigDef configDef() {
        ConfigDef def = new ConfigDef();
        int order = 0;
        def.define(CONTACT_POINTS, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, Validators.hostPorts(false, true),
                Importance.HIGH, CONTACT_POINTS_DOC, CONNECTION_GROUP, ++order, Width.LONG, "Contact points");
        def.define(PORT, Type.INT, 9042, ConfigDef.Range.between(1, 65535), Importance.MEDIUM, PORT_DOC,
                CONNECTION_GROUP, ++order, Width.SHORT, "Port");
        def.define(LOCAL_DATACENTER, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                Importance.HIGH, LOCAL_DATACENTER_DOC, CONNECTION_GROUP, ++order, Width.MEDIUM, "Local data center");
        def.define(REQUEST_TIMEOUT_MS, Type.LONG, 10_000L, ConfigDef.Range.between(100L, 600_000L), Importance.LOW,
                REQUEST_TIMEOUT_MS_DOC, CONNECTION_GROUP, ++order, Width.SHORT, "Request timeout (ms)");

        order = 0;
        def.define(USERNAME, Type.STRING, "", Importance.HIGH, USERNAME_DOC, SECURITY_GROUP, ++order, Width.MEDIUM,
                "Username");
        def.define(PASSWORD, Type.PASSWORD, "", Importance.HIGH, PASSWORD_DOC, SECURITY_GROUP, ++order,
                Width.MEDIUM, "Password");
        def.define(SSL_ENABLED, Type.BOOLEAN, false, Importance.HIGH, SSL_ENABLED_DOC, SECURITY_GROUP, ++order,
                Width.SHORT, "TLS");
        def.define(SSL_TRUSTSTORE_PATH, Type.STRING, "", Validators.readableFile("path of a readable file, or empty"),
                Importance.MEDIUM, SSL_TRUSTSTORE_PATH_DOC, SECURITY_GROUP, ++order, Width.LONG, "Trust store");
        def.define(SSL_TRUSTSTORE_PASSWORD, Type.PASSWORD, "", Importance.MEDIUM, SSL_TRUSTSTORE_PASSWORD_DOC,
                SECURITY_GROUP, ++order, Width.MEDIUM, "Trust store password");
        def.define(SSL_TRUSTSTORE_TYPE, Type.STRING, "PKCS12", Validators.oneOf("PKCS12", "JKS"),
                Importance.LOW, SSL_TRUSTSTORE_TYPE_DOC, SECURITY_GROUP, ++order, Width.SHORT, "Trust store type");
        def.define(SSL_HOSTNAME_VALIDATION, Type.BOOLEAN, true, Importance.LOW, SSL_HOSTNAME_VALIDATION_DOC,
                SECURITY_GROUP, ++order, Width.SHORT, "Hostname validation");

        order = 0;
        def.define(KEYSPACE, Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
                Validators.parsing("a CQL identifier", TableNames::checkIdentifier),
                Importance.HIGH, KEYSPACE_DOC, MAPPING_GROUP, ++order, Width.MEDIUM, "Keyspace");
        def.define(TABLE_NAME_TEMPLATE, Type.STRING, "${table}", Validators.parsing(
                "table or keyspace.table, with placeholders " + TableNames.PLACEHOLDERS, TableNames::parseTemplate),
                Importance.HIGH, TABLE_NAME_TEMPLATE_DOC, MAPPING_GROUP, ++order, Width.MEDIUM, "Table name template");
        def.define(TOPIC_TABLE_MAPPING, Type.LIST, "", Validators.list("topic=table or topic=keyspace.table,...",
                TableNames::parseMappings),
                Importance.MEDIUM, TOPIC_TABLE_MAPPING_DOC, MAPPING_GROUP, ++order, Width.LONG, "Topic tables");
        def.define(COLUMN_MAPPING, Type.LIST, "", Validators.list("path=column or topic:path=column,...",
                ColumnMapping::parse), Importance.MEDIUM,
                COLUMN_MAPPING_DOC, MAPPING_GROUP, ++order, Width.LONG, "Column mapping");
        def.define(STRUCT_MODE, Type.STRING, StructMode.FLATTEN.configName(),
                Validators.oneOf(StructMode::configName, StructMode.values()),
                Importance.MEDIUM, STRUCT_MODE_DOC, MAPPING_GROUP, ++order, Width.SHORT, "Nested structs");
        def.define(UNKNOWN_FIELDS, Type.STRING, "fail", Validators.oneOf("fail", "ignore"),
                Importance.MEDIUM, UNKNOWN_FIELDS_DOC, MAPPING_GROUP, ++order, Width.SHORT, "Unknown fields");

        order = 0;
        def.define(TABLE_CREATE, Type.BOOLEAN, false, Importance.MEDIUM, TABLE_CREATE_DOC, TABLES_GROUP, ++order,
                Width.SHORT, "Create tables");
        def.define(TABLE_CREATE_REPLICATION_FACTOR, Type.INT, 1, ConfigDef.Range.between(1, 100), Importance.LOW,
                TABLE_CREATE_REPLICATION_FACTOR_DOC, TABLES_GROUP, ++order, Width.SHORT, "Replication factor");

        order = 0;
        def.define(CONSISTENCY_LEVEL, Type.STRING, DefaultConsistencyLevel.LOCAL_QUORUM.name(),
                Validators.oneOf(Arrays.stream(DefaultConsistencyLevel.values()).filter(l -> !l.isSerial())
                        .map(Enum::name).toArray(String[]::new)),
                Importance.MEDIUM, CONSISTENCY_LEVEL_DOC, WRITES_GROUP, ++order, Width.SHORT, "Consistency level");
        def.define(MAX_CONCURRENT_REQUESTS, Type.INT, 32, ConfigDef.Range.between(1, 1024), Importance.MEDIUM,
                MAX_CONCURRENT_REQUESTS_DOC, WRITES_GROUP, ++order, Width.SHORT, "Writes in flight");
        def.define(BATCH_MAX_STATEMENTS, Type.INT, 50, ConfigDef.Range.between(1, 1000), Importance.LOW,
                BATCH_MAX_STATEMENTS_DOC, WRITES_GROUP, ++order, Width.SHORT, "Batch size (statements)");
        def.define(BATCH_MAX_BYTES, Type.INT, 32 * 1024, ConfigDef.Range.between(1024, 16 * 1024 * 1024),
                Importance.LOW, BATCH_MAX_BYTES_DOC, WRITES_GROUP, ++order, Width.SHORT, "Batch size (bytes)");
        def.define(BATCH_GROUPING, Type.STRING, "replica-set", Validators.oneOf("replica-set", "partition"),
                Importance.LOW, BATCH_GROUPING_DOC, WRITES_GROUP, ++order, Width.SHORT, "Batch grouping");
        def.define(BATCH_MAX_PARTITIONS, Type.INT, 10, ConfigDef.Range.between(1, 1000), Importance.LOW,
                BATCH_MAX_PARTITIONS_DOC, WRITES_GROUP, ++order, Width.SHORT, "Batch size (partitions)");
        def.define(BATCH_MULTI_PARTITION_MAX_BYTES, Type.INT, 5 * 1024, ConfigDef.Range.between(0, 16 * 1024 * 1024),
                Importance.LOW, BATCH_MULTI_PARTITION_MAX_BYTES_DOC, WRITES_GROUP, ++order, Width.SHORT,
                "Batch size across partitions (bytes)");
        def.define(FLUSH_RECORDS, Type.INT, 2000, ConfigDef.Range.between(1, 1_000_000), Importance.LOW,
                FLUSH_RECORDS_DOC, WRITES_GROUP, ++order, Width.SHORT, "Flush size (records)");
        def.define(FLUSH_INTERVAL_MS, Type.LONG, 20L, ConfigDef.Range.between(0L, 600_000L), Importance.LOW,
                FLUSH_INTERVAL_MS_DOC, WRITES_GROUP, ++order, Width.SHORT, "Flush interval (ms)");

        defineRetries(def, RETRIES_GROUP, RETRY_MAX_ATTEMPTS_DOC);
        return def;
    }

    // ---- typed values

    public List<String> contactPoints() {
        return getList(CONTACT_POINTS).stream().map(String::trim).toList();
    }

    public int port() {
        return getInt(PORT);
    }

    public String localDatacenter() {
        return getString(LOCAL_DATACENTER).trim();
    }

    public Duration requestTimeout() {
        return Duration.ofMillis(getLong(REQUEST_TIMEOUT_MS));
    }

    public String username() {
        return getString(USERNAME).trim();
    }

    public Password password() {
        return getPassword(PASSWORD);
    }

    public boolean sslEnabled() {
        return getBoolean(SSL_ENABLED);
    }

    public String trustStorePath() {
        return getString(SSL_TRUSTSTORE_PATH).trim();
    }

    public Password trustStorePassword() {
        return getPassword(SSL_TRUSTSTORE_PASSWORD);
    }

    public String trustStoreType() {
        return getString(SSL_TRUSTSTORE_TYPE).trim().toUpperCase(Locale.ROOT);
    }

    public boolean hostnameValidation() {
        return getBoolean(SSL_HOSTNAME_VALIDATION);
    }

    public String keyspace() {
        return getString(KEYSPACE).trim();
    }

    public TableNames tableNames() {
        return tableNames;
    }

    public ColumnMapping columnMapping() {
        return columnMapping;
    }

    public StructMode structMode() {
        return StructMode.parse(getString(STRUCT_MODE));
    }

    public boolean ignoreUnknownFields() {
        return "ignore".equalsIgnoreCase(getString(UNKNOWN_FIELDS).trim());
    }

    public boolean createTables() {
        return getBoolean(TABLE_CREATE);
    }

    public int createReplicationFactor() {
        return getInt(TABLE_CREATE_REPLICATION_FACTOR);
    }

    public DefaultConsistencyLevel consistencyLevel() {
        return DefaultConsistencyLevel.valueOf(getString(CONSISTENCY_LEVEL).trim().toUpperCase(Locale.ROOT));
    }

    public int maxConcurrentRequests() {
        return getInt(MAX_CONCURRENT_REQUESTS);
    }

    public int batchMaxStatements() {
        return getInt(BATCH_MAX_STATEMENTS);
    }

    public int batchMaxBytes() {
        return getInt(BATCH_MAX_BYTES);
    }

    public int batchMaxPartitions() {
        return getInt(BATCH_MAX_PARTITIONS);
    }

    public int batchMultiPartitionMaxBytes() {
        return getInt(BATCH_MULTI_PARTITION_MAX_BYTES);
    }

    public boolean batchByReplicaSet() {
        return "replica-set".equalsIgnoreCase(getString(BATCH_GROUPING).trim());
    }

    public int flushRecords() {
        return getInt(FLUSH_RECORDS);
    }

    public Duration flushInterval() {
        return Duration.ofMillis(getLong(FLUSH_INTERVAL_MS));
    }

    /** The settings an operator wants to see in the log at start; never a password. */
    public Map<String, String> summary() {
        Map<String, String> summary = new LinkedHashMap<>();
        summary.put(CONTACT_POINTS, String.join(",", contactPoints()));
        summary.put(LOCAL_DATACENTER, localDatacenter());
        summary.put(USERNAME, username().isEmpty() ? "(none)" : username());
        summary.put(SSL_ENABLED, String.valueOf(sslEnabled()));
        summary.put(KEYSPACE, keyspace());
        summary.put(TABLE_NAME_TEMPLATE, getString(TABLE_NAME_TEMPLATE));
        summary.put(STRUCT_MODE, structMode().configName());
        summary.put(TABLE_CREATE, String.valueOf(createTables()));
        summary.put(CONSISTENCY_LEVEL, consistencyLevel().name());
        summary.put(MAX_CONCURRENT_REQUESTS, String.valueOf(maxConcurrentRequests()));
        return summary;
    }
}
