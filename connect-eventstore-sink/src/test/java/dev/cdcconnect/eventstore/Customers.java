package dev.cdcconnect.eventstore;

import dev.cdcconnect.event.Envelopes;
import dev.cdcconnect.event.Operation;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Sink records of a {@code customers} table as the Debezium Postgres, MySQL and MariaDB connectors send them,
 * with a schema (Struct) or without (Map, as JsonConverter with schemas.enable=false gives them).
 */
public final class Customers {

    /** With or without a schema. */
    public enum Shape { STRUCT, MAP }

    public static final Schema KEY = SchemaBuilder.struct().name("dbserver1.customers.Key")
            .field("id", Schema.INT32_SCHEMA).build();
    public static final Schema ROW = SchemaBuilder.struct().name("dbserver1.customers.Value")
            .field("id", Schema.INT32_SCHEMA)
            .field("email", Schema.OPTIONAL_STRING_SCHEMA)
            .build();

    private final Envelopes.Flavor flavor;
    private final Shape shape;
    private final String topic;
    private int partition;
    private final Envelopes envelopes;

    public Customers(Envelopes.Flavor flavor, Shape shape) {
        this.flavor = flavor;
        this.shape = shape;
        this.envelopes = Envelopes.of(flavor, "inventory", "customers");
        this.topic = flavor == Envelopes.Flavor.POSTGRES ? "dbserver1.public.customers" : "dbserver1.inventory.customers";
    }

    public Customers partition(int value) {
        this.partition = value;
        return this;
    }

    /** The envelope builder, to set transaction ids, positions, snapshot flags before building records. */
    public Envelopes envelopes() {
        return envelopes;
    }

    public String topic() {
        return topic;
    }

    public Envelopes.Flavor flavor() {
        return flavor;
    }

    public Shape shape() {
        return shape;
    }

    public SinkRecord create(int id, String email, long offset) {
        return change(Operation.CREATE, id, null, email, offset);
    }

    public SinkRecord update(int id, String before, String after, long offset) {
        return change(Operation.UPDATE, id, before, after, offset);
    }

    public SinkRecord delete(int id, String before, long offset) {
        return change(Operation.DELETE, id, before, null, offset);
    }

    public SinkRecord read(int id, String email, long offset) {
        return change(Operation.READ, id, null, email, offset);
    }

    /** The null-valued record Debezium sends after a delete. */
    public SinkRecord tombstone(int id, long offset) {
        return record(id, null, null, offset);
    }

    public SinkRecord change(Operation op, int id, String beforeEmail, String afterEmail, long offset) {
        boolean hasBefore = op == Operation.UPDATE || op == Operation.DELETE;
        boolean hasAfter = op != Operation.DELETE;
        Object value;
        Schema valueSchema;
        if (shape == Shape.STRUCT) {
            Struct before = hasBefore ? new Struct(ROW).put("id", id).put("email", beforeEmail) : null;
            Struct after = hasAfter ? new Struct(ROW).put("id", id).put("email", afterEmail) : null;
            Struct envelope = envelopes.struct(op, before, after);
            value = envelope;
            valueSchema = envelope.schema();
        } else {
            value = envelopes.map(op, hasBefore ? row(id, beforeEmail) : null, hasAfter ? row(id, afterEmail) : null);
            valueSchema = null;
        }
        return record(id, valueSchema, value, offset);
    }

    private SinkRecord record(int id, Schema valueSchema, Object value, long offset) {
        Object key = shape == Shape.STRUCT ? new Struct(KEY).put("id", id) : new LinkedHashMap<>(Map.of("id", id));
        return new SinkRecord(topic, partition, shape == Shape.STRUCT ? KEY : null, key, valueSchema, value, offset,
                1_700_000_000_100L + offset, TimestampType.CREATE_TIME);
    }

    private static Map<String, Object> row(int id, String email) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("email", email);
        return row;
    }
}
