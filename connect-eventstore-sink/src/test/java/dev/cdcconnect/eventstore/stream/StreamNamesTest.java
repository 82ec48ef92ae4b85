package dev.cdcconnect.eventstore.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cdcconnect.event.Envelopes;
import dev.cdcconnect.event.values.JsonValues;
import dev.cdcconnect.eventstore.Customers;
import dev.cdcconnect.eventstore.event.ChangeRecord;
import dev.cdcconnect.eventstore.event.RecordConversionException;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class StreamNamesTest {

    private static final JsonValues JSON = new JsonValues(JsonValues.DecimalFormat.NUMBER);

    private static String name(String template, SinkRecord record) {
        return new StreamNames(StreamNames.parseTemplate(template), JSON).streamFor(ChangeRecord.of(record));
    }

    @ParameterizedTest
    @EnumSource(Envelopes.Flavor.class)
    void defaultTemplateNamesTheStreamAfterTableAndKeyForStructAndMapRecords(Envelopes.Flavor flavor) {
        for (Customers.Shape shape : Customers.Shape.values()) {
            Customers customers = new Customers(flavor, shape);

            assertThat(name("${table}-${key}", customers.create(1, "a@x", 10))).isEqualTo("customers-1");
            assertThat(name("${table}-${key}", customers.delete(42, "a@x", 11))).isEqualTo("customers-42");
        }
    }

    @Test
    void theKeylessTemplateNamesNoKeyAndMayBeEmpty() {
        assertThat(StreamNames.parseKeylessTemplate("")).isNull();
        assertThat(StreamNames.parseKeylessTemplate("${database}.${table}").toString()).isEqualTo("${database}.${table}");
        assertThatThrownBy(() -> StreamNames.parseKeylessTemplate("${table}-${key}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown placeholder ${key}; allowed: ${database}, ${schema}, ${table}, ${topic}");
        assertThatThrownBy(() -> StreamNames.parseKeylessTemplate("$all")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not start with '$'");
    }

    @Test
    void sourcePlaceholdersComeFromTheSourceBlock() {
        Customers postgres = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.STRUCT);
        Customers mysql = new Customers(Envelopes.Flavor.MYSQL, Customers.Shape.MAP);

        assertThat(name("${database}.${schema}.${table}-${key.id}", postgres.create(7, "x", 0)))
                .isEqualTo("inventory.public.customers-7");
        assertThat(name("${database}_${table}-${key}", mysql.create(7, "x", 0))).isEqualTo("inventory_customers-7");
        assertThat(name("${topic}-${key}", mysql.create(7, "x", 0))).isEqualTo("dbserver1.inventory.customers-7");
    }

    @Test
    void compositeKeysJoinInFieldNameOrderWithOrWithoutSchema() {
        Schema keySchema = SchemaBuilder.struct().field("tenant", Schema.STRING_SCHEMA)
                .field("id", Schema.INT64_SCHEMA).build();
        Struct structKey = new Struct(keySchema).put("tenant", "acme").put("id", 5L);
        Map<String, Object> mapKey = new HashMap<>();
        mapKey.put("tenant", "acme");
        mapKey.put("id", 5L);

        SinkRecord withSchema = new SinkRecord("shop.orders", 0, keySchema, structKey, null, Map.of("x", 1), 0);
        SinkRecord withoutSchema = new SinkRecord("shop.orders", 0, null, mapKey, null, Map.of("x", 1), 0);

        assertThat(name("${table}-${key}", withSchema)).isEqualTo("orders-5-acme");
        assertThat(name("${table}-${key}", withoutSchema)).isEqualTo("orders-5-acme");
        assertThat(name("${table}-${key.tenant}-${key.id}", withSchema)).isEqualTo("orders-acme-5");
    }

    @Test
    void keysOfLogicalTypesUseTheirJsonForm() {
        Schema keySchema = SchemaBuilder.struct().field("amount", Decimal.schema(2)).build();
        Struct key = new Struct(keySchema).put("amount", new BigDecimal("12.50"));

        assertThat(name("prices-${key}", new SinkRecord("t", 0, keySchema, key, null, Map.of(), 0)))
                .isEqualTo("prices-12.50");
    }

    @Test
    void plainStringKeyIsUsedAsItIs() {
        SinkRecord record = new SinkRecord("orders", 0, Schema.STRING_SCHEMA, "A-17", null, Map.of("total", 3), 0);

        assertThat(name("${table}-${key}", record)).isEqualTo("orders-A-17");
    }

    @Test
    void templateWithoutPlaceholdersIsAFixedStream() {
        Customers customers = new Customers(Envelopes.Flavor.MYSQL, Customers.Shape.STRUCT);

        assertThat(StreamNames.parseTemplate("all-customers").isFixed()).isTrue();
        assertThat(name("all-customers", customers.create(1, "a", 0))).isEqualTo("all-customers");
        assertThat(name("all-customers", customers.create(2, "b", 1))).isEqualTo("all-customers");
    }

    @Test
    void dashesInTheCategoryPartAreEscapedSoTheCategoryProjectionKeepsTheTable() {
        SinkRecord record = new SinkRecord("shop.order-lines", 0, Schema.STRING_SCHEMA, "2024-01-x", null,
                Map.of("a", 1), 0);

        String stream = name("${table}-${key}", record);

        assertThat(stream).isEqualTo("order%2Dlines-2024-01-x");
        assertThat(stream.substring(0, stream.indexOf('-'))).isEqualTo("order%2Dlines");
    }

    @Test
    void percentAndControlCharactersAreEscapedEverywhere() {
        SinkRecord record = new SinkRecord("t", 0, Schema.STRING_SCHEMA, "50%\noff", null, Map.of("a", 1), 0);

        assertThat(name("${table}-${key}", record)).isEqualTo("t-50%25%0Aoff");
    }

    @Test
    void aNameNeverStartsWithDollar() {
        SinkRecord record = new SinkRecord("t", 0, Schema.STRING_SCHEMA, "$all", null, Map.of("a", 1), 0);

        assertThat(name("${key}", record)).isEqualTo("%24all");
        assertThatThrownBy(() -> StreamNames.parseTemplate("$ce-${table}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not start with '$'");
    }

    @Test
    void missingKeyIsAConversionFailureSayingWhatIsMissing() {
        SinkRecord record = new SinkRecord("dbserver1.public.customers", 0, null, null, null, Map.of("a", 1), 0);

        assertThatThrownBy(() -> name("${table}-${key}", record))
                .isInstanceOf(RecordConversionException.class)
                .hasMessage("cannot name the stream: the template needs ${key} but the record has no key");
        assertThatThrownBy(() -> name("${table}-${key.tenant}",
                new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.MAP).create(1, "a", 0)))
                .isInstanceOf(RecordConversionException.class)
                .hasMessageContaining("the record key has no field 'tenant'");
    }

    @Test
    void tombstoneTakesTheTableFromTheTopicButHasNoDatabase() {
        Customers customers = new Customers(Envelopes.Flavor.MYSQL, Customers.Shape.STRUCT);

        assertThat(name("${table}-${key}", customers.tombstone(9, 3))).isEqualTo("customers-9");
        assertThatThrownBy(() -> name("${database}-${key}", customers.tombstone(9, 3)))
                .isInstanceOf(RecordConversionException.class)
                .hasMessageContaining("${database}").hasMessageContaining("a tombstone without a source database");
    }

    @Test
    void unknownOrMalformedPlaceholdersAreRejectedWithTheAllowedOnes() {
        assertThatThrownBy(() -> StreamNames.parseTemplate("${tabel}-${key}"))
                .hasMessage("unknown placeholder ${tabel}; allowed: ${database}, ${key.<field>}, ${key}, ${schema}, "
                        + "${table}, ${topic}");
        assertThatThrownBy(() -> StreamNames.parseTemplate("${table-${key}"))
                .hasMessageContaining("unknown placeholder ${table-${key}");
        assertThatThrownBy(() -> StreamNames.parseTemplate("${table}-${key"))
                .hasMessageContaining("is not closed");
        assertThatThrownBy(() -> StreamNames.parseTemplate("")).hasMessageContaining("must not be empty");
    }
}
