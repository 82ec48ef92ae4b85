package dev.cdcconnect.eventstore.event;

import dev.cdcconnect.event.ChangeEvent;
import dev.cdcconnect.event.Fields;
import dev.cdcconnect.event.Operation;
import dev.cdcconnect.event.values.JsonValues;
import org.apache.kafka.connect.header.Header;

/**
 * Where a metadata value such as {@code $correlationId} comes from: {@code none}, {@code transaction} (the
 * source transaction id), {@code key} (the record key as text), {@code header:<name>} (a Kafka header) or
 * {@code field:<path>} (a field of the record value, e.g. {@code after.order_id} or {@code source.txId}).
 */
public sealed interface ValueSource {

    /** The syntax, for documentation and error messages. */
    String SYNTAX = "none, transaction, key, header:<name> or field:<dot.path>";

    /** Parses the syntax above; throws IllegalArgumentException naming what is allowed. */
    static ValueSource parse(String text) {
        String value = text == null ? "" : text.trim();
        if (value.equals("none")) {
            return new None();
        }
        if (value.equals("transaction")) {
            return new Transaction();
        }
        if (value.equals("key")) {
            return new Key();
        }
        if (value.startsWith("header:") && value.length() > "header:".length()) {
            return new HeaderValue(value.substring("header:".length()));
        }
        if (value.startsWith("field:") && value.length() > "field:".length()) {
            return new FieldValue(value.substring("field:".length()));
        }
        throw new IllegalArgumentException("'" + text + "' is not a value source; allowed: " + SYNTAX);
    }

    /** The value for a record as text, or null when the record has none. */
    String resolve(ChangeRecord record, JsonValues json);

    /** No value. */
    record None() implements ValueSource {
        @Override
        public String resolve(ChangeRecord record, JsonValues json) {
            return null;
        }
    }

    /**
     * The id of the source transaction, as {@link ChangeEvent#transactionId()} gives it; none for snapshot reads,
     * which no transaction of the source made (and for which binlog sources report no transaction at all), so
     * they are left out of every source the same way.
     */
    record Transaction() implements ValueSource {
        @Override
        public String resolve(ChangeRecord record, JsonValues json) {
            return record.change()
                    .filter(change -> change.op() != Operation.READ && !change.source().isSnapshot())
                    .map(ChangeEvent::transactionId).orElse(null);
        }
    }

    /** The record key as text. */
    record Key() implements ValueSource {
        @Override
        public String resolve(ChangeRecord record, JsonValues json) {
            return record.key() == null ? null : json.toText(record.key(), record.keySchema());
        }
    }

    /** The last header of that name. */
    record HeaderValue(String name) implements ValueSource {
        @Override
        public String resolve(ChangeRecord record, JsonValues json) {
            Header header = record.record().headers().lastWithName(name);
            return header == null || header.value() == null ? null : json.toText(header.value(), header.schema());
        }
    }

    /** A field of the record value. */
    record FieldValue(String path) implements ValueSource {
        @Override
        public String resolve(ChangeRecord record, JsonValues json) {
            Object value = Fields.path(record.record().value(), path);
            return value == null ? null : json.toText(value, null);
        }
    }
}
