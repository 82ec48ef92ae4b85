package dev.cdcconnect.enrich.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cdcconnect.enrich.lookup.KeyTypeMismatchException;
import dev.cdcconnect.enrich.lookup.Row;
import dev.cdcconnect.event.Envelopes;
import dev.cdcconnect.event.Operation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

class TopicTableTest {

    static final Schema USER = SchemaBuilder.struct().name("dbserver1.public.users.Value")
            .field("id", Schema.INT32_SCHEMA)
            .field("name", Schema.STRING_SCHEMA)
            .field("email", Schema.OPTIONAL_STRING_SCHEMA)
            .build();
    static final Schema USER_KEY = SchemaBuilder.struct().name("dbserver1.public.users.Key")
            .field("id", Schema.INT32_SCHEMA).build();
    static final Envelopes USERS = Envelopes.postgres("shop", "public", "users");

    static Struct user(int id, String name) {
        return new Struct(USER).put("id", id).put("name", name).put("email", name.toLowerCase() + "@example.com");
    }

    static Struct key(int id) {
        return new Struct(USER_KEY).put("id", id);
    }

    private final TopicTable table = new TopicTable("user", "users", List.of(), Long.MAX_VALUE);

    @Test
    void snapshotReadsCreatesAndUpdatesUpsert() {
        table.apply(key(1), USERS.struct(Operation.READ, null, user(1, "Ann")), null);
        table.apply(key(2), USERS.struct(Operation.CREATE, null, user(2, "Bob")), null);
        table.apply(key(1), USERS.struct(Operation.UPDATE, user(1, "Ann"), user(1, "Annie")), null);

        assertThat(table.size()).isEqualTo(2);
        assertThat(table.get(1L).value("name")).isEqualTo("Annie");
        assertThat(table.get(2L).value("email")).isEqualTo("bob@example.com");
        assertThat(table.layout().names()).containsExactly("id", "name", "email");
    }

    @Test
    void deletesAndTombstonesRemove() {
        table.apply(key(1), USERS.struct(Operation.CREATE, null, user(1, "Ann")), null);
        table.apply(key(2), USERS.struct(Operation.CREATE, null, user(2, "Bob")), null);

        table.apply(key(1), USERS.struct(Operation.DELETE, user(1, "Ann"), null), null);
        assertThat(table.get(1L)).isNull();
        table.apply(key(2), null, null);
        assertThat(table.get(2L)).isNull();
        assertThat(table.size()).isZero();
    }

    @Test
    void truncateEmptiesTheTable() {
        table.apply(key(1), USERS.struct(Operation.CREATE, null, user(1, "Ann")), null);
        Struct truncate = new Struct(USERS.envelopeSchema(USER)).put("op", "t")
                .put("source", USERS.struct(Operation.CREATE, null, user(9, "X")).get("source"));

        table.apply(null, truncate, null);

        assertThat(table.size()).isZero();
        assertThat(table.estimatedBytes()).isEqualTo(new TopicTable("user", "users", List.of(), 1).estimatedBytes());
    }

    @Test
    void schemalessEnvelopesAndKeysWork() {
        Map<String, Object> row = new LinkedHashMap<>(Map.of("id", 7L, "name", "Eve"));
        table.apply(Map.of("id", 7L), USERS.map(Operation.CREATE, null, row), null);

        assertThat(table.get(7L).value("name")).isEqualTo("Eve");
        assertThat(table.layout().hasSchemas()).isFalse();
        table.apply(Map.of("id", 7L), USERS.map(Operation.DELETE, row, null), null);
        assertThat(table.get(7L)).isNull();
    }

    @Test
    void flattenedRowsUpsertAndDeleteWithoutTheirMetadataColumns() {
        Schema flat = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA).field("name", Schema.STRING_SCHEMA)
                .field("__op", Schema.STRING_SCHEMA).field("__deleted", Schema.STRING_SCHEMA).build();
        table.apply(key(3), new Struct(flat).put("id", 3).put("name", "Cy").put("__op", "c").put("__deleted", "false"), null);

