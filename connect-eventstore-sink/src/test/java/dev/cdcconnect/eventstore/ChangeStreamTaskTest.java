package dev.cdcconnect.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cdcconnect.event.Envelopes;
import dev.cdcconnect.event.Operation;
import dev.cdcconnect.standin.eventstore.StoredEvent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Change streams as Debezium sends them, through the task: tombstones of a table whose name Debezium sanitizes in
 * the topic name, with the task restarted between a delete and its tombstone; changes without a key; envelopes
 * with an operation the sink does not know.
 */
class ChangeStreamTaskTest {

    /** Postgres table {@code LİNKS}: Debezium's topic is {@code <prefix>.public.L_NKS}, source.table keeps the name. */
    private static final String TABLE = "L\u0130NKS";
    private static final String TOPIC = "dbserver1.public.L_NKS";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

    @RegisterExtension
    final StandInTasks tasks = new StandInTasks();

    private SinkTaskRunner runner(String... settings) {
        return tasks.runner(settings);
    }

    private static SinkRecord links(Operation op, int id, long offset) {
        Envelopes envelopes = Envelopes.postgres("shop", "public", TABLE).txId(600 + offset)
                .lsn(30_000_000 + 100 * offset);
        Map<String, Object> row = new LinkedHashMap<>(Map.of("id", id, "url", "https://example.com/" + id));
        Object value = op == null ? null
                : envelopes.map(op, op == Operation.CREATE ? null : row, op == Operation.DELETE ? null : row);
        return new SinkRecord(TOPIC, 0, null, new LinkedHashMap<>(Map.of("id", id)), null, value, offset);
    }

    @ParameterizedTest
    @ValueSource(strings = {"marker", "delete", "tombstone"})
    void aTombstoneReachesTheStreamOfItsDeleteAlsoWhenTheTaskRestartsBetweenThem(String handling) {
        SinkTaskRunner first = runner("tombstone.handling", handling).start();
        first.put(links(Operation.CREATE, 1, 0), links(Operation.CREATE, 2, 1), links(Operation.DELETE, 2, 2));
        first.awaitAcknowledged(PARTITION, 1);
        org.awaitility.Awaitility.await().until(() -> tasks.server().events(TABLE + "-2").size() == 2);

        // The delete is written, but the offset stays at it until the record after it is handled.
        first.put(List.of());
        assertThat(first.committable(PARTITION)).hasValue(2);
        first.stop();

        // The worker delivers again from the committed offset: the delete, then its tombstone.
        SinkTaskRunner second = runner("tombstone.handling", handling).start();
        second.put(links(Operation.DELETE, 2, 2), links(null, 2, 3));
        second.awaitAcknowledged(PARTITION, 3);

        assertThat(tasks.server().streams()).noneMatch(stream -> stream.startsWith("L_NKS"));
        switch (handling) {
            case "marker" -> assertThat(tasks.server().events(TABLE + "-2")).extracting(StoredEvent::eventType)
                    .containsExactly("Created", "Deleted", "Tombstoned");
            case "delete" -> assertThat(tasks.server().isSoftDeleted(TABLE + "-2")).isTrue();
            default -> assertThat(tasks.server().isTombstoned(TABLE + "-2")).isTrue();
        }
        assertThat(tasks.server().events(TABLE + "-1")).hasSize(1);
    }

    /**
     * The same on records captured from Debezium's Postgres connector (table {@code LİNKS}, topic
     * {@code eslk.public.L_NKS}): 0 snapshot read of row 1, 1-2 inserts of rows 2 and 3, 3 delete of row 2,
     * 4 its tombstone, 5 update of row 3, 6 insert of row 4.
     */
    @ParameterizedTest
    @ValueSource(strings = {"marker", "delete", "tombstone"})
    void capturedTombstoneReachesTheStreamOfItsDeleteAcrossARestart(String handling) {
        List<SinkRecord> captured = Captured.records("eslk.public.L_NKS");
        TopicPartition partition = new TopicPartition("eslk.public.L_NKS", 0);
        assertThat(captured).hasSize(7);
        assertThat(captured.get(4).value()).isNull();

        SinkTaskRunner first = runner("tombstone.handling", handling).start();
        first.put(captured.subList(0, 4));
        org.awaitility.Awaitility.await().until(() -> tasks.server().events(TABLE + "-2").size() == 2);
        first.awaitAcknowledged(partition, 2);
        first.put(List.of());
        assertThat(first.committable(partition)).hasValue(3);
        first.stop();

        SinkTaskRunner second = runner("tombstone.handling", handling).start();
        second.put(captured.subList(3, 7));
        second.awaitAcknowledged(partition, 6);

        assertThat(tasks.server().streams()).noneMatch(stream -> stream.startsWith("L_NKS"));
        switch (handling) {
            case "marker" -> assertThat(tasks.server().events(TABLE + "-2")).extracting(StoredEvent::eventType)
                    .containsExactly("Created", "Deleted", "Tombstoned");
            case "delete" -> assertThat(tasks.server().isSoftDeleted(TABLE + "-2")).isTrue();
            default -> assertThat(tasks.server().isTombstoned(TABLE + "-2")).isTrue();
        }
        assertThat(tasks.server().events(TABLE + "-3")).extracting(StoredEvent::eventType).containsExactly("Created", "Updated");
        assertThat(tasks.server().events(TABLE + "-4")).hasSize(1);
    }

