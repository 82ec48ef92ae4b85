package dev.cdcconnect.benchmarks;

import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * One JMH benchmark method with one set of parameters, in a JVM of its own, reduced to figures that a busy
 * machine moves little: the median of its measurement iterations' scores (a burst of other work spoils one
 * iteration, not the figure), and the allocation per operation. Benchmarks interleave such runs of the
 * measured path and its baseline in rounds instead of running one after the other.
 */
public final class JmhRun {

    /** A JMH profiler to add to every run, with its options ({@code -Dprofiler=stack:lines=3}), to see where time goes. */
    private static final String PROFILER = System.getProperty("profiler");
    /** Warm-up and measurement iterations of a second each; settable with -Dwarmups=, -Diterations=. */
    private static final int WARMUPS = Integer.getInteger("warmups", 8);
    private static final int ITERATIONS = Integer.getInteger("iterations", 6);

    private JmhRun() {
    }

    /**
     * A run's figures: the median score, the bytes allocated per operation, and the benchmark thread's CPU
     * nanoseconds per operation where the method counts them with {@link ThreadCpu} (each NaN when not measured).
     */
    public record Score(double median, double allocPerOp, double cpuNanosPerOp) {
    }

    /** The system's load average over the last minute, printed beside figures measured on a shared machine. */
    public static double load() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /**
     * Runs {@code benchmarkClass.method} with the given parameters ({@code name, value, ...}) in one fork.
     *
     * @param jvmArgs appended to the fork's JVM arguments
     */
    public static Score run(Class<?> benchmarkClass, String method, List<String> jvmArgs, String... params)
            throws Exception {
        return run(benchmarkClass, method, WARMUPS, jvmArgs, params);
    }

    /**
     * As {@link #run(Class, String, List, String...)} with this many warm-up iterations of a second (unless
     * {@code -Dwarmups=} says otherwise): a busy machine's JIT compiler threads wait for a core too.
     */
    public static Score run(Class<?> benchmarkClass, String method, int warmups, List<String> jvmArgs,
                            String... params) throws Exception {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include("^" + benchmarkClass.getName().replace(".", "\\.") + "\\." + method + "$")
                .forks(1)
                .jvmArgsAppend(jvmArgs.toArray(String[]::new))
                .warmupIterations(Integer.getInteger("warmups", warmups)).warmupTime(TimeValue.seconds(1))
                .measurementIterations(ITERATIONS).measurementTime(TimeValue.seconds(1))
                .addProfiler(GCProfiler.class);
        if (PROFILER != null) {
            String[] nameOptions = PROFILER.split(":", 2);
            options.addProfiler(nameOptions[0], nameOptions.length > 1 ? nameOptions[1] : "");
        }
        for (int i = 0; i + 1 < params.length; i += 2) {
            options.param(params[i], params[i + 1]);
        }
        RunResult run = new Runner(options.build()).runSingle();
        List<Double> scores = new ArrayList<>();
        for (BenchmarkResult fork : run.getBenchmarkResults()) {
            for (IterationResult iteration : fork.getIterationResults()) {
                scores.add(iteration.getPrimaryResult().getScore());
            }
        }
        Result<?> alloc = run.getSecondaryResults().get("gc.alloc.rate.norm");
        if (alloc == null) {
            alloc = run.getSecondaryResults().get("·gc.alloc.rate.norm");
        }
        Result<?> cpu = run.getSecondaryResults().get("cpuNanos");
        Result<?> ops = run.getSecondaryResults().get("ops");
        return new Score(Statistics.median(scores), alloc == null ? Double.NaN : alloc.getScore(),
                cpu == null || ops == null ? Double.NaN : cpu.getScore() / ops.getScore());
    }
}
