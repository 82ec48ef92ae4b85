package dev.cdcconnect.quickstart;

import dev.cdcconnect.quickstart.eventstore.EventStoreTarget;
import dev.cdcconnect.quickstart.kafka.ConnectWorkers;
import dev.cdcconnect.quickstart.kafka.KafkaBroker;
import dev.cdcconnect.quickstart.pipeline.ConnectRest;
import dev.cdcconnect.quickstart.pipeline.Pipelines;
import dev.cdcconnect.quickstart.pipeline.Pipelines.Pipeline;
import dev.cdcconnect.standin.postgres.PostgresServer;
import dev.cdcconnect.quickstart.postgres.ShopDatabase;
import dev.cdcconnect.quickstart.report.Console;
import dev.cdcconnect.quickstart.report.Probe;
import dev.cdcconnect.quickstart.report.Summary;
import dev.cdcconnect.quickstart.traffic.OrderTraffic;
import dev.cdcconnect.standin.shop.Shop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The quickstart: starts the servers, deploys the pipelines whose plugins are installed, places orders, shows
 * progress and a summary, and stops everything it started, removing what it wrote.
 */
public final class Quickstart {

    static final int EXIT_OK = 0;
    static final int EXIT_PIPELINE_FAILED = 1;
    static final int EXIT_CANNOT_RUN = 2;
    static final String LOG_FILE_PROPERTY = "quickstart.log.file";

    /** The exit status once stopped by a signal (128 plus its number), else 0. */
    private volatile int exitOnSignal;

    private final Options options;
    private final Console console;
    private final Path work;
    private final Path outerTmp;
    private final List<Stoppable> running = new ArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private boolean stopDone;
    private boolean removed;
    private final CountDownLatch mainDone = new CountDownLatch(1);
    private volatile long stopNanos;
    private final Map<String, String> stopTimes = new LinkedHashMap<>();
    private volatile boolean anythingStarted;
    private volatile boolean stopping;
    private volatile boolean stoppedByUser;
    private volatile boolean fatal;
    private volatile OrderTraffic traffic;
    private volatile CompletableFuture<PostgresServer> postgresStart;

    /**
     * Something started that must be stopped. Lower ranks stop first: the workers (and their connectors) before
     * the servers the connectors talk to, so that no task is left retrying against a server that is gone.
     */
    private record Stoppable(String what, AutoCloseable resource, int rank) {
    }

    private static final int WORKERS = 1;
    private static final int BROKER = 2;
    private static final int EVENTSTORE = 3;

    private Quickstart(Options options, Console console, Path work, Path outerTmp) {
        this.options = options;
        this.console = console;
        this.work = work;
        this.outerTmp = outerTmp;
    }

    public static void main(String[] args) {
        Console console = new Console(System.out, System.err, System.console() != null);
        Options options;
        try {
            options = Options.parse(args, System::getenv);
        } catch (Options.UsageException e) {
            console.error("error: " + e.getMessage());
            System.exit(EXIT_CANNOT_RUN);
            return;
        }
        if (options.help()) {
            System.out.print(Options.USAGE);
            System.exit(EXIT_OK);
            return;
        }
        Path outerTmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
        Path work;
        try {
            work = Files.createTempDirectory(outerTmp, "cdc-quickstart-");
            // Everything the servers and libraries write to the temp directory lands in ours, and goes with it.
            Files.createDirectories(work.resolve("tmp"));
        } catch (IOException e) {
            console.error("error: cannot create a working directory in " + outerTmp + ": " + e.getMessage());
            System.exit(EXIT_CANNOT_RUN);
            return;
        }
        System.setProperty("java.io.tmpdir", work.resolve("tmp").toString());
        System.setProperty(LOG_FILE_PROPERTY, work.resolve("quickstart.log").toString());
        // Logging starts here, on one thread, before the servers start theirs concurrently.
        org.slf4j.LoggerFactory.getLogger(Quickstart.class).info("cdc-connect quickstart {} with {}", version(),
                String.join(" ", args).replaceAll("(--eventstore-password[= ])\\S+", "$1***"));
        Quickstart quickstart = new Quickstart(options, console, work, outerTmp);
        Runtime.getRuntime().addShutdownHook(new Thread(quickstart::interrupted, "quickstart-stop"));
        stopOnSignals(quickstart);
        // The broker halts and the worker exits the JVM on a fatal error: stop through the shutdown hook instead, so
        // that Postgres is stopped and the working directory removed; during a stop there is nothing more to do.
        org.apache.kafka.common.utils.Exit.setHaltProcedure(quickstart::kafkaExit);
        org.apache.kafka.common.utils.Exit.setExitProcedure(quickstart::kafkaExit);
        int code = quickstart.run();
        // After Ctrl-C the main thread and the signal's handler both exit: with the same status.
        int signalled = quickstart.exitOnSignal;
        System.exit(signalled != 0 ? signalled : code);
    }

