package dev.cdcconnect.enrich.table;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cdcconnect.enrich.lookup.Row;
import dev.cdcconnect.enrich.lookup.RowLayout;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LongKeyRowsTest {

    private static final RowLayout LAYOUT = RowLayout.schemaless(List.of("key", "version"));

    private static Row row(long key, int version) {
        return new Row(LAYOUT, new Object[] {key, version});
    }

    private final LongKeyRows rows = new LongKeyRows();

    @Test
    void putGetRemoveAndPutAgain() {
        assertThat(rows.put(0, row(0, 1))).isNull();
        assertThat(rows.put(-5, row(-5, 1))).isNull();
        assertThat(rows.put(Long.MAX_VALUE, row(Long.MAX_VALUE, 1))).isNull();
        assertThat(rows.put(0, row(0, 2)).value("version")).isEqualTo(1);

        assertThat(rows.get(0).value("version")).isEqualTo(2);
        assertThat(rows.get(-5).value("key")).isEqualTo(-5L);
        assertThat(rows.get(7)).isNull();
        assertThat(rows.size()).isEqualTo(3);

        assertThat(rows.remove(-5).value("key")).isEqualTo(-5L);
        assertThat(rows.remove(-5)).isNull();
        assertThat(rows.get(-5)).isNull();
        assertThat(rows.size()).isEqualTo(2);
        assertThat(rows.put(-5, row(-5, 3))).isNull();
        assertThat(rows.get(-5).value("version")).isEqualTo(3);
        assertThat(rows.size()).isEqualTo(3);
    }

    @Test
    void agreesWithAHashMapOverManyRandomChanges() {
        Map<Long, Row> expected = new HashMap<>();
        Random random = new Random(3);
        for (int i = 0; i < 200_000; i++) {
            long key = random.nextInt(20_000) - 10_000;
            if (random.nextInt(4) == 0) {
                assertThat(rows.remove(key)).isSameAs(expected.remove(key));
            } else {
                Row row = row(key, i);
                assertThat(rows.put(key, row)).isSameAs(expected.put(key, row));
            }
        }
        assertThat(rows.size()).isEqualTo(expected.size());
        for (long key = -10_000; key < 10_000; key++) {
            assertThat(rows.get(key)).isSameAs(expected.get(key));
        }
        assertThat(rows.arrayBytes()).isLessThan(12L * 4 * expected.size() + 1_000);
    }

    @Test
    void readersNeverSeeAnotherKeysRowWhileOneThreadWrites() throws Exception {
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicReference<String> wrong = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            Random random = new Random(5);
            while (writing.get()) {
                long key = random.nextInt(50_000);
                Row row = rows.get(key);
                if (row != null && !row.value("key").equals(key)) {
                    wrong.set("asked " + key + ", got " + row);
                }
            }
        });
        reader.start();
        Random random = new Random(7);
        for (int i = 0; i < 300_000; i++) {
            long key = random.nextInt(50_000);
            if (i % 5 == 0) {
                rows.remove(key);
            } else {
                rows.put(key, row(key, i));
            }
        }
        writing.set(false);
        reader.join();

        assertThat(wrong.get()).isNull();
    }

    @Test
    void clearEmpties() {
        rows.put(1, row(1, 1));
        rows.clear();

        assertThat(rows.get(1)).isNull();
        assertThat(rows.size()).isZero();
    }
}
