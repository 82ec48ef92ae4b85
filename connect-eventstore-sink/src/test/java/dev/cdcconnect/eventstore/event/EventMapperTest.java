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
    void postgresChangesOfOneTransactionShareTheTxIdAsCorrelationIdWhateverTheirLsn() throws IOException {
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.STRUCT);
        EventMapper mapper = mapper();

        customers.envelopes().txId(771).lsn(33816960).transaction("771:33816960", 1);
        JsonNode first = metadata(append(mapper, customers.create(5, "a", 1)));
        customers.envelopes().lsn(33817200).transaction("771:33817200", 2);
        JsonNode second = metadata(append(mapper, customers.update(6, "a", "b", 2)));
        customers.envelopes().txId(772).lsn(33818000).transaction("772:33818000", 1);
        JsonNode next = metadata(append(mapper, customers.delete(5, "a", 3)));

        assertThat(first.get("$correlationId").asText()).isEqualTo(second.get("$correlationId").asText())
                .isEqualTo("771");
        assertThat(next.get("$correlationId").asText()).isEqualTo("772");
        assertThat(second.get("transaction.id").asText()).isEqualTo("771:33817200");
        assertThat(second.get("transaction.total_order").asLong()).isEqualTo(2);
    }

    @ParameterizedTest
    @MethodSource("flavorsAndShapes")
    void snapshotReadsHaveNoCorrelationIdWhateverTheSource(Envelopes.Flavor flavor, Customers.Shape shape)
            throws IOException {
        Customers customers = new Customers(flavor, shape);
        customers.envelopes().snapshot("true").gtid("0-1-77").transaction("771:33816960", 3);

        JsonNode meta = metadata(append(mapper(), customers.read(5, "a", 1)));

        assertThat(meta.has("$correlationId")).isFalse();
        assertThat(meta.get("source.snapshot").asText()).isEqualTo("true");
    }

    @Test
    void binlogWithoutGtidTakesTheTransactionBlockAsCorrelationId() throws IOException {
        Customers customers = new Customers(Envelopes.Flavor.MYSQL, Customers.Shape.MAP);
        EventMapper mapper = mapper();

        customers.envelopes().binlog("mysql-bin.000003", 1200, 0).transaction("file=mysql-bin.000003,pos=1100", 1);
        JsonNode first = metadata(append(mapper, customers.create(5, "a", 1)));
        customers.envelopes().binlog("mysql-bin.000003", 1300, 0).transaction("file=mysql-bin.000003,pos=1100", 2);
        JsonNode second = metadata(append(mapper, customers.create(6, "b", 2)));

        assertThat(first.get("$correlationId").asText()).isEqualTo(second.get("$correlationId").asText())
                .isEqualTo("file=mysql-bin.000003,pos=1100");
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
    void metadataHasEveryEntryOfTheSourcePositionInItsOrder() throws IOException {
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("connector", "postgresql");
        source.put("table", "customers");
        source.put("txId", 12L);
        source.put("lsn", 34L);
        source.put("sequence", "[\"30\",\"34\"]");
        source.put("file", "binlog.000002");
        source.put("pos", 56L);
        source.put("row", 7);
        source.put("gtid", "0-1-9");
        source.put("server_id", 8L);
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("after", new LinkedHashMap<>(Map.of("id", 1)));
        value.put("source", source);
        value.put("op", "c");
        SinkRecord record = new SinkRecord("dbserver1.public.customers", 0, null, Map.of("id", 1), null, value, 4);
        Map<String, Object> position = dev.cdcconnect.event.SourceInfo.read(source).position();

        for (EventMapper mapper : new EventMapper[] {mapper(), mapper().withMetadataValuesAsStrings()}) {
            JsonNode meta = metadata(append(mapper, record));
            java.util.List<String> written = new java.util.ArrayList<>();
            meta.fieldNames().forEachRemaining(name -> {
                if (name.startsWith("source.") && position.containsKey(name.substring("source.".length()))) {
                    written.add(name.substring("source.".length()));
                }
            });
            assertThat(written).containsExactlyElementsOf(position.keySet());
            position.forEach((key, expected) -> assertThat(meta.get("source." + key).asText())
                    .isEqualTo(String.valueOf(expected)));
        }
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
    void tombstonesAreIgnoredOrMarkedOrDeleteTheStreamOfTheDeleteBeforeThem() throws IOException {
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.STRUCT);
        SinkRecord delete = customers.delete(4, "a", 19);
        SinkRecord tombstone = customers.tombstone(4, 20);

        EventMapper ignoring = mapper();
        assertThat(append(ignoring, delete).holdsCommit()).isFalse();
        assertThat(ignoring.map(tombstone)).isInstanceOf(MappedRecord.Ignore.class);
        EventMapper marking = mapper(EventStoreSinkConfig.TOMBSTONE_HANDLING, "marker");
        assertThat(append(marking, delete).holdsCommit()).isTrue();
        MappedRecord.Append marker = append(marking, tombstone);
        assertThat(marker.stream()).isEqualTo("customers-4");
        assertThat(marker.event().getEventType()).isEqualTo("Tombstoned");
        assertThat(data(marker).toString()).isEqualTo("{\"id\":4}");
        assertThat(metadata(marker).get("kafka.offset").asLong()).isEqualTo(20);
        EventMapper deleting = mapper(EventStoreSinkConfig.TOMBSTONE_HANDLING, "delete");
        deleting.map(delete);
        assertThat(deleting.map(tombstone)).isEqualTo(new MappedRecord.DeleteStream("customers-4", false));
        EventMapper tombstoning = mapper(EventStoreSinkConfig.TOMBSTONE_HANDLING, "tombstone");
        tombstoning.map(delete);
        assertThat(tombstoning.map(tombstone)).isEqualTo(new MappedRecord.DeleteStream("customers-4", true));
    }

    /** A table whose name Debezium sanitizes in the topic name: {@code LİNKS} becomes {@code L_NKS}. */
    private static SinkRecord links(Operation op, int id, long offset) {
        Envelopes envelopes = Envelopes.postgres("shop", "public", "L\u0130NKS");
        Map<String, Object> row = new LinkedHashMap<>(Map.of("id", id));
        Object value = op == null ? null
                : envelopes.map(op, op == Operation.CREATE ? null : row, op == Operation.DELETE ? null : row);
        return new SinkRecord("dbserver1.public.L_NKS", 0, null, new LinkedHashMap<>(Map.of("id", id)), null, value,
                offset);
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"marker", "delete", "tombstone"})
    void aTombstoneActsOnTheStreamOfTheDeleteBeforeItNotOneNamedFromTheSanitizedTopic(String handling) {
        EventMapper mapper = mapper(EventStoreSinkConfig.TOMBSTONE_HANDLING, handling);

        assertThat(append(mapper, links(Operation.CREATE, 2, 0)).stream()).isEqualTo("L\u0130NKS-2");
        assertThat(append(mapper, links(Operation.DELETE, 2, 1)).stream()).isEqualTo("L\u0130NKS-2");
        MappedRecord tombstone = mapper.map(links(null, 2, 2));

        String stream = tombstone instanceof MappedRecord.Append a ? a.stream()
                : ((MappedRecord.DeleteStream) tombstone).stream();
        assertThat(stream).isEqualTo("L\u0130NKS-2");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"marker", "delete", "tombstone"})
    void aTombstoneWhoseStreamCannotBeKnownIsABadRecordNotAGuess(String handling) {
        EventMapper mapper = mapper(EventStoreSinkConfig.TOMBSTONE_HANDLING, handling);

        // The first record seen, or one after a delete of another key, or after another record of the same key.
        assertThatThrownBy(() -> mapper.map(links(null, 2, 7))).isInstanceOf(RecordConversionException.class)
                .hasMessage("cannot name the stream of this tombstone: template ${table}-${key} takes ${table} from "
                        + "the change event's source block, which a tombstone does not carry, and the record before "
                        + "it in its partition is not a delete of the same key (a tombstone goes to the stream of the "
                        + "delete event it follows)");
        mapper.map(links(Operation.DELETE, 3, 8));
        assertThatThrownBy(() -> mapper.map(links(null, 2, 9))).isInstanceOf(RecordConversionException.class);
        mapper.map(links(Operation.DELETE, 2, 10));
        mapper.map(links(Operation.CREATE, 2, 11));
        assertThatThrownBy(() -> mapper.map(links(null, 2, 12))).isInstanceOf(RecordConversionException.class);
        // A template that needs nothing of the source block names the stream from the tombstone alone.
        assertThat(mapper(EventStoreSinkConfig.TOMBSTONE_HANDLING, handling,
                EventStoreSinkConfig.STREAM_NAME_TEMPLATE, "links-${key}").map(links(null, 2, 7)).toString())
                .contains("links-2");
    }

    @Test
    void anEnvelopeWithAnUnknownOpIsABadRecordWhileAPlainRecordWithAnOpFieldIsRecorded() throws IOException {
        Map<String, Object> value = Envelopes.postgres("shop", "public", "customers").map(Operation.CREATE, null,
                new LinkedHashMap<>(Map.of("id", 1)));
        value.put("op", "x");
        SinkRecord unknown = new SinkRecord("dbserver1.public.customers", 0, null, Map.of("id", 1), null, value, 4);

        assertThatThrownBy(() -> mapper().map(unknown)).isInstanceOf(RecordConversionException.class)
                .hasMessage("the record is a Debezium change event with op 'x', which this sink does not know "
                        + "(known: c, u, d, r, t, m)");

        Map<String, Object> plain = new LinkedHashMap<>(Map.of("op", "buy", "sku", "X-1"));
        MappedRecord.Append recorded = append(mapper(), new SinkRecord("orders", 0, null, "o-1", null, plain, 5));
        assertThat(recorded.event().getEventType()).isEqualTo("Recorded");
        assertThat(data(recorded).get("op").asText()).isEqualTo("buy");
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

    @ParameterizedTest
    @MethodSource("flavorsAndShapes")
    void keylessChangesAndTruncatesGoToTheTablesStreamByDefault(Envelopes.Flavor flavor, Customers.Shape shape) {
        Customers customers = new Customers(flavor, shape);
        SinkRecord truncate = keyless(customers.change(Operation.TRUNCATE, 1, null, null, 3));
        SinkRecord insert = keyless(customers.create(1, "x", 4));

        MappedRecord.Append truncated = append(mapper(), truncate);
        assertThat(truncated.stream()).isEqualTo("customers");
        assertThat(truncated.event().getEventType()).isEqualTo("Truncated");
        assertThat(append(mapper(), insert).stream()).isEqualTo("customers");
        assertThat(append(mapper(EventStoreSinkConfig.STREAM_NAME_KEYLESS_TEMPLATE, "${database}.${table}-all"),
                insert).stream()).isEqualTo("inventory.customers-all");
        // A template without ${key} names keyless records itself.
        assertThat(append(mapper(EventStoreSinkConfig.STREAM_NAME_TEMPLATE, "${table}-changes"), insert).stream())
                .isEqualTo("customers-changes");
    }

    @Test
    void keylessRecordsAreBadRecordsWhenTheirTemplateIsEmpty() {
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.MAP);

        assertThatThrownBy(() -> mapper(EventStoreSinkConfig.STREAM_NAME_KEYLESS_TEMPLATE, "")
                .map(keyless(customers.change(Operation.TRUNCATE, 1, null, null, 3))))
                .isInstanceOf(RecordConversionException.class).hasMessageContaining("needs ${key}");
    }

    private static SinkRecord keyless(SinkRecord record) {
        return new SinkRecord(record.topic(), record.kafkaPartition(), null, null, record.valueSchema(),
                record.value(), record.kafkaOffset());
    }
}
