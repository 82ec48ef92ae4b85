package dev.cdcconnect.delta.table;

import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.types.BinaryType;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.ByteType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DecimalType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.ShortType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampNTZType;
import io.delta.kernel.types.TimestampType;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.connect.errors.DataException;

/**
 * Rows buffered for a Parquet file, held column by column as the columnar batch Delta Kernel writes: numbers and
 * booleans in primitive arrays (no boxed value and no array per row stays in memory until the file is written),
 * text, binary and decimals as references. Columns can be left out by position (Kernel leaves out partition
 * columns) without copying.
 */
final class RowBatch {

    private static final int INITIAL_CAPACITY = 1024;

    private StructType schema;
    private Column[] columns;
    private int size;

    RowBatch(StructType schema) {
        this.schema = schema;
        this.columns = new Column[schema.length()];
        for (int i = 0; i < columns.length; i++) {
            columns[i] = Column.of(schema.at(i).getDataType());
        }
    }

    /** The table got columns after its last ones (a table not created yet): they are null in the rows so far. */
    void extend(StructType wider) {
        Column[] more = Arrays.copyOf(columns, wider.length());
        for (int i = columns.length; i < more.length; i++) {
            more[i] = Column.of(wider.at(i).getDataType());
            more[i].appendNulls(size);
        }
        schema = wider;
        columns = more;
    }

    /**
     * Appends a row: one value per column in table order (null for none), each of the Java type of its column's
     * type. The row is not added when a value has another type.
     *
     * @throws DataException naming the column whose value has the wrong type
     */
    void add(Object[] values) {
        int i = 0;
        try {
            for (; i < columns.length; i++) {
                columns[i].append(size, values[i]);
            }
        } catch (ClassCastException e) {
            // The columns before keep a value in the slot after the last row: the next row overwrites it.
            throw new DataException("column " + schema.at(i).getName() + " is " + schema.at(i).getDataType()
                    + " but the value is a " + values[i].getClass().getSimpleName(), e);
        }
        size++;
    }

    int size() {
        return size;
    }

    /** The rows as a batch of this schema: the table's columns, as Kernel's transaction states them. */
    ColumnarBatch batch(StructType tableSchema) {
        if (tableSchema.length() != columns.length) {
            throw new IllegalStateException("The table has " + tableSchema.length() + " columns, the rows "
                    + columns.length);
        }
        int[] positions = new int[columns.length];
        for (int i = 0; i < positions.length; i++) {
            positions[i] = i;
        }
        return new Batch(tableSchema, positions, size);
    }

    /** A view of the rows: columns of {@link #columns} at {@code positions}. */
    private final class Batch implements ColumnarBatch {
        private final StructType batchSchema;
        private final int[] positions;
        private final int rows;

        Batch(StructType batchSchema, int[] positions, int rows) {
            this.batchSchema = batchSchema;
            this.positions = positions;
            this.rows = rows;
        }

        @Override
        public StructType getSchema() {
            return batchSchema;
        }

        @Override
        public ColumnVector getColumnVector(int ordinal) {
            return new Vector(batchSchema.at(ordinal).getDataType(), columns[positions[ordinal]], rows);
        }

        @Override
        public int getSize() {
            return rows;
        }

        @Override
        public ColumnarBatch withDeletedColumnAt(int ordinal) {
            List<StructField> fields = new ArrayList<>(batchSchema.fields());
            fields.remove(ordinal);
            int[] kept = new int[positions.length - 1];
            for (int i = 0, j = 0; i < positions.length; i++) {
                if (i != ordinal) {
                    kept[j++] = positions[i];
                }
            }
            return new Batch(new StructType(fields), kept, rows);
        }

        @Override
        public ColumnarBatch withNewSchema(StructType newSchema) {
            return new Batch(newSchema, positions, rows);
        }
    }

    /** One column of the batch as Kernel's Parquet writer reads it. */
    private static final class Vector implements ColumnVector {
        private final DataType type;
        private final Column column;
        private final int rows;

        Vector(DataType type, Column column, int rows) {
            this.type = type;
            this.column = column;
            this.rows = rows;
        }

        @Override
        public DataType getDataType() {
            return type;
        }

        @Override
        public int getSize() {
            return rows;
        }

        @Override
        public void close() {
        }

        @Override
        public boolean isNullAt(int rowId) {
            return column.isNull(rowId);
        }

        @Override
        public boolean getBoolean(int rowId) {
            return column.getBoolean(rowId);
        }

        @Override
        public byte getByte(int rowId) {
            return (byte) column.getInt(rowId);
        }

        @Override
        public short getShort(int rowId) {
            return (short) column.getInt(rowId);
        }

        @Override
        public int getInt(int rowId) {
            return column.getInt(rowId);
        }

        @Override
        public long getLong(int rowId) {
            return column.getLong(rowId);
        }

        @Override
        public float getFloat(int rowId) {
            return column.getFloat(rowId);
        }

        @Override
        public double getDouble(int rowId) {
            return column.getDouble(rowId);
        }

        @Override
        public byte[] getBinary(int rowId) {
            return (byte[]) column.get(rowId);
        }

