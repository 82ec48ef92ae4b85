package dev.cdcconnect.enrich.jdbc;

import java.time.Duration;
import java.util.List;

/**
 * How a JDBC lookup reaches its database and caches answers.
 *
 * @param lookup            the lookup's name
 * @param url               JDBC URL
 * @param user              user, or null
 * @param password          password, or null
 * @param query             a SELECT with one {@code ?} parameter, bound to the key
 * @param keep              columns to keep, empty for all the query returns
 * @param poolSize          maximum connections in the pool
 * @param connectionTimeout how long to wait for a connection before the source counts as down
 * @param queryTimeout      how long one query may run
 * @param cacheMaxSize      entries the cache holds at most; 0 turns the cache off
 * @param hitTtl            how long a found row is served from the cache
 * @param missTtl           how long "no such row" is served from the cache
 * @param waitBackoff       first pause between queries while waiting for a missing row; doubles up to 1 s
 */
public record JdbcSpec(
        String lookup,
        String url,
        String user,
        String password,
        String query,
        List<String> keep,
        int poolSize,
        Duration connectionTimeout,
        Duration queryTimeout,
        long cacheMaxSize,
        Duration hitTtl,
        Duration missTtl,
        Duration waitBackoff) {

    @Override
    public String toString() {
        return "JdbcSpec{lookup=" + lookup + ", url=" + url + ", user=" + user + ", query=" + query + '}';
    }
}
