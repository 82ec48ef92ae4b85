package dev.cdcconnect.quickstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cdcconnect.standin.eventstore.EventStoreStandIn;
import io.kurrent.dbclient.KurrentDBClient;
import io.kurrent.dbclient.KurrentDBConnectionString;
import io.kurrent.dbclient.ReadStreamOptions;
import io.kurrent.dbclient.RecordedEvent;
import io.kurrent.dbclient.ResolvedEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quickstart as a user runs it: {@code java -jar quickstart.jar} in a process of its own, on free ports, with
 * a small number of orders. What its summary reports is checked against Postgres and EventStoreDB directly while
 * it keeps running, then Ctrl-C must stop it and leave no process and no file behind.
 */
class QuickstartIT {

    private static final int ORDERS = 60;
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(6);
    private static final java.util.regex.Pattern STACK_FRAME = java.util.regex.Pattern.compile(
            "^\\s+at [\\w.$]+\\(|^Caused by: ");

    @TempDir
    Path tmp;

    @Test
    void summaryMatchesTheTablesAndStreamsAndCtrlCLeavesNothingBehind() throws Exception {
        try (QuickstartProcess quickstart = QuickstartProcess.start(QuickstartProcess.currentJava(), tmp,
                "--orders", Integer.toString(ORDERS), "--rate", "30", "--seed", "7", "--keep-running",
                "--kafka-port", "0", "--connect-port", "0", "--postgres-port", "0")) {
            quickstart.awaitLine("Kept running: press Ctrl-C", RUN_TIMEOUT);
            quickstart.line("Result: OK");

            Matcher orders = quickstart.line("Orders placed: (\\d+) \\((\\d+) changed later, (\\d+) cancelled\\).*; "
                    + "(\\d+) row changes");
            assertThat(Integer.parseInt(orders.group(1))).isEqualTo(ORDERS);
            int updated = Integer.parseInt(orders.group(2));
            int cancelled = Integer.parseInt(orders.group(3));
            assertThat(Integer.parseInt(orders.group(4))).isEqualTo(ORDERS + updated + cancelled);
            int open = ORDERS - cancelled;

            int postgresPort = Integer.parseInt(quickstart.line("psql postgresql://postgres@localhost:(\\d+)/shop")
                    .group(1));
            try (Connection shop = DriverManager.getConnection("jdbc:postgresql://localhost:" + postgresPort
                    + "/shop", "postgres", "postgres")) {
                assertThat(count(shop, "SELECT count(*) FROM orders")).as("open orders in the source table")
                        .isEqualTo(open);
                checkEnrichedOrders(quickstart, shop, open);
                checkJsonOrders(quickstart, shop);
            }
            if (pluginInstalled("org.apache.kafka.connect.sink.SinkConnector",
                    "dev.cdcconnect.eventstore.EventStoreSinkConnector")) {
                checkStreams(quickstart, ORDERS + updated + cancelled);
            } else {
                quickstart.line("Not deployed: eventstore-sink: plugin dev.cdcconnect.eventstore."
                        + "EventStoreSinkConnector is not on plugin.path");
            }

            assertThat(QuickstartProcess.processesUsing(tmp)).as("Postgres runs from the working directory")
                    .isNotEmpty();
            quickstart.descendants();
            Path work = Path.of(quickstart.line("^Working directory (\\S+) ").group(1));
            assertThat(work).startsWith(tmp).isDirectory();

            quickstart.interrupt();
            quickstart.awaitExit(Duration.ofSeconds(180));
            quickstart.line("Stopped in [0-9.]+ s; removed " + java.util.regex.Pattern.quote(work.toString()));
            // Postgres' processes end on their own schedule once the postmaster is told to stop.
            await("processes the quickstart started are gone").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(250))
                    .untilAsserted(() -> assertThat(quickstart.aliveDescendants()).isEmpty());
            assertThat(QuickstartProcess.processesUsing(tmp)).as("processes running from its directory").isEmpty();
            try (Stream<Path> left = Files.list(tmp)) {
                assertThat(left.toList()).as("files left in the temp directory").isEmpty();
            }
            assertThat(quickstart.output().lines().filter(STACK_FRAME.asPredicate()).toList())
                    .as("stack trace lines on the terminal (the servers' logs belong in quickstart.log)").isEmpty();
        }
    }

    /**
     * The README's way, with an EventStoreDB given by URL: it runs to the end by itself, exits 0 and leaves
     * nothing; every change is in the server, one stream per order.
     */
    @Test
    void writesToTheEventStoreGivenByUrlAndEndsByItself() throws Exception {
        try (EventStoreStandIn server = EventStoreStandIn.start();
             QuickstartProcess quickstart = QuickstartProcess.start(QuickstartProcess.currentJava(), tmp,
                     "--orders", "40", "--rate", "40", "--eventstore", server.connectionString(),
                     "--kafka-port", "0", "--connect-port", "0", "--postgres-port", "0")) {
            assertThat(quickstart.awaitExit(RUN_TIMEOUT)).as("exit code").isZero();
            quickstart.line("Result: OK");
            quickstart.line("EventStoreDB at " + java.util.regex.Pattern.quote(server.connectionString())
                    + " answers");
            assertThat(quickstart.output()).doesNotContain("STAND-IN");
            Matcher orders = quickstart.line("Orders placed: 40 \\((\\d+) changed later, (\\d+) cancelled\\)");
            int changes = 40 + Integer.parseInt(orders.group(1)) + Integer.parseInt(orders.group(2));
            if (pluginInstalled("org.apache.kafka.connect.sink.SinkConnector",
                    "dev.cdcconnect.eventstore.EventStoreSinkConnector")) {
                List<String> streams = server.streams().stream().filter(n -> n.startsWith("order-")).toList();
                assertThat(streams).hasSize(40);
                assertThat(streams.stream().mapToInt(n -> server.events(n).size()).sum()).isEqualTo(changes);
                Matcher stream = quickstart.line("^Stream (order-\\d+) .*: (\\d+) events");
                assertThat(server.events(stream.group(1))).hasSize(Integer.parseInt(stream.group(2)));
            }
            quickstart.line("Stopped in [0-9.]+ s; removed ");
            await("processes the quickstart started are gone").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(250))
                    .untilAsserted(() -> assertThat(quickstart.aliveDescendants()).isEmpty());
            assertThat(QuickstartProcess.processesUsing(tmp)).isEmpty();
            try (Stream<Path> left = Files.list(tmp)) {
                assertThat(left.toList()).as("files left in the temp directory").isEmpty();
            }
        }
    }

    private static void checkEnrichedOrders(QuickstartProcess quickstart, Connection shop, int open)
            throws SQLException {
        Matcher enriched = quickstart.line("Postgres table enriched_orders .*: (\\d+) rows for the (\\d+) open orders");
        assertThat(Integer.parseInt(enriched.group(1))).isEqualTo(open);
        assertThat(Integer.parseInt(enriched.group(2))).isEqualTo(open);
        assertThat(count(shop, "SELECT count(*) FROM enriched_orders")).isEqualTo(open);
        assertThat(count(shop, """
                SELECT count(*) FROM enriched_orders e
                  JOIN orders o ON o.id = e.id AND o.quantity = e.quantity AND o.amount = e.amount
                  JOIN users u ON u.id = o.user_id AND u.name = e.user_name AND u.city = e.user_city
                  JOIN stores s ON s.id = o.store_id AND s.name = e.store_name AND s.city = e.store_city"""))
                .as("enriched rows equal to their order joined to its user and store").isEqualTo(open);

        // The sample rows printed are rows of the table, as printed.
        List<String> lines = quickstart.lines();
        int header = indexOf(lines, "^  id +\\| quantity");
        List<String[]> sample = new ArrayList<>();
        for (int i = header + 2; i < lines.size() && lines.get(i).matches("^  \\d+ .*"); i++) {
            sample.add(lines.get(i).trim().split("\\s*\\|\\s*"));
        }
        assertThat(sample).hasSizeBetween(1, 5);
        for (String[] row : sample) {
            try (var statement = shop.prepareStatement("SELECT quantity, user_name, store_name FROM enriched_orders "
                    + "WHERE id = ?")) {
                statement.setLong(1, Long.parseLong(row[0]));
                try (ResultSet rs = statement.executeQuery()) {
                    assertThat(rs.next()).as("printed order %s is in the table", row[0]).isTrue();
                    assertThat(rs.getString(1)).isEqualTo(row[1]);
                    assertThat(rs.getString(2)).isEqualTo(row[3]);
                    assertThat(rs.getString(3)).isEqualTo(row[5]);
                }
            }
        }
    }

    private static void checkJsonOrders(QuickstartProcess quickstart, Connection shop) throws SQLException {
        Matcher json = quickstart.line("Postgres table orders_json .*: (\\d+) rows for the (\\d+) JSON orders sent");
        assertThat(Integer.parseInt(json.group(1))).isEqualTo(ORDERS);
        assertThat(Integer.parseInt(json.group(2))).isEqualTo(ORDERS);
        assertThat(count(shop, "SELECT count(*) FROM orders_json")).isEqualTo(ORDERS);
        assertThat(count(shop, "SELECT count(DISTINCT order_id) FROM orders_json")).isEqualTo(ORDERS);
        // The inferred schema made the nested customer a flat column and the ISO text a timestamp.
        assertThat(count(shop, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'orders_json' "
                + "AND ((column_name = 'customer_user_id' AND data_type = 'bigint') "
                + "OR (column_name = 'placed_at' AND data_type LIKE 'timestamp%'))")).isEqualTo(2);
    }

    private static void checkStreams(QuickstartProcess quickstart, int changes) throws Exception {
        Matcher total = quickstart.line("EventStoreDB sink -> .*: (\\d+) events in (\\d+) streams");
        assertThat(Integer.parseInt(total.group(1))).as("one event per change").isEqualTo(changes);
        assertThat(Integer.parseInt(total.group(2))).as("one stream per order").isEqualTo(ORDERS);
        Matcher stream = quickstart.line("^Stream (order-\\d+) \\(order history ([a-z, ]+)\\): (\\d+) events");
        List<String> history = List.of(stream.group(2).split(", "));
        assertThat(Integer.parseInt(stream.group(3))).isEqualTo(history.size());
        String connectionString = quickstart.line("EventStoreDB   (kurrentdb://\\S+?),? ").group(1);

        KurrentDBClient client = KurrentDBClient.create(KurrentDBConnectionString.parseOrThrow(connectionString));
        try {
            List<RecordedEvent> events = client.readStream(stream.group(1), ReadStreamOptions.get().fromStart())
                    .get(15, TimeUnit.SECONDS).getEvents().stream().map(ResolvedEvent::getOriginalEvent).toList();
            assertThat(events).hasSize(history.size());
            List<String> printedTypes = new ArrayList<>();
            for (String line : quickstart.lines()) {
                Matcher m = java.util.regex.Pattern.compile("^  #(\\d+) (\\S+)").matcher(line);
                if (m.find()) {
                    printedTypes.add(m.group(2));
                }
            }
            assertThat(printedTypes).containsExactlyElementsOf(events.stream().map(RecordedEvent::getEventType)
                    .toList());
            assertThat(events.get(0).getEventType()).isEqualTo("Created");
            if (history.get(history.size() - 1).equals("cancelled")) {
                assertThat(events.get(events.size() - 1).getEventType()).isEqualTo("Deleted");
            }
            assertThat(new String(events.get(0).getUserMetadata(), java.nio.charset.StandardCharsets.UTF_8))
                    .contains("\"kafka.topic\"", "shop.public.orders");
        } finally {
            client.shutdown();
        }
    }

    /**
     * Whether a plugin folder the quickstart runs with lists the class in its service manifest, which is how the
     * workers ({@code plugin.discovery=service_load}) find plugins.
     */
    private static boolean pluginInstalled(String service, String className) throws IOException {
        Path plugins = QuickstartProcess.jar().getParent().resolve("plugins");
        try (Stream<Path> jars = Files.walk(plugins)) {
            for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
                try (ZipFile zip = new ZipFile(jar.toFile())) {
                    var entry = zip.getEntry("META-INF/services/" + service);
                    if (entry != null && new String(zip.getInputStream(entry).readAllBytes(),
                            java.nio.charset.StandardCharsets.UTF_8).lines().map(String::trim)
                            .anyMatch(className::equals)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static int indexOf(List<String> lines, String regex) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches(regex + ".*")) {
                return i;
            }
        }
        throw new AssertionError("no line matches " + regex);
    }

    private static long count(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
