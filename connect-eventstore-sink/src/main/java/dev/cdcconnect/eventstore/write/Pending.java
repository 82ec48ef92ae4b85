package dev.cdcconnect.eventstore.write;

import dev.cdcconnect.event.SourcePosition;
import dev.cdcconnect.eventstore.event.MappedRecord;
import io.kurrent.dbclient.EventData;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

/** A record on its way to a stream: an append or a deletion, with its place in its partition's offsets. */
final class Pending {
    final SinkRecord record;
    final TopicPartition partition;
    final long offset;
    final MappedRecord action;
    /** The source position of the record's change, or null. */
    final SourcePosition source;
    final int size;
    final OffsetTracker tracker;
    final OffsetTracker.Slot slot;

    Pending(SinkRecord record, TopicPartition partition, MappedRecord action, int size, OffsetTracker tracker,
            OffsetTracker.Slot slot) {
        this.record = record;
        this.partition = partition;
        this.offset = record.originalKafkaOffset();
        this.action = action;
        this.source = action instanceof MappedRecord.Append append ? append.source() : null;
        this.size = size;
        this.tracker = tracker;
        this.slot = slot;
    }

    /** The stream the record goes to. */
    String stream() {
        return action instanceof MappedRecord.Append append ? append.stream()
                : ((MappedRecord.DeleteStream) action).stream();
    }

    EventData event() {
        return ((MappedRecord.Append) action).event();
    }
}
