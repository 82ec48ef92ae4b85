package dev.cdcconnect.quickstart.report;

import dev.cdcconnect.quickstart.eventstore.EventStoreTarget;
import dev.cdcconnect.quickstart.pipeline.Pipelines;
import dev.cdcconnect.standin.postgres.PostgresServer;
import dev.cdcconnect.quickstart.postgres.ShopDatabase;
import dev.cdcconnect.quickstart.traffic.OrderTraffic;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Looks at what the pipelines have done, from the outside as a user would: rows in the Postgres tables, events in
 * the streams, and the sink connectors' consumer groups against the topics' end offsets. Shared by the progress
 * line and the summary: one JDBC connection, used by one thread at a time.
 */
public final class Probe implements AutoCloseable {

    /** What the pipelines had done at one moment. */
    public record Snapshot(long nanos, long placed, long updated, long deleted, long changes, long jsonSent,
                           OptionalLong enrichedRows, OptionalLong jsonRows, OptionalLong events,
                           OptionalLong eventStoreCommitted, long lag) {
    }

    private final PostgresServer postgres;
    private final EventStoreTarget eventStore;
    private final Admin admin;
    private final OrderTraffic traffic;
    /** Sink connector name to its topic. */
    private final Map<String, String> sinks;
    private Connection connection;

    public Probe(PostgresServer postgres, EventStoreTarget eventStore, Admin admin, OrderTraffic traffic,
                 Map<String, String> sinks) {
        this.postgres = postgres;
        this.eventStore = eventStore;
        this.admin = admin;
        this.traffic = traffic;
        this.sinks = Map.copyOf(sinks);
    }

    public synchronized Snapshot snapshot(boolean enriched, boolean json, boolean events) {
        OptionalLong eventCount = events && eventStore != null ? eventStore.eventCount(Pipelines.STREAM_PREFIX)
                : OptionalLong.empty();
        Map<String, Long> lags = lagBySink();
        return new Snapshot(System.nanoTime(), traffic.placed(), traffic.updated(), traffic.deleted(),
                traffic.changes(), traffic.jsonSent(),
                enriched ? count(Pipelines.ENRICHED_TABLE) : OptionalLong.empty(),
                json ? count(Pipelines.JSON_TABLE) : OptionalLong.empty(),
                eventCount,
                events ? committed("eventstore-sink") : OptionalLong.empty(),
                lags.values().stream().mapToLong(Long::longValue).sum());
    }

    /** Rows in a table of the shop database; empty until the sink has created the table. */
    public synchronized OptionalLong count(String table) {
        try (Statement statement = connection().createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + table)) {
            rows.next();
            return OptionalLong.of(rows.getLong(1));
        } catch (SQLException e) {
            return OptionalLong.empty();
        }
    }

    /** Order id to quantity of the enriched rows. */
    public synchronized Map<Long, Integer> enrichedQuantities() throws SQLException {
        Map<Long, Integer> quantities = new HashMap<>();
        try (Statement statement = connection().createStatement();
             ResultSet rows = statement.executeQuery("SELECT id, quantity FROM " + Pipelines.ENRICHED_TABLE)) {
            while (rows.next()) {
                quantities.put(rows.getLong(1), rows.getInt(2));
            }
        }
        return quantities;
    }

    /** Records the sink connector has committed, summed over its topic's partitions. */
    public synchronized OptionalLong committed(String connector) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets("connect-" + connector)
                    .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
            return OptionalLong.of(offsets.values().stream().filter(o -> o != null).mapToLong(OffsetAndMetadata::offset)
                    .sum());
        } catch (Exception e) {
            return OptionalLong.empty();
        }
    }

    /** Records each sink connector has yet to commit: its topic's end offsets minus its committed offsets. */
    public synchronized Map<String, Long> lagBySink() {
        Map<String, Long> lags = new HashMap<>();
        try {
            Set<TopicPartition> partitions = admin.describeTopics(Set.copyOf(sinks.values())).allTopicNames()
                    .get(5, TimeUnit.SECONDS).values().stream()
                    .flatMap(d -> d.partitions().stream().map(p -> new TopicPartition(d.name(), p.partition())))
                    .collect(Collectors.toSet());
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(
                    partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())))
                    .all().get(5, TimeUnit.SECONDS);
            for (Map.Entry<String, String> sink : sinks.entrySet()) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin
                        .listConsumerGroupOffsets("connect-" + sink.getKey()).partitionsToOffsetAndMetadata()
                        .get(5, TimeUnit.SECONDS);
                long lag = 0;
                for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end : ends.entrySet()) {
                    if (end.getKey().topic().equals(sink.getValue())) {
                        OffsetAndMetadata at = committed.get(end.getKey());
                        lag += end.getValue().offset() - (at == null ? 0 : at.offset());
                    }
                }
                lags.put(sink.getKey(), lag);
            }
        } catch (Exception e) {
            // The progress line shows the last lag it could read.
        }
        return lags;
    }

    /** A few rows of a table, columns in table order, as text. */
    public synchronized List<Map<String, String>> rows(String sql) throws SQLException {
        List<Map<String, String>> result = new java.util.ArrayList<>();
        try (Statement statement = connection().createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            int columns = rows.getMetaData().getColumnCount();
            while (rows.next()) {
                Map<String, String> row = new java.util.LinkedHashMap<>();
                for (int i = 1; i <= columns; i++) {
                    row.put(rows.getMetaData().getColumnName(i), rows.getString(i));
                }
                result.add(row);
            }
        }
        return result;
    }

    /** Column name to SQL type of a table, in column order. */
    public synchronized Map<String, String> columns(String table) throws SQLException {
        Map<String, String> columns = new java.util.LinkedHashMap<>();
        try (var statement = connection().prepareStatement("SELECT column_name, data_type FROM "
                + "information_schema.columns WHERE table_name = ? ORDER BY ordinal_position")) {
            statement.setString(1, table);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    columns.put(rows.getString(1), rows.getString(2));
                }
            }
        }
        return columns;
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = postgres.connect(ShopDatabase.DATABASE);
        }
        return connection;
    }

    @Override
    public synchronized void close() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException e) {
            // Postgres stops next; the connection goes with it.
        }
    }
}
