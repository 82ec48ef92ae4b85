package dev.cdcconnect.cassandra.mapping;

import com.datastax.oss.driver.api.core.CqlIdentifier;

/** A table by keyspace and name, as written in CQL (unquoted names are case-insensitive). */
public record TableRef(CqlIdentifier keyspace, CqlIdentifier table) {

    public static TableRef of(String keyspace, String table) {
        return new TableRef(CqlIdentifier.fromCql(keyspace), CqlIdentifier.fromCql(table));
    }

    @Override
    public String toString() {
        return keyspace.asCql(true) + "." + table.asCql(true);
    }
}
