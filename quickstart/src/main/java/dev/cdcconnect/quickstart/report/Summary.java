package dev.cdcconnect.quickstart.report;

import dev.cdcconnect.quickstart.QuickstartException;
import dev.cdcconnect.quickstart.eventstore.EventStoreTarget;
import dev.cdcconnect.quickstart.pipeline.Pipelines;
import dev.cdcconnect.quickstart.traffic.OrderTraffic;
import io.kurrent.dbclient.RecordedEvent;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/** The end of a run: what was placed, what arrived where, samples of it, and how fast. */
public final class Summary {

    private static final List<String> ENRICHED_COLUMNS = List.of("id", "quantity", "amount", "user_name",
            "user_city", "store_name", "store_city");

    private final Console console;
    private final boolean enriched;
    private final boolean events;
    private final boolean json;
    private final Map<String, String> skipped;
    private final OrderTraffic traffic;
    private final Probe probe;
    private final EventStoreTarget eventStore;
    private final List<String> problems;
    private final double catchUpSeconds;
    private final double totalSeconds;

    public Summary(Console console, boolean enriched, boolean events, boolean json,
                   Map<String, String> skipped, OrderTraffic traffic, Probe probe, EventStoreTarget eventStore,
                   List<String> problems, double catchUpSeconds, double totalSeconds) {
        this.console = console;
        this.enriched = enriched;
        this.events = events;
        this.json = json;
        this.skipped = skipped;
        this.traffic = traffic;
        this.probe = probe;
        this.eventStore = eventStore;
        this.problems = problems;
        this.catchUpSeconds = catchUpSeconds;
        this.totalSeconds = totalSeconds;
    }

    public void print() {
        console.line("");
        console.line("===== Summary " + "=".repeat(66));
        console.line(String.format(Locale.ROOT, "Orders placed: %d (%d changed later, %d cancelled) "
                        + "in %.1f s = %.0f orders/s; %d row changes for Debezium to capture", traffic.placed(),
                traffic.updated(), traffic.deleted(), traffic.elapsedSeconds(),
                traffic.placed() / Math.max(0.001, traffic.elapsedSeconds()), traffic.changes()));
        if (enriched) {
            enrichedRows();
        }
        if (events) {
            stream();
        }
        if (json) {
            jsonRows();
        }
        skipped.forEach((name, reason) -> console.line("Not deployed: " + name + ": " + reason));
        console.line(String.format(Locale.ROOT, "Throughput: %d changes and %d JSON orders through the pipelines "
                        + "in %.1f s = %.0f records/s end to end; caught up %.1f s after the last order",
                traffic.changes(), traffic.jsonSent(), totalSeconds,
                (traffic.changes() + traffic.jsonSent()) / Math.max(0.001, totalSeconds), catchUpSeconds));
        if (problems.isEmpty()) {
            console.line("Result: OK, every deployed pipeline delivered everything");
        } else {
            console.line("Result: INCOMPLETE " + String.join("\n  ", problems));
        }
    }

    private void enrichedRows() {
        OptionalLong rows = probe.count(Pipelines.ENRICHED_TABLE);
        int open = traffic.openOrders().size();
        console.line("");
        console.line("Postgres table " + Pipelines.ENRICHED_TABLE + " (Debezium source -> Enrich -> JDBC sink): "
                + rows.orElse(0) + " rows for the " + open + " open orders, each joined to its user and store");
        try {
            Map<String, String> columns = probe.columns(Pipelines.ENRICHED_TABLE);
            List<String> shown = ENRICHED_COLUMNS.stream().filter(columns::containsKey).toList();
            if (shown.size() < 3) {
                shown = new ArrayList<>(columns.keySet());
            }
            table(probe.rows("SELECT " + String.join(", ", shown) + " FROM " + Pipelines.ENRICHED_TABLE
                    + " ORDER BY id LIMIT 5"), shown);
        } catch (SQLException e) {
            console.line("  (cannot read " + Pipelines.ENRICHED_TABLE + ": " + e.getMessage() + ")");
        }
    }

