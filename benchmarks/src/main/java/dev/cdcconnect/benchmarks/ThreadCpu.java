package dev.cdcconnect.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The benchmark thread's CPU time and operations per iteration, as JMH secondary results {@code cpuNanos} and
 * {@code ops}: a benchmark method takes this state and calls {@link #op()} once per operation. On a shared
 * machine wall time also counts the time the thread waited for a core; CPU time per operation does not.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class ThreadCpu {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public long cpuNanos;
    public long ops;
    private long started;

    @Setup(Level.Iteration)
    public void start() {
        cpuNanos = 0;
        ops = 0;
        started = THREADS.getCurrentThreadCpuTime();
    }

    @TearDown(Level.Iteration)
    public void stop() {
        cpuNanos = THREADS.getCurrentThreadCpuTime() - started;
    }

    public void op() {
        ops++;
    }
}
