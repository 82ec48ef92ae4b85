package dev.cdcconnect.it.kit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * What the in-JVM Connect workers log while it is open: each line as an operator reads it (level, logger, message,
 * and the message of every exception in the chain), so tests can look for a secret or count warnings. Opening it
 * can lower the level of a logger (for example {@code dev.cdcconnect} to DEBUG) until it is closed.
 */
public final class WorkerLog implements AutoCloseable {

    /** One captured line. */
    public record Line(Level level, String logger, String text) {
        @Override
        public String toString() {
            return level + " " + logger + " - " + text;
        }
    }

    private final ConcurrentLinkedQueue<Line> lines = new ConcurrentLinkedQueue<>();
    private final AbstractAppender appender;
    private final String loggerName;
    private final Level previousLevel;

    private WorkerLog(String loggerName, Level level) {
        this.loggerName = loggerName;
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        appender = new AbstractAppender("worker-log-" + System.identityHashCode(this), null, null, true,
                Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                StringBuilder text = new StringBuilder(event.getMessage().getFormattedMessage());
                for (Throwable t = event.getThrown(); t != null; t = t.getCause()) {
                    text.append(" | ").append(t);
                    if (t.getCause() == t) {
                        break;
                    }
                }
                lines.add(new Line(event.getLevel(), event.getLoggerName(), text.toString()));
            }
        };
        appender.start();
        config.addAppender(appender);
        config.getRootLogger().addAppender(appender, Level.ALL, null);
        LoggerConfig logger = config.getLoggerConfig(loggerName);
        previousLevel = logger.getName().equals(loggerName) ? logger.getLevel() : null;
        if (level != null) {
            if (!logger.getName().equals(loggerName)) {
                logger = new LoggerConfig(loggerName, level, true);
                config.addLogger(loggerName, logger);
            }
            logger.setLevel(level);
        }
        context.updateLoggers();
    }

    /** Captures every line from now on, with {@code loggerName} logging from {@code level} up. */
    public static WorkerLog capture(String loggerName, Level level) {
        return new WorkerLog(loggerName, level);
    }

    public List<Line> lines() {
        return new ArrayList<>(lines);
    }

    public List<Line> lines(Predicate<Line> filter) {
        return lines.stream().filter(filter).toList();
    }

    /** Every captured line as text, one per line. */
    public String text() {
        StringBuilder all = new StringBuilder();
        lines.forEach(line -> all.append(line).append('\n'));
        return all.toString();
    }

    @Override
    public void close() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        config.getRootLogger().removeAppender(appender.getName());
        LoggerConfig logger = config.getLoggerConfig(loggerName);
        if (previousLevel != null && logger.getName().equals(loggerName)) {
            logger.setLevel(previousLevel);
        }
        context.updateLoggers();
        appender.stop();
    }
}
