package dev.cdcconnect.eventstore.write;

/**
 * Per-task metrics of the EventStoreDB sink, registered in JMX as
 * {@code dev.cdcconnect.eventstore:type=sink-task-metrics,connector=<name>,task=<id>}.
 */
public interface WriterMetricsMXBean {

    /** Events written to streams (idempotent repeats the server recognised included). */
    long getEventsAppended();

    /** Successful appends (one per stream, or one per multi-stream append). */
    long getAppends();

    /** Successful multi-stream appends, a part of {@link #getAppends()}. */
    long getMultiStreamAppends();

    /** Records not written because their stream already held them (exactly-once after a restart). */
    long getRecordsSkipped();

    /**
     * Change events not written because their stream already held that change, from an earlier Kafka record: the
     * source connector delivered it again (exactly-once).
     */
    long getChangesRedelivered();

    /** Records sent to the dead letter queue (or that failed the task when there is none). */
    long getRecordsDeadLettered();

    /** Streams deleted or tombstoned for Kafka tombstones. */
    long getStreamsDeleted();

    /** Reads of a stream's end to learn its revision and last Kafka position. */
    long getStreamRecoveries();

    /** Calls retried after a transient failure. */
    long getRetries();

    /** Wrong-expected-version answers (another writer, or a lost reply). */
    long getWrongExpectedVersions();

    /** Times the EventStoreDB client was replaced after it shut itself down. */
    long getClientRecreations();

    /** Mean time of a successful append, in milliseconds. */
    double getAppendLatencyAvgMs();

    /** Longest successful append since the task started, in milliseconds. */
    double getAppendLatencyMaxMs();

    /** Event bytes received and not yet written. */
    long getBufferedBytes();

    /** Appends and reads in flight now. */
    int getInFlight();
}
