package dev.cdcconnect.event;

/**
 * The {@code transaction} block Debezium adds with {@code provide.transaction.metadata=true}.
 *
 * @param id                  transaction id ({@code txId:lsn} for Postgres, the GTID or {@code file:pos} for binlogs)
 * @param totalOrder          position of this event among all events of the transaction, from 1
 * @param dataCollectionOrder position of this event among the transaction's events for the same table, from 1
 */
public record TransactionInfo(String id, Long totalOrder, Long dataCollectionOrder) {

    /** Reads a transaction block given as a Struct or Map, or returns null when there is none. */
    public static TransactionInfo read(Object transaction) {
        if (!Fields.isContainer(transaction)) {
            return null;
        }
        return new TransactionInfo(
                Fields.string(transaction, "id"),
                Fields.number(transaction, "total_order"),
                Fields.number(transaction, "data_collection_order"));
    }
}
