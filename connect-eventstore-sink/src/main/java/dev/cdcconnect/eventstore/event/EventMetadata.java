package dev.cdcconnect.eventstore.event;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.cdcconnect.event.ChangeEvent;
import dev.cdcconnect.event.Operation;
import dev.cdcconnect.event.SourceInfo;
import dev.cdcconnect.event.SourcePosition;
import dev.cdcconnect.event.TransactionInfo;
import dev.cdcconnect.event.values.JsonValues;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * The event metadata: one flat JSON object, so it reads the same in projections and works with the
 * multi-stream append, whose metadata is a map of strings.
 *
 * <pre>
 * {
 *   "$correlationId": "771",                 the source transaction id by default
 *   "$causationId": "...",                   when configured
 *   "kafka.topic": "dbserver1.public.customers", "kafka.partition": 0, "kafka.offset": 42,
 *   "kafka.timestamp": 1700000000010,
 *   "op": "u",                               the Debezium operation code
 *   "source.connector": "postgresql", "source.name": "dbserver1", "source.db": "inventory",
 *   "source.schema": "public", "source.table": "customers", "source.ts_ms": 1700000000000,
 *   "source.snapshot": "true",               snapshot reads only
 *   "source.txId": 771, "source.lsn": 33816960, "source.sequence": "[\"33816952\",\"33816960\"]",  Postgres
 *   "source.file": "binlog.000003", "source.pos": 1204, "source.row": 0,
 *   "source.gtid": "...", "source.server_id": 223344,     MySQL, MariaDB
 *   "transaction.id": "...", "transaction.total_order": 3, with provide.transaction.metadata
 *   "ts_ms": 1700000000005,                  when Debezium processed the change
 *   "header.trace-id": "..."                 each configured header present on the record
 * }
 * </pre>
 * Absent values are left out. With {@code stringValues} every value is written as a JSON string.
 *
 * <p>The {@code kafka.*} entries are also how the sink finds, after a restart, which records a stream already
 * holds: see {@link #readPosition(byte[])}; the {@code source.*} entries (with {@code op}) tell the source position of
 * the change the stream holds last: see {@link #readSourcePosition(byte[])}.
 */
public final class EventMetadata {

    public static final String CORRELATION_ID = "$correlationId";
    public static final String CAUSATION_ID = "$causationId";
    public static final String KAFKA_TOPIC = "kafka.topic";
    public static final String KAFKA_PARTITION = "kafka.partition";
    public static final String KAFKA_OFFSET = "kafka.offset";
    public static final String KAFKA_TIMESTAMP = "kafka.timestamp";
    public static final String HEADER_PREFIX = "header.";

    /** Where a record came from in Kafka, as read back from an event's metadata. */
    public record KafkaPosition(TopicPartition partition, long offset) {
    }

    // The names, quoted and encoded once.
    private static final SerializableString CORRELATION_ID_NAME = new SerializedString(CORRELATION_ID);
    private static final SerializableString CAUSATION_ID_NAME = new SerializedString(CAUSATION_ID);
    private static final SerializableString KAFKA_TOPIC_NAME = new SerializedString(KAFKA_TOPIC);
    private static final SerializableString KAFKA_PARTITION_NAME = new SerializedString(KAFKA_PARTITION);
    private static final SerializableString KAFKA_OFFSET_NAME = new SerializedString(KAFKA_OFFSET);
    private static final SerializableString KAFKA_TIMESTAMP_NAME = new SerializedString(KAFKA_TIMESTAMP);
    private static final SerializableString OP = new SerializedString("op");
    private static final SerializableString SOURCE_CONNECTOR = new SerializedString("source.connector");
    private static final SerializableString SOURCE_NAME = new SerializedString("source.name");
    private static final SerializableString SOURCE_DB = new SerializedString("source.db");
    private static final SerializableString SOURCE_SCHEMA = new SerializedString("source.schema");
    private static final SerializableString SOURCE_TABLE = new SerializedString("source.table");
    private static final SerializableString SOURCE_TS_MS = new SerializedString("source.ts_ms");
    private static final SerializableString SOURCE_SNAPSHOT = new SerializedString("source.snapshot");
    // The source position, in the order of SourceInfo.position().
    private static final SerializableString SOURCE_TX_ID = new SerializedString("source.txId");
    private static final SerializableString SOURCE_LSN = new SerializedString("source.lsn");
    private static final SerializableString SOURCE_SEQUENCE = new SerializedString("source.sequence");
    private static final SerializableString SOURCE_FILE = new SerializedString("source.file");
    private static final SerializableString SOURCE_POS = new SerializedString("source.pos");
    private static final SerializableString SOURCE_ROW = new SerializedString("source.row");
    private static final SerializableString SOURCE_GTID = new SerializedString("source.gtid");
    private static final SerializableString SOURCE_SERVER_ID = new SerializedString("source.server_id");
    private static final SerializableString TRANSACTION_ID = new SerializedString("transaction.id");
    private static final SerializableString TRANSACTION_TOTAL_ORDER = new SerializedString("transaction.total_order");
    private static final SerializableString TS_MS = new SerializedString("ts_ms");

    private final JsonValues json;
    private final ValueSource correlation;
    private final ValueSource causation;
    private final List<String> headers;
    private final List<SerializableString> headerNames;
    private final boolean stringValues;

    public EventMetadata(JsonValues json, ValueSource correlation, ValueSource causation, List<String> headers,
                         boolean stringValues) {
        this.json = json;
        this.correlation = correlation;
        this.causation = causation;
        this.headers = List.copyOf(headers);
        this.headerNames = this.headers.stream().<SerializableString>map(h -> new SerializedString(HEADER_PREFIX + h))
                .toList();
        this.stringValues = stringValues;
    }

    /** The same metadata with every value written as a JSON string. */
    public EventMetadata withValuesAsStrings() {
        return new EventMetadata(json, correlation, causation, headers, true);
    }

    /** The metadata of the event for a record, as UTF-8 JSON. */
    public byte[] toBytes(ChangeRecord record) {
        try (ByteArrayBuilder out = new ByteArrayBuilder(384);
             JsonGenerator g = JsonValues.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            string(g, CORRELATION_ID_NAME, correlation.resolve(record, json));
            string(g, CAUSATION_ID_NAME, causation.resolve(record, json));
            SinkRecord sink = record.record();
            string(g, KAFKA_TOPIC_NAME, sink.originalTopic());
            Integer partition = sink.originalKafkaPartition();
            if (partition != null) {
                number(g, KAFKA_PARTITION_NAME, partition.longValue());
            }
            number(g, KAFKA_OFFSET_NAME, sink.originalKafkaOffset());
            number(g, KAFKA_TIMESTAMP_NAME, sink.timestamp());
            Optional<ChangeEvent> change = record.change();
            if (change.isPresent()) {
                writeChange(g, change.get());
            }
            for (int i = 0; i < headers.size(); i++) {
                Header header = sink.headers().lastWithName(headers.get(i));
                if (header != null && header.value() != null) {
                    g.writeFieldName(headerNames.get(i));
                    if (stringValues) {
                        g.writeString(json.toText(header.value(), header.schema()));
                    } else {
                        json.write(g, header.value(), header.schema());
                    }
                }
            }
            g.writeEndObject();
            g.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeChange(JsonGenerator g, ChangeEvent change) throws IOException {
        string(g, OP, change.op().code());
        SourceInfo source = change.source();
        string(g, SOURCE_CONNECTOR, source.connector());
        string(g, SOURCE_NAME, source.name());
        string(g, SOURCE_DB, source.database());
        string(g, SOURCE_SCHEMA, source.schema());
        string(g, SOURCE_TABLE, source.table());
        number(g, SOURCE_TS_MS, source.tsMs());
        if (source.isSnapshot()) {
            string(g, SOURCE_SNAPSHOT, source.snapshot());
        }
        // SourceInfo.position(), entry by entry, without building it.
        number(g, SOURCE_TX_ID, source.txId());
        number(g, SOURCE_LSN, source.lsn());
        string(g, SOURCE_SEQUENCE, source.sequence());
        string(g, SOURCE_FILE, source.file());
        number(g, SOURCE_POS, source.pos());
        number(g, SOURCE_ROW, source.row());
        string(g, SOURCE_GTID, source.gtid());
        number(g, SOURCE_SERVER_ID, source.serverId());
        TransactionInfo transaction = change.transaction();
        if (transaction != null) {
            string(g, TRANSACTION_ID, transaction.id());
            number(g, TRANSACTION_TOTAL_ORDER, transaction.totalOrder());
        }
        number(g, TS_MS, change.tsMs());
    }

    private static void string(JsonGenerator g, SerializableString name, String value) throws IOException {
        if (value != null) {
            g.writeFieldName(name);
            g.writeString(value);
        }
    }

    private void number(JsonGenerator g, SerializableString name, Long value) throws IOException {
        if (value != null) {
            number(g, name, value.longValue());
        }
    }

    private void number(JsonGenerator g, SerializableString name, long value) throws IOException {
        g.writeFieldName(name);
        if (stringValues) {
            g.writeString(Long.toString(value));
        } else {
            g.writeNumber(value);
        }
    }

    /**
     * The Kafka position recorded in an event's metadata, written either with numbers or with strings; empty
     * for events written by anything else.
     */
    public static Optional<KafkaPosition> readPosition(byte[] metadata) {
        String[] topic = new String[1];
        Long[] partition = new Long[1];
        Long[] offset = new Long[1];
        boolean read = readEntries(metadata, (name, token, p) -> {
            switch (name) {
                case KAFKA_TOPIC -> topic[0] = token == JsonToken.VALUE_STRING ? p.getText() : null;
                case KAFKA_PARTITION -> partition[0] = longValue(p, token);
                case KAFKA_OFFSET -> offset[0] = longValue(p, token);
                default -> p.skipChildren();
            }
            return topic[0] == null || partition[0] == null || offset[0] == null;
        });
        if (!read || topic[0] == null || partition[0] == null || offset[0] == null) {
            return Optional.empty();
        }
        return Optional.of(new KafkaPosition(new TopicPartition(topic[0], partition[0].intValue()), offset[0]));
    }

    /**
     * The source position of the change an event was written for, from its {@code op} and {@code source.*} entries
     * (numbers or strings); empty for events without one (plain records, tombstone markers, snapshot reads, events
     * written by anything else).
     */
    public static Optional<SourcePosition> readSourcePosition(byte[] metadata) {
        Map<String, Object> source = new HashMap<>();
        String[] op = new String[1];
        boolean read = readEntries(metadata, (name, token, p) -> {
            if (token.isScalarValue() && name.equals("op")) {
                op[0] = p.getText();
            } else if (token.isScalarValue() && name.startsWith("source.")) {
                source.put(name.substring("source.".length()), p.getText());
            } else {
                p.skipChildren();
            }
            return true;
        });
        Optional<Operation> operation = read ? Operation.fromCode(op[0]) : Optional.empty();
        if (operation.isEmpty() || source.isEmpty()) {
            return Optional.empty();
        }
        return SourcePosition.of(SourceInfo.read(source), operation.get());
    }

    /** Takes one top-level entry of the metadata object, the parser on its value; returns whether to go on. */
    @FunctionalInterface
    private interface EntryReader {
        boolean take(String name, JsonToken token, JsonParser parser) throws IOException;
    }

    /**
     * Gives each top-level entry of the metadata object to {@code reader}, in order, until it asks to stop; false
     * when the metadata is not a JSON object (absent, empty, written by anything else).
     */
    private static boolean readEntries(byte[] metadata, EntryReader reader) {
        if (metadata == null || metadata.length == 0) {
            return false;
        }
        try (JsonParser p = JsonValues.FACTORY.createParser(metadata)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (!reader.take(name, p.nextToken(), p)) {
                    break;
                }
            }
            return true;
        } catch (IOException | RuntimeException notOurs) {
            return false;
        }
    }

    private static Long longValue(JsonParser p, JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_NUMBER_INT) {
            return p.getLongValue();
        }
        if (token == JsonToken.VALUE_STRING) {
            try {
                return Long.parseLong(p.getText());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }
}
