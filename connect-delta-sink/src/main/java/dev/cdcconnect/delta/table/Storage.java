package dev.cdcconnect.delta.table;

import dev.cdcconnect.delta.DeltaSinkConfig;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;

/** Delta Kernel's default engine over Hadoop file systems, set up from the sink's storage settings. */
public final class Storage {

    private Storage() {
    }

    /** The Hadoop configuration for the sink's settings; hadoop.* settings come last and win. */
    public static Configuration hadoopConfiguration(DeltaSinkConfig config) {
        // Hadoop reads its defaults (core-default.xml) lazily through this class loader: the plugin's.
        Configuration conf = new Configuration();
        conf.setClassLoader(Storage.class.getClassLoader());
        conf.set("parquet.compression", config.compression().name());
        // One file per roll: the sink decides file sizes from its buffer.
        conf.set("delta.kernel.default.parquet.writer.targetMaxFileSize", Long.toString(4 * config.fileMaxBytes()));
        String endpoint = config.s3Endpoint();
        if (!endpoint.isEmpty()) {
            conf.set("fs.s3a.endpoint", endpoint);
            conf.setBoolean("fs.s3a.connection.ssl.enabled", endpoint.toLowerCase(Locale.ROOT).startsWith("https:"));
        }
        conf.set("fs.s3a.endpoint.region", config.s3Region());
        conf.setBoolean("fs.s3a.path.style.access", config.s3PathStyle());
        if (!config.s3AccessKey().isEmpty()) {
            conf.set("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
            conf.set("fs.s3a.access.key", config.s3AccessKey());
            conf.set("fs.s3a.secret.key", config.s3SecretKey().value());
        }
        // S3A's own retries are short: the sink retries with its backoff, and Connect after that.
        conf.setInt("fs.s3a.retry.limit", 2);
        conf.set("fs.s3a.retry.interval", "200ms");
        conf.setInt("fs.s3a.attempts.maximum", 2);
        conf.set("fs.s3a.connection.establish.timeout", "5s");
        conf.set("fs.s3a.connection.timeout", "30s");
        config.hadoopSettings().forEach((k, v) -> {
            if (v != null) {
                conf.set(k, v);
            }
        });
        return conf;
    }

    /** The Hadoop setting naming the Delta log store Delta Kernel's default engine uses for a URI scheme. */
    public static String logStoreKey(String scheme) {
        return "io.delta.kernel.logStore." + scheme + ".impl";
    }

    /**
     * Why this many tasks could lose commits on the sink's storage, or empty when they cannot. On {@code s3a://}
     * Delta Kernel's default log store ({@code S3SingleDriverLogStore}) keeps two writers from writing the same
     * commit file only within one JVM (S3 has no put-if-absent it uses): tasks on two workers writing one table
     * could overwrite each other's commit, and the rows of the first would be lost. Several tasks are allowed
     * when a log store is named: one that excludes writers across JVMs, or the single-driver one itself to say
     * that every task runs in one worker.
     */
    public static Optional<String> multiWriterProblem(DeltaSinkConfig config, int maxTasks) {
        String key = logStoreKey("s3a");
        if (maxTasks <= 1 || !config.tableRoot().startsWith("s3a://")
                || config.hadoopSettings().get(key) != null) {
            return Optional.empty();
        }
        return Optional.of("tasks.max=" + maxTasks + " with an s3a:// table root: Delta Kernel's log store for S3 "
                + "(S3SingleDriverLogStore) keeps writers from writing the same commit only within one worker, so "
                + "tasks on different workers writing one table could overwrite each other's commits and lose rows. "
                + "Use tasks.max=1; or set " + DeltaSinkConfig.HADOOP_PREFIX + key + " to a log store that excludes "
                + "concurrent writers across workers (its jar in the plugin folder), or to "
                + "io.delta.storage.S3SingleDriverLogStore to declare that every task of this connector runs in one "
                + "worker (a standalone worker or a one-worker cluster)");
    }

    public static Engine engine(DeltaSinkConfig config) {
        return DefaultEngine.create(hadoopConfiguration(config));
    }

    /** Whether a failure came from storage being unreachable or failing, which may pass: an I/O error in its causes. */
    public static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.io.FileNotFoundException || t instanceof java.nio.file.FileAlreadyExistsException) {
                return false;
            }
            if (t instanceof IOException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