    /** The same with a template that also takes the database and schema from the source block. */
    @ParameterizedTest
    @ValueSource(strings = {"marker", "delete", "tombstone"})
    void capturedTombstoneReachesTheStreamOfItsDeleteWithDatabaseAndSchemaInTheTemplate(String handling) {
        List<SinkRecord> captured = Captured.records("eslk.public.L_NKS");
        TopicPartition partition = new TopicPartition("eslk.public.L_NKS", 0);
        String template = "${database}_${schema}_${table}-${key}";
        String stream = "es_links_public_" + TABLE + "-";

        SinkTaskRunner first = runner("tombstone.handling", handling, "stream.name.template", template).start();
        first.put(captured.subList(0, 4));
        org.awaitility.Awaitility.await().until(() -> tasks.server().events(stream + "2").size() == 2);
        first.awaitAcknowledged(partition, 2);
        first.stop();

        SinkTaskRunner second = runner("tombstone.handling", handling, "stream.name.template", template).start();
        second.put(captured.subList(3, 7));
        second.awaitAcknowledged(partition, 6);

        switch (handling) {
            case "marker" -> assertThat(tasks.server().events(stream + "2")).extracting(StoredEvent::eventType)
                    .containsExactly("Created", "Deleted", "Tombstoned");
            case "delete" -> assertThat(tasks.server().isSoftDeleted(stream + "2")).isTrue();
            default -> assertThat(tasks.server().isTombstoned(stream + "2")).isTrue();
        }
        assertThat(tasks.server().events(stream + "3")).extracting(StoredEvent::eventType).containsExactly("Created", "Updated");
        assertThat(tasks.server().streams()).allMatch(name -> name.startsWith(stream));
    }

    @Test
    void capturedTombstoneSeenWithoutItsDeleteIsABadRecordNamingIt() {
        List<SinkRecord> captured = Captured.records("eslk.public.L_NKS");
        // A task that starts at the tombstone (an offset committed past the delete) cannot know its stream.
        SinkTaskRunner runner = runner("tombstone.handling", "tombstone").start();

        assertThatThrownBy(() -> runner.put(captured.subList(4, 7))).isInstanceOf(ConnectException.class)
                .hasMessageStartingWith("Cannot write the record at topic eslk.public.L_NKS partition 0 offset 4 to "
                        + "EventStoreDB: cannot name the stream of this tombstone");
        assertThat(tasks.server().streams()).noneMatch(stream -> stream.startsWith("L_NKS"));
    }

    /**
     * Captured from a Postgres table without a primary key ({@code audit_log}, replica identity full), with
     * {@code skipped.operations=none}: snapshot read, insert, update, delete, its keyless tombstone, truncate.
     */
    @ParameterizedTest
    @ValueSource(strings = {"ignore", "marker", "delete", "tombstone"})
    void capturedKeylessChangesAndTruncateGoToTheTablesStream(String handling) {
        List<SinkRecord> captured = Captured.records("eslk.public.audit_log");
        SinkTaskRunner runner = runner("tombstone.handling", handling).start();

        runner.put(captured);
        runner.awaitAcknowledged(new TopicPartition("eslk.public.audit_log", 0), captured.size() - 1);

        assertThat(tasks.server().events("audit_log")).extracting(StoredEvent::eventType)
                .containsExactly("Snapshotted", "Created", "Updated", "Deleted", "Truncated");
        assertThat(tasks.server().isSoftDeleted("audit_log") || tasks.server().isTombstoned("audit_log")).isFalse();
    }

    @Test
    void withTombstonesIgnoredADeleteDoesNotHoldTheOffset() {
        SinkTaskRunner runner = runner().start();
        runner.put(links(Operation.CREATE, 2, 0), links(Operation.DELETE, 2, 1));

        runner.awaitAcknowledged(PARTITION, 1);

        assertThat(runner.committable(PARTITION)).hasValue(2);
    }

