package dev.cdcconnect.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.cdcconnect.cassandra.session.Sessions;
import dev.cdcconnect.support.sink.ConfiguredSinkConnector;

/**
 * Writes Debezium change events (and flattened or enriched rows) to Apache Cassandra tables: upserts and
 * deletes by key, each with a write timestamp from the source commit position, so that replays and
 * out-of-order delivery never let an older change win.
 */
public final class CassandraSinkConnector extends ConfiguredSinkConnector<CassandraSinkConfig> {

    public CassandraSinkConnector() {
        super(CassandraSinkConfig.CONFIG_DEF, CassandraSinkTask.class, CassandraSinkConfig::new);
    }

    /** Opens a session with the settings, so wrong credentials, trust store or data center show on their key. */
    @Override
    protected void check(CassandraSinkConfig config) {
        try (CqlSession ignored = Sessions.open(config)) {
            // The session opened: the connection settings work.
        }
    }
}
