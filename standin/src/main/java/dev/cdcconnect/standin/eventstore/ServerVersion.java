package dev.cdcconnect.standin.eventstore;

/**
 * Server release whose behaviour the stand-in emulates: the version it reports, whether it answers
 * {@code ServerFeatures/GetSupportedMethods}, whether it serves the v2 multi-stream append, and its default maximum
 * append size.
 */
public enum ServerVersion {
    /** EventStoreDB 20.6: no ServerFeatures service (the client then assumes no optional feature), 1 MiB appends. */
    V20_6("20.6.0", false, false, ServerVersion.ONE_MIB),
    /** EventStoreDB 23.10 (LTS): 1 MiB appends, no multi-stream append. */
    V23_10("23.10.0", true, false, ServerVersion.ONE_MIB),
    /** EventStoreDB 24.10 (LTS): 1 MiB appends, no multi-stream append. */
    V24_10("24.10.0", true, false, ServerVersion.ONE_MIB),
    /** KurrentDB 25.0: 1 MiB appends, no multi-stream append. */
    V25_0("25.0.0", true, false, ServerVersion.ONE_MIB),
    /** KurrentDB 25.1: first release with the v2 multi-stream append session; 256 MiB appends. */
    V25_1("25.1.0", true, true, 256 * ServerVersion.ONE_MIB),
    /** KurrentDB 26.1: multi-stream append; 256 MiB appends. */
    V26_1("26.1.0", true, true, 256 * ServerVersion.ONE_MIB);

    private static final int ONE_MIB = 1024 * 1024;

    private final String version;
    private final boolean serverFeatures;
    private final boolean multiStreamAppend;
    private final int defaultMaxAppendSize;

    ServerVersion(String version, boolean serverFeatures, boolean multiStreamAppend, int defaultMaxAppendSize) {
        this.version = version;
        this.serverFeatures = serverFeatures;
        this.multiStreamAppend = multiStreamAppend;
        this.defaultMaxAppendSize = defaultMaxAppendSize;
    }

    /** The version string the server reports in {@code SupportedMethods.event_store_server_version}. */
    public String versionString() {
        return version;
    }

    /** Whether the release has the ServerFeatures service (20.6 answers UNIMPLEMENTED). */
    public boolean hasServerFeatures() {
        return serverFeatures;
    }

    /** Whether the release serves {@code kurrentdb.protocol.v2.streams.StreamsService/AppendSession}. */
    public boolean hasMultiStreamAppend() {
        return multiStreamAppend;
    }

    /** The release's default {@code MaxAppendSize} in bytes. */
    public int defaultMaxAppendSize() {
        return defaultMaxAppendSize;
    }
}
