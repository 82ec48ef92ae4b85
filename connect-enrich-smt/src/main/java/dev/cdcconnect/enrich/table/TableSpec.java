package dev.cdcconnect.enrich.table;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything that decides what a topic-fed table holds. Transforms whose specs are equal (the tasks of one
 * connector, typically) share one table and one consumer in a worker.
 *
 * @param lookup                 the lookup's name
 * @param topic                  the topic of change events (or rows) to materialise
 * @param consumerConfig         Kafka consumer settings (bootstrap servers, security, ...)
 * @param keyConverter           converter class for record keys
 * @param keyConverterConfig     its settings
 * @param valueConverter         converter class for record values
 * @param valueConverterConfig   its settings
 * @param keep                   columns to keep, empty for all
 * @param maxBytes               bound on the estimated heap of the entries
 * @param skipUnreadable         whether a record the converters or the table cannot read is skipped and reported
 *                               ({@code lookup.<name>.topic.unreadable=skip}) rather than fail the table
 */
public record TableSpec(
        String lookup,
        String topic,
        Map<String, Object> consumerConfig,
        Class<?> keyConverter,
        Map<String, Object> keyConverterConfig,
        Class<?> valueConverter,
        Map<String, Object> valueConverterConfig,
        List<String> keep,
        long maxBytes,
        boolean skipUnreadable) {

    /** How often the topic's partitions are checked for additions. */
    static final Duration PARTITION_REFRESH = Duration.ofSeconds(30);
}
