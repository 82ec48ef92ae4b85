package dev.cdcconnect.infer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.kafka.connect.data.ConnectSchema;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random JSON documents of random shapes, fed to the value transform as JsonConverter gives them or as text:
 * every output Struct is valid for its schema, a schema instance changes only with its version, each change only
 * widens, and every non-null leaf of a flattened document arrives with its value.
 */
class InferSchemaPropertyTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String[] KEYS = {"id", "qty", "price", "note", "customer", "items", "at", "tags", "flag"};
    private static final String[] STRINGS = {"ann", "", "2024-05-01", "2024-05-01T10:15:30Z", "x y", "42", "ünï"};

    @ParameterizedTest(name = "nested.mode={0} array.mode={1} iso8601.detect={2} text={3} type.conflicts={4}")
    @CsvSource({
            "flatten, json, false, false, widen",
            "flatten, json, true, true, widen",
            "flatten, array, false, false, widen",
            "struct, json, false, true, widen",
            "struct, array, true, false, widen",
            "json, array, false, false, widen",
            "flatten, json, false, false, reject",
            "flatten, json, true, true, reject",
            "flatten, array, false, false, reject",
            "struct, json, false, true, reject",
            "struct, array, true, false, reject",
            "json, array, false, false, reject"})
    void everyStructValidatesAndSchemasOnlyWiden(String nestedMode, String arrayMode, boolean iso, boolean text,
            String conflicts) throws Exception {
        for (long seed = 1; seed <= 40; seed++) {
            Random random = new Random(seed * 7919 + nestedMode.hashCode() + arrayMode.hashCode() + (iso ? 1 : 0));
            InferSchema.Value<SinkRecord> transform = new InferSchema.Value<>();
            transform.configure(Map.of("nested.mode", nestedMode, "array.mode", arrayMode,
                    "iso8601.detect", Boolean.toString(iso), "max.depth", "6", "type.conflicts", conflicts));
            Schema previous = null;
            for (int offset = 0; offset < 60; offset++) {
                String json = MAPPER.writeValueAsString(object(random, 1));
                SinkRecord record = text
                        ? Records.value("orders", offset, Schema.OPTIONAL_STRING_SCHEMA, json)
                        : Records.json("orders", offset, json);
                SinkRecord out;
                try {
                    out = transform.apply(record);
                } catch (DataException e) {
                    // a rejected record names its field and leaves the schema as it was; the next one still fits it
                    assertThat(conflicts).as(json).isEqualTo("reject");
                    assertThat(e.getMessage()).as(json).contains("in the published schema");
                    continue;
                } catch (IllegalStateException e) {
                    throw new AssertionError("seed " + seed + " offset " + offset + " document " + json
                            + " after schema " + (previous == null ? null : previous.fields()), e);
                }
                Schema schema = out.valueSchema();
                Struct struct = (Struct) out.value();
                String context = "seed " + seed + " offset " + offset + " document " + json;

                assertThat(struct.schema()).as(context).isSameAs(schema);
                struct.validate();
                ConnectSchema.validateValue(schema, struct);
                if (previous != null) {
                    if (schema == previous) {
                        assertThat(schema.version()).as(context).isEqualTo(previous.version());
                    } else {
                        assertThat(schema.version()).as(context).isGreaterThan(previous.version());
                        assertThat(schema).as(context).isNotEqualTo(previous);
                        assertWidens(previous, schema, context);
                    }
                }
                if ("flatten".equals(nestedMode) && "json".equals(arrayMode)) {
                    assertLeavesArrive(MAPPER.readValue(json, Map.class), "", struct, context);
                }
                previous = schema;
            }
            transform.close();
        }
    }

    private static void assertWidens(Schema before, Schema after, String context) {
        for (Field field : before.fields()) {
            Field now = after.field(field.name());
            assertThat(now).as(context + ": field " + field.name() + " disappeared").isNotNull();
            assertWidens(field.name(), field.schema(), now.schema(), context);
        }
    }

    private static void assertWidens(String name, Schema before, Schema after, String context) {
        if (before.equals(after) || after.type() == Schema.Type.STRING) {
            return;
        }
        String why = context + ": field " + name + " went from " + describe(before) + " to " + describe(after);
        if (before.type() == Schema.Type.STRUCT) {
            assertThat(after.type()).as(why).isEqualTo(Schema.Type.STRUCT);
            assertWidens(before, after, context);
        } else if (before.type() == Schema.Type.ARRAY) {
            assertThat(after.type()).as(why).isEqualTo(Schema.Type.ARRAY);
            assertWidens(name + "[]", before.valueSchema(), after.valueSchema(), context);
        } else if (before.type() == Schema.Type.INT64 && before.name() == null) {
            assertThat(after.type()).as(why).isEqualTo(Schema.Type.FLOAT64);
        } else {
            assertThat(after.name()).as(why).isEqualTo(Timestamp.LOGICAL_NAME);
            assertThat(before.name()).as(why).isEqualTo(org.apache.kafka.connect.data.Date.LOGICAL_NAME);
        }
    }

    private static String describe(Schema schema) {
        return schema.type() + (schema.name() != null ? "(" + schema.name() + ")" : "");
    }

    /** Each non-null scalar or array of the document is in its flattened field, as its type holds it. */
    private static void assertLeavesArrive(Map<?, ?> document, String prefix, Struct struct, String context)
            throws Exception {
        for (Map.Entry<?, ?> e : document.entrySet()) {
            String name = prefix.isEmpty() ? e.getKey().toString() : prefix + "_" + e.getKey();
            Object v = e.getValue();
            if (v == null) {
                continue;
            }
            if (v instanceof Map<?, ?> nested) {
                assertLeavesArrive(nested, name, struct, context);
                continue;
            }
            Object out = struct.get(name);
            Schema schema = struct.schema().field(name).schema();
            String why = context + ": field " + name;
            if (schema.name() != null) {
                assertThat(out).as(why).isInstanceOf(java.util.Date.class);
                continue;
            }
            switch (schema.type()) {
                case INT64 -> assertThat(out).as(why).isEqualTo(((Number) v).longValue());
                case FLOAT64 -> assertThat(out).as(why).isEqualTo(((Number) v).doubleValue());
                case BOOLEAN -> assertThat(out).as(why).isEqualTo(v);
                case STRING -> {
                    if (v instanceof List<?>) {
                        // objects inside come from HashMaps: compare as JSON, not as text
                        assertThat(MAPPER.readTree((String) out)).as(why).isEqualTo(MAPPER.valueToTree(v));
                    } else {
                        assertThat(out).as(why).isEqualTo(v instanceof String s ? s : v.toString());
                    }
                }
                default -> assertThat(out).as(why).isNotNull();
            }
        }
    }

    private static Map<String, Object> object(Random random, int depth) {
        Map<String, Object> object = new LinkedHashMap<>();
        int size = random.nextInt(6);
        for (int i = 0; i < size; i++) {
            object.put(KEYS[random.nextInt(KEYS.length)], value(random, depth));
        }
        return object;
    }

    private static Object value(Random random, int depth) {
        int pick = random.nextInt(depth >= 4 ? 7 : 10);
        return switch (pick) {
            case 0 -> null;
            case 1, 2 -> (long) random.nextInt(1000) - 100;
            case 3 -> random.nextInt(100) / 4.0;
            case 4 -> random.nextBoolean();
            case 5, 6 -> STRINGS[random.nextInt(STRINGS.length)];
            case 7, 8 -> object(random, depth + 1);
            default -> array(random, depth + 1);
        };
    }

    private static List<Object> array(Random random, int depth) {
        List<Object> list = new ArrayList<>();
        int size = random.nextInt(4);
        boolean mixed = random.nextInt(4) == 0;
        int kind = random.nextInt(4);
        for (int i = 0; i < size; i++) {
            list.add(mixed ? value(random, depth) : switch (kind) {
                case 0 -> (long) random.nextInt(50);
                case 1 -> random.nextInt(50) / 2.0;
                case 2 -> STRINGS[random.nextInt(STRINGS.length)];
                default -> random.nextBoolean();
            });
        }
        return list;
    }
}
