package dev.cdcconnect.testkit.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cdcconnect.testkit.ForkedJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads Delta tables with Apache Spark and delta-spark (seed 004's own engine), an independent reader of what the
 * Delta sink wrote. Spark runs in a JVM of its own, on the classpath Maven resolved into the {@code testkit-spark}
 * resource {@code dev/cdcconnect/testkit/spark/spark-classpath.txt} (never on a test classpath: its Jackson, Hadoop
 * and Parquet clash with Kafka Connect's and the sink's), with {@code local[1]} and the session time zone UTC.
 *
 * <p>One call starts one Spark JVM (about half a minute) and reads every table given: read several tables in one
 * call.
 */
public final class SparkDeltaReader {

    private static final Logger LOG = LoggerFactory.getLogger(SparkDeltaReader.class);
    private static final String CLASSPATH_RESOURCE = "dev/cdcconnect/testkit/spark/spark-classpath.txt";
    private static final String MAIN = "dev.cdcconnect.testkit.spark.reader.DumpDeltaTable";
    private static final ObjectMapper JSON = new ObjectMapper();

    // What Spark's own launcher opens on Java 17 (JavaModuleOptions).
    private static final List<String> JPMS_FLAGS = List.of(
            "-XX:+IgnoreUnrecognizedVMOptions",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
            "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
            "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
            "-Djdk.reflect.useDirectMethodHandle=false",
            "-Dio.netty.tryReflectionSetAccessible=true");

    /**
     * A table as Spark reads it.
     *
     * @param types Spark's type of each column ({@code integer}, {@code decimal(12,2)}, {@code timestamp_ntz}...),
     *              in the table's order
     * @param rows  each row as column to value: integers and booleans as JSON gives them, everything else as a
     *              string (decimals' plain digits, {@code LocalDate}, {@code Instant} and {@code LocalDateTime}
     *              forms, Base64 for binary)
     */
    public record Table(Map<String, String> types, List<Map<String, Object>> rows) {
    }

    private SparkDeltaReader() {
    }

    /**
     * Reads each table (a local folder, {@code file:///…} or {@code s3a://bucket/key}) with Spark, in one Spark JVM.
     *
     * @param sparkSettings Spark settings, such as {@code spark.hadoop.fs.s3a.endpoint}; written to a file, not to
     *                      the command line
     */
    public static List<Table> read(List<String> tables, Map<String, String> sparkSettings, Duration timeout) {
        long started = System.nanoTime();
        Path dir = null;
        try {
            dir = Files.createTempDirectory("cdcconnect-spark-");
            Path settings = dir.resolve("spark.properties");
            Properties props = new Properties();
            props.setProperty("spark.local.dir", dir.resolve("local").toString());
            props.setProperty("spark.sql.warehouse.dir", dir.resolve("warehouse").toString());
            props.putAll(sparkSettings);
            try (var out = Files.newOutputStream(settings)) {
                props.store(out, null);
            }
            List<String> arguments = new ArrayList<>(List.of(
                    "-Xmx1g", "-XX:+UseSerialGC", "-Duser.timezone=UTC", "-Djava.io.tmpdir=" + dir));
            arguments.addAll(JPMS_FLAGS);
            arguments.addAll(List.of("-cp", classpath(), MAIN, settings.toString()));
            List<Path> outputs = new ArrayList<>();
            for (int i = 0; i < tables.size(); i++) {
                Path output = dir.resolve("table-" + i + ".jsonl");
                outputs.add(output);
                arguments.add(tables.get(i));
                arguments.add(output.toString());
            }
            ForkedJvm.start("Spark", arguments, null, dir.resolve("spark.log"), false)
                    .awaitSuccess(timeout, "reading " + tables, 60);
            List<Table> result = new ArrayList<>();
            for (Path output : outputs) {
                result.add(parse(output));
            }
            LOG.info("Spark read {} in {} ms", tables, Duration.ofNanos(System.nanoTime() - started).toMillis());
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run Spark", e);
        } finally {
            ForkedJvm.deleteRecursively(dir);
        }
    }

    private static Table parse(Path output) throws IOException {
        List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
        Map<String, String> types = new LinkedHashMap<>();
        for (JsonNode field : JSON.readTree(lines.get(0)).path("fields")) {
            JsonNode type = field.path("type");
            types.put(field.path("name").asText(), type.isTextual() ? type.asText() : type.toString());
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            Map<String, Object> row = new LinkedHashMap<>();
            JSON.readTree(line).fields().forEachRemaining(e -> row.put(e.getKey(), value(e.getValue())));
            rows.add(row);
        }
        return new Table(types, rows);
    }

    private static Object value(JsonNode node) {
        if (node.isNull()) {
            return null;
        } else if (node.isBoolean()) {
            return node.booleanValue();
        } else if (node.isIntegralNumber()) {
            return node.canConvertToInt() ? (Object) node.intValue() : (Object) node.longValue();
        } else if (node.isNumber()) {
            return node.doubleValue();
        }
        return node.asText();
    }

    private static String classpath() {
        String dependencies = ForkedJvm.buildResource(CLASSPATH_RESOURCE, "testkit-spark");
        URL resource = SparkDeltaReader.class.getClassLoader().getResource(CLASSPATH_RESOURCE);
        // The reader's own class is in the jar (or classes folder) that holds the resource.
        String location = resource.toString();
        Path own;
        try {
            if (location.startsWith("jar:")) {
                own = Path.of(new java.net.URI(location.substring(4, location.indexOf("!/"))));
            } else {
                Path file = Path.of(resource.toURI());
                own = file;
                for (int i = 0; i < CLASSPATH_RESOURCE.split("/").length; i++) {
                    own = own.getParent();
                }
            }
        } catch (URISyntaxException e) {
            throw new IllegalStateException("Cannot locate the testkit-spark classes from " + location, e);
        }
        return own + java.io.File.pathSeparator + dependencies;
    }
}
