package dev.cdcconnect.enrich;

import java.util.Arrays;
import java.util.Locale;

/** What a lookup does when the key finds no row (or the record has no key). */
public enum MissPolicy {
    /** Left join: the lookup's fields are null. */
    NULL,
    /** The record fails with a {@link org.apache.kafka.connect.errors.DataException}. */
    FAIL,
    /** The record is dropped. */
    DROP,
    /** Waits, bounded, for the row to arrive, then applies the fallback policy. */
    WAIT;

    public String configValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    static String[] configValues(MissPolicy... policies) {
        return Arrays.stream(policies).map(MissPolicy::configValue).toArray(String[]::new);
    }

    static MissPolicy parse(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }
}
