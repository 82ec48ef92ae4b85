package dev.cdcconnect.enrich;

import static dev.cdcconnect.support.KeyOrValueTransformation.coordinates;

import dev.cdcconnect.enrich.lookup.Row;
import dev.cdcconnect.enrich.lookup.RowLayout;
import dev.cdcconnect.event.ChangeEvent;
import dev.cdcconnect.support.StructValues;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;

/**
 * Builds the enriched value of a record: a new Struct (with a cached output schema) or a new Map, holding the
 * input's fields followed by each lookup's fields. For Debezium change events the configured row states
 * ({@code after}, {@code before}) are enriched and the envelope around them is kept. Inputs are never changed.
 */
final class RecordEnricher {

    private static final String AFTER = "after";

    private final Lookup[] lookups;
    private final String[] envelopeFields;
    private final OutputSchemas<Schema> rowSchemas = new OutputSchemas<>();
    private final OutputSchemas<EnvelopePlan> envelopePlans = new OutputSchemas<>();

    /**
     * How to build an enriched envelope: its schema, and for each field the input and output {@link Field}
     * and which enriched row state it holds (-1 for fields copied as they are).
     */
    private record EnvelopePlan(Schema schema, Field[] inputFields, Field[] outputFields, int[] rowIndex) {
    }

    RecordEnricher(List<Lookup> lookups, List<String> envelopeFields) {
        this.lookups = lookups.toArray(Lookup[]::new);
        // after first: its misses decide a drop before any work on before
        this.envelopeFields = envelopeFields.stream().sorted((a, b) -> a.equals(AFTER) ? -1 : b.equals(AFTER) ? 1 : 0)
                .toArray(String[]::new);
    }

    /** The enriched schema and value, or null when a lookup's miss policy drops the record. */
    SchemaAndValue apply(ConnectRecord<?> record, Schema schema, Object value) {
        if (value instanceof Struct struct) {
            return ChangeEvent.isEnvelope(struct) ? envelope(record, struct) : flat(record, struct);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> enriched = ChangeEvent.isEnvelope(map) ? envelope(record, map) : flat(record, map, "");
            return enriched == null ? null : new SchemaAndValue(null, enriched);
        }
        throw new DataException("Enrich needs a Struct or a Map, but the record at " + coordinates(record)
                + " holds a " + value.getClass().getName());
    }

    private SchemaAndValue flat(ConnectRecord<?> record, Struct row) {
        Row[] results = resolve(record, row, "");
        if (results == null) {
            return null;
        }
        RowLayout[] layouts = layouts(results);
        Schema schema = rowSchema(row.schema(), layouts);
        return new SchemaAndValue(schema, enrichedStruct(row, schema, layouts, results));
    }

    private SchemaAndValue envelope(ConnectRecord<?> record, Struct envelope) {
        Schema envelopeSchema = envelope.schema();
        Row[][] results = new Row[envelopeFields.length][];
        for (int i = 0; i < envelopeFields.length; i++) {
            Object row = envelope.get(envelopeFields[i]);
            if (row != null) {
                results[i] = resolve(record, row, envelopeFields[i]);
                if (results[i] == null) {
                    return null;
                }
            }
        }
        RowLayout[] layouts = currentLayouts();
        EnvelopePlan plan = envelopePlans.get(envelopeSchema, layouts, () -> plan(envelopeSchema, layouts));
        Struct out = new Struct(plan.schema());
        Field[] inputFields = plan.inputFields();
        Field[] outputFields = plan.outputFields();
        for (int f = 0; f < inputFields.length; f++) {
            Object value = envelope.get(inputFields[f]);
            int i = plan.rowIndex()[f];
            if (i >= 0 && value instanceof Struct row) {
                value = enrichedStruct(row, outputFields[f].schema(), layouts, results[i]);
            }
            // the input's value, of the same field schema, or the enriched row, of the schema built for it
            StructValues.setFitting(out, outputFields[f], value);
        }
        return new SchemaAndValue(plan.schema(), out);
    }

    private EnvelopePlan plan(Schema envelopeSchema, RowLayout[] layouts) {
        SchemaBuilder builder = Schemas.structLike(envelopeSchema);
        List<Field> fields = envelopeSchema.fields();
        int[] rowIndex = new int[fields.size()];
        for (int f = 0; f < fields.size(); f++) {
            Field field = fields.get(f);
            int i = indexOf(field.name());
            rowIndex[f] = field.schema().type() == Schema.Type.STRUCT ? i : -1;
            builder.field(field.name(), rowIndex[f] >= 0 ? rowSchema(field.schema(), layouts) : field.schema());
        }
        Schema schema = builder.build();
        return new EnvelopePlan(schema, fields.toArray(Field[]::new), schema.fields().toArray(Field[]::new), rowIndex);
    }

    private Map<String, Object> envelope(ConnectRecord<?> record, Map<?, ?> envelope) {
        Map<String, Object> out = new LinkedHashMap<>();
        envelope.forEach((k, v) -> out.put(String.valueOf(k), v));
        for (String field : envelopeFields) {
            if (envelope.get(field) instanceof Map<?, ?> row) {
                Map<String, Object> enriched = flat(record, row, field);
                if (enriched == null) {
                    return null;
                }
                out.put(field, enriched);
            }
        }
        return out;
    }

