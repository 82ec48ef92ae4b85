package dev.cdcconnect.delta;

import dev.cdcconnect.delta.table.TableNames;
import dev.cdcconnect.support.Redaction;
import dev.cdcconnect.support.config.ConfigProblem;
import dev.cdcconnect.support.config.Validators;
import dev.cdcconnect.support.sink.SinkConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.types.Password;

/** Configuration of the Delta Lake sink: keys, documentation, validation and typed values. */
public final class DeltaSinkConfig extends SinkConfig {

    private static final String TABLES_GROUP = "Tables";
    private static final String STORAGE_GROUP = "S3 storage";
    private static final String FILES_GROUP = "Files and commits";
    private static final String RETRIES_GROUP = "Retries";

    /** Settings passed to Hadoop's configuration as they are, without this prefix. */
    public static final String HADOOP_PREFIX = "hadoop.";

    public static final String TABLE_ROOT = "delta.table.root";
    private static final String TABLE_ROOT_DOC = "Where the tables live: a local folder (/data/lake or "
            + "file:///data/lake), s3a://bucket/prefix for S3 and S3-compatible stores (MinIO, Ceph; see the s3.* "
            + "settings), or any URI Hadoop has a file system for (hdfs://, abfss://, gs://: their settings as "
            + HADOOP_PREFIX + "<hadoop key>). Each table is the folder <root>/<table name>.";

    public static final String TABLE_NAME_TEMPLATE = "delta.table.name.template";
    private static final String TABLE_NAME_TEMPLATE_DOC = "Folder name, under delta.table.root, of the table a "
            + "record goes to, with placeholders " + TableNames.PLACEHOLDERS + ". ${table} is the source table of a "
            + "change event, or the last dot-separated part of the topic name for other records. '/' makes "
            + "sub-folders (${database}/${table}).";

    public static final String PARTITION_BY = "delta.table.partition.by";
    private static final String PARTITION_BY_DOC = "How new tables are partitioned. none: not partitioned. "
            + "source-date: by the UTC date of the source commit, column _cdc_source_date. Tables that exist keep "
            + "their partitioning.";

    public static final String S3_ENDPOINT = "s3.endpoint";
    private static final String S3_ENDPOINT_DOC = "Endpoint of the S3 API, such as http://minio:9000; empty: AWS "
            + "S3 of s3.region. An http:// endpoint turns TLS off.";

    public static final String S3_REGION = "s3.region";
    private static final String S3_REGION_DOC = "Region of the bucket (MinIO and most S3-compatible stores accept "
            + "us-east-1).";

    public static final String S3_PATH_STYLE = "s3.path.style.access";
    private static final String S3_PATH_STYLE_DOC = "Address buckets as endpoint/bucket rather than "
            + "bucket.endpoint: needed by MinIO and most S3-compatible stores.";

    public static final String S3_ACCESS_KEY = "s3.access.key";
    private static final String S3_ACCESS_KEY_DOC = "Access key id. Empty: credentials come from Hadoop's default "
            + "chain (environment, instance profile) or hadoop.fs.s3a.* settings.";

    public static final String S3_SECRET_KEY = "s3.secret.key";
    private static final String S3_SECRET_KEY_DOC = "Secret access key of s3.access.key.";

    public static final String PARQUET_COMPRESSION = "parquet.compression";
    private static final String PARQUET_COMPRESSION_DOC = "Compression codec of the Parquet data files.";

    public static final String FILE_MAX_BYTES = "file.max.bytes";
    private static final String FILE_MAX_BYTES_DOC = "A table's buffered rows are written as a Parquet file once "
            + "they take about this many bytes in memory (the file is smaller: Parquet encodes and compresses). "
            + "Memory use is up to this much per table being written.";

    public static final String COMMIT_INTERVAL_MS = "commit.interval.ms";
    private static final String COMMIT_INTERVAL_MS_DOC = "How often each table's written files, and the rows still "
            + "buffered, are committed to the table as one Delta commit, together with the Kafka offsets they cover. "
            + "Rows become visible to readers at the commit.";

    public static final String CHECKPOINT_INTERVAL = "delta.checkpoint.interval";
    private static final String CHECKPOINT_INTERVAL_DOC = "Commits between the checkpoints the sink writes, so "
            + "readers do not replay a long log (table property delta.checkpointInterval of new tables).";

    private static final String RETRY_MAX_ATTEMPTS_DOC = "How many times a storage operation that failed for a "
            + "transient reason (connection refused or reset, timeout, throttling, server error) is retried before "
            + "the task reports a retriable error; Connect then delivers the records again later and nothing is "
            + "lost.";

