package dev.cdcconnect.enrich.table;

import dev.cdcconnect.enrich.lookup.KeyTypeMismatchException;
import dev.cdcconnect.enrich.lookup.LookupKeys;
import dev.cdcconnect.enrich.lookup.Row;
import dev.cdcconnect.enrich.lookup.RowLayout;
import dev.cdcconnect.event.ChangeEvent;
import dev.cdcconnect.event.Fields;
import dev.cdcconnect.event.Operation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.Headers;

/**
 * The in-memory table a topic of change events materialises, with ksqlDB TABLE / Kafka Streams GlobalKTable
 * semantics: snapshot reads, creates and updates upsert the row under the record key, deletes and tombstones
 * remove it, a truncate empties the table. Plain rows (no change-event envelope) upsert.
 *
 * <p>Keyed by the record key, unwrapped when it is a struct or map of one field and normalised by
 * {@link LookupKeys}. Only the configured columns are kept. The heap the entries take is estimated as they
 * change; past {@code maxBytes} the table fails rather than drop rows, so a lookup never misses because of it.
 *
 * <p>One thread applies changes; any number read.
 */
public final class TopicTable {

    private final String lookup;
    private final String topic;
    private final List<String> keep;
    private final long maxBytes;
    private final LongKeyRows integerRows = new LongKeyRows();
    private final ConcurrentHashMap<Object, Row> otherRows = new ConcurrentHashMap<>();
    private final Map<Schema, RowLayout> structLayouts = new HashMap<>();
    private final Map<Schema, RowLayout> structLayoutsByIdentity = new IdentityHashMap<>();
    private final Map<List<String>, RowLayout> mapLayouts = new HashMap<>();
    private volatile RowLayout layout;
    private volatile LookupKeys.Kind keyKind;
    /** Estimated bytes of the rows and of the entries holding them, except {@link LongKeyRows}' arrays. */
    private volatile long entryBytes;
    private volatile long applied;
    private long skippedWithoutKey;
    private volatile long unreadable;
    private volatile String lastUnreadable;

    /**
     * @param lookup   the lookup's name, for messages
     * @param topic    the topic, for messages
     * @param keep     the columns to keep, in output order; empty keeps all
     * @param maxBytes the bound on the estimated heap of the entries
     */
    public TopicTable(String lookup, String topic, List<String> keep, long maxBytes) {
        this.lookup = lookup;
        this.topic = topic;
        this.keep = List.copyOf(keep);
        this.maxBytes = maxBytes;
    }

    /**
     * Applies one record of the topic, as its converters read it.
     *
     * @throws TableException when the key cannot be held (several fields) or the table outgrows its bound
     */
    public synchronized void apply(Object recordKey, Object value, Headers headers) {
        applied++;
        Optional<ChangeEvent> event = value == null ? Optional.empty() : ChangeEvent.read(value, headers);
        if (event.isPresent() && event.get().op() == Operation.TRUNCATE) {
            clear();
            return;
        }
        if (event.isPresent() && event.get().op() == Operation.MESSAGE) {
            return;
        }
        Object key = tableKey(recordKey);
        if (key == null) {
            skippedWithoutKey++;
            return;
        }
        if (value == null) {
            remove(key);
        } else if (event.isEmpty()) {
            if (Fields.isContainer(value)) {
                upsert(key, value, false);
            }
        } else if (event.get().op() == Operation.DELETE) {
            remove(key);
        } else if (event.get().after() != null) {
            upsert(key, event.get().after(), event.get().isFlattened());
        }
    }

    /**
     * The row for a normalised key, or null.
     *
     * @throws KeyTypeMismatchException when the table's keys are of another kind than this key
     */
    public Row get(Object key) {
        Row row = key instanceof Long id ? integerRows.get(id) : otherRows.get(key);
        if (row == null) {
            LookupKeys.Kind kind = keyKind;
            if (kind != null && kind != LookupKeys.kind(key)) {
                throw new KeyTypeMismatchException("the " + lookup + " table (topic " + topic + ") is keyed by "
                        + kind.plural() + ", not " + LookupKeys.kind(key).plural());
            }
        }
        return row;
    }

    /** The columns of the latest row applied, or null before any. */
    public RowLayout layout() {
        return layout;
    }

    public int size() {
        return integerRows.size() + otherRows.size();
    }

