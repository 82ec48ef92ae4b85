package dev.cdcconnect.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/** The largest used heap that a daemon thread sees, sampling every 20 ms from {@link #start()} until closed. */
public final class HeapPeak implements AutoCloseable {

    private final Thread sampler;
    private volatile long peak;
    private volatile boolean stopped;

    private HeapPeak() {
        sampler = new Thread(() -> {
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            while (!stopped) {
                peak = Math.max(peak, memory.getHeapMemoryUsage().getUsed());
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-peak");
        sampler.setDaemon(true);
    }

    public static HeapPeak start() {
        HeapPeak heap = new HeapPeak();
        heap.sampler.start();
        return heap;
    }

    /** The largest used heap seen so far, in bytes. */
    public long peak() {
        return peak;
    }

    @Override
    public void close() {
        stopped = true;
    }
}
