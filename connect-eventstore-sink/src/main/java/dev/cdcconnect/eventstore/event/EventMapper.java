package dev.cdcconnect.eventstore.event;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.cdcconnect.event.ChangeEvent;
import dev.cdcconnect.event.Fields;
import dev.cdcconnect.event.Operation;
import dev.cdcconnect.event.SourcePosition;
import dev.cdcconnect.event.values.JsonValues;
import dev.cdcconnect.eventstore.stream.DeleteStreams;
import dev.cdcconnect.eventstore.stream.StreamNames;
import io.kurrent.dbclient.EventData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Turns a sink record into what it becomes in EventStoreDB: an event for its stream (type, JSON data, JSON
 * metadata, deterministic id), a stream deletion, or nothing.
 *
 * <p>The event id is a name-based UUID of the record's topic, partition and offset, so a record written twice
 * gives the same id and EventStoreDB can recognise the second write.
 */
public final class EventMapper {

    /** The largest event EventStoreDB accepts, whatever its configuration. */
    public static final int SERVER_MAX_EVENT_BYTES = 16 * 1024 * 1024;

    private static final String FLATTENED_PREFIX = "__";

    private final StreamNames streams;
    private final EventTypes types;
    private final DataFormat dataFormat;
    private final JsonValues json;
    private final EventMetadata metadata;
    private final TombstoneHandling tombstones;
    private final int maxEventBytes;
    private final DeleteStreams deletes;
    private final EventIds ids = new EventIds();

    /**
     * @param maxEventBytes the largest event, as EventStoreDB counts its size, that can be written in one append;
     *                      larger ones cannot be written at all
     */
    public EventMapper(StreamNames streams, EventTypes types, DataFormat dataFormat, JsonValues json,
                       EventMetadata metadata, TombstoneHandling tombstones, int maxEventBytes) {
        this(streams, types, dataFormat, json, metadata, tombstones, maxEventBytes, new DeleteStreams());
    }

    private EventMapper(StreamNames streams, EventTypes types, DataFormat dataFormat, JsonValues json,
                        EventMetadata metadata, TombstoneHandling tombstones, int maxEventBytes,
                        DeleteStreams deletes) {
        this.deletes = deletes;
        this.streams = streams;
        this.types = types;
        this.dataFormat = dataFormat;
        this.json = json;
        this.metadata = metadata;
        this.tombstones = tombstones;
        this.maxEventBytes = Math.min(maxEventBytes, SERVER_MAX_EVENT_BYTES);
    }

    /**
     * The same mapping with every metadata value written as a string, as the multi-stream append protocol
     * carries metadata.
     */
    public EventMapper withMetadataValuesAsStrings() {
        return new EventMapper(streams, types, dataFormat, json, metadata.withValuesAsStrings(), tombstones,
                maxEventBytes, deletes);
    }

    /**
     * What the record becomes. Called for each partition's records in their order, once each (the stream of a
     * tombstone is that of the delete event before it).
     *
     * @throws RecordConversionException when it cannot become an event (see that class)
     */
    public MappedRecord map(SinkRecord sinkRecord) {
        ChangeRecord record = ChangeRecord.of(sinkRecord);
        String deleteStream = deletes.take(record);
        if (record.isTombstone()) {
            if (record.key() == null) {
                // A tombstone without a key names no row (and compacts nothing): there is no stream to act on.
                return new MappedRecord.Ignore();
            }
            return switch (tombstones) {
                case IGNORE -> new MappedRecord.Ignore();
                case DELETE -> new MappedRecord.DeleteStream(streams.tombstoneStreamFor(record, deleteStream), false);
                case TOMBSTONE -> new MappedRecord.DeleteStream(streams.tombstoneStreamFor(record, deleteStream), true);
                case MARKER -> append(record, EventTypes.Kind.TOMBSTONE,
                        streams.tombstoneStreamFor(record, deleteStream), false);
            };
        }
        if (record.change().isEmpty() && ChangeEvent.isEnvelopeShaped(sinkRecord.value())) {
            throw new RecordConversionException("the record is a Debezium change event with op '"
                    + Fields.get(sinkRecord.value(), "op") + "', which this sink does not know (known: "
                    + Arrays.stream(Operation.values()).map(Operation::code).collect(Collectors.joining(", "))
                    + ")");
        }
        EventTypes.Kind kind = record.change().map(c -> EventTypes.Kind.of(c.op())).orElse(EventTypes.Kind.RECORD);
        String stream = streams.streamFor(record);
        // A tombstone acted on needs the stream of the delete before it, also in a task that starts between them.
        boolean delete = kind == EventTypes.Kind.DELETE && tombstones != TombstoneHandling.IGNORE
                && record.key() != null;
        MappedRecord.Append append = append(record, kind, stream, delete);
        if (delete) {
            deletes.remember(record, stream);
        }
        return append;
    }

