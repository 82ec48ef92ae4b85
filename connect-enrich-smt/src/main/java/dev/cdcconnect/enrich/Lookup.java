package dev.cdcconnect.enrich;

import static dev.cdcconnect.support.KeyOrValueTransformation.coordinates;

import dev.cdcconnect.enrich.lookup.KeyTypeMismatchException;
import dev.cdcconnect.enrich.lookup.LookupKeys;
import dev.cdcconnect.enrich.lookup.LookupSource;
import dev.cdcconnect.enrich.lookup.Row;
import dev.cdcconnect.enrich.lookup.RowLayout;
import dev.cdcconnect.event.Fields;
import dev.cdcconnect.support.StructValues;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One configured lookup at work: finds the row for a record's key and applies the miss policy. */
final class Lookup implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Lookup.class);
    private static final RowLayout NO_COLUMNS = RowLayout.schemaless(List.of());
    /** The result that drops the record. */
    static final Row DROP = new Row(NO_COLUMNS, new Object[0]);

    private final LookupSpec spec;
    private final LookupSource source;
    private final boolean simpleKey;
    private final Map<RowLayout, Schema> nestedSchemas = new IdentityHashMap<>();

    Lookup(LookupSpec spec, LookupSource source) {
        this.spec = spec;
        this.source = source;
        this.simpleKey = spec.keyField().indexOf('.') < 0;
    }

    LookupSpec spec() {
        return spec;
    }

    /** The columns the output has for this lookup now, or null while unknown. */
    RowLayout layout() {
        return source.layout();
    }

    /**
     * The row for the key in {@code row}, null for a miss under the null policy, or {@link #DROP}.
     *
     * @param where "after" or "before" for a change event's row, "" for a plain record, for messages
     */
    Row resolve(Object row, String where, ConnectRecord<?> record) {
        Object raw = simpleKey ? Fields.get(row, spec.keyField()) : Fields.path(row, spec.keyField());
        if (raw == null) {
            return miss(null, where, record, spec.missPolicy() == MissPolicy.WAIT ? spec.waitFallback() : spec.missPolicy());
        }
        Object key;
        try {
            key = LookupKeys.normalise(raw);
        } catch (IllegalArgumentException e) {
            throw new DataException("lookup " + spec.name() + ": the key field " + field(where) + " of the record at "
                    + coordinates(record) + " holds a " + LookupKeys.typeName(raw) + ": " + e.getMessage());
        }
        try {
            Row found = source.find(key);
            if (found != null) {
                return found;
            }
            if (spec.missPolicy() == MissPolicy.WAIT) {
                found = source.await(key, spec.waitTimeout());
                if (found != null) {
                    LOG.debug("Lookup {}: key {} found after waiting", spec.name(), key);
                    return found;
                }
                return miss(key, where, record, spec.waitFallback());
            }
        } catch (KeyTypeMismatchException e) {
            throw new DataException("lookup " + spec.name() + ": the key field " + field(where) + " of the record at "
                    + coordinates(record) + " holds the " + LookupKeys.typeName(raw) + " " + raw + ", but "
                    + e.getMessage(), e);
        }
        return miss(key, where, record, spec.missPolicy());
    }

    private Row miss(Object key, String where, ConnectRecord<?> record, MissPolicy policy) {
        String what = key == null ? "the key field " + field(where) + " is missing or null"
                : "no row for key " + key + " (field " + field(where) + ")";
        switch (policy) {
            case FAIL -> throw new DataException("lookup " + spec.name() + ": " + what + " in the record at "
                    + coordinates(record) + (spec.missPolicy() == MissPolicy.WAIT
                    ? ", after waiting up to " + spec.waitTimeout().toMillis() + " ms" : ""));
            case DROP -> {
                LOG.debug("Lookup {}: {} at {}: record dropped", spec.name(), what, coordinates(record));
                return DROP;
            }
            default -> {
                LOG.trace("Lookup {}: {} at {}", spec.name(), what, coordinates(record));
                return null;
            }
        }
    }

    private String field(String where) {
        return where.isEmpty() ? spec.keyField() : where + "." + spec.keyField();
    }

    /** The schema of the nested lookup struct for rows of this layout: every column optional, since rows may miss. */
    Schema nestedSchema(RowLayout layout) {
        return nestedSchemas.computeIfAbsent(layout, l -> {
            SchemaBuilder builder = SchemaBuilder.struct().optional();
            for (int i = 0; i < l.size(); i++) {
                builder.field(l.name(i), Schemas.optional(l.schema(i)));
            }
            return builder.build();
        });
    }

    /** The nested struct of a row (null for a miss), for a record with a schema. */
    Struct nestedStruct(Schema schema, RowLayout layout, Row row) {
        if (row == null) {
            return null;
        }
        Struct struct = new Struct(schema);
        List<Field> fields = schema.fields();
        for (int i = 0; i < fields.size(); i++) {
            putColumn(struct, fields.get(i), row, layout, i);
        }
        return struct;
    }

    /**
     * Puts the layout's i-th column of a row into the output field made for that column. A row of this very
     * layout holds values of its column schemas, which the field's optional schema takes as they are; a row of an
     * older layout goes through the validating {@code put}, as a column may have changed its type since.
     */
    static void putColumn(Struct out, Field field, Row row, RowLayout layout, int i) {
        if (row.layout() == layout) {
            StructValues.setFitting(out, field, Schemas.conform(row.value(i), field.schema()));
        } else {
            out.put(field, Schemas.conform(row.value(layout.name(i)), field.schema()));
        }
    }

    /** The nested map of a row (null for a miss), for a schemaless record. */
    Map<String, Object> nestedMap(Row row) {
        if (row == null) {
            return null;
        }
        Map<String, Object> map = new LinkedHashMap<>();
        RowLayout layout = row.layout();
        for (int i = 0; i < layout.size(); i++) {
            map.put(layout.name(i), Schemas.toSchemaless(row.value(i)));
        }
        return map;
    }

    /** The columns a schemaless record gets for a miss under the flat output: known columns, else the configured ones. */
    List<String> flatColumnsForMiss() {
        RowLayout layout = source.layout();
        return layout != null ? layout.names() : spec.fields();
    }

    static List<String> names(RowLayout layout) {
        return layout == null ? List.of() : new ArrayList<>(layout.names());
    }

    @Override
    public void close() {
        source.close();
    }
}