    /** The estimated heap, in bytes, of the table's entries. */
    public long estimatedBytes() {
        return entryBytes + integerRows.arrayBytes();
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** How many records have been applied. */
    public long applied() {
        return applied;
    }

    /** Counts a record of the topic that could not be read or applied, and skipped: {@code where} says which and why. */
    public void skippedUnreadable(String where) {
        lastUnreadable = where;
        unreadable++;
    }

    /** How many records were skipped as unreadable. */
    public long unreadable() {
        return unreadable;
    }

    /** The latest record skipped as unreadable (topic, partition, offset and why), or null. */
    public String lastUnreadable() {
        return lastUnreadable;
    }

    /** How many records were skipped for having no key. */
    public synchronized long skippedWithoutKey() {
        return skippedWithoutKey;
    }

    private Object tableKey(Object recordKey) {
        Object key = recordKey;
        if (key instanceof Struct struct) {
            List<Field> fields = struct.schema().fields();
            if (fields.size() != 1) {
                throw compositeKey(fields.stream().map(Field::name).toList());
            }
            key = struct.get(fields.get(0));
        } else if (key instanceof Map<?, ?> map) {
            if (map.size() != 1) {
                throw compositeKey(map.keySet().stream().map(String::valueOf).toList());
            }
            key = map.values().iterator().next();
        }
        if (key == null) {
            return null;
        }
        Object normalised;
        try {
            normalised = LookupKeys.normalise(key);
        } catch (IllegalArgumentException e) {
            // one record's key, not the topic's: the record is unreadable, the table goes on
            throw new DataException("its key cannot be looked up: " + e.getMessage());
        }
        if (keyKind == null) {
            keyKind = LookupKeys.kind(normalised);
        }
        return normalised;
    }

    private TableException compositeKey(List<String> fields) {
        return new TableException("lookup " + lookup + ": topic " + topic + " has keys of several fields " + fields
                + "; a lookup table is keyed by one field");
    }

    private void upsert(Object key, Object rowValue, boolean flattened) {
        Row row;
        if (rowValue instanceof Struct struct) {
            RowLayout rowLayout = structLayout(struct.schema(), flattened);
            Object[] values = new Object[rowLayout.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = struct.get(rowLayout.name(i));
            }
            row = new Row(rowLayout, values);
        } else if (rowValue instanceof Map<?, ?> map) {
            List<String> names = new ArrayList<>();
            if (keep.isEmpty()) {
                for (Object name : map.keySet()) {
                    String n = String.valueOf(name);
                    if (!(flattened && n.startsWith("__"))) {
                        names.add(n);
                    }
                }
            } else {
                for (String name : keep) {
                    if (map.containsKey(name)) {
                        names.add(name);
                    }
                }
            }
            RowLayout rowLayout = mapLayouts.computeIfAbsent(names, RowLayout::schemaless);
            Object[] values = new Object[rowLayout.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = map.get(rowLayout.name(i));
            }
            row = new Row(rowLayout, values);
        } else {
            return;
        }
        layout = row.layout();
        Row previous = key instanceof Long id ? integerRows.put(id, row) : otherRows.put(key, row);
        entryBytes += RowSizes.row(row) - (previous == null ? -entryOverhead(key) : RowSizes.row(previous));
        long estimated = estimatedBytes();
        if (estimated > maxBytes) {
            throw new TableException(String.format("lookup %s: the table from topic %s needs about %,d bytes"
                            + " for %,d rows, over its bound of %,d bytes; raise lookup.%s.table.max.bytes, keep"
                            + " fewer columns with lookup.%s.fields, or use a jdbc source",
                    lookup, topic, estimated, size(), maxBytes, lookup, lookup));
        }
    }

    /** What an entry costs beyond its row: nothing more for integer keys (their arrays are counted apart). */
    private static long entryOverhead(Object key) {
        return key instanceof Long ? 0 : RowSizes.ENTRY_OVERHEAD + RowSizes.value(key);
    }

    private RowLayout structLayout(Schema schema, boolean flattened) {
        RowLayout known = structLayoutsByIdentity.get(schema);
        if (known != null) {
            return known;
        }
        RowLayout byValue = structLayouts.get(schema);
        if (byValue == null) {
            RowLayout candidate = RowLayout.of(schema, keep);
            if (flattened && keep.isEmpty()) {
                List<String> names = new ArrayList<>();
                List<Schema> schemas = new ArrayList<>();
                for (Field f : schema.fields()) {
                    if (!f.name().startsWith("__")) {
                        names.add(f.name());
                        schemas.add(f.schema());
                    }
                }
                candidate = RowLayout.withSchemas(names, schemas);
            }
            // rows of an unchanged shape keep sharing the current layout, so records keep their output schema
            RowLayout current = layout;
            byValue = current != null && current.sameColumns(candidate) ? current : candidate;
            structLayouts.put(schema, byValue);
        }
        if (structLayoutsByIdentity.size() > 1_000) {
            structLayoutsByIdentity.clear();
        }
        structLayoutsByIdentity.put(schema, byValue);
        return byValue;
    }

    private void remove(Object key) {
        Row previous = key instanceof Long id ? integerRows.remove(id) : otherRows.remove(key);
        if (previous != null) {
            entryBytes -= RowSizes.row(previous) + entryOverhead(key);
        }
    }

    private void clear() {
        integerRows.clear();
        otherRows.clear();
        entryBytes = 0;
    }

    @Override
    public String toString() {
        return "TopicTable{lookup=" + lookup + ", topic=" + topic + ", rows=" + size() + '}';
    }
}
