package dev.cdcconnect.enrich.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.cdcconnect.enrich.lookup.KeyTypeMismatchException;
import dev.cdcconnect.enrich.lookup.Row;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.PostgresServer;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.RetriableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The JDBC lookup against a real Postgres: queries, cache expiry of hits and misses, waiting, failures. */
class JdbcLookupSourceTest {

    private static final String QUERY = "SELECT name, email, credit, born, joined FROM users WHERE id = ?";
    private static Database db;

    private final AtomicLong nanos = new AtomicLong();
    private final Ticker ticker = nanos::get;
    private JdbcLookupSource source;

    @BeforeAll
    static void database() {
        db = PostgresServer.shared().createDatabase("enrich_jdbc");
        db.execute("CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL, email varchar(200),"
                        + " credit numeric(10,2), born date, joined timestamptz, code text)",
                "INSERT INTO users VALUES (1, 'Ann', 'ann@example.com', 12.50, '1990-04-01', '2024-01-02 03:04:05+00', 'A1')",
                "INSERT INTO users VALUES (2, 'Bob', NULL, NULL, NULL, NULL, 'B2')");
    }

    @AfterEach
    void close() {
        if (source != null) {
            source.close();
        }
    }

    private JdbcSpec spec(String query, long cacheSize, long hitTtlMs, long missTtlMs) {
        return new JdbcSpec("user", db.jdbcUrl(), db.user(), db.password(), query, List.of(), 2,
                Duration.ofSeconds(2), Duration.ofSeconds(5), cacheSize, Duration.ofMillis(hitTtlMs),
                Duration.ofMillis(missTtlMs), Duration.ofMillis(20));
    }

