package dev.cdcconnect.quickstart;

import java.util.logging.Level;
import java.util.logging.Logger;

/** Logs through java.util.logging the way gRPC does, after the quickstart's logging is set up as the launcher sets it. */
public final class JulProbe {

    private JulProbe() {
    }

    public static void main(String[] args) {
        Launcher.configureLogging();
        Logger.getLogger("io.grpc.netty.NettyServerHandler").log(Level.WARNING, "Stream Error from the probe",
                new IllegalStateException("probe failure"));
    }
}