    /** Forgets what it knew of partitions the task no longer owns. */
    public void forget(Collection<TopicPartition> partitions) {
        deletes.forget(partitions);
    }

    private MappedRecord.Append append(ChangeRecord record, EventTypes.Kind kind, String stream,
                                       boolean holdsCommit) {
        String type = types.typeFor(record, kind);
        byte[] data;
        byte[] meta;
        try {
            data = data(record);
            meta = metadata.toBytes(record);
        } catch (RecordConversionException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new RecordConversionException("cannot write the record as JSON: " + e.getMessage(), e);
        }
        // As the server counts it: two bytes per UTF-16 unit of the type.
        int size = data.length + meta.length + 2 * type.length();
        if (size > maxEventBytes) {
            throw new RecordConversionException("the event for stream '" + stream + "' is " + size
                    + " bytes, over the limit of " + maxEventBytes + " bytes for one append");
        }
        EventData event = EventData.builderAsJson(ids.of(record), type, data).metadataAsBytes(meta).build();
        SourcePosition source = record.change().flatMap(c -> SourcePosition.of(c.source(), c.op())).orElse(null);
        return new MappedRecord.Append(stream, event, size, holdsCommit, source);
    }

    private byte[] data(ChangeRecord record) {
        SinkRecord sink = record.record();
        if (record.isTombstone()) {
            return sink.key() == null ? "{}".getBytes(StandardCharsets.UTF_8) : json.toBytes(sink.key(), sink.keySchema());
        }
        ChangeEvent change = record.change().orElse(null);
        if (dataFormat == DataFormat.ENVELOPE) {
            return json.toBytes(sink.value(), sink.valueSchema());
        }
        if (change == null) {
            return dataFormat == DataFormat.ROW ? json.toBytes(sink.value(), sink.valueSchema())
                    : beforeAfter(null, null, sink.value(), sink.valueSchema());
        }
        if (dataFormat == DataFormat.BEFORE_AFTER) {
            return beforeAfter(change.before(), schemaOf(change.before()), change.after(), schemaOf(change.after()));
        }
        if (change.op() == Operation.MESSAGE && change.message() != null) {
            return json.toBytes(change.message(), schemaOf(change.message()));
        }
        Object row = change.row();
        if (row == null) {
            return "{}".getBytes(StandardCharsets.UTF_8);
        }
        if (change.isFlattened()) {
            // The __op, __table, ... fields describe the change, not the row: they are in the metadata.
            return json.toBytes(row, schemaOf(row), name -> !name.startsWith(FLATTENED_PREFIX));
        }
        return json.toBytes(row, schemaOf(row));
    }

    private byte[] beforeAfter(Object before, Schema beforeSchema, Object after, Schema afterSchema) {
        try (ByteArrayBuilder out = new ByteArrayBuilder(512);
             JsonGenerator g = JsonValues.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeFieldName("before");
            json.write(g, before, beforeSchema);
            g.writeFieldName("after");
            json.write(g, after, afterSchema);
            g.writeEndObject();
            g.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Schema schemaOf(Object value) {
        return value instanceof Struct struct ? struct.schema() : null;
    }
}
