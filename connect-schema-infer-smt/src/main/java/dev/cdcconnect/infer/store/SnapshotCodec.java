package dev.cdcconnect.infer.store;

import dev.cdcconnect.infer.schema.FieldSpec;
import dev.cdcconnect.infer.schema.SchemaSnapshot;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A learned schema as the JSON stored in the schema topic:
 * {@code {"version":3,"root":{"type":"struct","fields":[{"name":"id","type":"int64"},
 * {"name":"tags","type":"array","items":"string"}]}}}.
 */
public final class SnapshotCodec {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SnapshotCodec() {
    }

    public static byte[] encode(SchemaSnapshot snapshot) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("version", snapshot.version());
        node.set("root", encode(snapshot.root()));
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @throws IllegalArgumentException when the bytes are not a stored schema */
    public static SchemaSnapshot decode(byte[] bytes) {
        JsonNode node;
        try {
            node = MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a stored schema: " + new String(bytes, StandardCharsets.UTF_8), e);
        }
        if (node == null || !node.path("version").canConvertToInt() || !node.path("root").isObject()) {
            throw new IllegalArgumentException("not a stored schema: " + node);
        }
        return new SchemaSnapshot(node.get("version").intValue(), decodeField("", node.get("root")));
    }

    private static ObjectNode encode(FieldSpec field) {
        ObjectNode node = MAPPER.createObjectNode();
        if (!field.name().isEmpty()) {
            node.put("name", field.name());
        }
        node.put("type", field.type());
        if (field.items() != null) {
            node.put("items", field.items());
        }
        if ("struct".equals(field.type())) {
            ArrayNode fields = node.putArray("fields");
            field.fields().forEach(f -> fields.add(encode(f)));
        }
        return node;
    }

    private static FieldSpec decodeField(String name, JsonNode node) {
        String type = node.path("type").asText(null);
        if (type == null) {
            throw new IllegalArgumentException("stored field '" + name + "' has no type: " + node);
        }
        List<FieldSpec> fields = new ArrayList<>();
        for (JsonNode child : node.path("fields")) {
            fields.add(decodeField(child.path("name").asText(), child));
        }
        FieldSpec spec = new FieldSpec(name, type, node.path("items").asText(null), fields);
        // check the type the way configuration is checked, so a damaged record fails here and not later
        if ("struct".equals(type)) {
            fields.forEach(f -> FieldSpec.parse(f.name(), f.typeText()));
        } else {
            FieldSpec.parse(name, spec.typeText());
        }
        return spec;
    }
}
