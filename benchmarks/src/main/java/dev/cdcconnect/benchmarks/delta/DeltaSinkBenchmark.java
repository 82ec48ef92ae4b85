package dev.cdcconnect.benchmarks.delta;

import dev.cdcconnect.benchmarks.Benchmark;
import dev.cdcconnect.benchmarks.Results;
import dev.cdcconnect.benchmarks.Statistics;
import dev.cdcconnect.delta.DeltaSinkConfig;
import dev.cdcconnect.delta.DeltaSinkTask;
import dev.cdcconnect.delta.table.Storage;
import dev.cdcconnect.testkit.connect.TestSinkTaskContext;
import dev.cdcconnect.testkit.s3.S3Server;
import io.delta.kernel.Table;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * Rows per second from Debezium change events of seed 004's {@code customers1} table, through the Delta sink's
 * task (batches of 500 as a worker's poll delivers them), into a Delta table on an S3 API server (S3Proxy, in a
 * JVM of its own) through s3a://, until the last row is committed. Against two baselines measured in the same
 * run, on the same server: {@code parquet-limit}, the same rows written as Parquet files of the same size by the
 * Parquet library directly (no Delta log, no Connect: the ceiling), and {@code commit-per-batch}, the same task
 * made to commit every batch of 500 as its own Delta commit (the naive sink). Also the commits and files per
 * 100,000 rows. Every path is warmed up, then measured in rounds ({@code -Drounds=N}, default 5), each into a fresh
 * table, the sink and parquet-limit back to back (in alternating order) so that both see the same load; the rates
 * are the medians of the rounds, and the ratio to parquet-limit is the median of the rounds' own ratios, which a
 * load that changes between rounds moves less. The machine's load average (1 minute) before and after is reported
 * with the figures. {@code -Drows=N} sets the rows (default 100000); commit-per-batch writes a fifth of them.
 */
public final class DeltaSinkBenchmark implements Benchmark {

    private static final String TOPIC = "dbserver2.public.customers1";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
    private static final int POLL_BATCH = 500;
    private static final String BUCKET = "bench";

    private static final Schema ROW = SchemaBuilder.struct().name("dbserver2.public.customers1.Value").optional()
            .field("customerId", Schema.INT32_SCHEMA)
            .field("customerFName", Schema.OPTIONAL_STRING_SCHEMA)
            .field("customerLName", Schema.OPTIONAL_STRING_SCHEMA)
            .field("customerEmail", Schema.OPTIONAL_STRING_SCHEMA)
            .field("customerPassword", Schema.OPTIONAL_STRING_SCHEMA)
            .field("customerStreet", Schema.OPTIONAL_STRING_SCHEMA)
            .field("customerCity", Schema.OPTIONAL_STRING_SCHEMA)
            .field("customerState", Schema.OPTIONAL_STRING_SCHEMA)
            .field("customerZipcode", Schema.OPTIONAL_INT32_SCHEMA)
            .build();
    private static final Schema SOURCE = SchemaBuilder.struct().name("io.debezium.connector.postgresql.Source")
            .field("version", Schema.STRING_SCHEMA).field("connector", Schema.STRING_SCHEMA)
            .field("name", Schema.STRING_SCHEMA).field("ts_ms", Schema.INT64_SCHEMA)
            .field("snapshot", Schema.OPTIONAL_STRING_SCHEMA).field("db", Schema.STRING_SCHEMA)
            .field("schema", Schema.STRING_SCHEMA).field("table", Schema.STRING_SCHEMA)
            .field("txId", Schema.OPTIONAL_INT64_SCHEMA).field("lsn", Schema.OPTIONAL_INT64_SCHEMA)
            .build();
    private static final Schema ENVELOPE = SchemaBuilder.struct().name("dbserver2.public.customers1.Envelope")
            .field("before", ROW).field("after", ROW).field("source", SOURCE).field("op", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA).build();
    private static final MessageType PARQUET = MessageTypeParser.parseMessageType("message customers1 {"
            + " required int32 customerId; optional binary customerFName (UTF8); optional binary customerLName (UTF8);"
            + " optional binary customerEmail (UTF8); optional binary customerPassword (UTF8);"
            + " optional binary customerStreet (UTF8); optional binary customerCity (UTF8);"
            + " optional binary customerState (UTF8); optional int32 customerZipcode;"
            + " optional binary _cdc_op (UTF8); optional int64 _cdc_source_ts (TIMESTAMP(MICROS,true));"
            + " optional int64 _cdc_event_ts (TIMESTAMP(MICROS,true)); optional binary _cdc_tx_id (UTF8);"
            + " optional int64 _cdc_lsn; optional binary _cdc_kafka_topic (UTF8); optional int32 _cdc_kafka_partition;"
            + " optional int64 _cdc_kafka_offset; }");

    @Override
    public String name() {
        return "delta-sink";
    }

    @Override
    public String description() {
        return "rows/s of change events into Delta on an S3 server through the sink task vs parquet-limit "
                + "(Parquet files written directly) and commit-per-batch (a Delta commit per put of 500)";
    }

