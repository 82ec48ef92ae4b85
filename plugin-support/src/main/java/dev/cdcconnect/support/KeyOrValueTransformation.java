package dev.cdcconnect.support;

import org.apache.kafka.connect.components.Versioned;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.transforms.Transformation;

/**
 * The base of a transform that works on either the key or the value of records, with the hooks Kafka's own
 * transforms use ({@link #operatingSchema}, {@link #operatingValue}, {@link #newRecord}). A transform extends it
 * once and nests a {@code Key} and a {@code Value} class that only pick their {@link Side}; the key/value plumbing
 * lives here. {@link #apply} works in one order: a null key or value goes to {@link #applyToNull} (passes
 * through unless overridden), anything else to {@link #apply(ConnectRecord, Schema, Object)}.
 */
public abstract class KeyOrValueTransformation<R extends ConnectRecord<R>> implements Transformation<R>, Versioned {

    /** Which part of the record a transform works on. */
    public enum Side {
        KEY, VALUE;

        /** "key" or "value", for messages. */
        @Override
        public String toString() {
            return this == KEY ? "key" : "value";
        }
    }

    private final Side side;

    protected KeyOrValueTransformation(Side side) {
        this.side = side;
    }

    /** The part of the record this instance works on. */
    protected final Side side() {
        return side;
    }

    @Override
    public final R apply(R record) {
        Object value = operatingValue(record);
        return value == null ? applyToNull(record) : apply(record, operatingSchema(record), value);
    }

    /**
     * The transformed record, or null to drop it.
     *
     * @param schema the key's or value's schema (null when schemaless)
     * @param value the key or value, never null
     */
    protected abstract R apply(R record, Schema schema, Object value);

    /** A record whose key or value is null (for values: a tombstone); passes through unless overridden. */
    protected R applyToNull(R record) {
        return record;
    }

    /** The schema of the key or value this instance works on. */
    protected final Schema operatingSchema(R record) {
        return side == Side.KEY ? record.keySchema() : record.valueSchema();
    }

    /** The key or value this instance works on. */
    protected final Object operatingValue(R record) {
        return side == Side.KEY ? record.key() : record.value();
    }

    /** The record with its key or value (as this instance works on) replaced; topic, timestamp, headers kept. */
    protected final R newRecord(R record, Schema updatedSchema, Object updatedValue) {
        return side == Side.KEY
                ? record.newRecord(record.topic(), record.kafkaPartition(), updatedSchema, updatedValue,
                        record.valueSchema(), record.value(), record.timestamp(), record.headers())
                : record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(),
                        updatedSchema, updatedValue, record.timestamp(), record.headers());
    }

    /** {@code topic T partition P} and, for a sink record, {@code offset O}: where a record comes from, for messages. */
    public static String coordinates(ConnectRecord<?> record) {
        String at = "topic " + record.topic() + " partition " + record.kafkaPartition();
        return record instanceof SinkRecord sink ? at + " offset " + sink.kafkaOffset() : at;
    }
}
