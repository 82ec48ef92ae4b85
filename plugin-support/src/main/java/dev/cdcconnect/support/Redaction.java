package dev.cdcconnect.support;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks secrets in what a plugin logs or reports: the password in a URL's user-info, secret query or connection
 * string parameters, and the values of secret client properties. Every plugin uses it wherever a URL, a connection
 * string or a configuration map reaches a log line or an exception message.
 */
public final class Redaction {

    /** What stands in for a masked secret; the same marker Kafka prints for a {@code Password}. */
    public static final String HIDDEN = "[hidden]";

    /**
     * A host list after a user-info's {@code @}: names, IPv4 or bracketed IPv6 addresses, ports, commas between
     * hosts; then the end, or a path, query, fragment or JDBC property list.
     */
    private static final Pattern HOSTS_THEN_REST = Pattern.compile("[A-Za-z0-9._~\\-\\[\\]:,]*([/?#;].*)?", Pattern.DOTALL);

    /** A {@code name=value} parameter of a query ({@code ?a=b&c=d}) or a JDBC property list ({@code ;a=b}). */
    private static final Pattern PARAMETER = Pattern.compile("([?&;])([^=&;?#]+)=([^&;#]*)");

    private static final List<String> SECRET_NAME_PARTS = List.of(
            "password", "passwd", "pwd", "secret", "token", "credential", "jaas", "apikey", "api.key", "api_key",
            "access.key", "access_key", "accesskey", "private.key", "private_key");

    private Redaction() {
    }

    /**
     * Whether a property or parameter of that name holds a secret: passwords, secrets, tokens, credentials,
     * {@code sasl.jaas.config}, access and private keys.
     */
    public static boolean isSecretName(String name) {
        if (name == null) {
            return false;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        return SECRET_NAME_PARTS.stream().anyMatch(lower::contains);
    }

    /**
     * The URL or connection string with the password of its user-info and the values of its secret parameters
     * masked: {@code kurrentdb://admin:Top/Secret@host:2113?tls=false} becomes
     * {@code kurrentdb://admin:[hidden]@host:2113?tls=false}, {@code jdbc:postgresql://h/db?user=u&password=p}
     * becomes {@code jdbc:postgresql://h/db?user=u&password=[hidden]}. The user-info is found by its last
     * {@code @} that a host list follows, so passwords holding {@code / ? @ : %} are masked whole. Text that is not
     * a URL is returned with only its secret parameters masked.
     */
    public static String maskUrl(String url) {
        if (url == null || url.isEmpty()) {
            return url;
        }
        String masked = maskUserInfo(url);
        return maskParameters(masked);
    }

    private static String maskUserInfo(String url) {
        int scheme = url.indexOf("://");
        if (scheme < 0) {
            return url;
        }
        int authority = scheme + 3;
        for (int at = url.lastIndexOf('@'); at >= authority; at = url.lastIndexOf('@', at - 1)) {
            if (HOSTS_THEN_REST.matcher(url.substring(at + 1)).matches()) {
                String userInfo = url.substring(authority, at);
                int colon = userInfo.indexOf(':');
                String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
                if (user.indexOf('/') >= 0 || user.indexOf('?') >= 0) {
                    // No password separator before the path: the whole user-info may be a secret.
                    return url.substring(0, authority) + HIDDEN + url.substring(at);
                }
                return url.substring(0, authority) + user + (colon < 0 ? "" : ":" + HIDDEN) + url.substring(at);
            }
        }
        return url;
    }

    private static String maskParameters(String url) {
        Matcher m = PARAMETER.matcher(url);
        StringBuilder out = new StringBuilder(url.length());
        while (m.find()) {
            String replacement = isSecretName(m.group(2).trim())
                    ? m.group(1) + m.group(2) + "=" + HIDDEN
                    : m.group(0);
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The value as it may be shown for a property of that name: hidden when the name is secret, URLs masked. */
    public static String maskValue(String name, Object value) {
        if (value == null) {
            return null;
        }
        if (isSecretName(name)) {
            return HIDDEN;
        }
        return maskUrl(String.valueOf(value));
    }

    /** A copy of the properties fit for a log line or an error: secret values hidden, URLs masked, order kept. */
    public static Map<String, String> maskProperties(Map<String, ?> properties) {
        Map<String, String> masked = new LinkedHashMap<>();
        properties.forEach((name, value) -> masked.put(name, maskValue(name, value)));
        return masked;
    }

    /**
     * The text with every occurrence of the given secrets (as written, and URL-encoded) replaced by
     * {@link #HIDDEN}: for messages of drivers and clients that may echo what they were given. Secrets shorter than
     * 3 characters are left alone, since masking them would mangle the message without protecting anything.
     */
    public static String scrub(String text, Collection<String> secrets) {
        if (text == null || secrets == null || secrets.isEmpty()) {
            return text;
        }
        List<String> forms = new ArrayList<>();
        for (String secret : secrets) {
            if (secret == null || secret.length() < 3) {
                continue;
            }
            forms.add(secret);
            String encoded = URLEncoder.encode(secret, StandardCharsets.UTF_8);
            if (!encoded.equals(secret)) {
                forms.add(encoded);
                forms.add(encoded.replace("+", "%20"));
            }
        }
        // Longest first, so a secret containing another is masked whole.
        forms.sort((a, b) -> Integer.compare(b.length(), a.length()));
        String result = text;
        for (String form : forms) {
            result = result.replace(form, HIDDEN);
        }
        return maskUrl(result);
    }

    /** The throwable's message, scrubbed of the given secrets; see {@link #scrub(String, Collection)}. */
    public static String message(Throwable error, Collection<String> secrets) {
        Objects.requireNonNull(error, "error");
        String message = error.getMessage() == null ? error.getClass().getName() : error.getMessage();
        return scrub(message, secrets);
    }
}
