package dev.cdcconnect.infer;

import dev.cdcconnect.infer.schema.InferenceFailure;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;

import java.math.BigDecimal;
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

    /**
     * A key of the key schema for the given value schema, read from a record's own key: a JSON object holding
     * the key fields, or the bare value of a single key field.
     */
    Struct fromKey(Schema valueSchema, Object keyDocument) {
        Binding binding = binding(valueSchema);
        Struct key = new Struct(binding.keySchema());
        for (int i = 0; i < fieldNames.size(); i++) {
            String name = fieldNames.get(i);
            Object v;
            if (keyDocument instanceof Map<?, ?> map) {
                v = map.get(name);
            } else if (fieldNames.size() == 1) {
                v = keyDocument;
            } else {
                throw new InferenceFailure("its key " + shown(keyDocument) + " is not a JSON object holding the key "
                        + "fields " + fieldNames);
            }
            if (v == null) {
                throw new InferenceFailure("its key " + shown(keyDocument) + " has no value for key field '" + name
                        + "'");
            }
            key.put(binding.keyFields()[i], typed(v, binding.keyFields()[i].schema(), name));
        }
        return key;
    }

    private static Object typed(Object v, Schema schema, String name) {
        try {
            if (schema.name() != null) {
                throw new IllegalArgumentException(); // Decimal, Timestamp...: not read from a key's text
            }
            Object typed = switch (schema.type()) {
                case INT8 -> (byte) integral(v, Byte.MIN_VALUE, Byte.MAX_VALUE);
                case INT16 -> (short) integral(v, Short.MIN_VALUE, Short.MAX_VALUE);
                case INT32 -> (int) integral(v, Integer.MIN_VALUE, Integer.MAX_VALUE);
                case INT64 -> integral(v, Long.MIN_VALUE, Long.MAX_VALUE);
                case FLOAT64 -> v instanceof Number n ? n.doubleValue() : Double.parseDouble(v.toString().trim());
                case FLOAT32 -> v instanceof Number n ? n.floatValue() : Float.parseFloat(v.toString().trim());
                case BOOLEAN -> v instanceof Boolean ? v : switch (v.toString().trim()) {
                    case "true" -> Boolean.TRUE;
                    case "false" -> Boolean.FALSE;
                    default -> throw new IllegalArgumentException();
                };
                case STRING -> v instanceof Map || v instanceof List ? null : v.toString();
                default -> null;
            };
            if (typed == null) {
                throw new IllegalArgumentException();
            }
            return typed;
        } catch (RuntimeException e) {
            throw new InferenceFailure("key field '" + name + "' is " + describe(schema) + " in the value schema, "
                    + "and the key's value " + shown(v) + " is not one");
        }
    }

    private static long integral(Object v, long min, long max) {
        long l = v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
                ? ((Number) v).longValue() : new BigDecimal(v.toString().trim()).longValueExact();
        if (l < min || l > max) {
            throw new ArithmeticException("out of range");
        }
        return l;
    }

    private static String describe(Schema schema) {
        return schema.name() != null ? schema.name() : schema.type().getName();
    }

    private static String shown(Object v) {
        String s = v instanceof String text ? "\"" + text + "\"" : String.valueOf(v);
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
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
