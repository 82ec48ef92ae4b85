package dev.cdcconnect.enrich;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;

/** Schema and value plumbing for looked-up columns. */
final class Schemas {

    private Schemas() {
    }

    /** The schema made optional (a looked-up column is null when the lookup misses), keeping logical type and default. */
    static Schema optional(Schema schema) {
        if (schema.isOptional()) {
            return schema;
        }
        SchemaBuilder builder = switch (schema.type()) {
            case STRUCT -> {
                SchemaBuilder b = SchemaBuilder.struct();
                schema.fields().forEach(f -> b.field(f.name(), f.schema()));
                yield b;
            }
            case ARRAY -> SchemaBuilder.array(schema.valueSchema());
            case MAP -> SchemaBuilder.map(schema.keySchema(), schema.valueSchema());
            default -> new SchemaBuilder(schema.type());
        };
        builder.name(schema.name()).version(schema.version()).doc(schema.doc());
        if (schema.parameters() != null) {
            builder.parameters(schema.parameters());
        }
        if (schema.defaultValue() != null && schema.type() != Schema.Type.STRUCT) {
            builder.defaultValue(schema.defaultValue());
        }
        return builder.optional().build();
    }

    /** A struct value rebuilt for a schema that differs only in being optional; other values as they are. */
    static Object conform(Object value, Schema schema) {
        if (value instanceof Struct struct && struct.schema() != schema && schema.type() == Schema.Type.STRUCT) {
            Struct copy = new Struct(schema);
            for (Field f : schema.fields()) {
                copy.put(f, struct.get(f.name()));
            }
            return copy;
        }
        return value;
    }

    /** A value for a schemaless record: structs become maps, recursively. */
    static Object toSchemaless(Object value) {
        if (value instanceof Struct struct) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (Field f : struct.schema().fields()) {
                map.put(f.name(), toSchemaless(struct.get(f)));
            }
            return map;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            list.forEach(v -> copy.add(toSchemaless(v)));
            return copy;
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(toSchemaless(k), toSchemaless(v)));
            return copy;
        }
        return value;
    }

    /** A copy of a struct schema's header (name, version, doc, parameters, optionality), without fields. */
    static SchemaBuilder structLike(Schema schema) {
        SchemaBuilder builder = SchemaBuilder.struct().name(schema.name()).version(schema.version()).doc(schema.doc());
        if (schema.parameters() != null) {
            builder.parameters(schema.parameters());
        }
        if (schema.isOptional()) {
            builder.optional();
        }
        return builder;
    }
}
