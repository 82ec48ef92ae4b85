package dev.cdcconnect.enrich;

import dev.cdcconnect.enrich.jdbc.JdbcSpec;
import dev.cdcconnect.enrich.table.TableSpec;
import java.time.Duration;
import java.util.List;

/**
 * One named lookup, as configured: where its key is, where its row comes from, where the result goes, and
 * what a miss does.
 *
 * @param name         the lookup's name
 * @param keyField     dot path of the key field, within {@code after}/{@code before} for change events
 * @param fields       looked-up columns to keep, in output order; empty for all
 * @param output       nested struct or prefixed flat fields
 * @param outputField  the nested field's name
 * @param outputPrefix the flat fields' prefix
 * @param missPolicy   what a miss does
 * @param waitTimeout  the bound on {@link MissPolicy#WAIT}
 * @param waitFallback what a miss does after waiting
 * @param table        the topic-fed table, or null for a JDBC lookup
 * @param loadTimeout  how long the first record waits for the table to load
 * @param jdbc         the JDBC source, or null for a topic-fed table
 */
public record LookupSpec(
        String name,
        String keyField,
        List<String> fields,
        Output output,
        String outputField,
        String outputPrefix,
        MissPolicy missPolicy,
        Duration waitTimeout,
        MissPolicy waitFallback,
        TableSpec table,
        Duration loadTimeout,
        JdbcSpec jdbc) {

    /** Where looked-up columns go in the output record. */
    public enum Output {
        /** One struct (or map) field named after the lookup, null on a miss. */
        NESTED,
        /** One field per column, named prefix + column, for sinks that need flat rows. */
        FLAT
    }

    /** The output field name of a column in flat mode. */
    public String flatName(String column) {
        return outputPrefix + column;
    }
}
