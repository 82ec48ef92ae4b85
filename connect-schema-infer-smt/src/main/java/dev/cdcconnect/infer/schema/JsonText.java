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
     * Text for a STRING field: strings as they are, everything else as its JSON text.
     *
     * @param depth nesting level of the object or array holding the value (the document itself is 1)
     */
    String text(Object value, String path, int depth) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Boolean
                || value instanceof Double || value instanceof Short || value instanceof Byte
                || value instanceof BigInteger || value instanceof Float) {
            return value.toString();
        }
        if (value instanceof BigDecimal d) {
            return d.toString();
        }
        if (value instanceof Date d) {
            return Iso8601.format(d);
        }
        return json(value, path, depth);
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
        if (value == null) {
            g.writeNull();
        } else if (value instanceof String s) {
            g.writeString(s);
        } else if (value instanceof Long l) {
            g.writeNumber(l);
        } else if (value instanceof Integer i) {
            g.writeNumber(i);
        } else if (value instanceof Double d) {
            g.writeNumber(d);
        } else if (value instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (value instanceof Map<?, ?> map) {
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
        } else if (value instanceof BigDecimal d) {
            g.writeNumber(d);
        } else if (value instanceof BigInteger i) {
            g.writeNumber(i);
        } else if (value instanceof Float f) {
            g.writeNumber(f);
        } else if (value instanceof Short s) {
            g.writeNumber(s);
        } else if (value instanceof Byte b) {
            g.writeNumber(b);
        } else if (value instanceof byte[] bytes) {
            g.writeBinary(bytes);
        } else if (value instanceof ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.duplicate().get(bytes);
            g.writeBinary(bytes);
        } else if (value instanceof Date d) {
            g.writeString(Iso8601.format(d));
        } else {
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
