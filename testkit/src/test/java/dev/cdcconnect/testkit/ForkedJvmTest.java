package dev.cdcconnect.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForkedJvmTest {

    /** The forked program: prints its first argument, then sleeps the seconds of the second, then exits with the third. */
    public static final class Program {
        public static void main(String[] args) throws InterruptedException {
            System.out.println(args[0]);
            System.out.flush();
            Thread.sleep(Long.parseLong(args[1]) * 1000);
            System.exit(Integer.parseInt(args[2]));
        }
    }

    @TempDir
    Path dir;

    private ForkedJvm fork(String say, int sleepSeconds, int exitCode, String... jvmOptions) {
        List<String> arguments = new java.util.ArrayList<>(List.of(jvmOptions));
        arguments.addAll(List.of("-Xmx32m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                Program.class.getName(), say, Integer.toString(sleepSeconds), Integer.toString(exitCode)));
        return ForkedJvm.start("The program", arguments, dir, dir.resolve("program.log"), false);
    }

    @Test
    void waitsUntilTheProgramIsReadyAndClosingEndsIt() {
        ForkedJvm jvm = fork("listening", 60, 0);
        Path log = dir.resolve("program.log");

        jvm.awaitReady(Duration.ofSeconds(60), Duration.ofMillis(50), () -> {
            if (!Files.readString(log).contains("listening")) {
                throw new IllegalStateException("not listening yet");
            }
        });
        assertThat(jvm.isAlive()).isTrue();
        assertThat(jvm.pid()).isNotEqualTo(ProcessHandle.current().pid());
        ProcessHandle process = ProcessHandle.of(jvm.pid()).orElseThrow();

        jvm.close();

        assertThat(process.isAlive()).isFalse();
        assertThat(jvm.logTail(5)).endsWith("listening");
    }

    @Test
    void aProgramThatExitsWhileStartingIsReportedWithItsLog() {
        ForkedJvm jvm = fork("no settings file", 0, 3);

        assertThatThrownBy(() -> jvm.awaitReady(Duration.ofSeconds(60), Duration.ofMillis(50), () -> {
            throw new IllegalStateException("not yet");
        }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("The program exited with code 3 while starting")
                .hasMessageContaining("its log ends with:\n")
                .hasMessageEndingWith("\nno settings file");
    }

    @Test
    void aProgramNotReadyInTimeIsReportedWithWhatTheLastCheckSaw() {
        try (ForkedJvm jvm = fork("starting", 60, 0)) {
            assertThatThrownBy(() -> jvm.awaitReady(Duration.ofSeconds(1), Duration.ofMillis(50), () -> {
                throw new IOException("connection refused");
            }))
                    .hasMessageContaining("The program was not ready within 1 s (last: connection refused)")
                    .hasCauseInstanceOf(IOException.class);
        }
    }

    @Test
    void aRunToTheEndFailsWithTheExitCodeAndTheLog() {
        ForkedJvm.start("Spark", List.of("-Xmx32m", "-cp", System.getProperty("java.class.path"),
                Program.class.getName(), "table not found", "0", "0"), null, dir.resolve("ok.log"), false)
                .awaitSuccess(Duration.ofSeconds(60), "reading t1", 10);

        ForkedJvm failing = ForkedJvm.start("Spark", List.of("-Xmx32m", "-cp", System.getProperty("java.class.path"),
                Program.class.getName(), "table not found", "0", "1"), null, dir.resolve("failing.log"), false);
        assertThatThrownBy(() -> failing.awaitSuccess(Duration.ofSeconds(60), "reading t1", 10))
                .hasMessageStartingWith("Spark failed reading t1 (exit 1); its log ends with:\n")
                .hasMessageEndingWith("\ntable not found");
    }

    @Test
    void aRunThatTakesTooLongIsStopped() {
        ForkedJvm slow = fork("reading", 60, 0);
        ProcessHandle process = ProcessHandle.of(slow.pid()).orElseThrow();

        assertThatThrownBy(() -> slow.awaitSuccess(Duration.ofSeconds(1), "reading t1", 10))
                .hasMessageStartingWith("The program did not finish reading t1 within 1 s");
        assertThat(process.onExit().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join().isAlive()).isFalse();
    }

    @Test
    void aNewDirectoryStopsOnlyProgramsWhoseTestJvmIsGone() throws Exception {
        Path parent = dir.resolve("servers");
        Path orphaned = ForkedJvm.ownedDirectory(parent, "orphan-", "server.pid", "a test server");
        Path owned = ForkedJvm.ownedDirectory(parent, "owned-", "server.pid", "a test server");
        Process gone = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-version").start();
        gone.waitFor();
        Files.writeString(orphaned.resolve("owner.pid"), Long.toString(gone.pid()));
        // The directory on the command line tells the server apart from any other process with a reused pid.
        ForkedJvm orphan = fork("serving", 60, 0, "-Dserver.dir=" + orphaned).recordPid(orphaned.resolve("server.pid"));
        ForkedJvm kept = fork("serving", 60, 0, "-Dserver.dir=" + owned).recordPid(owned.resolve("server.pid"));
        try {
            ProcessHandle orphanProcess = ProcessHandle.of(orphan.pid()).orElseThrow();

            Path next = ForkedJvm.ownedDirectory(parent, "next-", "server.pid", "a test server");

            assertThat(orphanProcess.isAlive()).isFalse();
            assertThat(orphaned).doesNotExist();
            assertThat(kept.isAlive()).isTrue();
            assertThat(owned).isDirectory();
            assertThat(next.resolve("owner.pid")).hasContent(Long.toString(ProcessHandle.current().pid()));
        } finally {
            orphan.close();
            kept.close();
        }
    }

    @Test
    void aMissingBuildResourceNamesTheModuleToBuild() {
        assertThatThrownBy(() -> ForkedJvm.buildResource("dev/cdcconnect/testkit/none.txt", "testkit-none"))
                .hasMessage("Resource dev/cdcconnect/testkit/none.txt is missing: the testkit-none module must be built "
                        + "(./mvnw -o verify -pl testkit-none)");
    }
}
