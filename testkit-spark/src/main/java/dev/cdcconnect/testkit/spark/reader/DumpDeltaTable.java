package dev.cdcconnect.testkit.spark.reader;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import java.util.Properties;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Reads a Delta table with Spark and delta-spark, as seed 004's own Spark job would, and writes what Spark sees
 * as JSON lines: first the table's schema (Spark's {@code StructType.json()}), then one object per row. Values
 * are written as Spark returns them with the Java 8 time API: integers and booleans as JSON numbers and booleans,
 * decimals as their plain digits, dates as {@code LocalDate}, timestamps as {@code Instant} (UTC), timestamps
 * without time zone as {@code LocalDateTime}, binary as Base64.
 *
 * <p>Arguments: a properties file of Spark settings ({@code spark.hadoop.fs.s3a.*} for an S3 server), then pairs
 * of a table path ({@code /folder}, {@code file:///folder} or {@code s3a://bucket/key}) and its output file: one
 * Spark session reads them all.
 */
public final class DumpDeltaTable {

    private DumpDeltaTable() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 3 || args.length % 2 == 0) {
            System.err.println("usage: DumpDeltaTable <spark settings file> (<table path> <output file>)...");
            System.exit(2);
        }
        SparkSession.Builder builder = SparkSession.builder()
                .master("local[1]")
                .appName("delta-read-back")
                .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
                .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.sql.datetime.java8API.enabled", "true")
                .config("spark.sql.shuffle.partitions", "1")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1");
        Properties settings = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            settings.load(in);
        }
        settings.stringPropertyNames().forEach(key -> builder.config(key, settings.getProperty(key)));
        try (SparkSession spark = builder.getOrCreate()) {
            for (int i = 1; i < args.length; i += 2) {
                dump(spark, args[i], Path.of(args[i + 1]));
            }
        }
    }

    private static void dump(SparkSession spark, String path, Path output) throws IOException {
        ObjectMapper json = new ObjectMapper();
        try (BufferedWriter out = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
            Dataset<Row> table = spark.read().format("delta").load(path);
            StructType schema = table.schema();
            out.write(schema.json());
            out.newLine();
            StructField[] fields = schema.fields();
            Iterator<Row> rows = table.toLocalIterator();
            while (rows.hasNext()) {
                Row row = rows.next();
                ObjectNode node = json.createObjectNode();
                for (int i = 0; i < fields.length; i++) {
                    put(node, fields[i].name(), row.isNullAt(i) ? null : row.get(i));
                }
                out.write(json.writeValueAsString(node));
                out.newLine();
            }
        }
    }

    private static void put(ObjectNode node, String name, Object value) {
        if (value == null) {
            node.putNull(name);
        } else if (value instanceof Integer v) {
            node.put(name, v);
        } else if (value instanceof Long v) {
            node.put(name, v);
        } else if (value instanceof Short v) {
            node.put(name, v);
        } else if (value instanceof Byte v) {
            node.put(name, v.shortValue());
        } else if (value instanceof Boolean v) {
            node.put(name, v);
        } else if (value instanceof Double v) {
            node.put(name, v);
        } else if (value instanceof Float v) {
            node.put(name, v);
        } else if (value instanceof BigDecimal v) {
            node.put(name, v.toPlainString());
        } else if (value instanceof byte[] v) {
            node.put(name, Base64.getEncoder().encodeToString(v));
        } else {
            node.put(name, value.toString());
        }
    }
}
