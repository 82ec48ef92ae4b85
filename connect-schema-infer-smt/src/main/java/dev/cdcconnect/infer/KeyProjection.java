package dev.cdcconnect.infer;

import dev.cdcconnect.infer.schema.InferenceFailure;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a Struct key from fields of a Struct value, for records that have no key. Key fields are required
 * (a primary key column cannot be null); the same field types give the same key schema instance.
 */
final class KeyProjection {

    private static final int MAX_CACHED_VALUE_SCHEMAS = 256;

    private record Binding(Schema keySchema, Field[] valueFields, Field[] keyFields) {
    }

    private final List<String> fieldNames;
    private final Map<List<Schema>, Schema> keySchemas = new HashMap<>();
    private final Map<Schema, Binding> bindings = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Schema, Binding> eldest) {
            return size() > MAX_CACHED_VALUE_SCHEMAS;
        }
    };
    private Schema lastValueSchema;
    private Binding last;

    KeyProjection(List<String> fieldNames) {
        this.fieldNames = List.copyOf(fieldNames);
    }

    Schema keySchema(Schema valueSchema) {
        return binding(valueSchema).keySchema();
    }

    Struct project(Struct value) {
        Binding binding = binding(value.schema());
        Struct key = new Struct(binding.keySchema());
        for (int i = 0; i < binding.valueFields().length; i++) {
            Object v = value.get(binding.valueFields()[i]);
            if (v == null) {
                throw new InferenceFailure("key field '" + fieldNames.get(i) + "' is missing or null in the value");
            }
            key.put(binding.keyFields()[i], v);
        }
        return key;
    }

    private Binding binding(Schema valueSchema) {
        if (valueSchema == lastValueSchema) {
            return last;
        }
        Binding binding = bindings.get(valueSchema);
        if (binding == null) {
            binding = bind(valueSchema);
            bindings.put(valueSchema, binding);
        }
        lastValueSchema = valueSchema;
        last = binding;
        return binding;
    }

    private Binding bind(Schema valueSchema) {
        Field[] valueFields = new Field[fieldNames.size()];
        List<Schema> types = new ArrayList<>(fieldNames.size());
        for (int i = 0; i < valueFields.length; i++) {
            String name = fieldNames.get(i);
            Field field = valueSchema.field(name);
            if (field == null) {
                throw new InferenceFailure("key field '" + name + "' is not a field of the value (it has "
                        + valueSchema.fields().stream().map(Field::name).toList() + ")");
            }
            if (!field.schema().type().isPrimitive()) {
                throw new InferenceFailure("key field '" + name + "' is a " + field.schema().type()
                        + "; key fields must be primitive");
            }
            valueFields[i] = field;
            types.add(required(field.schema()));
        }
        Schema keySchema = keySchemas.computeIfAbsent(types, this::keySchema);
        Field[] keyFields = new Field[valueFields.length];
        for (int i = 0; i < keyFields.length; i++) {
            keyFields[i] = keySchema.field(fieldNames.get(i));
        }
        return new Binding(keySchema, valueFields, keyFields);
    }

    private Schema keySchema(List<Schema> types) {
        SchemaBuilder builder = SchemaBuilder.struct();
        for (int i = 0; i < types.size(); i++) {
            builder.field(fieldNames.get(i), types.get(i));
        }
        return builder.build();
    }

    private static Schema required(Schema schema) {
        SchemaBuilder b = new SchemaBuilder(schema.type());
        if (schema.name() != null) {
            b.name(schema.name());
        }
        if (schema.parameters() != null) {
            b.parameters(schema.parameters());
        }
        return b.build();
    }
}
