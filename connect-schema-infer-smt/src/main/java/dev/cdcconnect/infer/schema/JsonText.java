package dev.cdcconnect.infer.schema;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.cdcconnect.event.values.JsonValues;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * JSON text in both directions, bounded by {@code max.depth}. Documents read from text come out as
 * JsonConverter's schemaless values do (Map, List, Long, Double, Boolean, String), except that objects keep
 * their field order; duplicate keys are an error rather than a silently dropped value. An instance may be used
 * from any thread; writing text is cheapest when one thread does all of it, as a transform's task thread does.
 */
public final class JsonText {

    /** Scalars as the sinks write them: decimals with plain digits, bytes in base64, dates as ISO-8601 instants. */
    private static final JsonValues SCALARS = new JsonValues(JsonValues.DecimalFormat.NUMBER);

    /**
     * Makes the generators JSON text is written with: each keeps its buffers for as long as it is reused,
     * rather than taking them from, and returning them to, a pool for every value.
     */
    private static final JsonFactory WRITERS = JsonFactory.builder()
            .recyclerPool(JsonRecyclerPools.nonRecyclingPool())
            .build();

    private final ObjectMapper mapper;
    private final int maxDepth;
    /** The generator {@link #json} writes with on the thread that made it; replaced when another thread writes. */
    private TextOut out;

    public JsonText(int maxDepth) {
        this.maxDepth = maxDepth;
        JsonFactory factory = JsonFactory.builder()
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
        TextOut text = out;
        if (text == null || text.owner != Thread.currentThread()) {
            text = new TextOut();
            out = text;
        }
        boolean written = false;
        try {
            write(text.generator, value, depth);
            text.generator.flush();
            written = true;
            return text.take();
        } catch (NotWritable e) {
            // walked again with paths, only now, to name where: the paths are not built for every value written
            check(value, path, depth);
            throw new IllegalStateException("the JSON text of " + path + " could not be written", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (!written) {
                out = null; // the generator stopped inside a value: the next one starts on a new generator
            }
        }
    }

    /**
     * Collects what a generator writes, one whole value at a time. A generator writes any number of values one
     * after the other (with no separator between them here), so one serves every value written on its thread:
     * making a generator for each value, and returning its buffers after it, costs as much as writing a small
     * array of objects.
     */
    private static final class TextOut extends Writer {
        /** Text longer than this is not kept between values, so that one large value does not hold its memory. */
        private static final int KEEP_CHARS = 16 * 1024;

        final Thread owner = Thread.currentThread();
        final JsonGenerator generator;
        private StringBuilder text = new StringBuilder(256);

        TextOut() {
            try {
                generator = WRITERS.createGenerator(this);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            generator.setRootValueSeparator(null);
        }

        /** The text written since the last call. */
        String take() {
            String taken = text.toString();
            if (text.capacity() > KEEP_CHARS) {
                text = new StringBuilder(256);
            } else {
                text.setLength(0);
            }
            return taken;
        }

        @Override
        public void write(char[] chars, int offset, int length) {
            text.append(chars, offset, length);
        }

        @Override
        public void write(String chars, int offset, int length) {
            text.append(chars, offset, offset + length);
        }

        @Override
        public void write(int c) {
            text.append((char) c);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    /** Thrown by {@link #write} at the first value it cannot write, which {@link #check} then names. */
    private static final class NotWritable extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private static final NotWritable INSTANCE = new NotWritable();

        private NotWritable() {
            super(null, null, false, false);
        }
    }

    private void write(JsonGenerator g, Object value, int depth) throws IOException {
        if (value instanceof Map<?, ?> map) {
            if (depth + 1 > maxDepth) {
                throw NotWritable.INSTANCE;
            }
            g.writeStartObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                write(g, e.getValue(), depth + 1);
            }
            g.writeEndObject();
        } else if (value instanceof List<?> list) {
            if (depth + 1 > maxDepth) {
                throw NotWritable.INSTANCE;
            }
            g.writeStartArray();
            for (Object element : list) {
                write(g, element, depth + 1);
            }
            g.writeEndArray();
        } else {
            if (!isScalar(value)) {
                throw NotWritable.INSTANCE;
            }
            SCALARS.write(g, value, null);
        }
    }

    /**
     * Walks a value as {@link #write} does, in the same order, and throws for the first value it cannot write,
     * naming its path.
     */
    private void check(Object value, String path, int depth) {
        if (value instanceof Map<?, ?> map) {
            if (depth + 1 > maxDepth) {
                throw InferenceFailure.tooDeep(path, maxDepth);
            }
            for (Map.Entry<?, ?> e : map.entrySet()) {
                check(e.getValue(), path + "." + e.getKey(), depth + 1);
            }
        } else if (value instanceof List<?> list) {
            if (depth + 1 > maxDepth) {
                throw InferenceFailure.tooDeep(path, maxDepth);
            }
            for (Object element : list) {
                check(element, path + "[]", depth + 1);
            }
        } else {
            checkScalar(value, path);
        }
    }

    /** Only what a JSON document holds, or a schemaless converter gives in its place, is written. */
    private static void checkScalar(Object value, String path) {
        if (!isScalar(value)) {
            throw Values.unsupported(value, path);
        }
    }

    private static boolean isScalar(Object value) {
        return value == null || value instanceof String || value instanceof Long || value instanceof Boolean
                || value instanceof Double || value instanceof Integer || value instanceof Short || value instanceof Byte
                || value instanceof Float || value instanceof BigDecimal || value instanceof BigInteger
                || value instanceof byte[] || value instanceof ByteBuffer || value instanceof Date;
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