        @Override
        public String getString(int rowId) {
            return (String) column.get(rowId);
        }

        @Override
        public BigDecimal getDecimal(int rowId) {
            return (BigDecimal) column.get(rowId);
        }
    }

    /** The values of one column, with a null flag per row. */
    private abstract static class Column {
        private boolean[] nulls = new boolean[INITIAL_CAPACITY];

        static Column of(DataType type) {
            if (type instanceof LongType || type instanceof TimestampType || type instanceof TimestampNTZType) {
                return new Longs();
            }
            if (type instanceof IntegerType || type instanceof ShortType || type instanceof ByteType
                    || type instanceof DateType) {
                return new Ints();
            }
            if (type instanceof DoubleType) {
                return new Doubles();
            }
            if (type instanceof FloatType) {
                return new Floats();
            }
            if (type instanceof BooleanType) {
                return new Booleans();
            }
            if (type instanceof StringType) {
                return new References(String.class);
            }
            if (type instanceof BinaryType) {
                return new References(byte[].class);
            }
            if (type instanceof DecimalType) {
                return new References(BigDecimal.class);
            }
            // A column the sink has no values for (a table made elsewhere, with nested types): nulls only.
            return new References(Void.class);
        }

        /** Sets a row's value; each row of a column is set once, or again after a row that was not added. */
        final void append(int row, Object value) {
            if (row == nulls.length) {
                int capacity = nulls.length * 2;
                nulls = Arrays.copyOf(nulls, capacity);
                grow(capacity);
            }
            if (value == null) {
                nulls[row] = true;
            } else {
                nulls[row] = false;
                set(row, value);
            }
        }

        final void appendNulls(int rows) {
            int capacity = INITIAL_CAPACITY;
            while (capacity < rows) {
                capacity *= 2;
            }
            nulls = new boolean[capacity];
            Arrays.fill(nulls, 0, rows, true);
            grow(capacity);
        }

        final boolean isNull(int row) {
            return nulls[row];
        }

        abstract void grow(int capacity);

        /** @throws ClassCastException when the value is not of the column's type */
        abstract void set(int row, Object value);

        boolean getBoolean(int row) {
            throw new UnsupportedOperationException();
        }

        int getInt(int row) {
            throw new UnsupportedOperationException();
        }

        long getLong(int row) {
            throw new UnsupportedOperationException();
        }

        float getFloat(int row) {
            throw new UnsupportedOperationException();
        }

        double getDouble(int row) {
            throw new UnsupportedOperationException();
        }

        Object get(int row) {
            throw new UnsupportedOperationException();
        }
    }

    private static final class Longs extends Column {
        private long[] values = new long[INITIAL_CAPACITY];

        @Override
        void grow(int capacity) {
            values = Arrays.copyOf(values, capacity);
        }

        @Override
        void set(int row, Object value) {
            values[row] = ((Number) value).longValue();
        }

        @Override
        long getLong(int row) {
            return values[row];
        }
    }

    private static final class Ints extends Column {
        private int[] values = new int[INITIAL_CAPACITY];

        @Override
        void grow(int capacity) {
            values = Arrays.copyOf(values, capacity);
        }

        @Override
        void set(int row, Object value) {
            values[row] = ((Number) value).intValue();
        }

        @Override
        int getInt(int row) {
            return values[row];
        }
    }

    private static final class Doubles extends Column {
        private double[] values = new double[INITIAL_CAPACITY];

        @Override
        void grow(int capacity) {
            values = Arrays.copyOf(values, capacity);
        }

        @Override
        void set(int row, Object value) {
            values[row] = ((Number) value).doubleValue();
        }

        @Override
        double getDouble(int row) {
            return values[row];
        }
    }

    private static final class Floats extends Column {
        private float[] values = new float[INITIAL_CAPACITY];

        @Override
        void grow(int capacity) {
            values = Arrays.copyOf(values, capacity);
        }

        @Override
        void set(int row, Object value) {
            values[row] = ((Number) value).floatValue();
        }

        @Override
        float getFloat(int row) {
            return values[row];
        }
    }

    private static final class Booleans extends Column {
        private boolean[] values = new boolean[INITIAL_CAPACITY];

        @Override
        void grow(int capacity) {
            values = Arrays.copyOf(values, capacity);
        }

        @Override
        void set(int row, Object value) {
            values[row] = (Boolean) value;
        }

        @Override
        boolean getBoolean(int row) {
            return values[row];
        }
    }

    /** Text, binary and decimal values: the objects themselves. */
    private static final class References extends Column {
        private final Class<?> type;
        private Object[] values = new Object[INITIAL_CAPACITY];

        References(Class<?> type) {
            this.type = type;
        }


        @Override
        void grow(int capacity) {
            values = Arrays.copyOf(values, capacity);
        }

        @Override
        void set(int row, Object value) {
            if (!type.isInstance(value)) {
                throw new ClassCastException(value.getClass().getName() + " is not a " + type.getName());
            }
            values[row] = value;
        }

        @Override
        Object get(int row) {
            return values[row];
        }
    }
}