    private static final String RETRY_TIMEOUT_MS_DOC = "How long the sink keeps trying while the storage cannot be "
            + "used (every operation fails: unreachable endpoint, TLS mismatch, credentials refused, missing bucket, "
            + "server errors) and none succeeds. Until then the task stays RUNNING and Connect delivers the records "
            + "again; then the task fails with a message that says what is wrong and what to check. Nothing is lost: "
            + "only offsets of rows committed to their tables are committed, so a restarted task writes the rest.";

    public static final ConfigDef CONFIG_DEF = configDef();

    /** Partitioning of new tables. */
    public enum Partitioning {
        NONE("none"), SOURCE_DATE("source-date");

        private final String configName;

        Partitioning(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }
    }

    /** Compression codecs of the Parquet writer that need no native library. */
    public enum Compression { SNAPPY, GZIP, ZSTD, UNCOMPRESSED }

    private final TableNames tableNames;

    public DeltaSinkConfig(Map<?, ?> originals) {
        super(CONFIG_DEF, originals);
        this.tableNames = new TableNames(getString(TABLE_NAME_TEMPLATE));
        if (!getString(S3_ACCESS_KEY).isBlank() && getPassword(S3_SECRET_KEY).value().isEmpty()) {
            throw new ConfigProblem(S3_SECRET_KEY, Redaction.HIDDEN, "is needed with " + S3_ACCESS_KEY);
        }
    }

    private static ConfigDef configDef() {
        ConfigDef def = new ConfigDef();
        int order = 0;
        def.define(TABLE_ROOT, Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
                Validators.parsing("a folder, file:///folder, s3a://bucket/prefix or a Hadoop file system URI",
                        DeltaSinkConfig::parseRoot),
                Importance.HIGH, TABLE_ROOT_DOC, TABLES_GROUP, ++order, Width.LONG, "Table root");
        def.define(TABLE_NAME_TEMPLATE, Type.STRING, "${table}", Validators.parsing(
                        "a name with placeholders " + TableNames.PLACEHOLDERS, TableNames::parseTemplate),
                Importance.HIGH, TABLE_NAME_TEMPLATE_DOC, TABLES_GROUP, ++order, Width.MEDIUM, "Table name template");
        def.define(PARTITION_BY, Type.STRING, Partitioning.NONE.configName(),
                Validators.oneOf(Partitioning::configName, Partitioning.values()), Importance.MEDIUM, PARTITION_BY_DOC,
                TABLES_GROUP, ++order, Width.SHORT, "Partitioning");
        def.define(CHECKPOINT_INTERVAL, Type.INT, 10, ConfigDef.Range.between(1, 10_000), Importance.LOW,
                CHECKPOINT_INTERVAL_DOC, TABLES_GROUP, ++order, Width.SHORT, "Checkpoint interval (commits)");

        order = 0;
        def.define(S3_ENDPOINT, Type.STRING, "", Validators.parsing("empty, or http(s)://host[:port]",
                        DeltaSinkConfig::parseEndpoint),
                Importance.HIGH, S3_ENDPOINT_DOC, STORAGE_GROUP, ++order, Width.LONG, "S3 endpoint");
        def.define(S3_REGION, Type.STRING, "us-east-1", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                S3_REGION_DOC, STORAGE_GROUP, ++order, Width.SHORT, "S3 region");
        def.define(S3_PATH_STYLE, Type.BOOLEAN, false, Importance.MEDIUM, S3_PATH_STYLE_DOC, STORAGE_GROUP, ++order,
                Width.SHORT, "Path-style access");
        def.define(S3_ACCESS_KEY, Type.STRING, "", Importance.HIGH, S3_ACCESS_KEY_DOC, STORAGE_GROUP, ++order,
                Width.MEDIUM, "Access key");
        def.define(S3_SECRET_KEY, Type.PASSWORD, "", Importance.HIGH, S3_SECRET_KEY_DOC, STORAGE_GROUP, ++order,
                Width.MEDIUM, "Secret key");

        order = 0;
        def.define(PARQUET_COMPRESSION, Type.STRING, "snappy",
                Validators.oneOf(Compression.values()), Importance.LOW,
                PARQUET_COMPRESSION_DOC, FILES_GROUP, ++order, Width.SHORT, "Compression");
        def.define(FILE_MAX_BYTES, Type.LONG, 64L * 1024 * 1024, ConfigDef.Range.between(64L * 1024, 4L << 30),
                Importance.MEDIUM, FILE_MAX_BYTES_DOC, FILES_GROUP, ++order, Width.SHORT, "File size (bytes)");
        def.define(COMMIT_INTERVAL_MS, Type.LONG, 30_000L, ConfigDef.Range.between(100L, 24L * 3600 * 1000),
                Importance.MEDIUM, COMMIT_INTERVAL_MS_DOC, FILES_GROUP, ++order, Width.SHORT, "Commit interval (ms)");

        int retryOrder = defineRetries(def, RETRIES_GROUP, RETRY_MAX_ATTEMPTS_DOC);
        defineRetryTimeout(def, RETRIES_GROUP, ++retryOrder, RETRY_TIMEOUT_MS_DOC);
        return def;
    }

