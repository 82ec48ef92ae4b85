package dev.cdcconnect.enrich.jdbc;

import dev.cdcconnect.support.Redaction;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    /** A {@code name=value} parameter of the URL's query or property list. */
    private static final Pattern PARAMETER = Pattern.compile("[?&;]([^=&;?#]+)=([^&;#]*)");

    /** The URL as it may be logged or reported: user-info password and secret parameters masked. */
    public String maskedUrl() {
        return Redaction.maskUrl(url);
    }

    /** The text (a driver's or pool's message) with the password and the URL's secret values masked. */
    public String scrub(String text) {
        return Redaction.scrub(text, secrets());
    }

    private List<String> secrets() {
        List<String> secrets = new ArrayList<>();
        if (password != null) {
            secrets.add(password);
        }
        Matcher m = PARAMETER.matcher(url);
        while (m.find()) {
            if (Redaction.isSecretName(m.group(1).trim())) {
                secrets.add(m.group(2));
                try {
                    secrets.add(URLDecoder.decode(m.group(2), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    // not URL-encoded: the value as written is masked
                }
            }
        }
        return secrets;
    }

    @Override
    public String toString() {
        return "JdbcSpec{lookup=" + lookup + ", url=" + maskedUrl() + ", user=" + user + ", query=" + query + '}';
    }
}
