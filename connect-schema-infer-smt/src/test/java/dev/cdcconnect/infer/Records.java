package dev.cdcconnect.infer;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Records as a sink task receives them from a worker using JsonConverter without schemas. */
final class Records {

    private static final JsonConverter CONVERTER = new JsonConverter();

    static {
        CONVERTER.configure(Map.of("schemas.enable", "false"), false);
    }

    private Records() {
    }

    /** What JsonConverter (schemas.enable=false) makes of the JSON text. */
    static Object schemaless(String json) {
        return CONVERTER.toConnectData("t", json.getBytes(StandardCharsets.UTF_8)).value();
    }

    static SinkRecord value(String topic, long offset, Object value) {
        return new SinkRecord(topic, 0, null, null, null, value, offset);
    }

    static SinkRecord value(String topic, long offset, Schema schema, Object value) {
        return new SinkRecord(topic, 0, null, null, schema, value, offset);
    }

    static SinkRecord keyed(String topic, long offset, Object key, Object value) {
        return new SinkRecord(topic, 0, null, key, null, value, offset);
    }

    static SinkRecord json(String topic, long offset, String json) {
        return value(topic, offset, schemaless(json));
    }
}
