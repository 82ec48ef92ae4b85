package dev.cdcconnect.quickstart.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cdcconnect.quickstart.QuickstartException;
import dev.cdcconnect.standin.connect.ConnectRestClient;
import dev.cdcconnect.standin.connect.ConnectRestException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What the quickstart asks of the Connect workers, through the {@link ConnectRestClient}: list plugins, put a
 * connector's config, read its status, wait until it runs. Calls go to the workers in turn, so any worker of the
 * group answers (followers forward writes to the leader); failures become {@link QuickstartException}s that say
 * what the worker answered.
 */
public final class ConnectRest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> urls;
    private final List<ConnectRestClient> workers;

    public ConnectRest(List<String> urls) {
        this.urls = List.copyOf(urls);
        this.workers = urls.stream().map(ConnectRestClient::new).toList();
    }

    /** A connector's state and its tasks' states. */
    public record Status(String connector, String connectorState, List<String> taskStates, String trace) {
        public boolean running(int tasks) {
            return "RUNNING".equals(connectorState) && taskStates.size() >= tasks
                    && taskStates.stream().allMatch("RUNNING"::equals);
        }

        public boolean failed() {
            return "FAILED".equals(connectorState) || taskStates.contains("FAILED");
        }
    }

    /** {@code GET /connector-plugins?connectorsOnly=false}: class name to version, connectors and transforms. */
    public Map<String, String> plugins() throws QuickstartException {
        Map<String, String> plugins = new LinkedHashMap<>();
        call("GET /connector-plugins", worker -> worker.plugins(false))
                .forEach(p -> plugins.put(p.path("class").asText(), p.path("version").asText()));
        return plugins;
    }

    /** {@code PUT /connectors/{name}/config}: creates or updates the connector. */
    public void putConfig(String name, Map<String, String> config) throws QuickstartException {
        call("PUT /connectors/" + name + "/config", worker -> worker.createOrUpdate(name, config));
    }

    /** {@code GET /connectors/{name}/status}. */
    public Status status(String name) throws QuickstartException {
        JsonNode body = call("GET /connectors/" + name + "/status", worker -> worker.status(name))
                .orElseThrow(() -> new QuickstartException("connector " + name + " is not known (yet)"));
        List<String> tasks = new ArrayList<>();
        StringBuilder trace = new StringBuilder(body.path("connector").path("trace").asText(""));
        body.path("tasks").forEach(t -> {
            tasks.add(t.path("state").asText());
            if (t.hasNonNull("trace") && trace.isEmpty()) {
                trace.append(t.path("trace").asText());
            }
        });
        return new Status(name, body.path("connector").path("state").asText(), tasks, trace.toString());
    }

    /** Waits until the connector and its tasks run; fails with the worker's error trace when one fails. */
    public Status awaitRunning(String name, int tasks, Duration timeout) throws QuickstartException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Status status = null;
        while (System.nanoTime() < deadline) {
            Status now = null;
            try {
                now = status(name);
            } catch (QuickstartException notKnownYet) {
                // 404 until the herder has read the config back from its topic.
            }
            if (now != null) {
                status = now;
                if (status.running(tasks)) {
                    return status;
                }
                if (status.failed()) {
                    throw new QuickstartException("connector " + name + " failed: " + essence(status.trace()));
                }
            }
            pause(Duration.ofMillis(250));
        }
        throw new QuickstartException("connector " + name + " is not running after " + timeout.toSeconds() + " s"
                + (status == null ? "" : ": " + status.connectorState() + ", tasks " + status.taskStates()));
    }

    /** Waits until a worker answers {@code GET /} and the group has assigned it. */
    public void awaitReady(Duration timeout) throws QuickstartException {
        long deadline = System.nanoTime() + timeout.toNanos();
        QuickstartException last = null;
        while (System.nanoTime() < deadline) {
            try {
                for (int i = 0; i < workers.size(); i++) {
                    ConnectRestClient worker = workers.get(i);
                    call(urls.get(i), "GET /connectors", ConnectRestClient::connectors, worker);
                }
                return;
            } catch (QuickstartException e) {
                last = e;
            }
            pause(Duration.ofMillis(200));
        }
        throw new QuickstartException("the Connect workers did not answer within " + timeout.toSeconds() + " s"
                + (last == null ? "" : ": " + last.getMessage()));
    }

    /** Asks the workers in turn until one answers. */
    private <T> T call(String what, Function<ConnectRestClient, T> call) throws QuickstartException {
        QuickstartException last = null;
        for (int i = 0; i < workers.size(); i++) {
            try {
                return call(urls.get(i), what, call, workers.get(i));
            } catch (QuickstartException e) {
                last = e;
            }
        }
        throw last;
    }

    private static <T> T call(String url, String what, Function<ConnectRestClient, T> call, ConnectRestClient worker)
            throws QuickstartException {
        try {
            return call.apply(worker);
        } catch (ConnectRestException e) {
            throw new QuickstartException(what + " at " + url + " answered " + e.status() + ": " + message(e.body()), e);
        } catch (UncheckedIOException e) {
            throw new QuickstartException(what + " at " + url + " failed: " + e.getCause().getMessage(), e);
        } catch (IllegalStateException interrupted) {
            throw new QuickstartException("interrupted while calling " + url, interrupted);
        }
    }

    private static String message(String body) {
        try {
            JsonNode node = JSON.readTree(body);
            return node.path("message").asText(body);
        } catch (IOException e) {
            return body;
        }
    }

    /** The first line of a worker's stack trace and its root cause, which is what says what went wrong. */
    public static String essence(String trace) {
        List<String> lines = trace.lines().toList();
        if (lines.isEmpty()) {
            return "(no error trace)";
        }
        String cause = null;
        for (String line : lines) {
            if (line.startsWith("Caused by:")) {
                cause = line;
            }
        }
        return cause == null ? lines.get(0) : lines.get(0) + "\n  " + cause;
    }

    private static void pause(Duration duration) throws QuickstartException {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QuickstartException("interrupted", e);
        }
    }

    public List<String> urls() {
        return urls;
    }
}
