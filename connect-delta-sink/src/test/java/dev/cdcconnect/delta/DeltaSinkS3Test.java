package dev.cdcconnect.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cdcconnect.delta.table.Storage;
import dev.cdcconnect.event.Envelopes;
import dev.cdcconnect.event.Operation;
import dev.cdcconnect.testkit.connect.TestSinkTaskContext;
import dev.cdcconnect.testkit.s3.S3Server;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/** The sink writing through s3a:// to a real S3 API server (S3Proxy), as to MinIO or S3. */
class DeltaSinkS3Test {

    static final String TOPIC = "dbserver1.public.customers";
    static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    static final Schema ROW = SchemaBuilder.struct().name("dbserver1.public.customers.Value")
            .field("customerId", Schema.INT32_SCHEMA)
            .field("customerFName", Schema.OPTIONAL_STRING_SCHEMA)
            .build();

    final S3Server s3 = S3Server.shared();
    final String bucket = s3.createBucket("lake");
    final String prefix = "cdc-" + UUID.randomUUID();
    final Envelopes postgres = Envelopes.postgres("postgres", "public", "customers");

    Map<String, String> props(String... extra) {
        Map<String, String> props = new HashMap<>();
        props.put("name", "lake");
        props.put("topics", TOPIC);
        props.put(DeltaSinkConfig.TABLE_ROOT, "s3a://" + bucket + "/" + prefix);
        props.put(DeltaSinkConfig.S3_ENDPOINT, s3.endpoint());
        props.put(DeltaSinkConfig.S3_PATH_STYLE, "true");
        props.put(DeltaSinkConfig.S3_REGION, S3Server.REGION);
        props.put(DeltaSinkConfig.S3_ACCESS_KEY, S3Server.ACCESS_KEY);
        props.put(DeltaSinkConfig.S3_SECRET_KEY, S3Server.SECRET_KEY);
        props.put(DeltaSinkConfig.COMMIT_INTERVAL_MS, "3600000");
        for (int i = 0; i < extra.length; i += 2) {
            props.put(extra[i], extra[i + 1]);
        }
        return props;
    }

    List<SinkRecord> inserts(long from, long to) {
        List<SinkRecord> records = new ArrayList<>();
        for (long offset = from; offset < to; offset++) {
            postgres.lsn(offset).tsMs(1_700_000_000_000L + offset);
            Struct value = postgres.struct(Operation.CREATE, null,
                    new Struct(ROW).put("customerId", (int) offset).put("customerFName", "c" + offset));
            records.add(new SinkRecord(TOPIC, 0, null, null, value.schema(), value, offset));
        }
        return records;
    }

    DeltaSinkTask start(Map<String, String> props) {
        DeltaSinkTask task = new DeltaSinkTask();
        TestSinkTaskContext context = new TestSinkTaskContext(false, P0);
        task.initialize(context);
        task.start(props);
        task.open(context.assignment());
        return task;
    }

    DeltaReader reader() {
        return new DeltaReader(Storage.hadoopConfiguration(new DeltaSinkConfig(props())));
    }

    String table() {
        return "s3a://" + bucket + "/" + prefix + "/customers";
    }

    @Test
    void writesATableIntoTheBucketThroughS3a() {
        DeltaSinkTask task = start(props());
        task.put(inserts(0, 100));
        task.close(List.of(P0));
        task.stop();

        assertThat(reader().rows(table())).extracting(r -> r.get("customerId"))
                .containsExactlyElementsOf(Stream.iterate(0, i -> i + 1).limit(100).toList());
        assertThat(Files.exists(s3.objectPath(bucket, prefix + "/customers/_delta_log/00000000000000000000.json")))
                .isTrue();
    }

    @Test
    void rowsWrittenWhileTheServerIsAwayAreCommittedOnceWhenItIsBack() throws Exception {
        DeltaSinkTask task = start(props(DeltaSinkConfig.RETRY_MAX_ATTEMPTS, "2",
                DeltaSinkConfig.RETRY_BACKOFF_MS, "100", DeltaSinkConfig.COMMIT_INTERVAL_MS, "100"));
        task.put(inserts(0, 50));
        Thread.sleep(150);
        task.put(List.of());
        assertThat(reader().rows(table())).hasSize(50);

        s3.stop();
        try {
            task.put(inserts(50, 100));
            Thread.sleep(150);
            long started = System.nanoTime();
            assertThatThrownBy(() -> task.put(List.of()))
                    .isInstanceOf(RetriableException.class)
                    .hasMessageContaining("Could not commit to " + table())
                    .satisfies(e -> assertThat(stackText(e)).doesNotContain(S3Server.SECRET_KEY));
            assertThat(System.nanoTime() - started).as("time to give up").isLessThan(60_000_000_000L);
        } finally {
            s3.start();
        }
        // Connect delivers the batch again; the rows are still buffered, and the commit goes through.
        task.put(inserts(50, 100));
        task.close(List.of(P0));

        assertThat(reader().rows(table())).extracting(r -> r.get("_cdc_kafka_offset"))
                .containsExactlyElementsOf(Stream.iterate(0L, i -> i + 1).limit(100).toList());
    }

    @Test
    void theSecretKeyIsAPasswordAndNotInTheSummary() {
        DeltaSinkConfig config = new DeltaSinkConfig(props());
        assertThat(DeltaSinkConfig.CONFIG_DEF.configKeys().get(DeltaSinkConfig.S3_SECRET_KEY).type)
                .isEqualTo(org.apache.kafka.common.config.ConfigDef.Type.PASSWORD);
        assertThat(config.summary().toString()).doesNotContain(S3Server.SECRET_KEY).contains(S3Server.ACCESS_KEY);
        assertThat(config.toString()).doesNotContain(S3Server.SECRET_KEY);
    }

    private static String stackText(Throwable e) {
        java.io.StringWriter out = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(out));
        return out.toString();
    }
}
