package dev.cdcconnect.testkit.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.MariaDbServer;
import dev.cdcconnect.testkit.db.PostgresServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DebeziumSourcesTest {

    @Test
    void postgresSourceReadsTheDatabaseThroughItsOwnSlotAndPublication() {
        Database db = PostgresServer.shared().database("sources_shop");

        Map<String, String> config = DebeziumSources.postgres(db, "shop")
                .slot("shop_slot").publication("shop_pub").tables("public.users", "public.orders").build();

        assertThat(config).containsOnly(
                entry("connector.class", "io.debezium.connector.postgresql.PostgresConnector"),
                entry("tasks.max", "1"),
                entry("database.hostname", db.host()),
                entry("database.port", Integer.toString(db.port())),
                entry("database.user", db.user()),
                entry("database.password", db.password()),
                entry("database.dbname", "sources_shop"),
                entry("topic.prefix", "shop"),
                entry("plugin.name", "pgoutput"),
                entry("slot.name", "shop_slot"),
                entry("publication.name", "shop_pub"),
                entry("table.include.list", "public.users,public.orders"),
                entry("topic.creation.default.replication.factor", "1"),
                entry("topic.creation.default.partitions", "1"));
    }

    @Test
    void mariadbSourceCapturesOnlyItsDatabaseAndKeepsItsSchemaHistoryInKafka() {
        Database db = MariaDbServer.shared().database("mysql");

        Map<String, String> config = DebeziumSources.mariadb(db, "maria", 184054, "localhost:9092").build();

        assertThat(config).containsOnly(
                entry("connector.class", "io.debezium.connector.mariadb.MariaDbConnector"),
                entry("tasks.max", "1"),
                entry("database.hostname", db.host()),
                entry("database.port", Integer.toString(db.port())),
                entry("database.user", db.user()),
                entry("database.password", db.password()),
                entry("database.server.id", "184054"),
                entry("topic.prefix", "maria"),
                entry("database.include.list", "mysql"),
                entry("schema.history.internal.kafka.bootstrap.servers", "localhost:9092"),
                entry("schema.history.internal.kafka.topic", "maria.schema-history"),
                entry("topic.creation.default.replication.factor", "1"),
                entry("topic.creation.default.partitions", "1"));
    }

    @Test
    void withReplacesADefaultAndAddsAnyOtherSetting() {
        Database db = PostgresServer.shared().database("sources_shop");

        Map<String, String> config = DebeziumSources.postgres(db, "shop").slot("shop_slot")
                .with("plugin.name", "decoderbufs")
                .with("tasks.max", "2")
                .with("snapshot.mode", "no_data")
                .build();

        assertThat(config).contains(entry("plugin.name", "decoderbufs"), entry("tasks.max", "2"),
                entry("snapshot.mode", "no_data"), entry("slot.name", "shop_slot"));
    }

    @Test
    void aLaterTablesListReplacesAnEarlierOne() {
        Database db = PostgresServer.shared().database("sources_shop");

        Map<String, String> config = DebeziumSources.postgres(db, "shop").slot("shop_slot")
                .tables("public.users").tables("public.orders").build();

        assertThat(config).containsEntry("table.include.list", "public.orders");
    }

    @Test
    void aPostgresSourceWithoutASlotIsRefused() {
        Database db = PostgresServer.shared().database("sources_shop");

        assertThatThrownBy(() -> DebeziumSources.postgres(db, "shop").publication("shop_pub").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("slot.name");
    }

    @Test
    void anEmptyTablesListIsRefusedRatherThanCapturingEverything() {
        Database db = PostgresServer.shared().database("sources_shop");

        assertThatThrownBy(() -> DebeziumSources.postgres(db, "shop").tables())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("table.include.list");
    }

    @Test
    void builtConfigIsACopyTheBuilderNoLongerChanges() {
        Database db = PostgresServer.shared().database("sources_shop");
        DebeziumSources source = DebeziumSources.postgres(db, "shop").slot("first_slot");

        Map<String, String> first = source.build();
        source.slot("second_slot");

        assertThat(first).containsEntry("slot.name", "first_slot");
        assertThat(source.build()).containsEntry("slot.name", "second_slot");
    }

    @Test
    void connectionPointsAConfigWrittenForAnotherServerAtTheDatabase() {
        Database db = PostgresServer.shared().database("sources_shop");

        assertThat(DebeziumSources.connection(db)).containsOnly(
                entry("database.hostname", db.host()),
                entry("database.port", Integer.toString(db.port())),
                entry("database.user", db.user()),
                entry("database.password", db.password()),
                entry("database.dbname", "sources_shop"));
    }
}
