package dev.cdcconnect.benchmarks.infer;

import dev.cdcconnect.benchmarks.Benchmark;
import dev.cdcconnect.benchmarks.Results;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code benchmarks/run schema-infer}: JMH time and allocation per record of the InferSchema value transform on
 * order documents (flat, nested, varying optional fields), against baseline {@code jsonconverter}, the
 * JsonConverter parse of the same bytes that the transform adds to. Goal: the transform at most 0.5x the
 * converter's time.
 */
public final class SchemaInferBenchmark implements Benchmark {

    private static final List<String> SHAPES = List.of("flat", "nested", "optional");

    @Override
    public String name() {
        return "schema-infer";
    }

    @Override
    public String description() {
        return "InferSchema value transform per record (flat, nested, optional fields) vs baseline jsonconverter"
                + " (JsonConverter.toConnectData on the same bytes); goal ratio <= 0.5; allocated bytes per record";
    }

    @Override
    public void run(Results results) throws Exception {
        Options options = new OptionsBuilder()
                .include(InferSchemaJmh.class.getName())
                .forks(1)
                .jvmArgsAppend("-Xmx1g")
                .warmupIterations(3).warmupTime(TimeValue.seconds(2))
                .measurementIterations(5).measurementTime(TimeValue.seconds(2))
                .addProfiler(GCProfiler.class)
                .build();
        Map<String, double[]> byKey = new HashMap<>();
        for (RunResult run : new Runner(options).run()) {
            String method = run.getParams().getBenchmark();
            String key = method.substring(method.lastIndexOf('.') + 1) + "/" + run.getParams().getParam("shape");
            Result<?> alloc = run.getSecondaryResults().get("·gc.alloc.rate.norm");
            if (alloc == null) {
                alloc = run.getSecondaryResults().get("gc.alloc.rate.norm");
            }
            byKey.put(key, new double[] {run.getPrimaryResult().getScore(), alloc == null ? Double.NaN
                    : alloc.getScore()});
        }
        for (String shape : SHAPES) {
            double[] converter = byKey.get("jsonconverter/" + shape);
            double[] transform = byKey.get("transform/" + shape);
            Map<String, Double> baseline = new LinkedHashMap<>();
            baseline.put("ns_per_record", converter[0]);
            baseline.put("alloc_bytes_per_record", converter[1]);
            results.report("schema-infer.jsonconverter." + shape, baseline, "jsonconverter", converter[0]);
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("ns_per_record", transform[0]);
            metrics.put("alloc_bytes_per_record", transform[1]);
            results.report("schema-infer." + shape, metrics, "jsonconverter", converter[0]);
        }
    }
}
