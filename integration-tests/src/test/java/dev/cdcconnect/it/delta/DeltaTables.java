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
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;

/**
 * Reads a Delta table with Delta Kernel's scan API, as a query engine would: log replay, then the Parquet files
 * the log lists. Strings, integers and longs come as they are; other types as their string form. Rows are ordered
 * by Kafka partition and offset.
 */
public final class DeltaTables {

    private static final Engine ENGINE = DefaultEngine.create(new Configuration());

    private DeltaTables() {
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
                Object value;
                if (vector.isNullAt(row)) {
                    value = null;
                } else if (vector.getDataType() instanceof IntegerType) {
                    value = vector.getInt(row);
                } else if (vector.getDataType() instanceof LongType) {
                    value = vector.getLong(row);
                } else {
                    value = vector.getDataType().toString().equals("string") ? vector.getString(row)
                            : String.valueOf(vector.getDataType());
                }
                values.put(schema.at(c).getName(), value);
            }
            out.add(values);
        }
    }
}
