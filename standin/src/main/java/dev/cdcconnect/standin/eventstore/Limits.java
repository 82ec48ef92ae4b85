package dev.cdcconnect.standin.eventstore;

/**
 * The server's size limits ({@code MaxAppendSize}, {@code MaxAppendEventSize}) and its size accounting.
 */
record Limits(int maxAppendSize, int maxEventSize) {

    /** KurrentDB {@code Event.SizeOnDisk}: data + metadata + 2 bytes per UTF-16 unit of the type. */
    static int eventSize(String type, byte[] data, byte[] metadata) {
        return data.length + metadata.length + type.length() * 2;
    }
}
