package dev.cdcconnect.enrich.jdbc;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cdcconnect.enrich.lookup.KeyTypeMismatchException;
import dev.cdcconnect.enrich.lookup.LookupSource;
import dev.cdcconnect.enrich.lookup.Row;
import dev.cdcconnect.enrich.lookup.RowLayout;
import dev.cdcconnect.support.Redaction;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.Optional;
import java.util.ServiceLoader;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lookup source that runs a parameterised {@code SELECT} by key over a HikariCP pool, with a Caffeine cache
 * in front: found rows are kept for the hit TTL, "no such row" for the (shorter) miss TTL, at most
 * {@code cacheMaxSize} entries. A database that cannot be reached is a {@link RetriableException}; a key
 * whose type the query's parameter cannot take is a {@link KeyTypeMismatchException}.
 */
public final class JdbcLookupSource implements LookupSource {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcLookupSource.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(1);

    private final JdbcSpec spec;
    private final HikariDataSource pool;
    private final Cache<Object, Optional<Row>> cache;
    private volatile JdbcColumns columns;
    private volatile boolean warnedSeveralRows;

    /** Opens the pool (without failing when the database is down) and checks the query if the database answers. */
    public static JdbcLookupSource open(JdbcSpec spec) {
        return new JdbcLookupSource(spec, Ticker.systemTicker());
    }

    /** As {@link #open(JdbcSpec)}, with the clock the cache expires entries by. */
    public static JdbcLookupSource open(JdbcSpec spec, Ticker ticker) {
        return new JdbcLookupSource(spec, ticker);
    }

    private JdbcLookupSource(JdbcSpec spec, Ticker ticker) {
        this.spec = spec;
        this.cache = spec.cacheMaxSize() == 0 ? null : Caffeine.newBuilder()
                .maximumSize(spec.cacheMaxSize())
                .expireAfter(new TtlByOutcome(spec.hitTtl().toNanos(), spec.missTtl().toNanos()))
                .ticker(ticker)
                .build();
        try {
            this.pool = new HikariDataSource(poolConfig(spec));
        } catch (RuntimeException e) {
            // HikariCP and drivers may echo the URL they were given; the message is scrubbed of its secrets
            throw new ConfigException("lookup." + spec.lookup() + ".jdbc.url", spec.maskedUrl(),
                    "cannot open a connection pool: " + spec.scrub(e.toString()));
        }
        try {
            describeQuery();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        LOG.info("Lookup {}: querying {} over a pool of {} connections, cache of {} entries (hits {} ms, misses {} ms)",
                spec.lookup(), spec.maskedUrl(), spec.poolSize(), spec.cacheMaxSize(), spec.hitTtl().toMillis(),
                spec.missTtl().toMillis());
    }

    private static HikariConfig poolConfig(JdbcSpec spec) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("cdc-enrich-" + spec.lookup());
        config.setJdbcUrl(spec.url());
        if (spec.user() != null) {
            config.setUsername(spec.user());
        }
        if (spec.password() != null) {
            config.setPassword(spec.password());
        }
        // DriverManager only sees drivers of the worker's class loader; find ours in the plugin's
        driverFor(spec.url()).ifPresent(d -> config.setDriverClassName(d.getClass().getName()));
        config.setMaximumPoolSize(spec.poolSize());
        config.setMinimumIdle(Math.min(1, spec.poolSize()));
        config.setConnectionTimeout(spec.connectionTimeout().toMillis());
        config.setValidationTimeout(Math.min(spec.connectionTimeout().toMillis(), 5_000));
        // start even while the database is down: lookups then fail as retriable, and recover with it
        config.setInitializationFailTimeout(-1);
        config.setReadOnly(true);
        config.setAutoCommit(true);
        return config;
    }

    private static Optional<Driver> driverFor(String url) {
        for (Driver driver : ServiceLoader.load(Driver.class, JdbcLookupSource.class.getClassLoader())) {
            try {
                if (driver.acceptsURL(url)) {
                    return Optional.of(driver);
                }
            } catch (SQLException e) {
                // not this driver
            }
        }
        return Optional.empty();
    }

    /** Reads the query's result columns up front, so a bad query fails the configuration, not the first record. */
    private void describeQuery() {
        try (Connection connection = pool.getConnection();
             PreparedStatement statement = connection.prepareStatement(spec.query())) {
            int parameters = statement.getParameterMetaData().getParameterCount();
            if (parameters != 1) {
                throw new ConfigException("lookup." + spec.lookup() + ".jdbc.query", spec.query(),
                        "the query must take exactly one parameter (?), the key; it takes " + parameters);
            }
            ResultSetMetaData meta = statement.getMetaData();
            if (meta != null) {
                columns = JdbcColumns.of(meta, spec.keep());
            }
        } catch (SQLException e) {
            if (retriable(e)) {
                LOG.warn("Lookup {}: database not reachable yet, the query is checked on first use: {}", spec.lookup(),
                        spec.scrub(e.getMessage()));
                return;
            }
            throw new ConfigException("lookup." + spec.lookup() + ".jdbc.query", spec.query(),
                    "the database rejects the query: " + spec.scrub(e.getMessage()));
        }
    }

    @Override
    public Row find(Object key) {
        if (cache == null) {
            return query(key);
        }
        Optional<Row> cached = cache.getIfPresent(key);
        if (cached != null) {
            return cached.orElse(null);
        }
        Row row = query(key);
        cache.put(key, Optional.ofNullable(row));
        return row;
    }

