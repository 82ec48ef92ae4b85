package dev.cdcconnect.infer.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JsonTextTest {

    private final JsonText json = new JsonText(3);

    @Test
    void scalarsAreWrittenAsTheSinksWriteThem() {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("big", new BigDecimal(BigInteger.valueOf(-42), -3));
        document.put("small", new BigDecimal("1E-7"));
        document.put("f", 0.1f);
        document.put("d", 2.5);
        document.put("nan", Double.NaN);
        document.put("bytes", ByteBuffer.wrap(new byte[] {1, 2, 3}));
        document.put("at", Date.from(Instant.parse("1969-07-20T20:17:40Z")));
        document.put("none", null);

        // decimals were written as BigDecimal.toString has them: -4.2E+4, 1E-7
        assertThat(json.json(document, "$", 1)).isEqualTo("{\"big\":-42000,\"small\":0.0000001,\"f\":0.1,\"d\":2.5,"
                + "\"nan\":\"NaN\",\"bytes\":\"AQID\",\"at\":\"1969-07-20T20:17:40Z\",\"none\":null}");
        assertThat(json.text(new BigDecimal("1E+3"), "$.price", 1)).isEqualTo("1000");
        assertThat(json.text(Date.from(Instant.parse("2024-02-29T00:00:00Z")), "$.at", 1))
                .isEqualTo("2024-02-29T00:00:00Z");
        assertThat(json.text(List.of(1L, "a"), "$.tags", 1)).isEqualTo("[1,\"a\"]");
    }

    @Test
    void whatNoJsonDocumentHoldsFailsNamingThePath() {
        assertThatThrownBy(() -> json.json(Map.of("id", UUID.randomUUID()), "$", 1))
                .isInstanceOf(InferenceFailure.class).hasMessageContaining("$.id").hasMessageContaining("UUID");
        assertThatThrownBy(() -> json.json(Map.of("a", Map.of("b", Map.of("c", 1L))), "$", 1))
                .isInstanceOf(InferenceFailure.class)
                .hasMessage("field '$.a.b' nests deeper than max.depth=3");
        assertThatThrownBy(() -> json.json(List.of(List.of(List.of(1L))), "$.tags", 1))
                .isInstanceOf(InferenceFailure.class)
                .hasMessage("field '$.tags[][]' nests deeper than max.depth=3");
        assertThatThrownBy(() -> json.json(List.of(Map.of("sku", "A"), Map.of("at", new Object())), "$.items", 1))
                .isInstanceOf(InferenceFailure.class)
                .hasMessage("field '$.items[].at' holds a java.lang.Object, which is not a JSON value");
    }

    @Test
    void aValueThatCannotBeWrittenLeavesTheNextOneUnharmed() {
        assertThatThrownBy(() -> json.json(Map.of("id", UUID.randomUUID()), "$", 1))
                .isInstanceOf(InferenceFailure.class);
        assertThat(json.json(Map.of("id", 7L), "$", 1)).isEqualTo("{\"id\":7}");
        assertThat(json.text(List.of(Map.of("sku", "A\"1")), "$.items", 1)).isEqualTo("[{\"sku\":\"A\\\"1\"}]");
    }

    @Test
    void eachValueIsWrittenWholeAndAloneWhateverItsSizeAndThread() throws Exception {
        List<String> many = java.util.Collections.nCopies(3_000, "abcdefghij");
        String manyText = "[" + String.join(",", java.util.Collections.nCopies(3_000, "\"abcdefghij\"")) + "]";
        assertThat(json.text(List.of(1L, 2L), "$.a", 1)).isEqualTo("[1,2]");
        assertThat(json.text(many, "$.b", 1)).isEqualTo(manyText);
        assertThat(json.text(List.of(true), "$.c", 1)).isEqualTo("[true]");

        java.util.concurrent.atomic.AtomicReference<String> other = new java.util.concurrent.atomic.AtomicReference<>();
        Thread thread = new Thread(() -> other.set(json.text(List.of("x"), "$.d", 1) + json.text(many, "$.e", 1)));
        thread.start();
        thread.join();
        assertThat(other.get()).isEqualTo("[\"x\"]" + manyText);
        assertThat(json.text(Map.of("k", List.of()), "$.f", 1)).isEqualTo("{\"k\":[]}");
    }
}