    private Map<String, Object> flat(ConnectRecord<?> record, Map<?, ?> row, String where) {
        Row[] results = resolve(record, row, where);
        if (results == null) {
            return null;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        row.forEach((k, v) -> out.put(String.valueOf(k), v));
        Set<String> inputNames = new HashSet<>(out.keySet());
        for (int i = 0; i < lookups.length; i++) {
            Lookup lookup = lookups[i];
            LookupSpec spec = lookup.spec();
            Row found = results[i];
            if (spec.output() == LookupSpec.Output.NESTED) {
                put(out, inputNames, spec.outputField(), lookup.nestedMap(found), lookup, record);
            } else {
                List<String> columns = found != null ? found.layout().names() : lookup.flatColumnsForMiss();
                for (String column : columns) {
                    Object value = found == null ? null : Schemas.toSchemaless(found.value(column));
                    put(out, inputNames, spec.flatName(column), value, lookup, record);
                }
            }
        }
        return out;
    }

    private static void put(Map<String, Object> out, Set<String> inputNames, String name, Object value, Lookup lookup,
                            ConnectRecord<?> record) {
        if (inputNames.contains(name)) {
            throw collision(lookup, name, "the record at " + coordinates(record));
        }
        out.put(name, value);
    }

    /** Each lookup's result for a row, or null when one of them drops the record. */
    private Row[] resolve(ConnectRecord<?> record, Object row, String where) {
        Row[] results = new Row[lookups.length];
        for (int i = 0; i < lookups.length; i++) {
            Row found = lookups[i].resolve(row, where, record);
            if (found == Lookup.DROP) {
                return null;
            }
            results[i] = found;
        }
        return results;
    }

    private RowLayout[] layouts(Row[] results) {
        RowLayout[] layouts = new RowLayout[lookups.length];
        for (int i = 0; i < lookups.length; i++) {
            RowLayout layout = lookups[i].layout();
            layouts[i] = layout != null ? layout : results[i] != null ? results[i].layout() : null;
        }
        return layouts;
    }

    private RowLayout[] currentLayouts() {
        RowLayout[] layouts = new RowLayout[lookups.length];
        for (int i = 0; i < lookups.length; i++) {
            layouts[i] = lookups[i].layout();
        }
        return layouts;
    }

    /** The enriched schema of a row schema: its fields, then each lookup's (lookups without known columns add none). */
    private Schema rowSchema(Schema input, RowLayout[] layouts) {
        return rowSchemas.get(input, layouts, () -> {
            SchemaBuilder builder = Schemas.structLike(input);
            Set<String> names = new HashSet<>();
            for (Field f : input.fields()) {
                builder.field(f.name(), f.schema());
                names.add(f.name());
            }
            for (int i = 0; i < lookups.length; i++) {
                Lookup lookup = lookups[i];
                RowLayout layout = layouts[i];
                if (layout == null) {
                    continue;
                }
                if (!layout.hasSchemas()) {
                    throw new DataException("lookup " + lookup.spec().name() + ": its rows have no schema, so records"
                            + " with a schema (" + input.name() + ") cannot take its columns; read the lookup's topic"
                            + " with a converter that gives schemas (lookup." + lookup.spec().name()
                            + ".value.converter.schemas.enable=true)");
                }
                if (lookup.spec().output() == LookupSpec.Output.NESTED) {
                    addField(builder, names, lookup.spec().outputField(), lookup.nestedSchema(layout), lookup, input);
                } else {
                    for (int c = 0; c < layout.size(); c++) {
                        addField(builder, names, lookup.spec().flatName(layout.name(c)), Schemas.optional(layout.schema(c)),
                                lookup, input);
                    }
                }
            }
            return builder.build();
        });
    }

    private static void addField(SchemaBuilder builder, Set<String> names, String name, Schema schema, Lookup lookup,
                                 Schema input) {
        if (!names.add(name)) {
            throw collision(lookup, name, "records of schema " + (input.name() == null ? "(unnamed)" : input.name()));
        }
        builder.field(name, schema);
    }

    private static DataException collision(Lookup lookup, String name, String where) {
        String name0 = lookup.spec().name();
        return new DataException("lookup " + name0 + ": the output field '" + name + "' already exists in " + where
                + "; choose other names with lookup." + name0 + ".output.field, lookup." + name0 + ".output.prefix or"
                + " lookup." + name0 + ".fields");
    }

    private Struct enrichedStruct(Struct row, Schema schema, RowLayout[] layouts, Row[] results) {
        Struct out = new Struct(schema);
        List<Field> inputFields = row.schema().fields();
        List<Field> outputFields = schema.fields();
        int f = 0;
        for (; f < inputFields.size(); f++) {
            // the output schema starts with the input's fields, of the same schemas
            StructValues.setFitting(out, outputFields.get(f), row.get(inputFields.get(f)));
        }
        for (int i = 0; i < lookups.length; i++) {
            RowLayout layout = layouts[i];
            if (layout == null) {
                continue;
            }
            Lookup lookup = lookups[i];
            Row found = results == null ? null : results[i];
            if (lookup.spec().output() == LookupSpec.Output.NESTED) {
                Field field = outputFields.get(f++);
                out.put(field, lookup.nestedStruct(field.schema(), layout, found));
            } else {
                for (int c = 0; c < layout.size(); c++) {
                    Field field = outputFields.get(f++);
                    if (found != null) {
                        Lookup.putColumn(out, field, found, layout, c);
                    }
                }
            }
        }
        return out;
    }

    private int indexOf(String field) {
        for (int i = 0; i < envelopeFields.length; i++) {
            if (envelopeFields[i].equals(field)) {
                return i;
            }
        }
        return -1;
    }
}
