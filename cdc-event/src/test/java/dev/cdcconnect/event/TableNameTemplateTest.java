package dev.cdcconnect.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class TableNameTemplateTest {

    private static final Pattern NOT_WORD = Pattern.compile("[^A-Za-z0-9_]");

    private static TableNameTemplate parse(String text) {
        return TableNameTemplate.parse(text, NOT_WORD, name -> { });
    }

    private static SourceInfo source(String database, String schema, String table) {
        return SourceInfo.read(Map.of("db", database, "schema", schema, "table", table));
    }

    @Test
    void fillsThePlaceholdersFromTheTopicAndTheSourceBlock() {
        assertThat(parse("${database}_${schema}_${table}_from_${topic}")
                .fill("shop.public.orders", source("shop", "public", "orders")))
                .isEqualTo("shop_public_orders_from_shop_public_orders");
    }

    @Test
    void withoutASourceBlockTheTableIsTheTopicsLastPartAndTheRestIsEmpty() {
        assertThat(parse("[${database}][${schema}]${table}").fill("shop.public.orders", null))
                .isEqualTo("[][]orders");
        assertThat(parse("${table}").fill("orders", null)).isEqualTo("orders");
    }

    @Test
    void replacesTheCharactersTheSinkNamesInValuesOnly() {
        TableNameTemplate template = TableNameTemplate.parse("cdc.${table}", Pattern.compile("[^a-z]"), name -> { });

        assertThat(template.fill("t", source("d", "s", "Order-Lines"))).isEqualTo("cdc._rder__ines");
    }

    @Test
    void knowsWhetherANameNeedsTheChangeEvent() {
        assertThat(parse("all_${topic}").needsSource()).isFalse();
        assertThat(parse("fixed").needsSource()).isFalse();
        assertThat(parse("${topic}_${schema}").needsSource()).isTrue();
    }

    @Test
    void rejectsEmptyTemplatesUnknownPlaceholdersAndNamesTheSinkRefuses() {
        assertThatThrownBy(() -> parse(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("must not be empty; placeholders: ${topic}, ${database}, ${schema}, ${table}");
        assertThatThrownBy(() -> parse("${tabel}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown placeholder ${tabel}; known: ${topic}, ${database}, ${schema}, ${table}");
        assertThatThrownBy(() -> TableNameTemplate.parse("a/${table}", NOT_WORD, name -> {
            if (name.contains("/")) {
                throw new IllegalArgumentException("'" + name + "' holds a '/'");
            }
        })).hasMessage("'a/x' holds a '/'");
    }

    @Test
    void printsAsWritten() {
        assertThat(parse("  ${database}.${table}_changes ")).hasToString("${database}.${table}_changes");
    }
}
