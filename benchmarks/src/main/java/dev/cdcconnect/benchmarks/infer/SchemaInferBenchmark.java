package dev.cdcconnect.benchmarks.infer;

import dev.cdcconnect.benchmarks.Benchmark;
import dev.cdcconnect.benchmarks.Interleaved;
import dev.cdcconnect.benchmarks.JmhRun;
import dev.cdcconnect.benchmarks.Results;
import dev.cdcconnect.benchmarks.ThreadCpu;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code benchmarks/run schema-infer}: time and allocation per record of the InferSchema value transform on
 * order documents (flat, nested, varying optional fields), against baseline {@code jsonconverter}, the
 * JsonConverter parse of the same bytes that the transform adds to. Goal: the transform at most 0.5x the
 * converter's time. Transform and converter run on one thread in alternating slices of about 10 ms
 * ({@link Interleaved}), so that other work on the machine weighs on both alike: {@code -Dwarmup=20} seconds of
 * warm-up, then {@code -Drounds=5} rounds of {@code -Dround=3} seconds; the ratio is the median of the rounds'
 * ratios. Beside wall time, the thread's CPU time per record ({@code cpu_ratio}), which a busy machine does not
 * inflate. (The same methods as JMH benchmarks, for profiling: {@link InferSchemaJmh}.)
 */
public final class SchemaInferBenchmark implements Benchmark {

    private static final List<String> SHAPES = List.of("flat", "nested", "optional");

    /** What each operation returns, kept so that the work cannot be optimised away. */
    private Object last;

    @Override
    public String name() {
        return "schema-infer";
    }

    @Override
    public String description() {
        return "InferSchema value transform per record (flat, nested, optional fields) vs baseline jsonconverter"
                + " (JsonConverter.toConnectData on the same bytes), interleaved on one thread; goal ratio <= 0.5;"
                + " CPU time and allocated bytes per record";
    }

    @Override
    public void run(Results results) throws Exception {
        Duration warmup = Duration.ofSeconds(Integer.getInteger("warmup", 20));
        int rounds = Integer.getInteger("rounds", 5);
        Duration round = Duration.ofSeconds(Integer.getInteger("round", 3));
        for (String shape : SHAPES) {
            InferSchemaJmh state = new InferSchemaJmh();
            state.shape = shape;
            state.setUp();
            ThreadCpu cpu = new ThreadCpu();
            Interleaved.Outcome outcome;
            try {
                double loadBefore = JmhRun.load();
                outcome = Interleaved.run(() -> last = state.transform(cpu), () -> last = state.jsonconverter(cpu),
                        warmup, rounds, round);
                System.out.printf("# %s: round ratios %s (load %.2f before, %.2f after)%n", shape,
                        outcome.ratios().stream().map(r -> String.format("%.3f", r)).toList(), loadBefore,
                        JmhRun.load());
            } finally {
                state.tearDown();
            }
            Interleaved.Side converter = outcome.baseline();
            Interleaved.Side transform = outcome.path();
            Map<String, Double> baseline = new LinkedHashMap<>();
            baseline.put("ns_per_record", converter.wallNanos());
            baseline.put("cpu_ns_per_record", converter.cpuNanos());
            baseline.put("alloc_bytes_per_record", converter.allocBytes());
            results.report("schema-infer.jsonconverter." + shape, baseline, "jsonconverter", converter.wallNanos());
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("ns_per_record", transform.wallNanos());
            metrics.put("cpu_ns_per_record", transform.cpuNanos());
            metrics.put("alloc_bytes_per_record", transform.allocBytes());
            metrics.put("median_round_ratio", outcome.medianRatio());
            metrics.put("worst_round_ratio", outcome.worstRatio());
            metrics.put("cpu_ratio", outcome.cpuRatio());
            results.report("schema-infer." + shape, metrics, "jsonconverter", converter.wallNanos());
        }
    }
}
