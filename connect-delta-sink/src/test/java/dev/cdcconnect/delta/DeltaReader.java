package dev.cdcconnect.delta;

import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
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
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;

/**
 * Reads a Delta table back with Delta Kernel's scan API (log replay, scan files, Parquet reader): the reader side,
 * independent of how the sink writes. Rows come as maps of column to value, dates as LocalDate and timestamps as
 * Instant (LocalDateTime without time zone), ordered by Kafka partition and offset.
 */
final class DeltaReader {

    private final Engine engine;

    DeltaReader(Configuration conf) {
        this.engine = DefaultEngine.create(conf);
    }

    DeltaReader() {
        this(new Configuration());
    }

    Snapshot snapshot(String path) {
        return Table.forPath(engine, path).getLatestSnapshot(engine);
    }

    List<Map<String, Object>> rows(String path) {
        Snapshot snapshot = snapshot(path);
        Scan scan = snapshot.getScanBuilder().build();
        Row scanState = scan.getScanState(engine);
        StructType readSchema = ScanStateRow.getPhysicalDataReadSchema(engine, scanState);
        List<Map<String, Object>> out = new ArrayList<>();
        try (CloseableIterator<FilteredColumnarBatch> scanFiles = scan.getScanFiles(engine)) {
            while (scanFiles.hasNext()) {
                try (CloseableIterator<Row> files = scanFiles.next().getRows()) {
                    while (files.hasNext()) {
                        Row scanFile = files.next();
                        FileStatus status = InternalScanFileUtils.getAddFileStatus(scanFile);
                        CloseableIterator<ColumnarBatch> physical = engine.getParquetHandler().readParquetFiles(
                                Utils.singletonCloseableIterator(status), readSchema, Optional.empty());
                        try (CloseableIterator<FilteredColumnarBatch> data =
                                     Scan.transformPhysicalData(engine, scanState, scanFile, physical)) {
                            while (data.hasNext()) {
                                collect(data.next(), out);
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(Comparator.comparing((Map<String, Object> r) -> (Integer) r.get("_cdc_kafka_partition"),
                        Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparing(r -> (Long) r.get("_cdc_kafka_offset"), Comparator.nullsFirst(Comparator.naturalOrder())));
        return out;
    }

    /** How many commits the table has (its latest version + 1). */
    long commits(String path) {
        return snapshot(path).getVersion() + 1;
    }

    private static void collect(FilteredColumnarBatch filtered, List<Map<String, Object>> out) {
        ColumnarBatch batch = filtered.getData();
        StructType schema = batch.getSchema();
        for (int row = 0; row < batch.getSize(); row++) {
            if (filtered.getSelectionVector().isPresent()) {
                ColumnVector selection = filtered.getSelectionVector().get();
                if (selection.isNullAt(row) || !selection.getBoolean(row)) {
                    continue;
                }
            }
            Map<String, Object> values = new LinkedHashMap<>();
            for (int c = 0; c < schema.length(); c++) {
                values.put(schema.at(c).getName(), value(batch.getColumnVector(c), row));
            }
            out.add(values);
        }
    }

    private static Object value(ColumnVector vector, int row) {
        if (vector.isNullAt(row)) {
            return null;
        }
        DataType type = vector.getDataType();
        if (type instanceof StringType) {
            return vector.getString(row);
        } else if (type instanceof LongType) {
            return vector.getLong(row);
        } else if (type instanceof IntegerType) {
            return vector.getInt(row);
        } else if (type instanceof ShortType) {
            return vector.getShort(row);
        } else if (type instanceof ByteType) {
            return vector.getByte(row);
        } else if (type instanceof BooleanType) {
            return vector.getBoolean(row);
        } else if (type instanceof DoubleType) {
            return vector.getDouble(row);
        } else if (type instanceof FloatType) {
            return vector.getFloat(row);
        } else if (type instanceof DecimalType) {
            return vector.getDecimal(row);
        } else if (type instanceof BinaryType) {
            return vector.getBinary(row);
        } else if (type instanceof DateType) {
            return LocalDate.ofEpochDay(vector.getInt(row));
        } else if (type instanceof TimestampType) {
            long micros = vector.getLong(row);
            return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000), Math.floorMod(micros, 1_000_000) * 1000);
        } else if (type instanceof TimestampNTZType) {
            long micros = vector.getLong(row);
            return LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000),
                    (int) Math.floorMod(micros, 1_000_000) * 1000, ZoneOffset.UTC);
        }
        return "unsupported " + type;
    }
}
