package dev.cdcconnect.benchmarks;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Prints measured figures in the one format every benchmark uses:
 * {@code RESULT <name> <metric>=<value> [<metric>=<value> ...] baseline=<baseline-name> ratio=<value/baseline>}.
 * The ratio is that of the first metric against the baseline's value of it, both measured in the same run.
 */
public final class Results {

    private final PrintStream out;

    public Results(PrintStream out) {
        this.out = out;
    }

    /** Prints one line; {@code metrics} keeps its order, its first entry is the one the ratio compares. */
    public void report(String name, Map<String, Double> metrics, String baselineName, double baselineValue) {
        if (metrics.isEmpty()) {
            throw new IllegalArgumentException("a result needs at least one metric");
        }
        StringBuilder line = new StringBuilder("RESULT ").append(name);
        metrics.forEach((metric, value) -> line.append(' ').append(metric).append('=').append(format(value)));
        double first = metrics.values().iterator().next();
        line.append(" baseline=").append(baselineName)
                .append(" ratio=").append(format(first / baselineValue));
        out.println(line);
        out.flush();
    }

    /** Prints one line with a single metric. */
    public void report(String name, String metric, double value, String baselineName, double baselineValue) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put(metric, value);
        report(name, metrics, baselineName, baselineValue);
    }

    private static String format(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return String.format(Locale.ROOT, Math.abs(value) >= 100 ? "%.1f" : "%.4g", value);
    }
}
