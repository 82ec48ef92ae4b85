package dev.cdcconnect.it.assembly;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;

/**
 * A change event of seed 002's {@code inventory.customers} table shaped as Debezium's MySQL connector emits it,
 * in the worker's format (JsonConverter with schemas).
 */
final class CustomerChange {

    private static final String TOPIC = "dbserver1.inventory.customers";
    private static final Schema KEY = SchemaBuilder.struct().name("dbserver1.inventory.customers.Key")
            .field("id", Schema.INT32_SCHEMA).build();
    private static final Schema ROW = SchemaBuilder.struct().name("dbserver1.inventory.customers.Value").optional()
            .field("id", Schema.INT32_SCHEMA)
            .field("first_name", Schema.STRING_SCHEMA)
            .field("email", Schema.OPTIONAL_STRING_SCHEMA)
            .build();
    private static final Schema SOURCE = SchemaBuilder.struct().name("io.debezium.connector.mysql.Source")
            .field("version", Schema.STRING_SCHEMA)
            .field("connector", Schema.STRING_SCHEMA)
            .field("name", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.INT64_SCHEMA)
            .field("snapshot", Schema.OPTIONAL_STRING_SCHEMA)
            .field("db", Schema.STRING_SCHEMA)
            .field("table", Schema.OPTIONAL_STRING_SCHEMA)
            .field("server_id", Schema.INT64_SCHEMA)
            .field("gtid", Schema.OPTIONAL_STRING_SCHEMA)
            .field("file", Schema.STRING_SCHEMA)
            .field("pos", Schema.INT64_SCHEMA)
            .field("row", Schema.INT32_SCHEMA)
            .build();
    private static final Schema ENVELOPE = SchemaBuilder.struct().name("dbserver1.inventory.customers.Envelope")
            .field("before", ROW)
            .field("after", ROW)
            .field("source", SOURCE)
            .field("op", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA)
            .build();

    private CustomerChange() {
    }

    static String key(int id) {
        return json(true, KEY, new Struct(KEY).put("id", id));
    }

    /** The insert of a row, as streamed from the binlog. */
    static String created(int id, String firstName, String email) {
        long now = System.currentTimeMillis();
        Struct source = new Struct(SOURCE).put("version", "3.5.0.Final").put("connector", "mysql")
                .put("name", "dbserver1").put("ts_ms", now).put("snapshot", "false").put("db", "inventory")
                .put("table", "customers").put("server_id", 1L).put("file", "binlog.000003").put("pos", 4711L)
                .put("row", 0);
        Struct after = new Struct(ROW).put("id", id).put("first_name", firstName).put("email", email);
        return json(false, ENVELOPE, new Struct(ENVELOPE).put("after", after).put("source", source).put("op", "c")
                .put("ts_ms", now));
    }

    private static String json(boolean isKey, Schema schema, Struct value) {
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of("schemas.enable", "true"), isKey);
        return new String(converter.fromConnectData(TOPIC, schema, value), StandardCharsets.UTF_8);
    }
}
