package dev.cdcconnect.enrich;

import dev.cdcconnect.enrich.jdbc.JdbcLookupSource;
import dev.cdcconnect.enrich.lookup.LookupSource;
import dev.cdcconnect.enrich.table.TopicTableSource;
import dev.cdcconnect.support.KeyOrValueTransformation;
import dev.cdcconnect.support.PluginVersion;
import dev.cdcconnect.support.Redaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enriches each record with rows looked up by key, the stream-table join of ksqlDB done inside Connect: for
 * every configured lookup the key field's value finds a row in a table loaded from a Kafka topic
 * (GlobalKTable semantics) or through a cached JDBC query, and the row's columns are added to the record as a
 * nested struct or prefixed flat fields. Debezium change events are enriched in {@code after} (and
 * {@code before} when configured); other records at their top level. Use {@link Value} for record values and
 * {@link Key} for record keys.
 */
public abstract class Enrich<R extends ConnectRecord<R>> extends KeyOrValueTransformation<R> {

    private static final Logger LOG = LoggerFactory.getLogger(Enrich.class);

    private final Function<LookupSpec, LookupSource> sources;
    private List<Lookup> lookups = List.of();
    private RecordEnricher enricher;

    /** With lookup sources made by the given function (in a worker: {@link #open}, from the configuration alone). */
    private Enrich(Side side, Function<LookupSpec, LookupSource> sources) {
        super(side);
        this.sources = sources;
    }

    @Override
    public void configure(Map<String, ?> props) {
        EnrichConfig config = new EnrichConfig(props);
        List<Lookup> opened = new ArrayList<>();
        try {
            for (LookupSpec spec : config.lookups()) {
                opened.add(new Lookup(spec, sources.apply(spec)));
            }
        } catch (RuntimeException e) {
            opened.forEach(Lookup::close);
            throw e;
        }
        lookups = opened;
        enricher = new RecordEnricher(opened, config.envelopeFields());
        LOG.info("Enrich ({}) configured: {}", getClass().getSimpleName(), opened.stream().map(Enrich::describe)
                .collect(Collectors.joining("; ")));
    }

    private static LookupSource open(LookupSpec spec) {
        if (spec.table() != null) {
            try {
                return TopicTableSource.open(spec.table(), spec.loadTimeout());
            } catch (KafkaException e) {
                // a client's message may quote a setting it could not use (a JAAS configuration, a password)
                List<String> secrets = spec.table().consumerConfig().entrySet().stream()
                        .filter(s -> Redaction.isSecretName(s.getKey()) && s.getValue() != null)
                        .map(s -> s.getValue() instanceof Password p ? p.value() : s.getValue().toString()).toList();
                throw new ConfigException(EnrichConfig.key(spec.name(), EnrichConfig.CONSUMER_PREFIX) + "*", null,
                        "cannot create the consumer of topic " + spec.table().topic() + ": "
                                + Redaction.message(e, secrets)
                                + (e.getCause() == null ? "" : " (" + Redaction.message(e.getCause(), secrets) + ")"));
            }
        }
        return JdbcLookupSource.open(spec.jdbc());
    }

    private static String describe(Lookup lookup) {
        LookupSpec spec = lookup.spec();
        String source = spec.table() != null ? "topic " + spec.table().topic() : "query on " + spec.jdbc().maskedUrl();
        return spec.name() + " by " + spec.keyField() + " from " + source + ", " + spec.output().name().toLowerCase()
                + " output, on miss " + spec.missPolicy().configValue()
                + (spec.missPolicy() == MissPolicy.WAIT ? " (" + spec.waitTimeout().toMillis() + " ms, then "
                + spec.waitFallback().configValue() + ")" : "");
    }

    @Override
    protected R apply(R record, Schema schema, Object value) {
        SchemaAndValue enriched = enricher.apply(record, schema, value);
        return enriched == null ? null : newRecord(record, enriched.schema(), enriched.value());
    }

    @Override
    public ConfigDef config() {
        return EnrichConfig.CONFIG_DEF;
    }

    @Override
    public void close() {
        for (Lookup lookup : lookups) {
            try {
                lookup.close();
            } catch (RuntimeException e) {
                LOG.warn("Closing lookup {} failed", lookup.spec().name(), e);
            }
        }
        lookups = List.of();
    }

    @Override
    public String version() {
        return PluginVersion.of(Enrich.class);
    }

    /** Enriches record keys. */
    public static class Key<R extends ConnectRecord<R>> extends Enrich<R> {

        public Key() {
            this(Enrich::open);
        }

        Key(Function<LookupSpec, LookupSource> sources) {
            super(Side.KEY, sources);
        }
    }

    /** Enriches record values. */
    public static class Value<R extends ConnectRecord<R>> extends Enrich<R> {

        public Value() {
            this(Enrich::open);
        }

        Value(Function<LookupSpec, LookupSource> sources) {
            super(Side.VALUE, sources);
        }
    }
}
