package dev.cdcconnect.eventstore.write;

/** What happens when a stream's revision is not what the sink expected: someone else wrote to it. */
public enum WrongExpectedVersionHandling {
    /**
     * The stream's last events are read again, records already there are skipped, and the rest is appended
     * after the foreign events. Nothing is written twice; foreign events end up between the sink's.
     */
    RESYNC("resync"),
    /** The task fails with an error naming the stream and both revisions. */
    FAIL("fail");

    private final String configName;

    WrongExpectedVersionHandling(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }
}