    private void stream() {
        long orderId = traffic.mostEventfulOrder();
        String stream = Pipelines.STREAM_PREFIX + orderId;
        console.line("");
        OptionalLong total = eventStore.eventCount(Pipelines.STREAM_PREFIX);
        OptionalLong streams = eventStore.streamCount(Pipelines.STREAM_PREFIX);
        String where = eventStore.isStandIn() ? "the EventStoreDB stand-in (in memory, not a database)"
                : "EventStoreDB at " + eventStore.connectionString();
        if (total.isPresent()) {
            console.line("EventStoreDB sink -> " + where + ": " + total.getAsLong() + " events in "
                    + streams.orElse(0) + " streams " + Pipelines.STREAM_PREFIX + "<order id>, one event per change");
        } else {
            console.line("EventStoreDB sink -> " + where + ": streams " + Pipelines.STREAM_PREFIX + "<order id>");
        }
        try {
            List<RecordedEvent> read = eventStore.read(stream);
            console.line("Stream " + stream + " (order history " + String.join(", ", traffic.history(orderId))
                    + "): " + read.size() + " events");
            for (RecordedEvent event : read) {
                console.line(String.format(Locale.ROOT, "  #%d %-11s %s", event.getRevision(), event.getEventType(),
                        event.getCreated()));
                console.line("      data     " + new String(event.getEventData(), StandardCharsets.UTF_8));
                console.line("      metadata " + new String(event.getUserMetadata(), StandardCharsets.UTF_8));
            }
        } catch (QuickstartException e) {
            console.line("  (cannot read " + stream + ": " + e.getMessage() + ")");
        }
    }

    private void jsonRows() {
        OptionalLong rows = probe.count(Pipelines.JSON_TABLE);
        console.line("");
        console.line("Postgres table " + Pipelines.JSON_TABLE + " (schemaless JSON -> InferSchema -> JDBC sink): "
                + rows.orElse(0) + " rows for the " + traffic.jsonSent() + " JSON orders sent");
        try {
            Map<String, String> columns = probe.columns(Pipelines.JSON_TABLE);
            List<String> described = new ArrayList<>();
            columns.forEach((name, type) -> described.add(name + " " + type));
            console.line("  columns the JDBC sink created from the inferred schema: " + String.join(", ", described));
            List<String> shown = new ArrayList<>(columns.keySet());
            table(probe.rows("SELECT " + String.join(", ", shown) + " FROM " + Pipelines.JSON_TABLE
                    + " ORDER BY order_id LIMIT 3"), shown);
        } catch (SQLException e) {
            console.line("  (cannot read " + Pipelines.JSON_TABLE + ": " + e.getMessage() + ")");
        }
    }

    private void table(List<Map<String, String>> rows, List<String> columns) {
        int[] widths = new int[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            widths[i] = columns.get(i).length();
            for (Map<String, String> row : rows) {
                widths[i] = Math.max(widths[i], String.valueOf(row.get(columns.get(i))).length());
            }
        }
        StringBuilder header = new StringBuilder("  ");
        StringBuilder rule = new StringBuilder("  ");
        for (int i = 0; i < columns.size(); i++) {
            header.append(pad(columns.get(i), widths[i])).append(i < columns.size() - 1 ? " | " : "");
            rule.append("-".repeat(widths[i])).append(i < columns.size() - 1 ? "-+-" : "");
        }
        console.line(header.toString());
        console.line(rule.toString());
        for (Map<String, String> row : rows) {
            StringBuilder line = new StringBuilder("  ");
            for (int i = 0; i < columns.size(); i++) {
                line.append(pad(String.valueOf(row.get(columns.get(i))), widths[i]))
                        .append(i < columns.size() - 1 ? " | " : "");
            }
            console.line(line.toString());
        }
    }

    private static String pad(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }
}
