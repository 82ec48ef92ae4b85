package dev.cdcconnect.eventstore.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cdcconnect.event.Envelopes;
import dev.cdcconnect.event.Operation;
import dev.cdcconnect.eventstore.Customers;
import dev.cdcconnect.eventstore.EventStoreSinkConfig;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/**
 * The exact bytes of the events the sink writes, for records of every source and shape and the settings that change
 * them: stream, type, id, data and metadata, each byte as in {@code event-bytes.txt}. Readers of the streams
 * (projections, subscribers comparing metadata) see these bytes; a change to them shows here.
 */
class EventBytesTest {

    private static EventMapper mapper(String... settings) {
        Map<String, String> props = new HashMap<>();
        props.put(EventStoreSinkConfig.CONNECTION_STRING, "kurrentdb://localhost:2113?tls=false");
        for (int i = 0; i < settings.length; i += 2) {
            props.put(settings[i], settings[i + 1]);
        }
        return new EventStoreSinkConfig(props).eventMapper();
    }

    private static String line(String label, MappedRecord mapped) {
        if (!(mapped instanceof MappedRecord.Append append)) {
            return label + " | " + mapped;
        }
        return label + " | " + append.stream() + " | " + append.event().getEventType() + " | "
                + append.event().getEventId() + " | " + append.size() + " | " + append.source() + " | "
                + new String(append.event().getEventData(), StandardCharsets.UTF_8) + " | "
                + new String(append.event().getUserMetadata(), StandardCharsets.UTF_8);
    }

    /** Each record through the mapping with numbers, then the one with strings (multi-stream appends). */
    private static void both(List<String> lines, String label, EventMapper numbers, SinkRecord record) {
        lines.add(line(label + " numbers", numbers.map(record)));
        lines.add(line(label + " strings", numbers.withMetadataValuesAsStrings().map(record)));
    }

    private static List<String> events() {
        List<String> lines = new ArrayList<>();
        for (Envelopes.Flavor flavor : Envelopes.Flavor.values()) {
            for (Customers.Shape shape : Customers.Shape.values()) {
                String label = flavor + " " + shape;
                Customers customers = new Customers(flavor, shape).partition(2);
                EventMapper mapper = mapper();
                both(lines, label + " create", mapper, customers.create(7, "a@x", 40));
                customers.envelopes().txId(901).gtid("0-1-78");
                both(lines, label + " update", mapper, customers.update(7, "a@x", "b \"q\" \\ é \u0001\n", 41));
                customers.envelopes().transaction("901:33817000", 2);
                both(lines, label + " delete in transaction", mapper, customers.delete(7, "b", 42));
                customers.envelopes().snapshot("true");
                both(lines, label + " snapshot read", mapper, customers.read(8, "c", 43));
                customers.envelopes().snapshot("false");
                SinkRecord truncate = customers.change(Operation.TRUNCATE, 1, null, null, 44);
                both(lines, label + " keyless truncate", mapper, new SinkRecord(truncate.topic(),
                        truncate.kafkaPartition(), null, null, truncate.valueSchema(), truncate.value(), 44));
                both(lines, label + " tombstone marker", mapper(EventStoreSinkConfig.TOMBSTONE_HANDLING, "marker",
                        EventStoreSinkConfig.STREAM_NAME_TEMPLATE, "customers-${key}"), customers.tombstone(7, 45));
            }
        }

        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.STRUCT);
        SinkRecord withHeaders = customers.update(5, "a", "b", 77);
        withHeaders.headers().addString("trace-id", "t-\"1\"").addString("request", "r-9").addInt("attempt", 2)
                .addStruct("who", new Struct(Customers.KEY).put("id", 3));
        both(lines, "headers and sources", mapper(
                EventStoreSinkConfig.EVENT_CORRELATION_ID, "header:request",
                EventStoreSinkConfig.EVENT_CAUSATION_ID, "field:after.email",
                EventStoreSinkConfig.EVENT_METADATA_HEADERS, "trace-id,attempt,who,absent"), withHeaders);
        both(lines, "causation from key", mapper(EventStoreSinkConfig.EVENT_CAUSATION_ID, "key"),
                customers.create(6, "a", 78));
        both(lines, "envelope data", mapper(EventStoreSinkConfig.EVENT_DATA_FORMAT, "envelope"),
                customers.update(5, "a", "b", 79));
        both(lines, "before-after data", mapper(EventStoreSinkConfig.EVENT_DATA_FORMAT, "before-after"),
                customers.update(5, "a", "b", 80));
        both(lines, "typed and qualified", mapper(EventStoreSinkConfig.EVENT_TYPE_MAPPING, "update=Changed",
                EventStoreSinkConfig.EVENT_TYPE_TEMPLATE, "${database}.${table}.${type}",
                EventStoreSinkConfig.STREAM_NAME_TEMPLATE, "${schema}.${table}-${key.id}"),
                customers.update(5, "a", "b", 81));