    private int run() {
        console.line("cdc-connect quickstart " + version() + ": the seed pipelines on this machine, no Docker");
        console.line("Working directory " + work + (options.keepData() ? " (kept at exit: --keep-data)"
                : " (removed at exit; --keep-data keeps it)"));
        int code;
        try {
            code = runPipelines();
        } catch (QuickstartException e) {
            if (!stopping) {
                console.error("error: " + e.getMessage());
            }
            code = e instanceof PipelineException ? EXIT_PIPELINE_FAILED : EXIT_CANNOT_RUN;
        } catch (RuntimeException | Error e) {
            // Half-started servers fail in all sorts of ways while being stopped; only failures before a stop count.
            if (!stopping) {
                console.error("error: " + e);
                org.slf4j.LoggerFactory.getLogger(Quickstart.class).error("The quickstart failed", e);
            }
            code = EXIT_PIPELINE_FAILED;
        } catch (InterruptedException e) {
            code = EXIT_PIPELINE_FAILED;
        }
        stop();
        // After Ctrl-C whatever failed failed because of the stop: nothing of the run is kept.
        removeWorkingDirectory(stoppedByUser ? EXIT_OK : code);
        mainDone.countDown();
        return code;
    }

    /** A pipeline that did not do its job: the servers ran, the result is wrong or late. */
    static final class PipelineException extends QuickstartException {
        private static final long serialVersionUID = 1L;

        PipelineException(String message) {
            super(message);
        }
    }

