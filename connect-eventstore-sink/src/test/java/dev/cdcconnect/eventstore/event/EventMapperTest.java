package dev.cdcconnect.eventstore.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cdcconnect.event.Envelopes;
import dev.cdcconnect.event.Operation;
import dev.cdcconnect.eventstore.Customers;
import dev.cdcconnect.eventstore.EventStoreSinkConfig;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EventMapperTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    static Stream<Arguments> flavorsAndShapes() {
        return Stream.of(Envelopes.Flavor.values()).flatMap(f -> Stream.of(Customers.Shape.values())
                .map(s -> Arguments.of(f, s)));
    }

    private static EventMapper mapper(String... settings) {
        Map<String, String> props = new HashMap<>();
        props.put(EventStoreSinkConfig.CONNECTION_STRING, "kurrentdb://localhost:2113?tls=false");
        for (int i = 0; i < settings.length; i += 2) {
            props.put(settings[i], settings[i + 1]);
        }
        return new EventStoreSinkConfig(props).eventMapper();
    }

    private static MappedRecord.Append append(EventMapper mapper, SinkRecord record) {
        return (MappedRecord.Append) mapper.map(record);
    }

    private static JsonNode data(MappedRecord.Append append) throws IOException {
        return MAPPER.readTree(append.event().getEventData());
    }

    private static JsonNode metadata(MappedRecord.Append append) throws IOException {
        return MAPPER.readTree(append.event().getUserMetadata());
    }

    @ParameterizedTest
    @MethodSource("flavorsAndShapes")
    void changesBecomeEventsWithReadableTypesAndTheRowAsData(Envelopes.Flavor flavor, Customers.Shape shape)
            throws IOException {
        Customers customers = new Customers(flavor, shape);
        EventMapper mapper = mapper();

        MappedRecord.Append created = append(mapper, customers.create(1, "a@x", 10));
        MappedRecord.Append updated = append(mapper, customers.update(1, "a@x", "b@x", 11));
        MappedRecord.Append deleted = append(mapper, customers.delete(1, "b@x", 12));
        MappedRecord.Append snapshot = append(mapper, customers.read(1, "a@x", 9));

        assertThat(created.stream()).isEqualTo("customers-1");
        assertThat(created.event().getEventType()).isEqualTo("Created");
        assertThat(created.event().getContentType()).isEqualTo("application/json");
        assertThat(data(created).toString()).isEqualTo("{\"id\":1,\"email\":\"a@x\"}");
        assertThat(updated.event().getEventType()).isEqualTo("Updated");
        assertThat(data(updated).toString()).isEqualTo("{\"id\":1,\"email\":\"b@x\"}");
        assertThat(deleted.event().getEventType()).isEqualTo("Deleted");
        assertThat(data(deleted).toString()).isEqualTo("{\"id\":1,\"email\":\"b@x\"}");
        assertThat(snapshot.event().getEventType()).isEqualTo("Snapshotted");
        assertThat(created.size()).isEqualTo(created.event().getEventData().length
                + created.event().getUserMetadata().length + 2 * "Created".length());
    }

    @ParameterizedTest
    @MethodSource("flavorsAndShapes")
    void metadataCarriesTheKafkaPositionAndTheSourcePosition(Envelopes.Flavor flavor, Customers.Shape shape)
            throws IOException {
        Customers customers = new Customers(flavor, shape).partition(2);
        customers.envelopes().txId(900).lsn(4242).binlog("binlog.000007", 1555, 1).gtid("0-1-77");

        JsonNode meta = metadata(append(mapper(), customers.update(5, "a", "b", 321)));

        assertThat(meta.get("kafka.topic").asText()).isEqualTo(customers.topic());
        assertThat(meta.get("kafka.partition").asInt()).isEqualTo(2);
        assertThat(meta.get("kafka.offset").asLong()).isEqualTo(321);
        assertThat(meta.get("kafka.timestamp").asLong()).isEqualTo(1_700_000_000_100L + 321);
        assertThat(meta.get("op").asText()).isEqualTo("u");
        assertThat(meta.get("source.connector").asText()).isEqualTo(flavor == Envelopes.Flavor.POSTGRES
                ? "postgresql" : flavor.name().toLowerCase());
        assertThat(meta.get("source.db").asText()).isEqualTo("inventory");
        assertThat(meta.get("source.table").asText()).isEqualTo("customers");
        assertThat(meta.get("source.ts_ms").asLong()).isEqualTo(1_700_000_000_000L);
        assertThat(meta.get("ts_ms").asLong()).isEqualTo(1_700_000_000_005L);
        if (flavor == Envelopes.Flavor.POSTGRES) {
            assertThat(meta.get("source.schema").asText()).isEqualTo("public");
            assertThat(meta.get("source.txId").asLong()).isEqualTo(900);
            assertThat(meta.get("source.lsn").asLong()).isEqualTo(4242);
            assertThat(meta.get("$correlationId").asText()).isEqualTo("900");
            assertThat(meta.has("source.file")).isFalse();
        } else {
            assertThat(meta.get("source.file").asText()).isEqualTo("binlog.000007");
            assertThat(meta.get("source.pos").asLong()).isEqualTo(1555);
            assertThat(meta.get("source.row").asLong()).isEqualTo(1);
            assertThat(meta.get("source.gtid").asText()).isEqualTo("0-1-77");
            assertThat(meta.get("$correlationId").asText()).isEqualTo("0-1-77");
            assertThat(meta.has("source.lsn")).isFalse();
        }
        assertThat(meta.has("$causationId")).isFalse();
        assertThat(meta.has("source.snapshot")).isFalse();
    }

    @Test
    void transactionBlockIsTheCorrelationIdAndSnapshotsAreFlagged() throws IOException {
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.STRUCT);
        customers.envelopes().transaction("771:33816960", 3).snapshot("true");

        JsonNode meta = metadata(append(mapper(), customers.read(5, "a", 1)));

        assertThat(meta.get("$correlationId").asText()).isEqualTo("771:33816960");
        assertThat(meta.get("transaction.id").asText()).isEqualTo("771:33816960");
        assertThat(meta.get("transaction.total_order").asLong()).isEqualTo(3);
        assertThat(meta.get("source.snapshot").asText()).isEqualTo("true");
    }

    @Test
    void binlogWithoutGtidHasNoCorrelationId() throws IOException {
        Customers customers = new Customers(Envelopes.Flavor.MYSQL, Customers.Shape.MAP);

        assertThat(metadata(append(mapper(), customers.create(5, "a", 1))).has("$correlationId")).isFalse();
    }

    @Test
    void correlationAndCausationCanComeFromHeadersFieldsOrKeyAndHeadersAreCopied() throws IOException {
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.STRUCT);
        SinkRecord record = customers.create(5, "a@x", 1);
        record.headers().addString("trace-id", "t-1").addString("request", "r-9").addInt("attempt", 2);

        JsonNode meta = metadata(append(mapper(
                EventStoreSinkConfig.EVENT_CORRELATION_ID, "header:request",
                EventStoreSinkConfig.EVENT_CAUSATION_ID, "field:after.email",
                EventStoreSinkConfig.EVENT_METADATA_HEADERS, "trace-id,attempt,absent"), record));

        assertThat(meta.get("$correlationId").asText()).isEqualTo("r-9");
        assertThat(meta.get("$causationId").asText()).isEqualTo("a@x");
        assertThat(meta.get("header.trace-id").asText()).isEqualTo("t-1");
        assertThat(meta.get("header.attempt").asInt()).isEqualTo(2);
        assertThat(meta.has("header.absent")).isFalse();

        JsonNode byKey = metadata(append(mapper(EventStoreSinkConfig.EVENT_CAUSATION_ID, "key"),
                customers.create(5, "a@x", 1)));
        assertThat(byKey.get("$causationId").asText()).isEqualTo("{\"id\":5}");
    }

    @Test
    void multiStreamAppendWritesEveryMetadataValueAsAString() throws IOException {
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.STRUCT);
        SinkRecord record = customers.create(5, "a", 77);
        record.headers().addInt("attempt", 2);

        EventMapper mapper = mapper(EventStoreSinkConfig.EVENT_METADATA_HEADERS, "attempt").withMetadataValuesAsStrings();
        JsonNode meta = metadata(append(mapper, record));

        meta.fields().forEachRemaining(e -> assertThat(e.getValue().isTextual()).as(e.getKey()).isTrue());
        assertThat(meta.get("kafka.offset").asText()).isEqualTo("77");
        assertThat(metadata(append(mapper(), record)).get("kafka.offset").isNumber()).isTrue();
        assertThat(EventMetadata.readPosition(append(mapper, record).event().getUserMetadata()))
                .contains(new EventMetadata.KafkaPosition(new TopicPartition(customers.topic(), 0), 77));
    }

    @Test
    void kafkaPositionIsReadBackFromMetadataAndForeignMetadataHasNone() {
        Customers customers = new Customers(Envelopes.Flavor.MYSQL, Customers.Shape.MAP).partition(3);

        byte[] meta = append(mapper(), customers.create(5, "a", 1234)).event().getUserMetadata();

        assertThat(EventMetadata.readPosition(meta))
                .contains(new EventMetadata.KafkaPosition(new TopicPartition(customers.topic(), 3), 1234));
        assertThat(EventMetadata.readPosition("{\"user\":\"x\"}".getBytes())).isEmpty();
        assertThat(EventMetadata.readPosition("not json".getBytes())).isEmpty();
        assertThat(EventMetadata.readPosition(new byte[0])).isEmpty();
    }

    @Test
    void eventIdIsANameBasedUuidOfTopicPartitionAndOffset() {
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.STRUCT);
        EventMapper mapper = mapper();

        var first = append(mapper, customers.create(1, "a", 10)).event().getEventId();
        var again = append(mapper, customers.create(1, "a", 10)).event().getEventId();
        var next = append(mapper, customers.create(1, "a", 11)).event().getEventId();
        var otherPartition = append(mapper, new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.MAP)
                .partition(1).create(1, "a", 10)).event().getEventId();

        assertThat(first).isEqualTo(again).isNotEqualTo(next).isNotEqualTo(otherPartition);
        assertThat(first.version()).isEqualTo(3);
        assertThat(first).isEqualTo(java.util.UUID.nameUUIDFromBytes(
                "dbserver1.public.customers/0/10".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Test
    void typesCanBeRenamedPerKindPerTableAndQualified() {
        Customers customers = new Customers(Envelopes.Flavor.MYSQL, Customers.Shape.STRUCT);

        EventMapper renamed = mapper(EventStoreSinkConfig.EVENT_TYPE_MAPPING,
                "update=Changed, customers.delete=CustomerRemoved, orders.create=OrderPlaced",
                EventStoreSinkConfig.EVENT_TYPE_TEMPLATE, "${table}.${type}");

        assertThat(append(renamed, customers.create(1, "a", 0)).event().getEventType()).isEqualTo("customers.Created");
        assertThat(append(renamed, customers.update(1, "a", "b", 1)).event().getEventType())
                .isEqualTo("customers.Changed");
        assertThat(append(renamed, customers.delete(1, "b", 2)).event().getEventType()).isEqualTo("CustomerRemoved");
    }

    @Test
    void envelopeAndBeforeAfterFormats() throws IOException {
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.STRUCT);
        SinkRecord update = customers.update(1, "a", "b", 1);

        JsonNode envelope = data(append(mapper(EventStoreSinkConfig.EVENT_DATA_FORMAT, "envelope"), update));
        JsonNode beforeAfter = data(append(mapper(EventStoreSinkConfig.EVENT_DATA_FORMAT, "before-after"), update));

        assertThat(envelope.get("op").asText()).isEqualTo("u");
        assertThat(envelope.get("source").get("lsn").asLong()).isEqualTo(33_816_960L);
        assertThat(envelope.get("after").get("email").asText()).isEqualTo("b");
        assertThat(beforeAfter.toString()).isEqualTo("{\"before\":{\"id\":1,\"email\":\"a\"},\"after\":{\"id\":1,\"email\":\"b\"}}");
    }

    @Test
    void tombstonesAreIgnoredOrMarkedOrDeleteTheStream() throws IOException {
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.STRUCT);
        SinkRecord tombstone = customers.tombstone(4, 20);

        assertThat(mapper().map(tombstone)).isInstanceOf(MappedRecord.Ignore.class);
        MappedRecord.Append marker = append(mapper(EventStoreSinkConfig.TOMBSTONE_HANDLING, "marker"), tombstone);
        assertThat(marker.stream()).isEqualTo("customers-4");
        assertThat(marker.event().getEventType()).isEqualTo("Tombstoned");
        assertThat(data(marker).toString()).isEqualTo("{\"id\":4}");
        assertThat(metadata(marker).get("kafka.offset").asLong()).isEqualTo(20);
        assertThat(mapper(EventStoreSinkConfig.TOMBSTONE_HANDLING, "delete").map(tombstone))
                .isEqualTo(new MappedRecord.DeleteStream("customers-4", false));
        assertThat(mapper(EventStoreSinkConfig.TOMBSTONE_HANDLING, "tombstone").map(tombstone))
                .isEqualTo(new MappedRecord.DeleteStream("customers-4", true));
    }

    @Test
    void flattenedRowsKeepTheirOperationAndLeaveOutTheAddedFields() throws IOException {
        Schema schema = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA).field("email", Schema.STRING_SCHEMA)
                .field("__op", Schema.STRING_SCHEMA).field("__table", Schema.STRING_SCHEMA)
                .field("__lsn", Schema.INT64_SCHEMA).build();
        Struct row = new Struct(schema).put("id", 3).put("email", "c@x").put("__op", "u").put("__table", "customers")
                .put("__lsn", 99L);
        SinkRecord record = new SinkRecord("dbserver1.public.customers", 0, Customers.KEY,
                new Struct(Customers.KEY).put("id", 3), schema, row, 5);

        MappedRecord.Append append = append(mapper(), record);

        assertThat(append.stream()).isEqualTo("customers-3");
        assertThat(append.event().getEventType()).isEqualTo("Updated");
        assertThat(data(append).toString()).isEqualTo("{\"id\":3,\"email\":\"c@x\"}");
        assertThat(metadata(append).get("source.lsn").asLong()).isEqualTo(99);
        assertThat(metadata(append).get("op").asText()).isEqualTo("u");
    }

    @Test
    void plainRecordsBecomeRecordedEventsWithTheirValue() throws IOException {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("sku", "X-1");
        value.put("qty", 3);
        SinkRecord record = new SinkRecord("inventory-moves", 1, Schema.STRING_SCHEMA, "X-1", null, value, 8);

        MappedRecord.Append append = append(mapper(), record);

        assertThat(append.stream()).isEqualTo("inventory%2Dmoves-X-1");
        assertThat(append.event().getEventType()).isEqualTo("Recorded");
        assertThat(data(append).toString()).isEqualTo("{\"sku\":\"X-1\",\"qty\":3}");
        assertThat(metadata(append).has("op")).isFalse();
        assertThat(metadata(append).get("kafka.partition").asInt()).isEqualTo(1);
    }

    @Test
    void eventsOverTheAppendLimitCannotBeConverted() {
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.MAP);
        SinkRecord big = customers.create(1, "x".repeat(5000), 1);

        assertThatThrownBy(() -> mapper(EventStoreSinkConfig.APPEND_MAX_BYTES, "2048").map(big))
                .isInstanceOf(RecordConversionException.class)
                .hasMessageMatching("the event for stream 'customers-1' is \\d+ bytes, over the limit of 2048 bytes "
                        + "for one append");
    }

    @Test
    void valuesThatAreNotJsonConvertibleAreConversionFailures() {
        SinkRecord record = new SinkRecord("t", 0, Schema.STRING_SCHEMA, "k", null, Map.of("x", new Object()), 0);

        assertThatThrownBy(() -> mapper().map(record)).isInstanceOf(RecordConversionException.class)
                .hasMessageStartingWith("cannot write the record as JSON");
    }

    @Test
    void truncateWithoutKeyCannotBeNamedWithTheDefaultTemplate() {
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.MAP);
        SinkRecord truncate = customers.change(Operation.TRUNCATE, 1, null, "x", 3);
        SinkRecord keyless = new SinkRecord(truncate.topic(), 0, null, null, null, truncate.value(), 3);

        assertThatThrownBy(() -> mapper().map(keyless)).isInstanceOf(RecordConversionException.class)
                .hasMessageContaining("needs ${key}");
        assertThat(append(mapper(EventStoreSinkConfig.STREAM_NAME_TEMPLATE, "${table}"), keyless)
                .event().getEventType()).isEqualTo("Truncated");
    }
}
