package dev.cdcconnect.cassandra.mapping;

import org.apache.kafka.connect.data.Schema;

/**
 * A value bound for a column, with its Connect schema (null for schemaless records) and the field path it came
 * from, for messages.
 */
public record ColumnValue(Object value, Schema schema, String field) {
}
