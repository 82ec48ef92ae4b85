package dev.cdcconnect.delta.changelog;

import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.TimestampType;
import java.util.List;

/** The columns every change-log row has besides the row's own, in table order. */
public final class ChangeLogColumns {

    public static final String OP = "_cdc_op";
    public static final String SOURCE_TS = "_cdc_source_ts";
    public static final String EVENT_TS = "_cdc_event_ts";
    public static final String TX_ID = "_cdc_tx_id";
    public static final String LSN = "_cdc_lsn";
    public static final String BINLOG_FILE = "_cdc_binlog_file";
    public static final String BINLOG_POS = "_cdc_binlog_pos";
    public static final String BINLOG_ROW = "_cdc_binlog_row";
    public static final String KAFKA_TOPIC = "_cdc_kafka_topic";
    public static final String KAFKA_PARTITION = "_cdc_kafka_partition";
    public static final String KAFKA_OFFSET = "_cdc_kafka_offset";
    /** Partition column of tables partitioned by source date. */
    public static final String SOURCE_DATE = "_cdc_source_date";

    public static final String PREFIX = "_cdc_";

    public static final List<String> NAMES = List.of(OP, SOURCE_TS, EVENT_TS, TX_ID, LSN, BINLOG_FILE, BINLOG_POS,
            BINLOG_ROW, KAFKA_TOPIC, KAFKA_PARTITION, KAFKA_OFFSET);
    public static final List<DataType> TYPES = List.of(StringType.STRING, TimestampType.TIMESTAMP,
            TimestampType.TIMESTAMP, StringType.STRING, LongType.LONG, StringType.STRING, LongType.LONG, LongType.LONG,
            StringType.STRING, IntegerType.INTEGER, LongType.LONG);
    public static final DataType SOURCE_DATE_TYPE = DateType.DATE;

    private ChangeLogColumns() {
    }
}
