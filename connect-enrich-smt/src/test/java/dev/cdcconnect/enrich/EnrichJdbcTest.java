package dev.cdcconnect.enrich;

import static dev.cdcconnect.enrich.Shop.ORDER;
import static dev.cdcconnect.enrich.Shop.ORDERS;
import static dev.cdcconnect.enrich.Shop.order;
import static dev.cdcconnect.enrich.Shop.orderMap;
import static dev.cdcconnect.enrich.Shop.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cdcconnect.event.Operation;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.PostgresServer;
import dev.cdcconnect.testkit.logging.LogCapture;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The transform as configured by a user, with JDBC lookups against a real Postgres. */
class EnrichJdbcTest {

    private static Database db;
    private Enrich.Value<SinkRecord> transform;

    @BeforeAll
    static void database() {
        db = PostgresServer.shared().createDatabase("enrich_transform");
        db.execute("CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL, email text)",
                "CREATE TABLE stores (id integer PRIMARY KEY, name text NOT NULL, city text)",
                "INSERT INTO users VALUES (1, 'Ann', 'ann@example.com'), (2, 'Bob', 'bob@example.com')",
                "INSERT INTO stores VALUES (10, 'Corner', 'Lyon')");
    }

    @AfterEach
    void close() {
        if (transform != null) {
            transform.close();
        }
    }

    private Enrich.Value<SinkRecord> configure(String... overrides) {
        Map<String, String> props = new HashMap<>();
        props.put("lookups", "user,store");
        props.put("lookup.user.source", "jdbc");
        props.put("lookup.user.jdbc.url", db.jdbcUrl());
        props.put("lookup.user.jdbc.user", db.user());
        props.put("lookup.user.jdbc.password", db.password());
        props.put("lookup.user.jdbc.query", "SELECT name, email FROM users WHERE id = ?");
        props.put("lookup.user.key.field", "user_id");
        props.put("lookup.user.output", "flat");
        props.put("lookup.store.source", "jdbc");
        props.put("lookup.store.jdbc.url", db.jdbcUrl());
        props.put("lookup.store.jdbc.user", db.user());
        props.put("lookup.store.jdbc.password", db.password());
        props.put("lookup.store.jdbc.query", "SELECT name, city FROM stores WHERE id = ?");
        props.put("lookup.store.key.field", "store_id");
        props.put("lookup.store.output", "flat");
        for (int i = 0; i < overrides.length; i += 2) {
            props.put(overrides[i], overrides[i + 1]);
        }
        transform = new Enrich.Value<>();
        transform.configure(props);
        return transform;
    }

    @Test
    void changeEventsGetFlatColumnsForAJdbcSink() {
        configure();
        Struct envelope = ORDERS.struct(Operation.CREATE, null, order(1, 1, 10));

        Struct after = ((Struct) transform.apply(record(envelope.schema(), envelope)).value()).getStruct("after");

        assertThat(after.schema().fields()).extracting(f -> f.name())
                .containsExactly("id", "user_id", "store_id", "amount", "user_name", "user_email", "store_name", "store_city");
        assertThat(after.getString("user_name")).isEqualTo("Ann");
        assertThat(after.getString("store_city")).isEqualTo("Lyon");
    }

    @Test
    void schemalessRecordsToo() {
        configure();

        @SuppressWarnings("unchecked")
        Map<String, Object> value = (Map<String, Object>) transform.apply(record(null, orderMap(1, 2L, 10L))).value();

        assertThat(value).containsEntry("user_name", "Bob").containsEntry("store_name", "Corner");
    }

    @Test
    void aMissUnderNullPolicyGivesNullColumnsWithTheSameSchema() {
        configure();

        SinkRecord hit = transform.apply(record(ORDER, order(1, 1, 10)));
        SinkRecord miss = transform.apply(record(ORDER, order(2, 404, 10)));

        assertThat(miss.valueSchema()).isSameAs(hit.valueSchema());
        assertThat(((Struct) miss.value()).get("user_name")).isNull();
    }

    @Test
    void waitFindsAUserInsertedAfterAnEarlierMissWasCached() {
        db.execute("DELETE FROM users WHERE id = 3");
        configure("lookup.user.miss.policy", "wait", "lookup.user.wait.fallback", "fail");
        assertThatThrownBy(() -> transform.apply(record(ORDER, order(1, 3, 10)))).isInstanceOf(DataException.class);
        db.execute("INSERT INTO users VALUES (3, 'Cy', 'cy@example.com')");

        Struct value = (Struct) transform.apply(record(ORDER, order(2, 3, 10))).value();

        assertThat(value.getString("user_name")).isEqualTo("Cy");
    }

    @Test
    void aDatabaseThatIsDownIsRetriable() {
        configure("lookup.user.jdbc.url", "jdbc:postgresql://127.0.0.1:1/shop", "lookup.user.jdbc.connection.timeout.ms",
                "500");

        assertThatThrownBy(() -> transform.apply(record(ORDER, order(1, 1, 10))))
                .isInstanceOf(RetriableException.class)
                .hasMessageContaining("lookup user: the database is not reachable");
    }

    @Test
    void aKeyTheQueryCannotTakeIsADataExceptionNamingTheRecord() {
        configure();

        assertThatThrownBy(() -> transform.apply(record(null, orderMap(1, "one", 10L))))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("key field user_id")
                .hasMessageContaining("topic orders partition 0 offset 17")
                .hasMessageContaining("String one");
    }

    /** A password with every character that ends a naive URL parse. */
    private static final String SECRET = "S3/cr?t@x:%Zq";
    private static final String ENCODED_SECRET = URLEncoder.encode(SECRET, StandardCharsets.UTF_8);

    @Test
    void theLogShowsTheUrlWithoutItsPasswordNorTheJdbcPassword() {
        String url = db.jdbcUrl() + (db.jdbcUrl().contains("?") ? "&" : "?") + "user=" + db.user() + "&password="
                + ENCODED_SECRET;
        try (LogCapture log = LogCapture.start()) {
            configure("lookup.user.jdbc.url", url, "lookup.user.jdbc.password", SECRET);
            transform.apply(record(ORDER, order(1, 1, 10)));
            transform.close();
            transform = null;

            assertThat(log.linesContaining("Lookup user: querying")).singleElement().asString()
                    .contains("password=[hidden]");
            assertThat(log.text()).doesNotContain(SECRET).doesNotContain(ENCODED_SECRET);
        }
    }

    @Test
    void aUrlTheDriverRejectsFailsWithoutEchoingItsPassword() {
        String url = "jdbc:postgresql://localhost:notaport/shop?user=u&password=" + ENCODED_SECRET;
        try (LogCapture log = LogCapture.start()) {
            assertThatThrownBy(() -> configure("lookup.user.jdbc.url", url, "lookup.user.jdbc.password", SECRET))
                    .satisfies(e -> assertThat(fullText(e)).doesNotContain(SECRET).doesNotContain(ENCODED_SECRET)
                            .contains("lookup.user.jdbc.url"));
            assertThat(log.text()).doesNotContain(SECRET).doesNotContain(ENCODED_SECRET);
        }
    }

    /** The messages of the throwable and of its causes, as a stack trace shows them. */
    private static String fullText(Throwable e) {
        java.io.StringWriter out = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(out));
        return out.toString();
    }
}