    @Test
    void aTombstoneWithoutItsDeleteFailsTheTaskNamingTheRecordAndWhy() {
        SinkTaskRunner runner = runner("tombstone.handling", "marker").start();

        assertThatThrownBy(() -> runner.put(links(null, 2, 3))).isInstanceOf(ConnectException.class)
                .hasMessageStartingWith("Cannot write the record at topic " + TOPIC + " partition 0 offset 3 to "
                        + "EventStoreDB: cannot name the stream of this tombstone: template ${table}-${key} takes "
                        + "${table} from the change event's source block");
        assertThat(tasks.server().streams()).isEmpty();
    }

    @Test
    void aTombstoneWithoutItsDeleteGoesToTheDeadLetterQueue() {
        SinkTaskRunner runner = runner("tombstone.handling", "delete").withDeadLetterQueue().start();

        runner.put(links(null, 2, 3), links(Operation.CREATE, 4, 4));
        runner.awaitAcknowledged(PARTITION, 4);

        assertThat(runner.context().reported()).singleElement().satisfies(d -> {
            assertThat(d.record().kafkaOffset()).isEqualTo(3);
            assertThat(d.error().getMessage()).startsWith("cannot name the stream of this tombstone");
        });
        assertThat(tasks.server().streams()).containsExactly(TABLE + "-4");
    }

    @Test
    void keylessChangesAndTruncatesGoToTheTablesStreamWithTheDefaults() {
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.STRUCT);
        SinkTaskRunner runner = runner().start();
        SinkRecord insert = customers.create(1, "a", 0);
        SinkRecord truncate = customers.change(Operation.TRUNCATE, 1, null, null, 1);

        runner.put(keyless(insert), keyless(truncate), customers.create(2, "b", 2));
        runner.awaitAcknowledged(new TopicPartition(customers.topic(), 0), 2);

        assertThat(tasks.server().events("customers")).extracting(StoredEvent::eventType).containsExactly("Created", "Truncated");
        assertThat(tasks.server().events("customers-2")).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"marker", "delete", "tombstone"})
    void aKeylessDeleteAndATombstoneWithoutKeyLeaveTheTablesStreamInPlace(String handling) {
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.MAP);
        SinkTaskRunner runner = runner("tombstone.handling", handling).start();
        SinkRecord tombstone = customers.tombstone(1, 2);

        runner.put(keyless(customers.create(1, "a", 0)), keyless(customers.delete(1, "a", 1)), keyless(tombstone));
        runner.awaitAcknowledged(new TopicPartition(customers.topic(), 0), 2);

        assertThat(tasks.server().events("customers")).extracting(StoredEvent::eventType).containsExactly("Created", "Deleted");
        assertThat(tasks.server().isSoftDeleted("customers") || tasks.server().isTombstoned("customers")).isFalse();
    }

    @Test
    void keylessChangesCanStillGoToTheDeadLetterQueue() {
        Customers customers = new Customers(Envelopes.Flavor.MARIADB, Customers.Shape.MAP);
        SinkTaskRunner runner = runner("stream.name.keyless.template", "").withDeadLetterQueue().start();

        runner.put(keyless(customers.create(1, "a", 0)), customers.create(2, "b", 1));
        runner.awaitAcknowledged(new TopicPartition(customers.topic(), 0), 1);

        assertThat(runner.context().reported()).singleElement()
                .satisfies(d -> assertThat(d.error().getMessage()).contains("needs ${key}"));
        assertThat(tasks.server().streams()).containsExactly("customers-2");
    }

    @Test
    void anEnvelopeWithAnUnknownOpGoesToTheDeadLetterQueueNotIntoAStream() {
        Customers customers = new Customers(Envelopes.Flavor.POSTGRES, Customers.Shape.MAP);
        SinkRecord created = customers.create(1, "a", 0);
        @SuppressWarnings("unchecked")
        Map<String, Object> value = new LinkedHashMap<>((Map<String, Object>) created.value());
        value.put("op", "x");
        SinkRecord unknown = created.newRecord(created.topic(), 0, created.keySchema(), created.key(), null, value,
                created.timestamp());
        SinkTaskRunner runner = runner().withDeadLetterQueue().start();

        runner.put(unknown, customers.create(2, "b", 1));
        runner.awaitAcknowledged(new TopicPartition(customers.topic(), 0), 1);

        assertThat(runner.context().reported()).singleElement().satisfies(d -> assertThat(d.error().getMessage())
                .isEqualTo("the record is a Debezium change event with op 'x', which this sink does not know "
                        + "(known: c, u, d, r, t, m)"));
        assertThat(tasks.server().streams()).containsExactly("customers-2");
    }

    private static SinkRecord keyless(SinkRecord record) {
        return new SinkRecord(record.topic(), record.kafkaPartition(), null, null, record.valueSchema(),
                record.value(), record.kafkaOffset());
    }
}
