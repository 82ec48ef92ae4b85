package dev.cdcconnect.delta.table;

import dev.cdcconnect.delta.DeltaSinkConfig;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import java.io.IOException;
import java.util.Locale;
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