    private int runPipelines() throws QuickstartException, InterruptedException {
        List<Integer> ports = Ports.claim(List.of(
                new Ports.Need("Kafka broker", "--kafka-port", options.kafkaPort()),
                new Ports.Need("KRaft controller", "--kafka-port", options.controllerPort()),
                new Ports.Need("Connect worker 1 REST", "--connect-port", options.connectPort()),
                new Ports.Need("Connect worker 2 REST", "--connect-port", options.secondConnectPort()),
                new Ports.Need("Postgres", "--postgres-port", options.postgresPort())));
        Path pluginPath = pluginPath();

        EventStoreTarget eventStore;
        if (options.eventStoreUrl().isPresent()) {
            console.step("Checking EventStoreDB at " + options.eventStoreUrl().get() + " ...");
            eventStore = EventStoreTarget.connect(options.eventStoreUrl().get(), options.eventStoreUser(),
                    options.eventStorePassword(), options.eventStoreCaFile());
            started("EventStoreDB client", eventStore, EVENTSTORE);
            console.step("EventStoreDB at " + eventStore.connectionString() + " answers");
        } else {
            eventStore = null;
        }

        console.step("Starting Postgres (embedded, wal_level=logical), a KRaft Kafka broker and 2 Connect workers ...");
        CompletableFuture<PostgresServer> postgresStart = CompletableFuture.supplyAsync(() -> {
            try {
                return PostgresServer.start(work.resolve("postgres"), ports.get(4));
            } catch (RuntimeException e) {
                throw new CompletionException(new QuickstartException(e.getMessage(), e));
            }
        }, runnable -> {
            Thread thread = new Thread(runnable, "postgres-start");
            thread.setDaemon(true);
            thread.start();
        });
        this.postgresStart = postgresStart;
        anythingStarted = true;
        KafkaBroker broker = KafkaBroker.start(work.resolve("kafka"), ports.get(0), ports.get(1),
                starting -> startedUnchecked("Kafka broker", starting, BROKER));
        console.step("Kafka broker (KRaft, broker+controller) on " + broker.bootstrapServers() + ", config "
                + broker.configFile());

        ConnectWorkers workers = ConnectWorkers.start(work.resolve("connect"), broker.bootstrapServers(), pluginPath,
                List.of(ports.get(2), ports.get(3)));
        started("Connect workers", workers, WORKERS);
        ConnectRest rest = new ConnectRest(workers.restUrls());
        rest.awaitReady(Duration.ofSeconds(60));
        console.step("Connect workers (distributed, group " + ConnectWorkers.GROUP_ID + ") at "
                + String.join(", ", workers.restUrls()) + "; plugin.path " + pluginPath);

        PostgresServer postgres;
        try {
            postgres = postgresStart.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof QuickstartException q ? q
                    : new QuickstartException("the embedded Postgres did not start: " + e.getCause(), e.getCause());
        }
        Shop shop = ShopDatabase.create(postgres, options.seed());
        console.step("Postgres on localhost:" + postgres.port() + ", database " + ShopDatabase.DATABASE + ": users ("
                + ShopDatabase.USERS + "), stores (" + ShopDatabase.STORES + "), orders (empty)");

        broker.createTopics(Map.of(
                Pipelines.USERS_TOPIC, Map.entry(1, Map.of("cleanup.policy", "compact")),
                Pipelines.STORES_TOPIC, Map.entry(1, Map.of("cleanup.policy", "compact")),
                Pipelines.ORDERS_TOPIC, Map.entry(3, Map.of()),
                Pipelines.JSON_ORDERS_TOPIC, Map.entry(3, Map.of())));

        Map<String, String> installed = rest.plugins();
        if (eventStore == null && installed.containsKey(Pipelines.EVENTSTORE_SINK)) {
            eventStore = EventStoreTarget.standIn();
            started("EventStoreDB stand-in", eventStore, EVENTSTORE);
            console.step("EventStoreDB: none given (--eventstore URL), so the events go to an in-memory STAND-IN at "
                    + eventStore.connectionString() + ". It speaks EventStoreDB's gRPC protocol but it is NOT a "
                    + "database: nothing is persisted and it is gone when the quickstart stops");
        }

        Pipelines.Endpoints endpoints = new Pipelines.Endpoints(broker.bootstrapServers(), postgres.host(),
                postgres.port(), ShopDatabase.DATABASE, PostgresServer.USER, PostgresServer.PASSWORD,
                eventStore == null ? Map.of() : eventStore.sinkConfig());
        Deployed deployed = deploy(rest, installed, endpoints, broker);

        try (Admin admin = broker.admin();
             KafkaProducer<String, String> producer = jsonProducer(broker.bootstrapServers())) {
            traffic = new OrderTraffic(shop, postgres, producer, Pipelines.JSON_ORDERS_TOPIC, options.orders(),
                    options.rate(), options.seed());
            Map<String, String> sinks = new LinkedHashMap<>();
            deployed.sinks().forEach(p -> sinks.put(p.name(), p.config().get("topics")));
            try (Probe probe = new Probe(postgres, eventStore, admin, traffic, sinks)) {
                return placeOrders(rest, deployed, probe, eventStore, new Endpoints(broker, workers, postgres));
            }
        }
    }

