package dev.cdcconnect.support;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A plugin's MBean in the platform MBean server, registered under a name a newer instance may take over: a task
 * that starts before its predecessor has stopped (a rebalance, a zombie) replaces the predecessor's MBean, and the
 * predecessor's {@link #close()} then leaves the newer one in place instead of removing it.
 */
public final class JmxRegistration implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JmxRegistration.class);

    /** Which instance owns each name this class loader registered; guarded by itself. */
    private static final Map<ObjectName, Object> OWNERS = new HashMap<>();

    private final ObjectName name;
    private final Object bean;

    private JmxRegistration(ObjectName name, Object bean) {
        this.name = name;
        this.bean = bean;
    }

    /**
     * Registers the bean under the name, replacing whatever is registered there. Failing to register is logged,
     * never fatal: metrics are not worth stopping a task for.
     *
     * @return the registration, or null when the bean could not be registered
     */
    public static JmxRegistration register(ObjectName name, Object bean) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        synchronized (OWNERS) {
            try {
                if (server.isRegistered(name)) {
                    server.unregisterMBean(name);
                }
                server.registerMBean(bean, name);
                OWNERS.put(name, bean);
                return new JmxRegistration(name, bean);
            } catch (JMException e) {
                LOG.warn("Cannot register the MBean {}: {}", name, e.toString());
                return null;
            }
        }
    }

    public ObjectName name() {
        return name;
    }

    /** Unregisters the bean, unless another instance has taken its name since. */
    @Override
    public void close() {
        synchronized (OWNERS) {
            if (!OWNERS.remove(name, bean)) {
                return;
            }
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
            } catch (JMException e) {
                LOG.debug("The MBean {} was already unregistered: {}", name, e.toString());
            }
        }
    }
}