        Schema flattened = SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).field("email", Schema.STRING_SCHEMA)
                .field("__op", Schema.STRING_SCHEMA).field("__table", Schema.STRING_SCHEMA)
                .field("__lsn", Schema.INT64_SCHEMA).field("__source_ts_ms", Schema.INT64_SCHEMA).build();
        Struct row = new Struct(flattened).put("id", 3L).put("email", "c@x").put("__op", "u")
                .put("__table", "customers").put("__lsn", 99L).put("__source_ts_ms", 1_700_000_000_000L);
        Schema longKey = SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).build();
        both(lines, "flattened row", mapper(), new SinkRecord("dbserver1.public.customers", 0, longKey,
                new Struct(longKey).put("id", 3L), flattened, row, 5));
        Map<String, Object> flatMap = new LinkedHashMap<>();
        flatMap.put("id", "k-1");
        flatMap.put("__deleted", "true");
        flatMap.put("__db", "shop");
        both(lines, "flattened schemaless delete", mapper(), new SinkRecord("dbserver1.shop.items", 1, null,
                new LinkedHashMap<>(Map.of("id", "k-1")), null, flatMap, 6));

        Schema compositeKey = SchemaBuilder.struct().field("region", Schema.STRING_SCHEMA)
                .field("no", Schema.INT16_SCHEMA).field("code", Schema.OPTIONAL_STRING_SCHEMA).build();
        Schema money = SchemaBuilder.struct().field("no", Schema.INT16_SCHEMA)
                .field("amount", Decimal.builder(3).build()).field("rate", Schema.FLOAT32_SCHEMA).build();
        Map<String, Object> plain = new LinkedHashMap<>();
        plain.put("sku", "X-1");
        plain.put("qty", 3);
        both(lines, "plain record, composite key", mapper(EventStoreSinkConfig.EVENT_DATA_DECIMAL_FORMAT, "string"),
                new SinkRecord("money-moves", 3, compositeKey, new Struct(compositeKey).put("region", "e%u-1")
                        .put("no", (short) 12), money, new Struct(money).put("no", (short) 12)
                        .put("amount", new BigDecimal("-12.500")).put("rate", 0.1f), 9));
        both(lines, "plain record, string key", mapper(), new SinkRecord("inventory-moves", 1,
                Schema.STRING_SCHEMA, "$X-1", null, plain, 8));
        both(lines, "plain record, long key", mapper(), new SinkRecord("inventory", 1, Schema.INT64_SCHEMA,
                -42L, null, plain, 10));
        both(lines, "plain record, map key", mapper(), new SinkRecord("inventory", 1, null,
                new LinkedHashMap<>(Map.of("b", 2, "a", "x-y")), null, plain, 11));
        return lines;
    }

    @Test
    void eventsAreWrittenByteForByteAsPinned() throws IOException {
        List<String> expected;
        try (InputStream in = EventBytesTest.class.getResourceAsStream("/event-bytes.txt")) {
            assertThat(in).as("event-bytes.txt").isNotNull();
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }

        List<String> actual = events().stream().map(EventBytesTest::escape).toList();

        assertThat(actual).containsExactlyElementsOf(expected);
    }

    /** Control characters as {@code \\uXXXX}, so that each event is one line of the file. */
    private static String escape(String line) {
        StringBuilder out = new StringBuilder(line.length());
        for (char c : line.toCharArray()) {
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
