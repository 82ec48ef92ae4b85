package dev.cdcconnect.eventstore.event;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * The deterministic id of a record's event: a version 3 (MD5, name-based) UUID of the record's topic, partition and
 * offset, the same as {@link UUID#nameUUIDFromBytes} of {@link #name}, with one MD5 digest kept for every record
 * instead of one looked up per record. Not thread-safe: one per mapper, used on the task's thread.
 */
final class EventIds {

    private final MessageDigest md5;

    EventIds() {
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is not available, and the event ids are made with it", e);
        }
    }

    /** The name the id is made of: {@code <topic>/<partition>/<offset>}, as UTF-8. */
    private static byte[] name(ChangeRecord record) {
        SinkRecord r = record.record();
        return (r.originalTopic() + '/' + r.originalKafkaPartition() + '/' + r.originalKafkaOffset())
                .getBytes(StandardCharsets.UTF_8);
    }

    UUID of(ChangeRecord record) {
        byte[] hash = md5.digest(name(record));
        // RFC 4122: version 3 in the high nibble of byte 6, the IETF variant in the high bits of byte 8.
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x30);
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 8; i++) {
            msb = (msb << 8) | (hash[i] & 0xff);
            lsb = (lsb << 8) | (hash[8 + i] & 0xff);
        }
        return new UUID(msb, lsb);
    }
}
