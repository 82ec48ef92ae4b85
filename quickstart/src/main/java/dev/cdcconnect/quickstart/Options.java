package dev.cdcconnect.quickstart;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** What the user asked for on the command line; {@link #parse} explains every mistake in words. */
public record Options(
        int orders,
        double rate,
        boolean keepRunning,
        boolean keepData,
        Optional<String> eventStoreUrl,
        Optional<String> eventStoreUser,
        Optional<String> eventStorePassword,
        Optional<Path> eventStoreCaFile,
        int kafkaPort,
        int controllerPort,
        int connectPort,
        int postgresPort,
        Duration catchUpTimeout,
        long seed,
        boolean help) {

    public static final int DEFAULT_ORDERS = 1000;
    public static final double DEFAULT_RATE = 200;
    public static final int DEFAULT_KAFKA_PORT = 19092;
    public static final int DEFAULT_CONNECT_PORT = 18083;
    public static final int DEFAULT_POSTGRES_PORT = 15432;
    public static final Duration DEFAULT_CATCH_UP = Duration.ofSeconds(120);

    /** Environment variable read for the EventStoreDB password, so it need not appear in the process list. */
    public static final String PASSWORD_ENV = "CDC_QUICKSTART_EVENTSTORE_PASSWORD";

    public static final String USAGE = """
            Usage: java -jar quickstart/target/quickstart.jar [options]

            Runs the seed pipelines on this machine: a KRaft Kafka broker, two distributed Connect workers with the
            cdc-connect bundle and Debezium on plugin.path, an embedded Postgres (logical decoding) holding users,
            stores and orders, and these connectors, deployed through the Connect REST API:
              postgres-source        Debezium Postgres source: users, stores, orders -> Kafka
              enriched-orders-sink   orders + Enrich (users, stores looked up from their topics) -> JDBC sink
                                     -> Postgres table enriched_orders
              eventstore-sink        each order's changes -> EventStoreDB stream order-<order id>
              json-orders-sink       schemaless JSON orders -> InferSchema -> JDBC sink -> Postgres orders_json
            It generates orders (inserting, updating and deleting), shows progress, prints a summary, and stops,
            removing everything it started and wrote.

            Options:
              --orders N                 orders to place (default %d)
              --rate N                   orders placed per second (default %s)
              --keep-running             after the summary keep everything running until Ctrl-C, to look around
              --keep-data                leave the working directory (Kafka log, Postgres data, server log) at exit
              --eventstore URL           write events to this EventStoreDB/KurrentDB, e.g. kurrentdb://host:2113
                                         (add ?tls=false for an insecure node). Without it the events go to an
                                         in-memory stand-in for EventStoreDB that lives as long as the quickstart
              --eventstore-user NAME     user for --eventstore
              --eventstore-password PW   password for --eventstore (or set %s)
              --eventstore-tls-ca-file F PEM file of the CA that signed the server's certificate
              --kafka-port N             broker port (default %d); the KRaft controller listens on N+1
              --connect-port N           REST port of the first Connect worker (default %d); the second uses N+1
              --postgres-port N          Postgres port (default %d)
                                         A port of 0 takes any free port.
              --timeout SECONDS          how long the pipelines may take to catch up after the last order
                                         (default %d)
              --seed N                   seed of the random orders (default: a new one each run)
              --help                     this text

            Exit status: 0 when every pipeline did its job, 1 when one did not (the server log is kept beside the
            removed working directory), 2 when it cannot run (a bad option, a port in use), 130 after Ctrl-C
            (143 after SIGTERM).
            """.formatted(DEFAULT_ORDERS, format(DEFAULT_RATE), PASSWORD_ENV, DEFAULT_KAFKA_PORT,
            DEFAULT_CONNECT_PORT, DEFAULT_POSTGRES_PORT, DEFAULT_CATCH_UP.toSeconds());

    /** A mistake on the command line; the message says what and how to fix it. */
    public static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    public static Options parse(String[] args, java.util.function.Function<String, String> env) throws UsageException {
        int orders = DEFAULT_ORDERS;
        double rate = DEFAULT_RATE;
        boolean keepRunning = false;
        boolean keepData = false;
        String url = null;
        String user = null;
        String password = env.apply(PASSWORD_ENV);
        Path caFile = null;
        int kafkaPort = DEFAULT_KAFKA_PORT;
        int connectPort = DEFAULT_CONNECT_PORT;
        int postgresPort = DEFAULT_POSTGRES_PORT;
        Duration timeout = DEFAULT_CATCH_UP;
        long seed = System.nanoTime();
        boolean help = false;

        List<String> queue = new ArrayList<>(List.of(args));
        while (!queue.isEmpty()) {
            String arg = queue.remove(0);
            String name = arg;
            String inline = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                inline = arg.substring(eq + 1);
            }
            switch (name) {
                case "--help", "-h" -> help = true;
                case "--keep-running" -> keepRunning = true;
                case "--keep-data" -> keepData = true;
                case "--orders" -> orders = intValue(name, value(name, inline, queue), 1, 10_000_000);
                case "--rate" -> rate = doubleValue(name, value(name, inline, queue));
                case "--eventstore" -> url = eventStoreUrl(value(name, inline, queue));
                case "--eventstore-user" -> user = value(name, inline, queue);
                case "--eventstore-password" -> password = value(name, inline, queue);
                case "--eventstore-tls-ca-file" -> caFile = readableFile(name, value(name, inline, queue));
                case "--kafka-port" -> kafkaPort = port(name, value(name, inline, queue));
                case "--connect-port" -> connectPort = port(name, value(name, inline, queue));
                case "--postgres-port" -> postgresPort = port(name, value(name, inline, queue));
                case "--timeout" -> timeout = Duration.ofSeconds(intValue(name, value(name, inline, queue), 1, 86_400));
                case "--seed" -> seed = longValue(name, value(name, inline, queue));
                default -> throw new UsageException("unknown option '" + arg + "' (--help lists the options)");
            }
        }
        if (url == null && (user != null || caFile != null)) {
            throw new UsageException("--eventstore-user and --eventstore-tls-ca-file need --eventstore URL");
        }
        if (kafkaPort == 65535 || connectPort == 65535) {
            throw new UsageException("--kafka-port and --connect-port need the port after theirs free too: use 65534 "
                    + "or lower");
        }
        return new Options(orders, rate, keepRunning, keepData, Optional.ofNullable(url), Optional.ofNullable(user),
                Optional.ofNullable(url == null ? null : password), Optional.ofNullable(caFile), kafkaPort,
                kafkaPort == 0 ? 0 : kafkaPort + 1, connectPort, postgresPort, timeout, seed, help);
    }

    private static String value(String name, String inline, List<String> queue) throws UsageException {
        if (inline != null) {
            return inline;
        }
        if (queue.isEmpty() || queue.get(0).startsWith("--")) {
            throw new UsageException(name + " needs a value (--help lists the options)");
        }
        return queue.remove(0);
    }

    private static int intValue(String name, String text, int min, int max) throws UsageException {
        long value = longValue(name, text);
        if (value < min || value > max) {
            throw new UsageException(name + " must be between " + min + " and " + max + ", not " + text);
        }
        return (int) value;
    }

    private static long longValue(String name, String text) throws UsageException {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(name + " takes a whole number, not '" + text + "'");
        }
    }

    private static double doubleValue(String name, String text) throws UsageException {
        double value;
        try {
            value = Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(name + " takes a number of orders per second, not '" + text + "'");
        }
        if (!(value > 0) || value > 100_000) {
            throw new UsageException(name + " must be more than 0 and at most 100000 orders per second, not " + text);
        }
        return value;
    }

    private static int port(String name, String text) throws UsageException {
        return intValue(name, text, 0, 65535);
    }

    private static String eventStoreUrl(String text) throws UsageException {
        String url = text.trim();
        String scheme = url.contains("://") ? url.substring(0, url.indexOf("://")).toLowerCase(Locale.ROOT) : "";
        if (!List.of("kurrentdb", "kurrentdb+discover", "kurrent+discover", "kdb", "kdb+discover", "esdb",
                "esdb+discover").contains(scheme)) {
            throw new UsageException("--eventstore takes a connection string such as kurrentdb://host:2113 or "
                    + "esdb://host:2113?tls=false, not '" + text + "'");
        }
        String authority = url.substring(url.indexOf("://") + 3);
        int end = authority.indexOf('/') >= 0 ? authority.indexOf('/') : authority.indexOf('?');
        if ((end < 0 ? authority : authority.substring(0, end)).contains("@")) {
            throw new UsageException("--eventstore must not carry credentials: give them with --eventstore-user and "
                    + "--eventstore-password (or " + PASSWORD_ENV + ")");
        }
        return url;
    }

    private static Path readableFile(String name, String text) throws UsageException {
        Path path = Path.of(text).toAbsolutePath();
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new UsageException(name + ": " + path + " is not a readable file");
        }
        return path;
    }

    static String format(double rate) {
        return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
    }

    /** The second worker's REST port. */
    public int secondConnectPort() {
        return connectPort == 0 ? 0 : connectPort + 1;
    }
}