    @Override
    public void run(Results results) throws Exception {
        int rows = Integer.getInteger("rows", 100_000);
        int rounds = Integer.getInteger("rounds", 5);
        double loadBefore = loadAverage();
        try (S3Server s3 = S3Server.open()) {
            s3.createBucket(BUCKET);
            List<SinkRecord> records = changes(rows);
            // Warm-up: every path once on a small table, so class loading and the JIT do not count.
            runSink(s3, "warmup-sink", records.subList(0, 5_000), false);
            runParquet(s3, "warmup-parquet", records.subList(0, 5_000), 2);
            runSink(s3, "warmup-naive", records.subList(0, 2_000), true);

            List<Double> sinkRates = new ArrayList<>();
            List<Double> parquetRates = new ArrayList<>();
            List<Double> naiveRates = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            Run sink = null;
            Run naive = null;
            long files = 2;
            for (int round = 0; round < rounds; round++) {
                Run parquet = null;
                if (round % 2 == 1) {
                    parquet = runParquet(s3, "parquet-" + round, records, files);
                }
                sink = runSink(s3, "sink-" + round, records, false);
                files = Math.max(1, sink.files());
                if (parquet == null) {
                    parquet = runParquet(s3, "parquet-" + round, records, files);
                }
                naive = runSink(s3, "naive-" + round, records.subList(0, rows / 5), true);
                sinkRates.add(sink.rowsPerSecond());
                parquetRates.add(parquet.rowsPerSecond());
                naiveRates.add(naive.rowsPerSecond());
                ratios.add(sink.rowsPerSecond() / parquet.rowsPerSecond());
                System.out.printf("# round %d: sink %.0f rows/s, parquet-limit %.0f rows/s (ratio %.2f), "
                                + "commit-per-batch %.0f rows/s, load %.1f%n", round + 1, sink.rowsPerSecond(),
                        parquet.rowsPerSecond(), sink.rowsPerSecond() / parquet.rowsPerSecond(),
                        naive.rowsPerSecond(), loadAverage());
            }
            double sinkRate = Statistics.median(sinkRates);
            double parquetRate = Statistics.median(parquetRates);
            double ratio = Statistics.median(ratios);
            double naiveRate = Statistics.median(naiveRates);
            double per100k = 100_000.0 / rows;
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("rows_per_s", sinkRate);
            metrics.put("commits_per_100k_rows", sink.commits() * per100k);
            metrics.put("files_per_100k_rows", sink.files() * per100k);
            metrics.put("min_round_ratio", Collections.min(ratios));
            metrics.put("max_round_ratio", Collections.max(ratios));
            metrics.put("load_1m_before", loadBefore);
            metrics.put("load_1m_after", loadAverage());
            // The ratio printed is the median of the rounds' ratios: rows_per_s over this equivalent baseline.
            results.report("delta-sink", metrics, "parquet-limit", sinkRate / ratio);
            results.report("delta-sink", "rows_per_s", sinkRate, "commit-per-batch", naiveRate);
            results.report("parquet-limit", "rows_per_s", parquetRate, "parquet-limit", parquetRate);
            Map<String, Double> naiveMetrics = new LinkedHashMap<>();
            naiveMetrics.put("rows_per_s", naiveRate);
            naiveMetrics.put("commits_per_100k_rows", naive.commits() * 100_000.0 / (rows / 5));
            naiveMetrics.put("files_per_100k_rows", naive.files() * 100_000.0 / (rows / 5));
            results.report("commit-per-batch", naiveMetrics, "commit-per-batch", naiveRate);
        }
    }

    /** The system load average over the last minute, as {@code uptime} shows it (-1 where unknown). */
    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private record Run(long rows, double seconds, long commits, long files) {
        double rowsPerSecond() {
            return rows / seconds;
        }
    }

    private static Map<String, String> props(S3Server s3, String prefix) {
        Map<String, String> props = new HashMap<>();
        props.put("name", "bench");
        props.put("topics", TOPIC);
        props.put(DeltaSinkConfig.TABLE_ROOT, "s3a://" + BUCKET + "/" + prefix);
        props.put(DeltaSinkConfig.S3_ENDPOINT, s3.endpoint());
        props.put(DeltaSinkConfig.S3_PATH_STYLE, "true");
        props.put(DeltaSinkConfig.S3_ACCESS_KEY, S3Server.ACCESS_KEY);
        props.put(DeltaSinkConfig.S3_SECRET_KEY, S3Server.SECRET_KEY);
        props.put(DeltaSinkConfig.COMMIT_INTERVAL_MS, "10000");
        return props;
    }

