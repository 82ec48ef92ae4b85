package dev.cdcconnect.cassandra.write;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchChunksTest {

    /** A write: its partition and its size in bytes. */
    private record Write(String partition, int bytes) {
    }

    private static final CassandraWriter.Limits WIDE = new CassandraWriter.Limits(50, 1_000, 1_000, 1_000);

    /** The batches the writer cuts from writes of the given sizes, all to one partition, as lists of sizes. */
    private static List<List<Integer>> batches(List<Integer> sizes, int maxStatements, long maxBytes) {
        List<Write> writes = sizes.stream().map(size -> new Write("p", size)).toList();
        return cut(writes, new CassandraWriter.Limits(maxStatements, maxBytes, 10, 5_120)).stream()
                .map(batch -> batch.stream().map(Write::bytes).toList()).toList();
    }

    private static List<List<Write>> cut(List<Write> writes, CassandraWriter.Limits limits) {
        List<List<Write>> batches = new ArrayList<>();
        int from = 0;
        while (from < writes.size()) {
            int to = CassandraWriter.chunkEnd(writes, from, limits, Write::bytes, Write::partition);
            batches.add(writes.subList(from, to));
            from = to;
        }
        return batches;
    }

    /** The partitions of each batch, a letter per write. */
    private static List<String> partitionsOf(List<List<Write>> batches) {
        return batches.stream().map(batch -> String.join("", batch.stream().map(Write::partition).toList())).toList();
    }

    private static List<Write> writes(String partitions, int bytes) {
        return partitions.chars().mapToObj(c -> new Write(String.valueOf((char) c), bytes)).toList();
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

    @Test
    void aBatchSpansAtMostTheGivenNumberOfPartitions() {
        CassandraWriter.Limits limits = new CassandraWriter.Limits(50, 100_000, 3, 100_000);
        assertThat(partitionsOf(cut(writes("aabcddddefgh", 10), limits))).containsExactly("aabc", "ddddef", "gh");
    }

    @Test
    void aBatchOfOnePartitionIsNotHeldToTheMultiPartitionByteLimit() {
        CassandraWriter.Limits limits = new CassandraWriter.Limits(50, 10_000, 10, 250);
        // Four writes of 100 bytes to one partition pass 250 bytes: they share a batch; the next partition does not
        // join it, and two more partitions of 100 bytes each fit under 250 together.
        assertThat(partitionsOf(cut(writes("aaaabcd", 100), limits))).containsExactly("aaaa", "bc", "d");
    }

    @Test
    void withoutLimitsBelowTheStatementCountOneBatchHoldsEverything() {
        assertThat(partitionsOf(cut(writes("abcdefghij", 10), WIDE))).containsExactly("abcdefghij");
    }
}
