package dev.cdcconnect.delta.table;

import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Buffered rows (one {@code Object[]} per row, in the table's column order) seen as the columnar batch Delta
 * Kernel writes. Columns can be left out by position (Kernel leaves out partition columns) without copying rows.
 */
final class RowBatch implements ColumnarBatch {

    private final StructType schema;
    private final List<Object[]> rows;
    /** For each column of {@link #schema}, its position in a row. */
    private final int[] positions;

    RowBatch(StructType schema, List<Object[]> rows) {
        this(schema, rows, identity(schema.length()));
    }

    private RowBatch(StructType schema, List<Object[]> rows, int[] positions) {
        this.schema = schema;
        this.rows = rows;
        this.positions = positions;
    }

    private static int[] identity(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        return p;
    }

    @Override
    public StructType getSchema() {
        return schema;
    }

    @Override
    public ColumnVector getColumnVector(int ordinal) {
        return new Column(schema.at(ordinal).getDataType(), positions[ordinal]);
    }

    @Override
    public int getSize() {
        return rows.size();
    }

    @Override
    public ColumnarBatch withDeletedColumnAt(int ordinal) {
        List<StructField> fields = new ArrayList<>(schema.fields());
        fields.remove(ordinal);
        int[] kept = new int[positions.length - 1];
        for (int i = 0, j = 0; i < positions.length; i++) {
            if (i != ordinal) {
                kept[j++] = positions[i];
            }
        }
        return new RowBatch(new StructType(fields), rows, kept);
    }

    @Override
    public ColumnarBatch withNewSchema(StructType newSchema) {
        return new RowBatch(newSchema, rows, positions);
    }

    /** One column of the rows. */
    private final class Column implements ColumnVector {
        private final DataType type;
        private final int position;

        Column(DataType type, int position) {
            this.type = type;
            this.position = position;
        }

        private Object value(int rowId) {
            return rows.get(rowId)[position];
        }

        @Override
        public DataType getDataType() {
            return type;
        }

        @Override
        public int getSize() {
            return rows.size();
        }

        @Override
        public void close() {
        }

        @Override
        public boolean isNullAt(int rowId) {
            return value(rowId) == null;
        }

        @Override
        public boolean getBoolean(int rowId) {
            return (Boolean) value(rowId);
        }

        @Override
        public byte getByte(int rowId) {
            return ((Number) value(rowId)).byteValue();
        }

        @Override
        public short getShort(int rowId) {
            return ((Number) value(rowId)).shortValue();
        }

        @Override
        public int getInt(int rowId) {
            return ((Number) value(rowId)).intValue();
        }

        @Override
        public long getLong(int rowId) {
            return ((Number) value(rowId)).longValue();
        }

        @Override
        public float getFloat(int rowId) {
            return ((Number) value(rowId)).floatValue();
        }

        @Override
        public double getDouble(int rowId) {
            return ((Number) value(rowId)).doubleValue();
        }

        @Override
        public byte[] getBinary(int rowId) {
            return (byte[]) value(rowId);
        }

        @Override
        public String getString(int rowId) {
            return (String) value(rowId);
        }

        @Override
        public BigDecimal getDecimal(int rowId) {
            return (BigDecimal) value(rowId);
        }
    }
}
