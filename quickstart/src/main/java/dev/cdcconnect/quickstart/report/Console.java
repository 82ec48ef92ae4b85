package dev.cdcconnect.quickstart.report;

import java.io.PrintStream;
import java.util.Locale;

/**
 * What the user sees: step lines stamped with the seconds since start, and a progress line that is redrawn in
 * place on a terminal and printed every few seconds otherwise (a log file, a pipe, a CI job).
 */
public final class Console {

    private static final long PIPED_PROGRESS_INTERVAL_NANOS = 2_000_000_000L;

    private final PrintStream out;
    private final PrintStream err;
    private final long started = System.nanoTime();
    private final boolean terminal;
    private volatile boolean quiet;
    private int progressWidth;
    private long lastPipedProgress;

    public Console(PrintStream out, PrintStream err, boolean terminal) {
        this.out = out;
        this.err = err;
        this.terminal = terminal;
    }

    public synchronized void step(String text) {
        if (quiet) {
            return;
        }
        clearProgress();
        out.printf(Locale.ROOT, "[%5.1fs] %s%n", seconds(), text);
        out.flush();
    }

    public synchronized void line(String text) {
        if (quiet) {
            return;
        }
        clearProgress();
        out.println(text);
        out.flush();
    }

    /** A line shown even when {@link #quiet()}: how the stop went. */
    public synchronized void always(String text) {
        clearProgress();
        out.println(text);
        out.flush();
    }

    public synchronized void error(String text) {
        clearProgress();
        err.println(text);
        err.flush();
    }

    public synchronized void progress(String text) {
        if (quiet) {
            return;
        }
        if (terminal) {
            String padded = text.length() < progressWidth ? text + " ".repeat(progressWidth - text.length()) : text;
            out.print("\r" + padded);
            out.flush();
            progressWidth = text.length();
        } else {
            long now = System.nanoTime();
            if (lastPipedProgress == 0 || now - lastPipedProgress >= PIPED_PROGRESS_INTERVAL_NANOS) {
                out.printf(Locale.ROOT, "[%5.1fs] %s%n", seconds(), text);
                out.flush();
                lastPipedProgress = now;
            }
        }
    }

    /** Ends the progress line so the next output starts on a line of its own. */
    public synchronized void endProgress() {
        if (terminal && progressWidth > 0) {
            out.println();
            progressWidth = 0;
        }
    }

    /** From now on only errors are shown: used while stopping, when half-closed servers would only add noise. */
    public void quiet() {
        quiet = true;
    }

    public double seconds() {
        return (System.nanoTime() - started) / 1e9;
    }

    private void clearProgress() {
        if (terminal && progressWidth > 0) {
            out.print("\r" + " ".repeat(progressWidth) + "\r");
            progressWidth = 0;
        }
    }
}
