package dev.cdcconnect.benchmarks;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures a path against its baseline on one thread, in alternating slices of about 10 ms each, so that whatever
 * else the machine runs meanwhile weighs on both alike: wall time, the thread's CPU time and bytes allocated per
 * operation, after a warm-up in which both alternate too. Each round gives a ratio of the path's wall time per
 * operation to the baseline's; the figures are medians over the rounds.
 */
public final class Interleaved {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final long SLICE_NANOS = 10_000_000;

    private Interleaved() {
    }

    /** Per-operation figures of one side: medians over the rounds. */
    public record Side(double wallNanos, double cpuNanos, double allocBytes) {
    }

    /** Both sides' figures and the ratio of the path's wall time to the baseline's in each round. */
    public record Outcome(Side path, Side baseline, List<Double> ratios) {
        public double medianRatio() {
            return Statistics.median(ratios);
        }

        public double worstRatio() {
            return ratios.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }

        public double cpuRatio() {
            return path.cpuNanos() / baseline.cpuNanos();
        }
    }

    /** Totals of one side within a round. */
    private static final class Totals {
        long ops;
        long wall;
        long cpu;
        long alloc;

        void slice(Runnable operation, long ops) {
            long thread = Thread.currentThread().getId();
            long alloc0 = THREADS.getThreadAllocatedBytes(thread);
            long cpu0 = THREADS.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            for (long i = 0; i < ops; i++) {
                operation.run();
            }
            wall += System.nanoTime() - wall0;
            cpu += THREADS.getCurrentThreadCpuTime() - cpu0;
            alloc += THREADS.getThreadAllocatedBytes(thread) - alloc0;
            this.ops += ops;
        }

        /** Operations that take about one slice at the rate seen so far. */
        long perSlice() {
            return ops == 0 || wall == 0 ? 100 : Math.max(1, ops * SLICE_NANOS / wall);
        }
    }

    public static Outcome run(Runnable path, Runnable baseline, Duration warmup, int rounds, Duration round) {
        Totals warmPath = new Totals();
        Totals warmBaseline = new Totals();
        alternate(path, baseline, warmPath, warmBaseline, warmup);
        List<Double> ratios = new ArrayList<>();
        List<Totals> paths = new ArrayList<>();
        List<Totals> baselines = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            Totals p = new Totals();
            Totals b = new Totals();
            alternate(path, baseline, p, b, round, warmPath.perSlice(), warmBaseline.perSlice());
            paths.add(p);
            baselines.add(b);
            ratios.add(((double) p.wall / p.ops) / ((double) b.wall / b.ops));
        }
        return new Outcome(side(paths), side(baselines), ratios);
    }

    private static void alternate(Runnable path, Runnable baseline, Totals p, Totals b, Duration time) {
        long end = System.nanoTime() + time.toNanos();
        while (System.nanoTime() < end) {
            p.slice(path, p.perSlice());
            b.slice(baseline, b.perSlice());
        }
    }

    private static void alternate(Runnable path, Runnable baseline, Totals p, Totals b, Duration time,
                                  long pathSlice, long baselineSlice) {
        long end = System.nanoTime() + time.toNanos();
        boolean pathFirst = true;
        while (System.nanoTime() < end) {
            if (pathFirst) {
                p.slice(path, pathSlice);
                b.slice(baseline, baselineSlice);
            } else {
                b.slice(baseline, baselineSlice);
                p.slice(path, pathSlice);
            }
            pathFirst = !pathFirst;
        }
    }

    private static Side side(List<Totals> rounds) {
        return new Side(Statistics.median(rounds.stream().map(t -> (double) t.wall / t.ops).toList()),
                Statistics.median(rounds.stream().map(t -> (double) t.cpu / t.ops).toList()),
                Statistics.median(rounds.stream().map(t -> (double) t.alloc / t.ops).toList()));
    }
}
