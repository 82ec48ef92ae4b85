package dev.cdcconnect.enrich;

import static dev.cdcconnect.enrich.Shop.ORDER;
import static dev.cdcconnect.enrich.Shop.ORDERS;
import static dev.cdcconnect.enrich.Shop.config;
import static dev.cdcconnect.enrich.Shop.order;
import static dev.cdcconnect.enrich.Shop.orderMap;
import static dev.cdcconnect.enrich.Shop.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cdcconnect.event.Operation;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EnrichTest {

    private final Shop shop = new Shop().user(1, "Ann").user(2, "Bob").store(10, "Corner", "Lyon");
    private Enrich<SinkRecord> transform;

    @AfterEach
    void close() {
        if (transform != null) {
            transform.close();
        }
    }

    @Test
    void flatStructGetsANestedStructPerLookup() {
        transform = shop.valueTransform(config());

        SinkRecord out = transform.apply(record(ORDER, order(100, 1, 10)));

        Struct value = (Struct) out.value();
        assertThat(value.getInt64("id")).isEqualTo(100L);
        assertThat(value.getStruct("user").getString("name")).isEqualTo("Ann");
        assertThat(value.getStruct("user").getString("email")).isEqualTo("ann@example.com");
        assertThat(value.getStruct("store").getString("city")).isEqualTo("Lyon");
        assertThat(out.valueSchema().name()).isEqualTo(ORDER.name());
        assertThat(out.valueSchema().field("user").schema().isOptional()).isTrue();
        assertThat(out.valueSchema().field("user").schema().field("name").schema().isOptional()).isTrue();
        assertThat(out.kafkaOffset()).isEqualTo(17);
    }

    @Test
    void schemalessMapGetsANestedMapPerLookup() {
        transform = shop.valueTransform(config());

        SinkRecord out = transform.apply(record(null, orderMap(100, 2L, 10L)));

        @SuppressWarnings("unchecked")
        Map<String, Object> value = (Map<String, Object>) out.value();
        assertThat(value).containsEntry("id", 100L).containsEntry("amount", 9.5);
        assertThat(value.get("user")).isEqualTo(Map.of("id", 2, "name", "Bob", "email", "bob@example.com"));
        assertThat(value.get("store")).isEqualTo(Map.of("id", 10, "name", "Corner", "city", "Lyon"));
        assertThat(out.valueSchema()).isNull();
    }

    @Test
    void flatOutputAddsPrefixedColumnsKeepingOnlyTheConfiguredOnes() {
        transform = shop.valueTransform(config("lookup.user.output", "flat", "lookup.user.fields", "name,email",
                "lookup.store.output", "flat", "lookup.store.fields", "name", "lookup.store.output.prefix", "shop_"));

        SinkRecord out = transform.apply(record(ORDER, order(100, 1, 10)));

        Struct value = (Struct) out.value();
        assertThat(out.valueSchema().fields()).extracting(f -> f.name())
                .containsExactly("id", "user_id", "store_id", "amount", "user_name", "user_email", "shop_name");
        assertThat(value.getString("user_name")).isEqualTo("Ann");
        assertThat(value.getString("shop_name")).isEqualTo("Corner");
    }

    @Test
    void flatOutputOnSchemalessRecords() {
        transform = shop.valueTransform(config("lookup.user.output", "flat", "lookup.user.fields", "name",
                "lookup.store.output", "flat", "lookup.store.fields", "city"));

        @SuppressWarnings("unchecked")
        Map<String, Object> value = (Map<String, Object>) transform.apply(record(null, orderMap(1, 1, 99))).value();

        assertThat(value).containsEntry("user_name", "Ann").containsEntry("store_city", null);
    }

    @Test
    void changeEventsAreEnrichedInAfterAndTheEnvelopeIsKept() {
        transform = shop.valueTransform(config());
        Struct envelope = ORDERS.struct(Operation.UPDATE, order(100, 2, 10), order(100, 1, 10));

        SinkRecord out = transform.apply(record(envelope.schema(), envelope));

        Struct value = (Struct) out.value();
        assertThat(out.valueSchema().name()).isEqualTo(envelope.schema().name());
        assertThat(value.getString("op")).isEqualTo("u");
        assertThat(value.getStruct("source")).isEqualTo(envelope.getStruct("source"));
        assertThat(value.getStruct("after").getStruct("user").getString("name")).isEqualTo("Ann");
        assertThat(value.getStruct("before").schema().field("user")).isNull();
        assertThat(value.getStruct("before").getInt32("user_id")).isEqualTo(2);
    }

    @Test
    void beforeIsEnrichedToWhenAsked() {
        transform = shop.valueTransform(config("envelope.fields", "after,before"));
        Struct envelope = ORDERS.struct(Operation.UPDATE, order(100, 2, 10), order(100, 1, 10));

        Struct value = (Struct) transform.apply(record(envelope.schema(), envelope)).value();

        assertThat(value.getStruct("before").getStruct("user").getString("name")).isEqualTo("Bob");
        assertThat(value.getStruct("after").getStruct("user").getString("name")).isEqualTo("Ann");
        assertThat(value.getStruct("before").schema()).isSameAs(value.getStruct("after").schema());
    }

    @Test
    void deleteEventsWithoutAfterPassWithoutLookups() {
        transform = shop.valueTransform(config("lookup.user.miss.policy", "fail"));
        Struct envelope = ORDERS.struct(Operation.DELETE, order(100, 77, 10), null);

        Struct value = (Struct) transform.apply(record(envelope.schema(), envelope)).value();

        assertThat(value.get("after")).isNull();
        assertThat(value.getStruct("before").getInt32("user_id")).isEqualTo(77);
    }

    @Test
    void schemalessChangeEventsAreEnrichedInAfter() {
        transform = shop.valueTransform(config());
        Map<String, Object> envelope = ORDERS.map(Operation.CREATE, null, orderMap(100, 1, 10));

        @SuppressWarnings("unchecked")
        Map<String, Object> value = (Map<String, Object>) transform.apply(record(null, envelope)).value();

        @SuppressWarnings("unchecked")
        Map<String, Object> after = (Map<String, Object>) value.get("after");
        assertThat(after.get("user")).isEqualTo(Map.of("id", 1, "name", "Ann", "email", "ann@example.com"));
        assertThat(value.get("op")).isEqualTo("c");
        assertThat(value.get("source")).isEqualTo(envelope.get("source"));
    }

    @Test
    void keysAreEnrichedByTheKeyTransform() {
        transform = shop.keyTransform(config("lookups", "user"));
        Schema keySchema = SchemaBuilder.struct().field("user_id", Schema.INT32_SCHEMA).build();
        SinkRecord in = new SinkRecord("orders", 0, keySchema, new Struct(keySchema).put("user_id", 2),
                ORDER, order(1, 2, 10), 5);

        SinkRecord out = transform.apply(in);

        assertThat(((Struct) out.key()).getStruct("user").getString("name")).isEqualTo("Bob");
        assertThat(out.value()).isSameAs(in.value());
        assertThat(out.valueSchema()).isSameAs(ORDER);
    }

    @Test
    void tombstonesPassThrough() {
        transform = shop.valueTransform(config());
        SinkRecord tombstone = record(null, null);

        assertThat(transform.apply(tombstone)).isSameAs(tombstone);
    }

    @Test
    void theSameInputSchemaGivesTheSameOutputSchemaInstance() {
        transform = shop.valueTransform(config());
        Schema equalCopy = SchemaBuilder.struct().name(ORDER.name())
                .field("id", Schema.INT64_SCHEMA).field("user_id", Schema.OPTIONAL_INT32_SCHEMA)
                .field("store_id", Schema.OPTIONAL_INT32_SCHEMA).field("amount", Schema.FLOAT64_SCHEMA).build();

        Schema first = transform.apply(record(ORDER, order(1, 1, 10))).valueSchema();
        Schema second = transform.apply(record(ORDER, order(2, 2, 10))).valueSchema();
        Schema missing = transform.apply(record(ORDER, order(3, 999, 10))).valueSchema();
        Schema fromCopy = transform.apply(record(equalCopy, new Struct(equalCopy).put("id", 4L).put("user_id", 1)
                .put("store_id", 10).put("amount", 1.0))).valueSchema();

        assertThat(second).isSameAs(first);
        assertThat(missing).isSameAs(first);
        assertThat(fromCopy).isSameAs(first);
    }

    @Test
    void theOutputSchemaFollowsTheLookedUpTablesColumns() {
        transform = shop.valueTransform(config("lookups", "user"));
        Schema before = transform.apply(record(ORDER, order(1, 1, 10))).valueSchema();
        Schema wider = SchemaBuilder.struct().name(Shop.USER.name()).field("id", Schema.INT32_SCHEMA)
                .field("name", Schema.STRING_SCHEMA).field("email", Schema.OPTIONAL_STRING_SCHEMA)
                .field("tier", Schema.OPTIONAL_STRING_SCHEMA).build();
        shop.users.append(new Struct(Shop.USER_KEY).put("id", 3), Shop.USERS.struct(Operation.CREATE, null,
                new Struct(wider).put("id", 3).put("name", "Cy").put("tier", "gold")));
        shop.users.deliver();

        SinkRecord older = transform.apply(record(ORDER, order(2, 1, 10)));
        SinkRecord newer = transform.apply(record(ORDER, order(3, 3, 10)));

        assertThat(older.valueSchema()).isNotSameAs(before).isSameAs(newer.valueSchema());
        assertThat(((Struct) older.value()).getStruct("user").getString("name")).isEqualTo("Ann");
        assertThat(((Struct) older.value()).getStruct("user").get("tier")).isNull();
        assertThat(((Struct) newer.value()).getStruct("user").getString("tier")).isEqualTo("gold");
    }

    @Test
    void laterRecordsSeeUpdatedRows() {
        transform = shop.valueTransform(config("lookups", "user"));
        transform.apply(record(ORDER, order(1, 1, 10)));
        shop.users.append(new Struct(Shop.USER_KEY).put("id", 1), Shop.USERS.struct(Operation.UPDATE,
                Shop.userRow(1, "Ann"), Shop.userRow(1, "Anna")));
        shop.users.deliver();

        Struct value = (Struct) transform.apply(record(ORDER, order(2, 1, 10))).value();

        assertThat(value.getStruct("user").getString("name")).isEqualTo("Anna");
    }

    @Test
    void inputsAreNeverChanged() {
        transform = shop.valueTransform(config());
        Struct struct = order(1, 1, 10);
        Map<String, Object> map = orderMap(2, 1, 10);
        Map<String, Object> mapCopy = new LinkedHashMap<>(map);

        transform.apply(record(ORDER, struct));
        transform.apply(record(null, map));

        assertThat(struct).isEqualTo(order(1, 1, 10));
        assertThat(struct.schema()).isSameAs(ORDER);
        assertThat(map).isEqualTo(mapCopy);
    }

    @Test
    void aLookupFieldThatAlreadyExistsIsRefusedByName() {
        transform = shop.valueTransform(config("lookup.user.output", "flat"));

        assertThatThrownBy(() -> transform.apply(record(ORDER, order(1, 1, 10))))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("output field 'user_id' already exists")
                .hasMessageContaining("lookup.user.fields");
    }

    @Test
    void aValueThatIsNeitherStructNorMapIsADataException() {
        transform = shop.valueTransform(config());

        assertThatThrownBy(() -> transform.apply(record(Schema.STRING_SCHEMA, "hello")))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("needs a Struct or a Map")
                .hasMessageContaining("topic orders partition 0 offset 17");
    }

    @Test
    void aKeyFieldOfTheWrongTypeIsADataExceptionNamingTopicPartitionOffsetAndField() {
        transform = shop.valueTransform(config());

        assertThatThrownBy(() -> transform.apply(record(null, orderMap(1, Map.of("id", 1), 10))))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("lookup user")
                .hasMessageContaining("key field user_id")
                .hasMessageContaining("topic orders partition 0 offset 17")
                .hasMessageContaining("holds a Map");
    }

    @Test
    void aKeyOfAnotherKindThanTheTablesIsADataException() {
        transform = shop.valueTransform(config());
        Map<String, Object> envelope = ORDERS.map(Operation.CREATE, null, orderMap(1, "1", 10));

        assertThatThrownBy(() -> transform.apply(record(null, envelope)))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("key field after.user_id")
                .hasMessageContaining("topic orders partition 0 offset 17")
                .hasMessageContaining("keyed by integers, not strings");
    }

    @Test
    void nestedKeyPathsAreFollowed() {
        transform = shop.valueTransform(config("lookups", "user", "lookup.user.key.field", "customer.ref"));
        Map<String, Object> value = new LinkedHashMap<>(Map.of("id", 1, "customer", Map.of("ref", 2)));

        @SuppressWarnings("unchecked")
        Map<String, Object> out = (Map<String, Object>) transform.apply(record(null, value)).value();

        assertThat(out.get("user")).isEqualTo(Map.of("id", 2, "name", "Bob", "email", "bob@example.com"));
    }

    @Test
    void versionIsTheProjectVersion() {
        assertThat(new Enrich.Value<SinkRecord>().version()).isEqualTo(System.getProperty("project.version"))
                .isNotBlank();
        assertThat(new Enrich.Key<SinkRecord>().version()).isEqualTo(System.getProperty("project.version"));
    }
}