    /** The table root as a URI string Hadoop understands; a plain folder becomes file:///folder. */
    static String parseRoot(String value) {
        String root = value == null ? "" : value.trim();
        if (root.isEmpty()) {
            throw new IllegalArgumentException("must not be empty");
        }
        while (root.length() > 1 && root.endsWith("/") && !root.endsWith("://")) {
            root = root.substring(0, root.length() - 1);
        }
        if (root.startsWith("/")) {
            return "file://" + root;
        }
        try {
            URI uri = new URI(root);
            if (uri.getScheme() == null) {
                throw new IllegalArgumentException("'" + value + "' is neither an absolute folder nor a URI");
            }
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            if (scheme.equals("s3") || scheme.equals("s3n")) {
                throw new IllegalArgumentException("use s3a://" + root.substring(root.indexOf("://") + 3)
                        + " (Hadoop's S3A file system) instead of " + scheme + "://");
            }
            if (scheme.equals("s3a") && (uri.getHost() == null || uri.getHost().isEmpty())) {
                throw new IllegalArgumentException("'" + value + "' names no bucket: s3a://bucket/prefix");
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + value + "' is not a URI: " + e.getReason());
        }
        return root;
    }

    static String parseEndpoint(String value) {
        String endpoint = value == null ? "" : value.trim();
        if (endpoint.isEmpty()) {
            return endpoint;
        }
        try {
            URI uri = new URI(endpoint);
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    || uri.getHost() == null) {
                throw new IllegalArgumentException("'" + value + "' is not http(s)://host[:port]");
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + value + "' is not a URI: " + e.getReason());
        }
        return endpoint;
    }

    // ---- typed values

    /** The table root URI, without a trailing '/'. */
    public String tableRoot() {
        return parseRoot(getString(TABLE_ROOT));
    }

    public TableNames tableNames() {
        return tableNames;
    }

    public Partitioning partitioning() {
        return "source-date".equalsIgnoreCase(getString(PARTITION_BY).trim()) ? Partitioning.SOURCE_DATE
                : Partitioning.NONE;
    }

    public int checkpointInterval() {
        return getInt(CHECKPOINT_INTERVAL);
    }

    public String s3Endpoint() {
        return getString(S3_ENDPOINT).trim();
    }

    public String s3Region() {
        return getString(S3_REGION).trim();
    }

    public boolean s3PathStyle() {
        return getBoolean(S3_PATH_STYLE);
    }

    public String s3AccessKey() {
        return getString(S3_ACCESS_KEY).trim();
    }

    public Password s3SecretKey() {
        return getPassword(S3_SECRET_KEY);
    }

    public Compression compression() {
        return Compression.valueOf(getString(PARQUET_COMPRESSION).trim().toUpperCase(Locale.ROOT));
    }

    public long fileMaxBytes() {
        return getLong(FILE_MAX_BYTES);
    }

    public Duration commitInterval() {
        return Duration.ofMillis(getLong(COMMIT_INTERVAL_MS));
    }

    /** Settings given as hadoop.&lt;key&gt;, passed to Hadoop's configuration as &lt;key&gt;. */
    public Map<String, String> hadoopSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        originalsWithPrefix(HADOOP_PREFIX).forEach((k, v) -> settings.put(k, v == null ? null : v.toString()));
        return settings;
    }

    /** The settings an operator wants to see in the log at start; never a secret. */
    public Map<String, String> summary() {
        Map<String, String> summary = new LinkedHashMap<>();
        summary.put(TABLE_ROOT, tableRoot());
        summary.put(TABLE_NAME_TEMPLATE, getString(TABLE_NAME_TEMPLATE));
        summary.put(PARTITION_BY, partitioning().configName());
        if (tableRoot().startsWith("s3a://")) {
            summary.put(S3_ENDPOINT, s3Endpoint().isEmpty() ? "(AWS)" : s3Endpoint());
            summary.put(S3_REGION, s3Region());
            summary.put(S3_PATH_STYLE, String.valueOf(s3PathStyle()));
            summary.put(S3_ACCESS_KEY, s3AccessKey().isEmpty() ? "(default chain)" : s3AccessKey());
        }
        summary.put(PARQUET_COMPRESSION, compression().name().toLowerCase(Locale.ROOT));
        summary.put(FILE_MAX_BYTES, String.valueOf(fileMaxBytes()));
        summary.put(COMMIT_INTERVAL_MS, String.valueOf(commitInterval().toMillis()));
        return summary;
    }
}
