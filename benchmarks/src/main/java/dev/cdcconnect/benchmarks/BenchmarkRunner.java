package dev.cdcconnect.benchmarks;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/** Entry point of {@code benchmarks/run}: {@code NAME} runs one benchmark, {@code --list} lists them. */
public final class BenchmarkRunner {

    private BenchmarkRunner() {
    }

    public static void main(String[] args) throws Exception {
        List<Benchmark> benchmarks = new ArrayList<>();
        ServiceLoader.load(Benchmark.class).forEach(benchmarks::add);
        benchmarks.sort(Comparator.comparing(Benchmark::name));
        if (args.length != 1 || args[0].isBlank()) {
            System.err.println("usage: benchmarks/run NAME | --list");
            list(benchmarks);
            System.exit(2);
        }
        if ("--list".equals(args[0])) {
            list(benchmarks);
            return;
        }
        Benchmark benchmark = benchmarks.stream().filter(b -> b.name().equals(args[0])).findFirst().orElse(null);
        if (benchmark == null) {
            System.err.println("unknown benchmark: " + args[0]);
            list(benchmarks);
            System.exit(2);
        }
        System.out.println("# " + benchmark.name() + ": " + benchmark.description());
        benchmark.run(new Results(System.out));
        System.exit(0);
    }

    private static void list(List<Benchmark> benchmarks) {
        for (Benchmark b : benchmarks) {
            System.out.printf("%-20s %s%n", b.name(), b.description());
        }
    }
}
