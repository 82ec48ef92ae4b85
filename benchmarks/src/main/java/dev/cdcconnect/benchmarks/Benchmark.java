package dev.cdcconnect.benchmarks;

/**
 * A benchmark run by {@code benchmarks/run NAME}: measures the subject and its baseline in the same run and
 * reports each figure as a ratio against the baseline through {@link Results}. Implementations are listed in
 * {@code META-INF/services/dev.cdcconnect.benchmarks.Benchmark}.
 */
public interface Benchmark {

    /** The name given to {@code benchmarks/run}. */
    String name();

    /** One line: what is measured, against which baseline. */
    String description();

    /** Runs the benchmark, printing {@code RESULT} lines. */
    void run(Results results) throws Exception;
}
