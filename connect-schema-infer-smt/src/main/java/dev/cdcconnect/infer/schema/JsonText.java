package dev.cdcconnect.infer.schema;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.SegmentedStringWriter;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.cdcconnect.event.values.JsonValues;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * JSON text in both directions, bounded by {@code max.depth}. Documents read from text come out as
 * JsonConverter's schemaless values do (Map, List, Long, Double, Boolean, String), except that objects keep
 * their field order; duplicate keys are an error rather than a silently dropped value.
 */
public final class JsonText {

    /** Scalars as the sinks write them: decimals with plain digits, bytes in base64, dates as ISO-8601 instants. */
    private static final JsonValues SCALARS = new JsonValues(JsonValues.DecimalFormat.NUMBER);

    private final ObjectMapper mapper;
    private final JsonFactory factory;
    private final int maxDepth;

    public JsonText(int maxDepth) {
        this.maxDepth = maxDepth;
        this.factory = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(maxDepth).build())
                .build();
        this.mapper = JsonMapper.builder(factory)
                .enable(DeserializationFeature.USE_LONG_FOR_INTS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }

    /** The document in JSON text; an empty or blank text is not a document. */
    public Object parse(String text) {
        try {
            return checkPresent(mapper.readValue(text, Object.class));
        } catch (StreamConstraintsException e) {
            throw new InferenceFailure("the JSON text nests deeper than max.depth=" + maxDepth);
        } catch (JsonProcessingException e) {
            throw notJson(e);
        }
    }

    /** The JSON document in the text, or the text itself when it is not JSON (a plain string key). */
    public Object parseOrText(String text) {
        try {
            Object document = mapper.readValue(text, Object.class);
            return document != null ? document : text;
        } catch (JsonProcessingException e) {
            return text;
        }
    }

    public Object parse(byte[] utf8) {
        try {
            return checkPresent(mapper.readValue(utf8, Object.class));
        } catch (StreamConstraintsException e) {
            throw new InferenceFailure("the JSON text nests deeper than max.depth=" + maxDepth);
        } catch (JsonProcessingException e) {
            throw notJson(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Text for a STRING field: strings as they are, everything else as its JSON text (numbers, booleans and
     * timestamps unquoted).
     *
     * @param depth nesting level of the object or array holding the value (the document itself is 1)
     */
    String text(Object value, String path, int depth) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof Map || value instanceof List) {
            return json(value, path, depth);
        }
        checkScalar(value, path);
        return SCALARS.toText(value, null);
    }

    /** The value's JSON text (strings quoted). */
    String json(Object value, String path, int depth) {
        SegmentedStringWriter out = new SegmentedStringWriter(factory._getBufferRecycler());
        try {
            try (JsonGenerator generator = factory.createGenerator(out)) {
                write(generator, value, path, depth);
            }
            return out.getAndClear();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void write(JsonGenerator g, Object value, String path, int depth) throws IOException {
        if (value instanceof Map<?, ?> map) {
            if (depth + 1 > maxDepth) {
                throw InferenceFailure.tooDeep(path, maxDepth);
            }
            g.writeStartObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String key = String.valueOf(e.getKey());
                g.writeFieldName(key);
                write(g, e.getValue(), path + "." + key, depth + 1);
            }
            g.writeEndObject();
        } else if (value instanceof List<?> list) {
            if (depth + 1 > maxDepth) {
                throw InferenceFailure.tooDeep(path, maxDepth);
            }
            g.writeStartArray();
            for (Object element : list) {
                write(g, element, path + "[]", depth + 1);
            }
            g.writeEndArray();
        } else {
            checkScalar(value, path);
            SCALARS.write(g, value, null);
        }
    }

    /** Only what a JSON document holds, or a schemaless converter gives in its place, is written. */
    private static void checkScalar(Object value, String path) {
        if (!(value == null || value instanceof String || value instanceof Boolean || value instanceof Long
                || value instanceof Integer || value instanceof Short || value instanceof Byte || value instanceof Double
                || value instanceof Float || value instanceof BigDecimal || value instanceof BigInteger
                || value instanceof byte[] || value instanceof ByteBuffer || value instanceof Date)) {
            throw Values.unsupported(value, path);
        }
    }

    private static Object checkPresent(Object document) {
        if (document == null) {
            throw new InferenceFailure("the JSON text is empty or null");
        }
        return document;
    }

    private static InferenceFailure notJson(JsonProcessingException e) {
        return new InferenceFailure("not valid JSON text: " + e.getOriginalMessage()
                + (e.getLocation() != null ? " at line " + e.getLocation().getLineNr()
                        + " column " + e.getLocation().getColumnNr() : ""));
    }
}
