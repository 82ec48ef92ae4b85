package dev.cdcconnect.cassandra.write;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchChunksTest {

    /** The batches the writer cuts from writes of the given sizes, as lists of sizes. */
    private static List<List<Integer>> batches(List<Integer> sizes, int maxStatements, long maxBytes) {
        List<List<Integer>> batches = new ArrayList<>();
        int from = 0;
        while (from < sizes.size()) {
            int to = CassandraWriter.chunkEnd(sizes, from, maxStatements, maxBytes, Integer::longValue);
            batches.add(sizes.subList(from, to));
            from = to;
        }
        return batches;
    }

    @Test
    void smallWritesAreCutAtTheStatementLimit() {
        assertThat(batches(List.of(10, 10, 10, 10, 10), 2, 1_000))
                .containsExactly(List.of(10, 10), List.of(10, 10), List.of(10));
    }

    @Test
    void largeWritesAreCutBeforeTheByteLimitIsPassed() {
        assertThat(batches(List.of(400, 400, 400, 100, 100, 900), 50, 1_000))
                .containsExactly(List.of(400, 400), List.of(400, 100, 100), List.of(900));
    }

    @Test
    void aWriteLargerThanTheByteLimitGoesAlone() {
        assertThat(batches(List.of(100, 5_000, 100), 50, 1_000))
                .containsExactly(List.of(100), List.of(5_000), List.of(100));
    }
}
