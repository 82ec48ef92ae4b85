package dev.cdcconnect.it.delta;

import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.data.ScanStateRow;
import io.delta.kernel.internal.util.Utils;
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
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampNTZType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;

/**
 * Reads a Delta table with Delta Kernel's scan API, as a query engine would: log replay, then the Parquet files
 * the log lists. Values come as Java values of their Delta type: strings, numbers, booleans and bytes as they are,
 * decimals as {@link java.math.BigDecimal}, dates as {@link LocalDate}, timestamps as {@link Instant}, timestamps
 * without time zone as {@link LocalDateTime}; nested types as the type's name. Rows are ordered by Kafka partition
 * and offset.
 */
public final class DeltaTables {

    private static final Engine ENGINE = DefaultEngine.create(new Configuration());

    private DeltaTables() {
    }

    /** The columns of the table in this folder and their Delta types, in the table's order. */
    public static Map<String, DataType> columns(Path folder) {
        StructType schema = Table.forPath(ENGINE, folder.toUri().toString()).getLatestSnapshot(ENGINE)
                .getSchema();
        Map<String, DataType> columns = new LinkedHashMap<>();
        for (int c = 0; c < schema.length(); c++) {
            columns.put(schema.at(c).getName(), schema.at(c).getDataType());
        }
        return columns;
    }

    /** The rows of the table in this folder, or none when it has no table yet. */
    public static List<Map<String, Object>> rows(Path folder) {
        Snapshot snapshot;
        try {
            snapshot = Table.forPath(ENGINE, folder.toUri().toString()).getLatestSnapshot(ENGINE);
        } catch (TableNotFoundException e) {
            return List.of();
        }
        Scan scan = snapshot.getScanBuilder().build();
        Row scanState = scan.getScanState(ENGINE);
        StructType readSchema = ScanStateRow.getPhysicalDataReadSchema(ENGINE, scanState);
        List<Map<String, Object>> out = new ArrayList<>();
        try (CloseableIterator<FilteredColumnarBatch> scanFiles = scan.getScanFiles(ENGINE)) {
            while (scanFiles.hasNext()) {
                try (CloseableIterator<Row> files = scanFiles.next().getRows()) {
                    while (files.hasNext()) {
                        Row scanFile = files.next();
                        FileStatus status = InternalScanFileUtils.getAddFileStatus(scanFile);
                        CloseableIterator<ColumnarBatch> physical = ENGINE.getParquetHandler().readParquetFiles(
                                Utils.singletonCloseableIterator(status), readSchema, Optional.empty());
                        try (CloseableIterator<FilteredColumnarBatch> data =
                                     Scan.transformPhysicalData(ENGINE, scanState, scanFile, physical)) {
                            while (data.hasNext()) {
                                collect(data.next().getData(), out);
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(Comparator.comparing((Map<String, Object> r) -> (Integer) r.get("_cdc_kafka_partition"))
                .thenComparing(r -> (Long) r.get("_cdc_kafka_offset")));
        return out;
    }

    private static void collect(ColumnarBatch batch, List<Map<String, Object>> out) {
        StructType schema = batch.getSchema();
        for (int row = 0; row < batch.getSize(); row++) {
            Map<String, Object> values = new LinkedHashMap<>();
            for (int c = 0; c < schema.length(); c++) {
                ColumnVector vector = batch.getColumnVector(c);
                values.put(schema.at(c).getName(), vector.isNullAt(row) ? null : value(vector, row));
            }
            out.add(values);
        }
    }

    private static Object value(ColumnVector vector, int row) {
        DataType type = vector.getDataType();
        if (type instanceof StringType) {
            return vector.getString(row);
        } else if (type instanceof IntegerType) {
            return vector.getInt(row);
        } else if (type instanceof LongType) {
            return vector.getLong(row);
        } else if (type instanceof ShortType) {
            return vector.getShort(row);
        } else if (type instanceof ByteType) {
            return vector.getByte(row);
        } else if (type instanceof DoubleType) {
            return vector.getDouble(row);
        } else if (type instanceof FloatType) {
            return vector.getFloat(row);
        } else if (type instanceof BooleanType) {
            return vector.getBoolean(row);
        } else if (type instanceof BinaryType) {
            return vector.getBinary(row);
        } else if (type instanceof DecimalType) {
            return vector.getDecimal(row);
        } else if (type instanceof DateType) {
            return LocalDate.ofEpochDay(vector.getInt(row));
        } else if (type instanceof TimestampType) {
            return Instant.EPOCH.plus(vector.getLong(row), ChronoUnit.MICROS);
        } else if (type instanceof TimestampNTZType) {
            return LocalDateTime.ofInstant(Instant.EPOCH.plus(vector.getLong(row), ChronoUnit.MICROS), ZoneOffset.UTC);
        }
        return String.valueOf(type);
    }
}
