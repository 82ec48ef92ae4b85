package dev.cdcconnect.standin.connect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * A client for the Kafka Connect REST API, used the way a user uses it with curl: every call is an HTTP request
 * to a worker, answered in JSON. Waits poll with a deadline and fail with the last status seen.
 */
public final class ConnectRestClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(90);

    private final URI base;
    private final HttpClient http;

    public ConnectRestClient(String baseUrl) {
        this.base = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    public URI baseUri() {
        return base;
    }

    /** {@code GET /}: the worker's version, commit and Kafka cluster id. */
    public JsonNode serverInfo() {
        return send("GET", "", null);
    }

    /** {@code PUT /connectors/{name}/config}: creates the connector or replaces its configuration. */
    public JsonNode createOrUpdate(String name, Map<String, String> config) {
        return send("PUT", "connectors/" + encode(name) + "/config", JSON.valueToTree(config));
    }

    /** {@code GET /connectors/{name}/config}. */
    public Map<String, String> config(String name) {
        JsonNode node = send("GET", "connectors/" + encode(name) + "/config", null);
        Map<String, String> config = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
        return config;
    }

    /**
     * {@code PUT /connector-plugins/{class}/config/validate}: what the worker says of a configuration, as a user
     * sees it. The configuration gets {@code connector.class} if it lacks it.
     */
    public Validation validate(String connectorClass, Map<String, String> config) {
        Map<String, String> body = new LinkedHashMap<>(config);
        body.putIfAbsent("connector.class", connectorClass);
        String simpleName = connectorClass.substring(connectorClass.lastIndexOf('.') + 1);
        return new Validation(send("PUT", "connector-plugins/" + encode(simpleName) + "/config/validate",
                JSON.valueToTree(body)));
    }

    /** {@code GET /connector-plugins?connectorsOnly=...}. */
    public List<JsonNode> plugins(boolean connectorsOnly) {
        List<JsonNode> plugins = new ArrayList<>();
        send("GET", "connector-plugins?connectorsOnly=" + connectorsOnly, null).forEach(plugins::add);
        return plugins;
    }

    /** {@code GET /connectors}. */
    public List<String> connectors() {
        List<String> names = new ArrayList<>();
        send("GET", "connectors", null).forEach(n -> names.add(n.asText()));
        return names;
    }

    /** {@code GET /connectors/{name}/status}, or empty when the connector does not exist. */
    public Optional<JsonNode> status(String name) {
        try {
            return Optional.of(send("GET", "connectors/" + encode(name) + "/status", null));
        } catch (ConnectRestException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** {@code POST /connectors/{name}/restart?includeTasks=...&onlyFailed=...}. */
    public void restart(String name, boolean includeTasks, boolean onlyFailed) {
        send("POST", "connectors/" + encode(name) + "/restart?includeTasks=" + includeTasks
                + "&onlyFailed=" + onlyFailed, null);
    }

    /** {@code POST /connectors/{name}/tasks/{task}/restart}. */
    public void restartTask(String name, int task) {
        send("POST", "connectors/" + encode(name) + "/tasks/" + task + "/restart", null);
    }

    /** {@code PUT /connectors/{name}/pause}. */
    public void pause(String name) {
        send("PUT", "connectors/" + encode(name) + "/pause", null);
    }

    /** {@code PUT /connectors/{name}/resume}. */
    public void resume(String name) {
        send("PUT", "connectors/" + encode(name) + "/resume", null);
    }

    /** {@code PUT /connectors/{name}/stop}. */
    public void stop(String name) {
        send("PUT", "connectors/" + encode(name) + "/stop", null);
    }

    /** {@code DELETE /connectors/{name}}; a connector that does not exist is not an error. */
    public void delete(String name) {
        try {
            send("DELETE", "connectors/" + encode(name), null);
        } catch (ConnectRestException e) {
            if (e.status() != 404) {
                throw e;
            }
        }
    }

    /** {@code GET /connectors/{name}/offsets}. */
    public JsonNode offsets(String name) {
        return send("GET", "connectors/" + encode(name) + "/offsets", null);
    }

    /** Waits until the connector and exactly {@code tasks} tasks are RUNNING. */
    public JsonNode awaitRunning(String name, int tasks, Duration timeout) {
        return awaitStatus(name, timeout, "connector " + name + " RUNNING with " + tasks + " running task(s)",
                s -> "RUNNING".equals(s.path("connector").path("state").asText())
                        && s.path("tasks").size() == tasks
                        && allTasksIn(s, "RUNNING"));
    }

    /** Waits until some task of the connector is FAILED, and returns the status (with the task's trace). */
    public JsonNode awaitTaskFailed(String name, Duration timeout) {
        return awaitStatus(name, timeout, "a FAILED task of " + name, s -> {
            for (JsonNode task : s.path("tasks")) {
                if ("FAILED".equals(task.path("state").asText())) {
                    return true;
                }
            }
            return false;
        });
    }

    /** Waits until the connector is gone. */
    public void awaitDeleted(String name, Duration timeout) {
        if (!poll(timeout, Duration.ofMillis(200), () -> status(name).isEmpty())) {
            throw new AssertionError("Timed out after " + timeout + " waiting for connector " + name + " deleted");
        }
    }

    /** Waits until the status satisfies the condition; the failure message carries the last status seen. */
    public JsonNode awaitStatus(String name, Duration timeout, String what, Predicate<JsonNode> ok) {
        JsonNode[] last = new JsonNode[1];
        boolean reached = poll(timeout, Duration.ofMillis(250), () -> {
            last[0] = status(name).orElse(null);
            return last[0] != null && ok.test(last[0]);
        });
        if (!reached) {
            throw new AssertionError("Timed out after " + timeout + " waiting for " + what
                    + "; last status: " + last[0]);
        }
        return last[0];
    }

    /** Asks every {@code interval} until the condition holds ({@code true}) or the timeout passes ({@code false}). */
    private static boolean poll(Duration timeout, Duration interval, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting", e);
            }
        }
    }

    private static boolean allTasksIn(JsonNode status, String state) {
        for (JsonNode task : status.path("tasks")) {
            if (!state.equals(task.path("state").asText())) {
                return false;
            }
        }
        return true;
    }

    private JsonNode send(String method, String path, JsonNode body) {
        URI uri = base.resolve(path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json");
        if (body != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new ConnectRestException(method, uri.toString(), response.statusCode(), response.body());
            }
            String text = response.body();
            return text == null || text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + uri + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + method + " " + uri, e);
        }
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The answer of a config validation: the error count and, per key, the errors the worker reported. */
    public static final class Validation {
        private final JsonNode body;

        Validation(JsonNode body) {
            this.body = body;
        }

        public JsonNode body() {
            return body;
        }

        public int errorCount() {
            return body.path("error_count").asInt();
        }

        /** Errors per config key, for the keys that have any. */
        public Map<String, List<String>> errors() {
            Map<String, List<String>> errors = new LinkedHashMap<>();
            for (JsonNode config : body.path("configs")) {
                JsonNode value = config.path("value");
                List<String> messages = new ArrayList<>();
                value.path("errors").forEach(m -> messages.add(m.asText()));
                if (!messages.isEmpty()) {
                    errors.put(value.path("name").asText(), messages);
                }
            }
            return errors;
        }

        @Override
        public String toString() {
            return body instanceof ObjectNode ? body.toPrettyString() : String.valueOf(body);
        }
    }
}
