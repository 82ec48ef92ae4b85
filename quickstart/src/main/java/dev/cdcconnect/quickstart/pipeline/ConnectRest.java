package dev.cdcconnect.quickstart.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cdcconnect.quickstart.QuickstartException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Connect REST API over HTTP, as {@code curl} uses it: list plugins, put a connector's config, read its status.
 * Calls go to the workers in turn, so any worker of the group answers (followers forward writes to the leader).
 */
public final class ConnectRest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> urls;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public ConnectRest(List<String> urls) {
        this.urls = List.copyOf(urls);
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
        JsonNode body = send("GET", "/connector-plugins?connectorsOnly=false", null, 200);
        Map<String, String> plugins = new LinkedHashMap<>();
        body.forEach(p -> plugins.put(p.path("class").asText(), p.path("version").asText()));
        return plugins;
    }

    /** {@code PUT /connectors/{name}/config}: creates or updates the connector. */
    public void putConfig(String name, Map<String, String> config) throws QuickstartException {
        try {
            send("PUT", "/connectors/" + encode(name) + "/config", JSON.writeValueAsString(config), 200, 201);
        } catch (IOException e) {
            throw new QuickstartException("cannot write the config of " + name + ": " + e.getMessage(), e);
        }
    }

    /** {@code GET /connectors/{name}/status}. */
    public Status status(String name) throws QuickstartException {
        JsonNode body = send("GET", "/connectors/" + encode(name) + "/status", null, 200);
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
                for (String url : urls) {
                    send(url, "GET", "/connectors", null, 200);
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

    private JsonNode send(String method, String path, String body, int... expected) throws QuickstartException {
        QuickstartException last = null;
        for (String url : urls) {
            try {
                return send(url, method, path, body, expected);
            } catch (QuickstartException e) {
                last = e;
            }
        }
        throw last;
    }

    private JsonNode send(String url, String method, String path, String body, int... expected)
            throws QuickstartException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path))
                .timeout(Duration.ofSeconds(30))
                .header("Accept", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            for (int code : expected) {
                if (response.statusCode() == code) {
                    return response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
                }
            }
            throw new QuickstartException(method + " " + url + path + " answered " + response.statusCode() + ": "
                    + message(response.body()));
        } catch (IOException e) {
            throw new QuickstartException(method + " " + url + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QuickstartException("interrupted while calling " + url + path, e);
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

    private static String encode(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8);
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
