package dev.cdcconnect.support.unfiltered;

/** A plugin whose build left its version.properties unfiltered. */
public final class UnfilteredPlugin {
}
