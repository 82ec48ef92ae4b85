package dev.cdcconnect.enrich.lookup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RowTest {

    private static Row row(int columns) {
        List<String> names = IntStream.range(0, columns).mapToObj(i -> "c" + i).toList();
        return new Row(RowLayout.schemaless(names), IntStream.range(0, columns).mapToObj(i -> "v" + i).toArray());
    }

    @Test
    void everyValueIsFoundByIndexAndByNameWhateverTheNumberOfColumns() {
        for (int columns : new int[] {0, 1, 4, 5, 9}) {
            Row row = row(columns);
            for (int i = 0; i < columns; i++) {
                assertThat(row.value(i)).isEqualTo("v" + i);
                assertThat(row.value("c" + i)).isEqualTo("v" + i);
            }
            assertThat(row.value("missing")).isNull();
            assertThat(row.valuesBeyondInline()).isEqualTo(Math.max(0, columns - 4));
        }
    }

    @Test
    void anIndexOutsideTheLayoutIsAnError() {
        Row row = row(2);
        assertThatThrownBy(() -> row.value(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> row(6).value(6)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void theValuesMustMatchTheLayout() {
        assertThatThrownBy(() -> new Row(RowLayout.schemaless(List.of("a", "b")), new Object[] {"x"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 2 values, got 1");
    }
}
