package dev.cdcconnect.enrich.jdbc;

import dev.cdcconnect.enrich.lookup.RowLayout;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;

/**
 * Maps a query's result columns to Connect schemas and reads values in the Java types those schemas take.
 * Types without a Connect counterpart (UUID, JSON, intervals, arrays...) are read as their text form.
 */
final class JdbcColumns {

    /** How to read one column. */
    enum Reader {
        BOOLEAN, INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, DECIMAL, STRING, BYTES, DATE, TIME, TIMESTAMP
    }

    private final RowLayout layout;
    private final int[] columnIndexes;
    private final Reader[] readers;

    private JdbcColumns(RowLayout layout, int[] columnIndexes, Reader[] readers) {
        this.layout = layout;
        this.columnIndexes = columnIndexes;
        this.readers = readers;
    }

    /** The columns of a result, all or only those named in {@code keep} (matched case-insensitively), in that order. */
    static JdbcColumns of(ResultSetMetaData meta, List<String> keep) throws SQLException {
        List<String> names = new ArrayList<>();
        List<Schema> schemas = new ArrayList<>();
        List<Integer> indexes = new ArrayList<>();
        List<Reader> readers = new ArrayList<>();
        int count = meta.getColumnCount();
        if (keep.isEmpty()) {
            for (int i = 1; i <= count; i++) {
                add(meta, i, meta.getColumnLabel(i), names, schemas, indexes, readers);
            }
        } else {
            for (String wanted : keep) {
                for (int i = 1; i <= count; i++) {
                    if (meta.getColumnLabel(i).equalsIgnoreCase(wanted)) {
                        add(meta, i, wanted, names, schemas, indexes, readers);
                        break;
                    }
                }
            }
        }
        return new JdbcColumns(RowLayout.withSchemas(names, schemas),
                indexes.stream().mapToInt(Integer::intValue).toArray(), readers.toArray(Reader[]::new));
    }

    private static void add(ResultSetMetaData meta, int i, String name, List<String> names, List<Schema> schemas,
                            List<Integer> indexes, List<Reader> readers) throws SQLException {
        int type = meta.getColumnType(i);
        int precision = meta.getPrecision(i);
        int scale = meta.getScale(i);
        Reader reader = switch (type) {
            case Types.BOOLEAN, Types.BIT -> precision > 1 ? Reader.BYTES : Reader.BOOLEAN;
            case Types.TINYINT -> Reader.INT8;
            case Types.SMALLINT -> Reader.INT16;
            case Types.INTEGER -> Reader.INT32;
            case Types.BIGINT -> Reader.INT64;
            case Types.REAL -> Reader.FLOAT32;
            case Types.FLOAT, Types.DOUBLE -> Reader.FLOAT64;
            // unconstrained NUMERIC reports precision 0: no fixed scale, so no Decimal schema fits; keep its text
            case Types.NUMERIC, Types.DECIMAL -> precision > 0 && scale >= 0 && scale <= precision ? Reader.DECIMAL : Reader.STRING;
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> Reader.BYTES;
            case Types.DATE -> Reader.DATE;
            case Types.TIME, Types.TIME_WITH_TIMEZONE -> Reader.TIME;
            case Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE -> Reader.TIMESTAMP;
            default -> Reader.STRING;
        };
        SchemaBuilder schema = switch (reader) {
            case BOOLEAN -> SchemaBuilder.bool();
            case INT8 -> SchemaBuilder.int8();
            case INT16 -> SchemaBuilder.int16();
            case INT32 -> SchemaBuilder.int32();
            case INT64 -> SchemaBuilder.int64();
            case FLOAT32 -> SchemaBuilder.float32();
            case FLOAT64 -> SchemaBuilder.float64();
            case DECIMAL -> Decimal.builder(scale);
            case STRING -> SchemaBuilder.string();
            case BYTES -> SchemaBuilder.bytes();
            case DATE -> Date.builder();
            case TIME -> Time.builder();
            case TIMESTAMP -> Timestamp.builder();
        };
        names.add(name);
        schemas.add(schema.optional().build());
        indexes.add(i);
        readers.add(reader);
    }

    RowLayout layout() {
        return layout;
    }

    /** The current row's values, in layout order. */
    Object[] read(ResultSet rs) throws SQLException {
        Object[] values = new Object[readers.length];
        for (int c = 0; c < readers.length; c++) {
            int i = columnIndexes[c];
            Object value = switch (readers[c]) {
                case BOOLEAN -> rs.getBoolean(i);
                case INT8 -> rs.getByte(i);
                case INT16 -> rs.getShort(i);
                case INT32 -> rs.getInt(i);
                case INT64 -> rs.getLong(i);
                case FLOAT32 -> rs.getFloat(i);
                case FLOAT64 -> rs.getDouble(i);
                case DECIMAL -> {
                    java.math.BigDecimal d = rs.getBigDecimal(i);
                    yield d == null ? null : d.setScale(scaleOf(c), java.math.RoundingMode.HALF_UP);
                }
                case STRING -> rs.getString(i);
                case BYTES -> rs.getBytes(i);
                case DATE -> {
                    java.sql.Date d = rs.getDate(i, utc());
                    yield d == null ? null : new java.util.Date(d.getTime());
                }
                case TIME -> {
                    java.sql.Time t = rs.getTime(i, utc());
                    yield t == null ? null : new java.util.Date(Math.floorMod(t.getTime(), 86_400_000L));
                }
                case TIMESTAMP -> {
                    java.sql.Timestamp t = rs.getTimestamp(i, utc());
                    yield t == null ? null : new java.util.Date(t.getTime());
                }
            };
            values[c] = rs.wasNull() ? null : value;
        }
        return values;
    }

    private int scaleOf(int column) {
        return Integer.parseInt(layout.schema(column).parameters().get(Decimal.SCALE_FIELD));
    }

    private static java.util.Calendar utc() {
        return java.util.Calendar.getInstance(java.util.TimeZone.getTimeZone("UTC"));
    }
}