        assertThat(table.get(3L).layout().names()).containsExactly("id", "name");
        table.apply(key(3), new Struct(flat).put("id", 3).put("name", "Cy").put("__op", "d").put("__deleted", "true"), null);
        assertThat(table.get(3L)).isNull();
    }

    @Test
    void plainRowsUpsertAndPrimitiveKeysWork() {
        table.apply("u-1", Map.of("name", "Dee"), null);

        assertThat(table.get("u-1").value("name")).isEqualTo("Dee");
    }

    @Test
    void keepsOnlyTheConfiguredColumnsInTheirOrder() {
        TopicTable narrow = new TopicTable("user", "users", List.of("email", "name"), Long.MAX_VALUE);

        narrow.apply(key(1), USERS.struct(Operation.CREATE, null, user(1, "Ann")), null);

        Row row = narrow.get(1L);
        assertThat(row.layout().names()).containsExactly("email", "name");
        assertThat(row.value(0)).isEqualTo("ann@example.com");
    }

    @Test
    void rowsOfTheSameShapeShareOneLayoutEvenAcrossEqualSchemaInstances() {
        Schema copy = SchemaBuilder.struct().name(USER.name()).field("id", Schema.INT32_SCHEMA)
                .field("name", Schema.STRING_SCHEMA).field("email", Schema.OPTIONAL_STRING_SCHEMA).build();
        table.apply(key(1), USERS.struct(Operation.CREATE, null, user(1, "Ann")), null);
        table.apply(key(2), USERS.struct(Operation.CREATE, null, new Struct(copy).put("id", 2).put("name", "Bo")), null);

        assertThat(table.get(1L).layout()).isSameAs(table.get(2L).layout());
    }

    @Test
    void aKeyOfAnotherKindIsAMismatchNotAMiss() {
        table.apply(key(1), USERS.struct(Operation.CREATE, null, user(1, "Ann")), null);

        assertThat(table.get(2L)).isNull();
        assertThatThrownBy(() -> table.get("1"))
                .isInstanceOf(KeyTypeMismatchException.class)
                .hasMessageContaining("keyed by integers, not strings");
    }

    @Test
    void keysOfSeveralFieldsFailTheTable() {
        Schema composite = SchemaBuilder.struct().field("a", Schema.INT32_SCHEMA).field("b", Schema.INT32_SCHEMA).build();

        assertThatThrownBy(() -> table.apply(new Struct(composite).put("a", 1).put("b", 2),
                USERS.struct(Operation.CREATE, null, user(1, "Ann")), null))
                .isInstanceOf(TableException.class)
                .hasMessageContaining("keys of several fields [a, b]");
    }

    @Test
    void estimatedBytesFollowUpsertsAndDeletes() {
        long empty = table.estimatedBytes();
        table.apply(key(1), USERS.struct(Operation.CREATE, null, user(1, "Ann")), null);
        long one = table.estimatedBytes();
        table.apply(key(2), USERS.struct(Operation.CREATE, null, user(2, "Bob")), null);
        long two = table.estimatedBytes();
        table.apply(key(2), USERS.struct(Operation.UPDATE, null, user(2, "Bobby-with-a-much-longer-name")), null);
        long longer = table.estimatedBytes();
        table.apply(key(2), null, null);

        assertThat(one - empty).isBetween(150L, 300L);
        assertThat(two - one).isEqualTo(one - empty);
        assertThat(longer).isGreaterThan(two);
        assertThat(table.estimatedBytes()).isEqualTo(one);
    }

    @Test
    void stringKeysAreCountedWithTheirEntries() {
        table.apply("a", Map.of("name", "Ann"), null);
        long one = table.estimatedBytes();
        table.apply("b", Map.of("name", "Bob"), null);

        assertThat(table.estimatedBytes() - one).isGreaterThan(RowSizes.ENTRY_OVERHEAD);
        assertThat(table.get("b").value("name")).isEqualTo("Bob");
    }

    @Test
    void outgrowingTheBoundFailsTheTableAndSaysWhatToChange() {
        TopicTable small = new TopicTable("user", "users", List.of(), 1_000);

        assertThatThrownBy(() -> {
            for (int i = 0; i < 100; i++) {
                small.apply(key(i), USERS.struct(Operation.CREATE, null, user(i, "User " + i)), null);
            }
        }).isInstanceOf(TableException.class)
                .hasMessageContaining("over its bound of 1,000 bytes")
                .hasMessageContaining("lookup.user.table.max.bytes");
    }

    @Test
    void aKeyThatCannotBeLookedUpIsOneUnreadableRecordNotABrokenTable() {
        table.apply(key(1), USERS.struct(Operation.CREATE, null, user(1, "Ann")), null);

        assertThatThrownBy(() -> table.apply(2.5d, Map.of("name", "Half"), null))
                .isInstanceOf(org.apache.kafka.connect.errors.DataException.class)
                .isNotInstanceOf(TableException.class)
                .hasMessageContaining("cannot be looked up");
        table.apply(key(2), USERS.struct(Operation.CREATE, null, user(2, "Bob")), null);
        assertThat(table.get(2L).value("name")).isEqualTo("Bob");
    }
}
