package dev.cdcconnect.infer.schema;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.Date;

/**
 * ISO-8601 text to the {@link Date} values Connect's Timestamp, Date and Time logical types carry. Text without
 * an offset is read as UTC. A cheap look at the characters comes first so that ordinary strings never pay for
 * a parse exception.
 */
final class Iso8601 {

    private static final long MILLIS_PER_DAY = 86_400_000L;

    private Iso8601() {
    }

    /**
     * {@code yyyy-MM-dd} then {@code T} or a space, a time and an optional offset, as a Timestamp's milliseconds;
     * null when the text is not one, or has digits below the millisecond (which a Timestamp would drop).
     */
    static Date parseTimestamp(String text) {
        Instant instant = parseInstant(text);
        return instant == null || instant.getNano() % 1_000_000 != 0 ? null : Date.from(instant);
    }

    /** Like {@link #parseTimestamp} with every digit of the fraction kept; null when the text is not one. */
    static Instant parseInstant(String text) {
        if (!looksLikeDate(text) || text.length() < 16 || (text.charAt(10) != 'T' && text.charAt(10) != 't'
                && text.charAt(10) != ' ')) {
            return null;
        }
        String iso = text.charAt(10) == 'T' ? text : text.substring(0, 10) + 'T' + text.substring(11);
        try {
            TemporalAccessor parsed = DateTimeFormatter.ISO_DATE_TIME.parse(iso);
            LocalDateTime local = LocalDateTime.from(parsed);
            ZoneOffset offset = parsed.isSupported(ChronoField.OFFSET_SECONDS)
                    ? ZoneOffset.ofTotalSeconds(parsed.get(ChronoField.OFFSET_SECONDS))
                    : ZoneOffset.UTC;
            return local.toInstant(offset);
        } catch (DateTimeException e) {
            return null;
        }
    }

    /** {@code yyyy-MM-dd} as midnight UTC; null when the text is not one. */
    static Date parseDate(String text) {
        if (text.length() != 10 || !looksLikeDate(text)) {
            return null;
        }
        try {
            return new Date(LocalDate.parse(text).toEpochDay() * MILLIS_PER_DAY);
        } catch (DateTimeException e) {
            return null;
        }
    }

    /** A date or a date-time; null when the text is neither. */
    static Date parseDateOrTimestamp(String text) {
        Date date = parseDate(text);
        return date != null ? date : parseTimestamp(text);
    }

    /**
     * {@code HH:mm[:ss[.fraction]]} as milliseconds since midnight on 1970-01-01; null when the text is not one, or
     * has digits below the millisecond (which a Time would drop).
     */
    static Date parseTime(String text) {
        if (text.length() < 5 || text.charAt(2) != ':') {
            return null;
        }
        try {
            long nanos = LocalTime.parse(text).toNanoOfDay();
            return nanos % 1_000_000L != 0 ? null : new Date(nanos / 1_000_000L);
        } catch (DateTimeException e) {
            return null;
        }
    }

    static boolean isMidnightUtc(Date date) {
        return Math.floorMod(date.getTime(), MILLIS_PER_DAY) == 0;
    }

    static Date epochDay(long days) {
        return new Date(days * MILLIS_PER_DAY);
    }

    private static boolean looksLikeDate(String s) {
        return s.length() >= 10 && s.charAt(4) == '-' && s.charAt(7) == '-'
                && digit(s, 0) && digit(s, 1) && digit(s, 2) && digit(s, 3)
                && digit(s, 5) && digit(s, 6) && digit(s, 8) && digit(s, 9);
    }

    private static boolean digit(String s, int i) {
        char c = s.charAt(i);
        return c >= '0' && c <= '9';
    }
}
