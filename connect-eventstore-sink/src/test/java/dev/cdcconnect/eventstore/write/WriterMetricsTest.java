package dev.cdcconnect.eventstore.write;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

class WriterMetricsTest {

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    @Test
    void aStoppingTaskDoesNotRemoveTheMetricsOfItsSuccessor() throws Exception {
        ObjectName name = new ObjectName("dev.cdcconnect.eventstore:type=sink-task-metrics,connector="
                + ObjectName.quote("orders") + ",task=" + ObjectName.quote("0"));
        WriterMetrics stopping = new WriterMetrics().register("orders", "0");
        WriterMetrics started = new WriterMetrics().register("orders", "0");
        started.eventsAppended.add(7);

        stopping.close();

        assertThat(server.getAttribute(name, "EventsAppended")).isEqualTo(7L);
        started.close();
        assertThat(server.isRegistered(name)).isFalse();
    }
}
