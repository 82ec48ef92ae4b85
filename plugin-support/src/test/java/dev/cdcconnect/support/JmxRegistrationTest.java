package dev.cdcconnect.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

class JmxRegistrationTest {

    public interface CounterMXBean {
        long getCount();
    }

    record Counter(long count) implements CounterMXBean {
        @Override
        public long getCount() {
            return count;
        }
    }

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    @Test
    void aPredecessorClosingLaterLeavesItsSuccessorsMBean() throws Exception {
        ObjectName name = new ObjectName("dev.cdcconnect.test:type=counter,task=0");
        JmxRegistration zombie = JmxRegistration.register(name, new Counter(1));
        JmxRegistration live = JmxRegistration.register(name, new Counter(2));

        zombie.close();

        assertThat(server.isRegistered(name)).isTrue();
        assertThat(server.getAttribute(name, "Count")).isEqualTo(2L);

        live.close();

        assertThat(server.isRegistered(name)).isFalse();
    }

    @Test
    void closingTwiceIsHarmless() throws Exception {
        ObjectName name = new ObjectName("dev.cdcconnect.test:type=counter,task=1");
        JmxRegistration registration = JmxRegistration.register(name, new Counter(3));

        registration.close();
        registration.close();

        assertThat(server.isRegistered(name)).isFalse();
    }
}
