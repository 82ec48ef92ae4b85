package dev.cdcconnect.eventstore.event;

import dev.cdcconnect.event.ChangeEvent;
import dev.cdcconnect.event.Fields;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * A sink record read once for everything the sink derives from it: the Debezium change event it carries (an
 * envelope or a flattened row; none for plain records and tombstones), the source names used in stream names
 * and event types, and the record's position in Kafka.
 */
public final class ChangeRecord {

    private final SinkRecord record;
    private final ChangeEvent change;

    private ChangeRecord(SinkRecord record, ChangeEvent change) {
        this.record = record;
        this.change = change;
    }

    public static ChangeRecord of(SinkRecord record) {
        ChangeEvent change = record.value() == null ? null
                : ChangeEvent.read(record.value(), record.headers()).orElse(null);
        return new ChangeRecord(record, change);
    }

    public SinkRecord record() {
        return record;
    }

    /** The change event, empty for plain (non-CDC) records and tombstones. */
    public Optional<ChangeEvent> change() {
        return Optional.ofNullable(change);
    }

    /** A record with a null value: Kafka's tombstone, which Debezium sends after a delete for log compaction. */
    public boolean isTombstone() {
        return record.value() == null;
    }

    /** The topic the record was delivered under, after any topic-renaming transforms. */
    public String topic() {
        return record.topic();
    }

    /** The topic-partition the record was consumed from, whose offsets the worker commits. */
    public TopicPartition partition() {
        return new TopicPartition(record.originalTopic(), record.originalKafkaPartition());
    }

    /** The offset the record was consumed at. */
    public long offset() {
        return record.originalKafkaOffset();
    }

    /**
     * The source table; for records without a source block (tombstones, plain records, flattened rows without
     * {@code __table}) the last dot-separated segment of the topic, which is the table in Debezium's topic names.
     */
    public String table() {
        String table = change == null ? null : change.source().table();
        if (table != null && !table.isEmpty()) {
            return table;
        }
        String topic = record.topic();
        return topic.substring(topic.lastIndexOf('.') + 1);
    }

    /** The source database, or null when the record does not say. */
    public String database() {
        return change == null ? null : change.source().database();
    }

    /** The source schema (Postgres), or null when the record does not say. */
    public String schema() {
        return change == null ? null : change.source().schema();
    }

    public Object key() {
        return record.key();
    }

    public Schema keySchema() {
        return record.keySchema();
    }

    /** The named field of a Struct or Map key (dot paths reach into nested fields), or null. */
    public Object keyField(String path) {
        return Fields.path(record.key(), path);
    }

    /** Describes the record for error messages and the dead letter queue: topic, partition and offset. */
    public String describe() {
        return "topic " + record.originalTopic() + " partition " + record.originalKafkaPartition()
                + " offset " + record.originalKafkaOffset();
    }
}