    /** Where things are, for the summary. */
    record Endpoints(KafkaBroker broker, ConnectWorkers workers, PostgresServer postgres) {
    }

    /** The pipelines deployed, and those left out with the reason. */
    record Deployed(List<Pipeline> sinks, boolean source, boolean enriched, boolean events, boolean json,
                    Map<String, String> skipped) {
    }

    private Deployed deploy(ConnectRest rest, Map<String, String> installed, Pipelines.Endpoints endpoints,
                            KafkaBroker broker) throws QuickstartException, InterruptedException {
        console.step("Plugins the workers loaded from plugin.path:");
        for (String plugin : List.of(Pipelines.POSTGRES_SOURCE, Pipelines.JDBC_SINK, Pipelines.ENRICH,
                Pipelines.EVENTSTORE_SINK, Pipelines.INFER_SCHEMA)) {
            console.line(String.format(Locale.ROOT, "          %-52s %s", plugin,
                    installed.containsKey(plugin) ? installed.get(plugin) : "NOT INSTALLED"));
        }
        Map<String, String> skipped = new LinkedHashMap<>();
        // All at once: the sinks start (JDBC sessions, lookup tables) while Debezium takes its snapshot.
        Pipeline source = Pipelines.source(endpoints);
        boolean sourceOn = deployIfInstalled(rest, source, installed, skipped, List.of());
        List<String> withoutSource = sourceOn ? List.of() : List.of(source.name());
        List<Pipeline> sinks = new ArrayList<>();
        Pipeline enriched = Pipelines.enrichedOrders(endpoints);
        boolean enrichedOn = deployIfInstalled(rest, enriched, installed, skipped, withoutSource);
        if (enrichedOn) {
            sinks.add(enriched);
        }
        Pipeline events = Pipelines.eventStore(endpoints);
        boolean eventsOn = deployIfInstalled(rest, events, installed, skipped, withoutSource);
        if (eventsOn) {
            sinks.add(events);
        }
        Pipeline json = Pipelines.jsonOrders(endpoints);
        boolean jsonOn = deployIfInstalled(rest, json, installed, skipped, List.of());
        if (jsonOn) {
            sinks.add(json);
        }
        if (sourceOn) {
            rest.awaitRunning(source.name(), source.tasks(), Duration.ofSeconds(90));
            awaitSnapshot(broker, Duration.ofSeconds(90));
        }
        for (Pipeline sink : sinks) {
            rest.awaitRunning(sink.name(), sink.tasks(), Duration.ofSeconds(90));
        }
        if (!sinks.isEmpty()) {
            console.step("Running: " + String.join(", ", sinks.stream().map(Pipeline::name).toList())
                    + " (" + sinks.stream().mapToInt(Pipeline::tasks).sum() + " sink tasks spread over 2 workers)");
        }
        return new Deployed(sinks, sourceOn, enrichedOn, eventsOn, jsonOn, skipped);
    }

    private boolean deployIfInstalled(ConnectRest rest, Pipeline pipeline, Map<String, String> installed,
                                      Map<String, String> skipped, List<String> notDeployed)
            throws QuickstartException {
        List<String> missing = pipeline.missing(installed);
        if (!missing.isEmpty() || !notDeployed.isEmpty()) {
            String reason = !missing.isEmpty()
                    ? "plugin " + String.join(" and ", missing) + " is not on plugin.path (" + pluginPath() + ")"
                    : "it reads what " + String.join(", ", notDeployed) + " writes, which is not deployed";
            skipped.put(pipeline.name(), reason);
            console.step("SKIPPED " + pipeline.name() + " (" + pipeline.description() + "): " + reason);
            return false;
        }
        rest.putConfig(pipeline.name(), pipeline.config());
        console.step("Deployed " + pipeline.name() + ": " + pipeline.description()
                + "  [PUT " + rest.urls().get(0) + "/connectors/" + pipeline.name() + "/config]");
        return true;
    }