    @Override
    public Row await(Object key, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long backoff = spec.waitBackoff().toNanos();
        while (true) {
            Row row = query(key);
            if (row != null || System.nanoTime() - deadline >= 0) {
                if (cache != null) {
                    cache.put(key, Optional.ofNullable(row));
                }
                return row;
            }
            long pause = Math.min(backoff, deadline - System.nanoTime());
            if (pause > 0) {
                try {
                    Thread.sleep(pause / 1_000_000, (int) (pause % 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RetriableException("lookup " + spec.lookup() + ": interrupted while waiting for a row", e);
                }
            }
            backoff = Math.min(backoff * 2, MAX_BACKOFF.toNanos());
        }
    }

    @Override
    public RowLayout layout() {
        JdbcColumns c = columns;
        if (c == null) {
            try (Connection connection = pool.getConnection();
                 PreparedStatement statement = connection.prepareStatement(spec.query())) {
                ResultSetMetaData meta = statement.getMetaData();
                if (meta != null) {
                    c = JdbcColumns.of(meta, spec.keep());
                    columns = c;
                }
            } catch (SQLException e) {
                throw classify(e, null);
            }
        }
        return c == null ? null : c.layout();
    }

    /** Cached entries, for tests and status. */
    public long cachedEntries() {
        if (cache == null) {
            return 0;
        }
        cache.cleanUp();
        return cache.estimatedSize();
    }

    private Row query(Object key) {
        try (Connection connection = pool.getConnection();
             PreparedStatement statement = connection.prepareStatement(spec.query())) {
            if (!spec.queryTimeout().isZero()) {
                statement.setQueryTimeout((int) Math.max(1, spec.queryTimeout().toSeconds()));
            }
            bind(statement, key);
            try (ResultSet rs = statement.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                JdbcColumns c = columns;
                if (c == null) {
                    c = JdbcColumns.of(rs.getMetaData(), spec.keep());
                    columns = c;
                }
                Row row = new Row(c.layout(), c.read(rs));
                if (rs.next() && !warnedSeveralRows) {
                    warnedSeveralRows = true;
                    LOG.warn("Lookup {}: the query returns several rows for key {}; the first is used", spec.lookup(), key);
                }
                return row;
            }
        } catch (SQLException e) {
            throw classify(e, key);
        }
    }

    private static void bind(PreparedStatement statement, Object key) throws SQLException {
        if (key instanceof Long l) {
            statement.setLong(1, l);
        } else if (key instanceof String s) {
            statement.setString(1, s);
        } else if (key instanceof BigDecimal d) {
            statement.setBigDecimal(1, d);
        } else {
            statement.setObject(1, key);
        }
    }

    private RuntimeException classify(SQLException e, Object key) {
        if (retriable(e)) {
            return new RetriableException("lookup " + spec.lookup() + ": the database is not reachable: "
                    + spec.scrub(e.getMessage()), new ScrubbedSqlException(e, spec));
        }
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        // class 22: data exception (e.g. invalid text for an integer); 42804/42883: datatype mismatch
        if (key != null && (state.startsWith("22") || state.equals("42804") || state.equals("42883"))) {
            return new KeyTypeMismatchException("the " + spec.lookup() + " query cannot take the key "
                    + key + " (" + key.getClass().getSimpleName() + "): " + spec.scrub(e.getMessage()),
                    new ScrubbedSqlException(e, spec));
        }
        return new ConnectException("lookup " + spec.lookup() + ": the query failed: " + spec.scrub(e.getMessage()),
                new ScrubbedSqlException(e, spec));
    }

    private static boolean retriable(SQLException e) {
        if (e instanceof SQLTransientException || e instanceof SQLRecoverableException) {
            return true;
        }
        String state = e.getSQLState();
        // 08: connection exception; 53: insufficient resources; 57: operator intervention (shutdown, cancel);
        // 40: transaction rollback (serialization, deadlock); HY008: timeout (MySQL/MariaDB)
        return state != null && (state.startsWith("08") || state.startsWith("53") || state.startsWith("57")
                || state.startsWith("40") || state.equals("HY008"));
    }

    @Override
    public void close() {
        pool.close();
        if (cache != null) {
            cache.invalidateAll();
        }
    }

    /**
     * A driver's exception as a task's log and /status may show it: its message and its causes' scrubbed of the
     * lookup's secrets, its SQL state and stack kept.
     */
    private static final class ScrubbedSqlException extends SQLException {
        private static final long serialVersionUID = 1L;

        ScrubbedSqlException(SQLException e, JdbcSpec spec) {
            super(e.getClass().getName() + ": " + spec.scrub(e.getMessage()), e.getSQLState(), e.getErrorCode(),
                    e.getCause() == null ? null : new ScrubbedSqlException(e.getCause(), spec));
            setStackTrace(e.getStackTrace());
        }

        private ScrubbedSqlException(Throwable cause, JdbcSpec spec) {
            super(cause.getClass().getName() + ": " + spec.scrub(cause.getMessage()), null, 0,
                    cause.getCause() == null || cause.getCause() == cause ? null
                            : new ScrubbedSqlException(cause.getCause(), spec));
            setStackTrace(cause.getStackTrace());
        }
    }

    /** Hits live for the hit TTL, misses for the miss TTL, from when they were written; reads do not extend them. */
    private record TtlByOutcome(long hitNanos, long missNanos) implements Expiry<Object, Optional<Row>> {
        @Override
        public long expireAfterCreate(Object key, Optional<Row> value, long currentTime) {
            return value.isPresent() ? hitNanos : missNanos;
        }

        @Override
        public long expireAfterUpdate(Object key, Optional<Row> value, long currentTime, long currentDuration) {
            return value.isPresent() ? hitNanos : missNanos;
        }

        @Override
        public long expireAfterRead(Object key, Optional<Row> value, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
