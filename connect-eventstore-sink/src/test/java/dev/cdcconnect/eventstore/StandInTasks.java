package dev.cdcconnect.eventstore;

import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh EventStoreDB stand-in for each test and the sink tasks the test runs against it, all closed after the
 * test. Register it with {@code @RegisterExtension final StandInTasks tasks = new StandInTasks();}.
 */
final class StandInTasks implements BeforeEachCallback, AfterEachCallback {

    private EventStoreStandIn server;
    private final List<SinkTaskRunner> runners = new ArrayList<>();

    @Override
    public void beforeEach(ExtensionContext context) {
        server = EventStoreStandIn.start();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        runners.forEach(SinkTaskRunner::close);
        runners.clear();
        server.close();
    }

    EventStoreStandIn server() {
        return server;
    }

    /** A task on this test's stand-in with these key/value settings, not started yet; closed after the test. */
    SinkTaskRunner runner(String... settings) {
        SinkTaskRunner runner = new SinkTaskRunner(server);
        for (int i = 0; i < settings.length; i += 2) {
            runner.with(settings[i], settings[i + 1]);
        }
        runners.add(runner);
        return runner;
    }
}