    /** Waits until Debezium's snapshot has put every user and store into their topics. */
    private void awaitSnapshot(KafkaBroker broker, Duration timeout) throws QuickstartException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = broker.admin()) {
            while (true) {
                long users = endOffset(admin, Pipelines.USERS_TOPIC);
                long stores = endOffset(admin, Pipelines.STORES_TOPIC);
                if (users >= ShopDatabase.USERS && stores >= ShopDatabase.STORES) {
                    console.step("Snapshot captured: " + users + " users, " + stores + " stores in Kafka");
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new PipelineException("the Debezium snapshot did not arrive within " + timeout.toSeconds()
                            + " s: " + users + " of " + ShopDatabase.USERS + " users, " + stores + " of "
                            + ShopDatabase.STORES + " stores");
                }
                TimeUnit.MILLISECONDS.sleep(200);
            }
        }
    }

    private static long endOffset(Admin admin, String topic) {
        try {
            return admin.listOffsets(Map.of(new TopicPartition(topic, 0), OffsetSpec.latest())).all()
                    .get(5, TimeUnit.SECONDS).values().stream().mapToLong(o -> o.offset()).sum();
        } catch (Exception e) {
            return 0;
        }
    }

    private int placeOrders(ConnectRest rest, Deployed deployed, Probe probe, EventStoreTarget eventStore,
                            Endpoints endpoints) throws QuickstartException, InterruptedException {
        console.step(String.format(Locale.ROOT, "Placing %d orders at %s/s (each followed, %d%% of the time, by a "
                        + "change to an open order and, %d%%, by a cancellation) ...", options.orders(),
                Options.format(options.rate()), Math.round(100 * OrderTraffic.UPDATE_SHARE),
                Math.round(100 * OrderTraffic.DELETE_SHARE)));
        long trafficStart = System.nanoTime();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "quickstart-progress");
            thread.setDaemon(true);
            return thread;
        });
        Progress progress = new Progress(probe, deployed, trafficStart);
        ticker.scheduleWithFixedDelay(() -> console.progress(progress.line()), 0, 500, TimeUnit.MILLISECONDS);
        try {
            try {
                traffic.run();
            } catch (java.sql.SQLException e) {
                throw new PipelineException("placing orders failed: " + e.getMessage());
            }
            if (traffic.jsonFailure() != null) {
                throw new PipelineException("sending JSON orders failed: " + traffic.jsonFailure());
            }
            long lastOrder = System.nanoTime();
            CatchUp catchUp = awaitCatchUp(rest, deployed, probe, eventStore);
            ticker.shutdownNow();
            console.progress(progress.line());
            console.endProgress();
            double lag = (System.nanoTime() - lastOrder) / 1e9;
            new Summary(console, deployed.enriched(), deployed.events(), deployed.json(), deployed.skipped(),
                    traffic, probe, eventStore, catchUp.problems(), lag, (System.nanoTime() - trafficStart) / 1e9)
                    .print();
            printWhereToLook(endpoints, eventStore);
            if (!catchUp.problems().isEmpty()) {
                return EXIT_PIPELINE_FAILED;
            }
            if (options.keepRunning()) {
                console.line("");
                console.line("Kept running: press Ctrl-C to stop everything"
                        + (options.keepData() ? "." : " and remove " + work + "."));
                stopped.await();
            }
            return EXIT_OK;
        } finally {
            ticker.shutdownNow();
        }
    }

    /** What the pipelines had not done when the wait ended; empty when everything arrived. */
    record CatchUp(List<String> problems) {
    }

    private CatchUp awaitCatchUp(ConnectRest rest, Deployed deployed, Probe probe, EventStoreTarget eventStore)
            throws InterruptedException, QuickstartException {
        long deadline = System.nanoTime() + options.catchUpTimeout().toNanos();
        while (true) {
            List<String> problems = new ArrayList<>();
            for (Pipeline sink : deployed.sinks()) {
                ConnectRest.Status status;
                try {
                    status = rest.status(sink.name());
                } catch (QuickstartException e) {
                    continue;
                }
                if (status.failed()) {
                    throw new PipelineException("connector " + sink.name() + " failed: "
                            + ConnectRest.essence(status.trace()));
                }
            }
            Map<Long, Integer> open = traffic.openOrders();
            if (deployed.enriched()) {
                Map<Long, Integer> rows;
                try {
                    rows = probe.enrichedQuantities();
                } catch (java.sql.SQLException e) {
                    rows = Map.of();
                }
                if (!rows.equals(open)) {
                    problems.add(Pipelines.ENRICHED_TABLE + " has " + rows.size() + " rows, not yet the "
                            + open.size() + " open orders with their latest quantity");
                }
            }
            if (deployed.events()) {
                OptionalLong events = eventStore.eventCount(Pipelines.STREAM_PREFIX);
                if (events.isPresent() && events.getAsLong() != traffic.changes()) {
                    problems.add("EventStoreDB holds " + events.getAsLong() + " order events, not yet one per "
                            + "change (" + traffic.changes() + ")");
                }
                if (events.isEmpty() && probe.lagBySink().getOrDefault("eventstore-sink", 1L) > 0) {
                    problems.add("the EventStoreDB sink has not acknowledged every order change yet");
                }
            }
            if (deployed.json()) {
                long rows = probe.count(Pipelines.JSON_TABLE).orElse(0);
                if (rows != traffic.jsonSent()) {
                    problems.add(Pipelines.JSON_TABLE + " has " + rows + " rows, not yet the " + traffic.jsonSent()
                            + " JSON orders sent");
                }
            }
            if (problems.isEmpty() || System.nanoTime() > deadline || stopping) {
                if (!problems.isEmpty()) {
                    problems.add(0, "after waiting " + options.catchUpTimeout().toSeconds() + " s (--timeout):");
                }
                return new CatchUp(problems);
            }
            TimeUnit.MILLISECONDS.sleep(300);
        }
    }

    /** Builds the progress line from a fresh look at the pipelines. */
    private final class Progress {
        private final Probe probe;
        private final Deployed deployed;
        private final long start;

        Progress(Probe probe, Deployed deployed, long start) {
            this.probe = probe;
            this.deployed = deployed;
            this.start = start;
        }

        String line() {
            Probe.Snapshot s = probe.snapshot(deployed.enriched(), deployed.json(), deployed.events());
            double seconds = Math.max(0.001, (s.nanos() - start) / 1e9);
            StringBuilder line = new StringBuilder();
            line.append(String.format(Locale.ROOT, "orders %d/%d (+%d changed, %d cancelled)", s.placed(),
                    options.orders(), s.updated(), s.deleted()));
            if (deployed.enriched()) {
                line.append(" | enriched rows ").append(s.enrichedRows().isPresent() ? s.enrichedRows().getAsLong() : 0);
            }
            if (deployed.events()) {
                if (s.events().isPresent()) {
                    line.append(" | events appended ").append(s.events().getAsLong());
                } else {
                    line.append(" | changes acknowledged by EventStoreDB sink ")
                            .append(s.eventStoreCommitted().orElse(0));
                }
            }
            if (deployed.json()) {
                line.append(" | json rows ").append(s.jsonRows().isPresent() ? s.jsonRows().getAsLong() : 0);
            }
            line.append(" | lag ").append(s.lag());
            line.append(String.format(Locale.ROOT, " | %.0f orders/s", s.placed() / Math.max(0.001,
                    traffic.elapsedSeconds())));
            if (s.events().isPresent()) {
                line.append(String.format(Locale.ROOT, ", %.0f events/s", s.events().getAsLong() / seconds));
            }
            return line.toString();
        }
    }

    private void printWhereToLook(Endpoints endpoints, EventStoreTarget eventStore) {
        console.line("");
        console.line(options.keepRunning() ? "Where to look (running until Ctrl-C):"
                : "Where to look next time (run with --keep-running to keep everything up after the summary):");
        console.line("  Connect REST   curl " + endpoints.workers().restUrls().get(0) + "/connectors?expand=status");
        console.line("                 workers " + String.join(", ", endpoints.workers().restUrls()) + ", configs "
                + endpoints.workers().configFiles().get(0).getParent());
        console.line("  Kafka          bootstrap " + endpoints.broker().bootstrapServers() + ", topics "
                + Pipelines.ORDERS_TOPIC + ", " + Pipelines.USERS_TOPIC + ", " + Pipelines.STORES_TOPIC + ", "
                + Pipelines.JSON_ORDERS_TOPIC);
        console.line("  Postgres       psql postgresql://" + PostgresServer.USER + "@localhost:"
                + endpoints.postgres().port() + "/" + ShopDatabase.DATABASE + "   tables users, stores, orders, "
                + Pipelines.ENRICHED_TABLE + ", " + Pipelines.JSON_TABLE);
        if (eventStore != null) {
            console.line("  EventStoreDB   " + eventStore.connectionString() + (eventStore.isStandIn()
                    ? "  (the in-memory stand-in: read it with any KurrentDB client while the quickstart runs)"
                    : "") + ", streams " + Pipelines.STREAM_PREFIX + "<order id>");
        }
        console.line("  Server log     " + work.resolve("quickstart.log") + (options.keepData() ? ""
                : "  (removed at exit; --keep-data keeps it)"));
    }

    private static KafkaProducer<String, String> jsonProducer(String bootstrapServers) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.CLIENT_ID_CONFIG, "quickstart-web-shop"),
                new StringSerializer(), new StringSerializer());
    }

    /** The plugin folders: next to the jar ({@code target/plugins}), or where {@code quickstart.plugin.path} says. */
    private static Path pluginPath() throws QuickstartException {
        String configured = System.getProperty("quickstart.plugin.path");
        Path path;
        if (configured != null) {
            path = Path.of(configured).toAbsolutePath();
        } else {
            try {
                Path jar = Path.of(Quickstart.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                path = jar.getParent().resolve("plugins");
            } catch (java.net.URISyntaxException | RuntimeException e) {
                throw new QuickstartException("cannot tell where quickstart.jar is: " + e.getMessage(), e);
            }
        }
        if (!Files.isDirectory(path)) {
            throw new QuickstartException("the plugin folders are missing: " + path + " does not exist. Build them "
                    + "with ./mvnw -q -pl quickstart -am package -DskipTests");
        }
        return path;
    }

    private static String version() {
        String version = Quickstart.class.getPackage().getImplementationVersion();
        return version == null ? "(development build)" : version;
    }

    private void startedUnchecked(String what, AutoCloseable resource, int rank) {
        try {
            started(what, resource, rank);
        } catch (QuickstartException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private synchronized void started(String what, AutoCloseable resource, int rank) throws QuickstartException {
        if (stopDone) {
            // It finished starting after the stop: it goes at once.
            try {
                resource.close();
            } catch (Exception e) {
                console.error("warning: stopping " + what + " failed: " + e);
            }
            throw new QuickstartException("stopped while starting " + what);
        }
        running.add(new Stoppable(what, resource, rank));
        anythingStarted = true;
    }

    /**
     * Ctrl-C or a kill: stop as on completion. The main thread may be in the middle of starting something; it is
     * given a moment to notice before the working directory goes.
     */
    private void interrupted() {
        stoppedByUser = !fatal;
        if (!stopping && !fatal) {
            console.endProgress();
            console.line("");
            console.line("Stopping (interrupted) ...");
            console.quiet();
        }
        stopping = true;
        stop();
        try {
            // The main thread fails soon once what it uses is gone; it writes nothing in the working directory then.
            mainDone.await(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // After Ctrl-C nothing failed, so nothing of the run is kept; after a fatal error the server log is.
        removeWorkingDirectory(fatal ? EXIT_PIPELINE_FAILED : EXIT_OK);
    }

    /**
     * Ctrl-C and SIGTERM stop everything before the JVM runs its shutdown hooks. Each Connect worker has a hook
     * that stops it, and its Jetty server one of its own; the two race, and when Jetty's tears the server down
     * while Connect is stopping it, the worker never stops and the JVM never exits.
     */
    private static void stopOnSignals(Quickstart quickstart) {
        for (String name : List.of("INT", "TERM")) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                    // the exit status the JVM gives a process ended by this signal
                    quickstart.exitOnSignal = 128 + signal.getNumber();
                    quickstart.interrupted();
                    System.exit(quickstart.exitOnSignal);
                });
            } catch (IllegalArgumentException unavailable) {
                // Not on this platform or taken by the JVM's options: the shutdown hook stops everything.
            }
        }
    }

    private void kafkaExit(int code, String message) {
        if (stopping) {
            return;
        }
        fatal = true;
        console.error("error: Kafka stopped the quickstart (exit " + code + (message == null ? "" : ": " + message)
                + "); the server log says why");
        System.exit(code);
    }

    /** Stops everything started, newest first, Postgres last; once, whoever asks first. */
    private synchronized void stop() {
        if (stopDone) {
            return;
        }
        stopping = true;
        stopNanos = System.nanoTime();
        stopped.countDown();
        OrderTraffic placing = traffic;
        if (placing != null) {
            placing.stop();
        }
        running.sort(java.util.Comparator.comparingInt(Stoppable::rank));
        for (Stoppable s : running) {
            long began = System.nanoTime();
            try {
                s.resource().close();
            } catch (Exception e) {
                console.error("warning: stopping " + s.what() + " failed: " + e);
            }
            stopTimes.put(s.what(), seconds(began));
        }
        running.clear();
        // Postgres goes last: the source connector's replication connection closes before the server does.
        CompletableFuture<PostgresServer> postgres = postgresStart;
        if (postgres != null) {
            long began = System.nanoTime();
            try {
                postgres.get(90, TimeUnit.SECONDS).close();
            } catch (Exception notStarted) {
                // It did not start, so there is nothing to stop; its start error was reported.
            }
            stopTimes.put("Postgres", seconds(began));
        }
        org.slf4j.LoggerFactory.getLogger(Quickstart.class).info("Stopped: {}", stopTimes);
        stopDone = true;
    }

    /** Removes the working directory, unless asked to keep it; a failed run's server log stays beside it. */
    private synchronized void removeWorkingDirectory(int code) {
        if (removed) {
            return;
        }
        removed = true;
        org.apache.logging.log4j.LogManager.shutdown();
        String took = seconds(stopNanos) + (System.nanoTime() - stopNanos > TimeUnit.SECONDS.toNanos(20)
                ? " (" + stopTimes.toString().replaceAll("[{}]", "") + ")" : "");
        if (options.keepData()) {
            console.always("Stopped in " + took + "; the working directory stays: " + work);
            return;
        }
        Path log = work.resolve("quickstart.log");
        // A run that failed with servers up keeps their log; one that never started them has nothing to show.
        if (code != EXIT_OK && anythingStarted && Files.exists(log)) {
            Path kept = outerTmp.resolve(work.getFileName() + ".log");
            try {
                Files.move(log, kept);
                console.error("The server log is kept for a look at what went wrong: " + kept);
            } catch (IOException e) {
                console.error("warning: cannot keep the server log: " + e.getMessage());
            }
        }
        try {
            deleteTree(work);
            console.always("Stopped in " + took + "; removed " + work);
        } catch (UncheckedIOException e) {
            console.error("warning: cannot remove " + work + ": " + e.getCause().getMessage());
        }
    }

    private static String seconds(long startNanos) {
        return String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - startNanos) / 1e9);
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
