package dev.cdcconnect.testkit.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Captures what this JVM logs (an embedded worker, a transform under test) from now until {@link #close()}, with the
 * root level lowered to INFO meanwhile, as a production worker logs: for tests that grep the log for secrets or for a
 * warning. Each captured line is the logger's name, the level, the formatted message and the stack trace of any
 * throwable, causes included.
 */
public final class LogCapture implements AutoCloseable {

    private final LoggerContext context;
    private final LoggerConfig root;
    private final Level previousRootLevel;
    private final Appender appender;

    private LogCapture(Level rootLevel) {
        context = (LoggerContext) org.apache.logging.log4j.LogManager.getContext(false);
        Configuration configuration = context.getConfiguration();
        root = configuration.getRootLogger();
        previousRootLevel = root.getLevel();
        appender = new Appender("capture-" + UUID.randomUUID());
        appender.start();
        root.addAppender(appender, Level.ALL, null);
        if (rootLevel.isLessSpecificThan(previousRootLevel)) {
            root.setLevel(rootLevel);
        }
        context.updateLoggers();
    }

    /** Starts capturing at INFO (loggers configured finer keep their level). */
    public static LogCapture start() {
        return new LogCapture(Level.INFO);
    }

    /** Every line captured so far. */
    public List<String> lines() {
        synchronized (appender.lines) {
            return List.copyOf(appender.lines);
        }
    }

    /** The lines containing the text. */
    public List<String> linesContaining(String text) {
        return lines().stream().filter(l -> l.contains(text)).toList();
    }

    /** The lines matching the predicate. */
    public List<String> lines(Predicate<String> which) {
        return lines().stream().filter(which).toList();
    }

    /** Everything captured, one entry per line. */
    public String text() {
        return String.join("\n", lines());
    }

    @Override
    public void close() {
        root.removeAppender(appender.getName());
        root.setLevel(previousRootLevel);
        context.updateLoggers();
        appender.stop();
    }

    private static final class Appender extends AbstractAppender {
        private final List<String> lines = new ArrayList<>();

        Appender(String name) {
            super(name, null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent event) {
            StringBuilder line = new StringBuilder()
                    .append(event.getLevel()).append(' ')
                    .append(event.getLoggerName()).append(" [").append(event.getThreadName()).append("] ")
                    .append(event.getMessage().getFormattedMessage());
            if (event.getThrown() != null) {
                StringWriter trace = new StringWriter();
                event.getThrown().printStackTrace(new PrintWriter(trace));
                line.append('\n').append(trace);
            }
            synchronized (lines) {
                lines.add(line.toString());
            }
        }
    }
}
