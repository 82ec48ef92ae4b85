package dev.cdcconnect.eventstore;

import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.ObjectName;

/** Reads the sink task metrics as an operator does: from JMX. */
final class TaskMetrics {

    private TaskMetrics() {
    }

    static long counter(String connector, String task, String attribute) {
        return ((Number) attribute(connector, task, attribute)).longValue();
    }

    static Object attribute(String connector, String task, String attribute) {
        try {
            ObjectName name = new ObjectName("dev.cdcconnect.eventstore:type=sink-task-metrics,connector="
                    + ObjectName.quote(connector) + ",task=" + ObjectName.quote(task));
            return ManagementFactory.getPlatformMBeanServer().getAttribute(name, attribute);
        } catch (JMException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A metric of the task a {@link SinkTaskRunner} runs (connector eventstore-sink-test, task 0). */
    static long of(String attribute) {
        return counter("eventstore-sink-test", "0", attribute);
    }
}