    /** The sink task over the records in poll-sized batches; the naive way commits after every batch. */
    private static Run runSink(S3Server s3, String prefix, List<SinkRecord> records, boolean commitEachBatch) {
        Map<String, String> props = props(s3, prefix);
        DeltaSinkTask task = new DeltaSinkTask();
        task.initialize(new TestSinkTaskContext(props, false, Set.of(PARTITION)));
        task.start(props);
        task.open(List.of(PARTITION));
        long started = System.nanoTime();
        for (int from = 0; from < records.size(); from += POLL_BATCH) {
            task.put(records.subList(from, Math.min(records.size(), from + POLL_BATCH)));
            if (commitEachBatch) {
                task.close(List.of(PARTITION));
                task.open(List.of(PARTITION));
            }
        }
        task.close(List.of(PARTITION));
        double seconds = (System.nanoTime() - started) / 1e9;
        task.stop();
        Configuration conf = Storage.hadoopConfiguration(new DeltaSinkConfig(props));
        Engine engine = DefaultEngine.create(conf);
        String path = "s3a://" + BUCKET + "/" + prefix + "/customers1";
        long commits = Table.forPath(engine, path).getLatestSnapshot(engine).getVersion() + 1;
        long files = parquetFiles(s3.objectPath(BUCKET, prefix + "/customers1"));
        return new Run(records.size(), seconds, commits, files);
    }

    /** The same rows straight into Parquet files through s3a://, in {@code files} files. */
    private static Run runParquet(S3Server s3, String prefix, List<SinkRecord> records, long files) throws IOException {
        Configuration conf = Storage.hadoopConfiguration(new DeltaSinkConfig(props(s3, prefix)));
        SimpleGroupFactory groups = new SimpleGroupFactory(PARQUET);
        int perFile = (int) Math.ceil(records.size() / (double) files);
        long started = System.nanoTime();
        for (int file = 0; file * perFile < records.size(); file++) {
            org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(
                    "s3a://" + BUCKET + "/" + prefix + "/part-" + file + ".snappy.parquet");
            try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(path).withConf(conf).withType(PARQUET)
                    .withCompressionCodec(CompressionCodecName.SNAPPY).build()) {
                for (SinkRecord record : records.subList(file * perFile, Math.min(records.size(), (file + 1) * perFile))) {
                    writer.write(group(groups, record));
                }
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        return new Run(records.size(), seconds, 0, parquetFiles(s3.objectPath(BUCKET, prefix)));
    }

    private static Group group(SimpleGroupFactory groups, SinkRecord record) {
        Struct envelope = (Struct) record.value();
        Struct after = envelope.getStruct("after");
        Struct source = envelope.getStruct("source");
        Group g = groups.newGroup();
        g.add("customerId", after.getInt32("customerId"));
        for (String column : List.of("customerFName", "customerLName", "customerEmail", "customerPassword",
                "customerStreet", "customerCity", "customerState")) {
            String value = after.getString(column);
            if (value != null) {
                g.add(column, value);
            }
        }
        g.add("customerZipcode", after.getInt32("customerZipcode"));
        g.add("_cdc_op", envelope.getString("op"));
        g.add("_cdc_source_ts", source.getInt64("ts_ms") * 1000);
        g.add("_cdc_event_ts", envelope.getInt64("ts_ms") * 1000);
        g.add("_cdc_tx_id", source.getInt64("txId").toString());
        g.add("_cdc_lsn", source.getInt64("lsn"));
        g.add("_cdc_kafka_topic", record.topic());
        g.add("_cdc_kafka_partition", record.kafkaPartition());
        g.add("_cdc_kafka_offset", record.kafkaOffset());
        return g;
    }

    private static long parquetFiles(Path folder) {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            return paths.filter(p -> p.getFileName().toString().endsWith(".parquet")
                    && !p.toString().contains("_delta_log")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Inserts and updates of customers as Debezium's Postgres connector emits them, 20 changes per transaction. */
    private static List<SinkRecord> changes(int count) {
        List<SinkRecord> records = new ArrayList<>(count);
        long ts = 1_700_000_000_000L;
        for (int i = 0; i < count; i++) {
            int id = i % 12_435 + 1;
            boolean update = i >= 12_435;
            Struct row = new Struct(ROW).put("customerId", id).put("customerFName", update ? "Mary" + i : "Richard")
                    .put("customerLName", "Hernandez").put("customerEmail", "XXXXXXXXX")
                    .put("customerPassword", "XXXXXXXXX").put("customerStreet", (6303 + id) + " Heather Plaza")
                    .put("customerCity", "Brownsville").put("customerState", "TX").put("customerZipcode", 78521 + id % 97);
            Struct source = new Struct(SOURCE).put("version", "3.5.0.Final").put("connector", "postgresql")
                    .put("name", "dbserver2").put("ts_ms", ts + i / 20).put("snapshot", "false").put("db", "postgres")
                    .put("schema", "public").put("table", "customers1").put("txId", 700L + i / 20)
                    .put("lsn", 37_082_784L + 64L * i);
            Struct envelope = new Struct(ENVELOPE).put("before", null).put("after", row).put("source", source)
                    .put("op", update ? "u" : "c").put("ts_ms", ts + i / 20 + 300);
            records.add(new SinkRecord(TOPIC, 0, null, null, ENVELOPE, envelope, i));
        }
        return records;
    }
}