    private void advance(long millis) {
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    @Test
    void findsRowsByKeyWithTypedColumns() {
        source = JdbcLookupSource.open(spec(QUERY, 100, 60_000, 5_000), ticker);

        Row ann = source.find(1L);

        assertThat(ann.layout().names()).containsExactly("name", "email", "credit", "born", "joined");
        assertThat(ann.value("name")).isEqualTo("Ann");
        assertThat(ann.value("credit")).isEqualTo(new BigDecimal("12.50"));
        assertThat(ann.value("born")).isEqualTo(new java.util.Date(java.time.LocalDate.of(1990, 4, 1)
                .toEpochDay() * 86_400_000L));
        assertThat(ann.value("joined")).isEqualTo(java.util.Date.from(java.time.Instant.parse("2024-01-02T03:04:05Z")));
        assertThat(ann.layout().schema(2).name()).isEqualTo(Decimal.LOGICAL_NAME);
        assertThat(ann.layout().schema(3).name()).isEqualTo(Date.LOGICAL_NAME);
        assertThat(ann.layout().schema(4).name()).isEqualTo(Timestamp.LOGICAL_NAME);
        assertThat(ann.layout().schema(0).type()).isEqualTo(Schema.Type.STRING);
        assertThat(ann.layout().schema(0).isOptional()).isTrue();
        Row bob = source.find(2L);
        assertThat(bob.value("email")).isNull();
        assertThat(bob.value("credit")).isNull();
        assertThat(source.find(404L)).isNull();
    }

    @Test
    void theLayoutIsKnownBeforeAnyRowIsFound() {
        source = JdbcLookupSource.open(spec(QUERY, 100, 60_000, 5_000), ticker);

        assertThat(source.layout().names()).containsExactly("name", "email", "credit", "born", "joined");
        assertThat(source.find(1L).layout()).isSameAs(source.layout());
    }

    @Test
    void keptColumnsFollowTheConfiguredOrder() {
        JdbcSpec keep = new JdbcSpec("user", db.jdbcUrl(), db.user(), db.password(), QUERY, List.of("EMAIL", "name"),
                1, Duration.ofSeconds(2), Duration.ofSeconds(5), 10, Duration.ofMinutes(1), Duration.ofSeconds(1),
                Duration.ofMillis(20));
        source = JdbcLookupSource.open(keep, ticker);

        assertThat(source.find(1L).layout().names()).containsExactly("EMAIL", "name");
        assertThat(source.find(1L).value("EMAIL")).isEqualTo("ann@example.com");
    }

    @Test
    void hitsAreServedFromTheCacheUntilTheirTtl() {
        db.execute("INSERT INTO users (id, name) VALUES (10, 'Ten')");
        source = JdbcLookupSource.open(spec(QUERY, 100, 60_000, 5_000), ticker);
        assertThat(source.find(10L).value("name")).isEqualTo("Ten");

        db.execute("UPDATE users SET name = 'Ten renamed' WHERE id = 10");
        advance(59_000);
        assertThat(source.find(10L).value("name")).isEqualTo("Ten");

        advance(2_000);
        assertThat(source.find(10L).value("name")).isEqualTo("Ten renamed");
    }

    @Test
    void missesAreServedFromTheCacheForTheShorterMissTtl() {
        db.execute("DELETE FROM users WHERE id = 11");
        source = JdbcLookupSource.open(spec(QUERY, 100, 60_000, 5_000), ticker);
        assertThat(source.find(11L)).isNull();

        db.execute("INSERT INTO users (id, name) VALUES (11, 'Eleven')");
        advance(4_000);
        assertThat(source.find(11L)).isNull();

        advance(2_000);
        assertThat(source.find(11L).value("name")).isEqualTo("Eleven");
    }

    @Test
    void theCacheHoldsAtMostItsMaximumSize() {
        source = JdbcLookupSource.open(spec(QUERY, 2, 60_000, 60_000), ticker);
        for (long id = 100; id < 120; id++) {
            source.find(id);
        }

        assertThat(source.cachedEntries()).isLessThanOrEqualTo(2);
    }

    @Test
    void aCacheOfSizeZeroQueriesEveryTime() {
        db.execute("INSERT INTO users (id, name) VALUES (12, 'Twelve') ON CONFLICT (id) DO UPDATE SET name = 'Twelve'");
        source = JdbcLookupSource.open(spec(QUERY, 0, 60_000, 5_000), ticker);
        assertThat(source.find(12L).value("name")).isEqualTo("Twelve");

        db.execute("UPDATE users SET name = 'Twelve renamed' WHERE id = 12");

        assertThat(source.find(12L).value("name")).isEqualTo("Twelve renamed");
        assertThat(source.cachedEntries()).isZero();
    }

    @Test
    void awaitQueriesAgainPastACachedMissAndCachesTheHit() {
        db.execute("DELETE FROM users WHERE id = 13");
        source = JdbcLookupSource.open(spec(QUERY, 100, 60_000, 5_000), ticker);
        assertThat(source.find(13L)).isNull();
        db.execute("INSERT INTO users (id, name) VALUES (13, 'Thirteen')");
        assertThat(source.find(13L)).isNull();

        assertThat(source.await(13L, Duration.ofSeconds(5)).value("name")).isEqualTo("Thirteen");
        db.execute("DELETE FROM users WHERE id = 13");
        assertThat(source.find(13L).value("name")).isEqualTo("Thirteen");
    }

    @Test
    void awaitGivesUpAfterItsTimeout() {
        source = JdbcLookupSource.open(spec(QUERY, 100, 60_000, 5_000), ticker);

        long started = System.nanoTime();
        assertThat(source.await(404L, Duration.ofMillis(300))).isNull();
        Duration waited = Duration.ofNanos(System.nanoTime() - started);

        assertThat(waited).isBetween(Duration.ofMillis(300), Duration.ofSeconds(3));
    }

    @Test
    void aKeyTheQueryCannotTakeIsATypeMismatch() {
        source = JdbcLookupSource.open(spec(QUERY, 100, 60_000, 5_000), ticker);

        assertThatThrownBy(() -> source.find("abc"))
                .isInstanceOf(KeyTypeMismatchException.class)
                .hasMessageContaining("cannot take the key abc");
    }

    @Test
    void stringKeysWork() {
        source = JdbcLookupSource.open(spec("SELECT name FROM users WHERE code = ?", 100, 60_000, 5_000), ticker);

        assertThat(source.find("B2").value("name")).isEqualTo("Bob");
    }

    @Test
    void aQueryTheDatabaseRejectsFailsTheConfiguration() {
        assertThatThrownBy(() -> JdbcLookupSource.open(spec("SELECT nme FROM users WHERE id = ?", 10, 1000, 1000)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("lookup.user.jdbc.query")
                .hasMessageContaining("nme");
    }

    @Test
    void anUnreachableDatabaseIsRetriableAndTheSourceStillOpens() {
        JdbcSpec down = new JdbcSpec("user", "jdbc:postgresql://127.0.0.1:1/shop", "postgres", "x", QUERY, List.of(), 1,
                Duration.ofMillis(500), Duration.ofSeconds(1), 10, Duration.ofMinutes(1), Duration.ofSeconds(1),
                Duration.ofMillis(20));
        source = JdbcLookupSource.open(down, ticker);

        assertThatThrownBy(() -> source.find(1L))
                .isInstanceOf(RetriableException.class)
                .hasMessageContaining("the database is not reachable");
        assertThatThrownBy(() -> source.await(1L, Duration.ofMillis(100))).isInstanceOf(RetriableException.class);
    }
}
