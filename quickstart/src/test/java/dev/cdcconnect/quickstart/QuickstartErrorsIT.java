package dev.cdcconnect.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a user sees when the quickstart cannot run: a message that says why and what to do, and nothing left. */
class QuickstartErrorsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    @Test
    void helpExplainsTheOptions() throws Exception {
        try (QuickstartProcess quickstart = QuickstartProcess.start(QuickstartProcess.currentJava(), tmp, "--help")) {
            assertThat(quickstart.awaitExit(TIMEOUT)).isZero();
            assertThat(quickstart.output()).contains("Usage: java -jar", "--orders N", "--rate N", "--keep-running",
                    "--eventstore URL", "--eventstore-user", "--eventstore-tls-ca-file", "--kafka-port",
                    "--connect-port", "--postgres-port");
        }
        assertNothingLeft();
    }

    @Test
    void unknownOptionIsNamed() throws Exception {
        try (QuickstartProcess quickstart = QuickstartProcess.start(QuickstartProcess.currentJava(), tmp,
                "--orderz", "5")) {
            assertThat(quickstart.awaitExit(TIMEOUT)).isEqualTo(2);
            assertThat(quickstart.output()).contains("unknown option '--orderz'", "--help");
        }
        assertNothingLeft();
    }

    @Test
    void portInUseIsNamedWithTheOptionThatChangesIt() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = taken.getLocalPort();
            try (QuickstartProcess quickstart = QuickstartProcess.start(QuickstartProcess.currentJava(), tmp,
                    "--postgres-port", Integer.toString(port), "--kafka-port", "0", "--connect-port", "0")) {
                assertThat(quickstart.awaitExit(TIMEOUT)).isEqualTo(2);
                assertThat(quickstart.output()).contains("port " + port + " (Postgres) is in use on this machine",
                        "--postgres-port");
            }
        }
        assertNothingLeft();
    }

    @Test
    void unreachableEventStoreIsReportedBeforeAnythingStarts() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            closedPort = probe.getLocalPort();
        }
        try (QuickstartProcess quickstart = QuickstartProcess.start(QuickstartProcess.currentJava(), tmp,
                "--eventstore", "kurrentdb://127.0.0.1:" + closedPort + "?tls=false",
                "--kafka-port", "0", "--connect-port", "0", "--postgres-port", "0")) {
            assertThat(quickstart.awaitExit(TIMEOUT)).isEqualTo(2);
            assertThat(quickstart.output()).contains("EventStoreDB at kurrentdb://127.0.0.1:" + closedPort
                    + "?tls=false is not reachable", "Leave out --eventstore to use the in-memory stand-in");
            assertThat(quickstart.output()).doesNotContain("Kafka broker (KRaft");
        }
        assertNothingLeft();
    }

    /** A trimmed Java runtime (jlink, as slim container images ship) without the HTTP client module. */
    @Test
    void javaRuntimeWithoutAModuleIsToldWhichOne() throws Exception {
        Path jlink = Path.of(System.getProperty("java.home"), "bin", "jlink");
        Path runtime = tmp.resolve("slim-jre");
        Process build = new ProcessBuilder(jlink.toString(), "--add-modules",
                "java.base,java.sql,java.management,java.naming,java.security.jgss,java.xml,java.desktop,"
                        + "jdk.unsupported", "--output", runtime.toString()).inheritIO().start();
        assertThat(build.waitFor()).as("jlink").isZero();
        Path data = Files.createDirectories(tmp.resolve("data"));
        try (QuickstartProcess quickstart = QuickstartProcess.start(runtime.resolve("bin").resolve("java"), data)) {
            assertThat(quickstart.awaitExit(TIMEOUT)).isEqualTo(3);
            assertThat(quickstart.output()).contains("lacks the module(s) java.net.http",
                    "run the quickstart with a full JDK 17+");
        }
        try (Stream<Path> left = Files.list(data)) {
            assertThat(left.toList()).isEmpty();
        }
    }

    private void assertNothingLeft() throws IOException {
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left.toList()).as("files left in the temp directory").isEmpty();
        }
        assertThat(QuickstartProcess.processesUsing(tmp)).isEmpty();
    }
}
