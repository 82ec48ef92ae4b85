package dev.cdcconnect.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LauncherTest {

    @Test
    void readsTheFeatureVersionOfOldAndNewJavaVersions() {
        assertThat(Launcher.featureVersion("1.8")).isEqualTo(8);
        assertThat(Launcher.featureVersion("11")).isEqualTo(11);
        assertThat(Launcher.featureVersion("17")).isEqualTo(17);
        assertThat(Launcher.featureVersion("21.0.2")).isEqualTo(21);
        assertThat(Launcher.featureVersion(null)).isZero();
        assertThat(Launcher.featureVersion("")).isZero();
    }

    @Test
    void thisJdkHasEverythingTheQuickstartNeeds() {
        assertThat(Launcher.checkRuntime()).isNull();
    }

    /** gRPC logs through java.util.logging: its stack traces go to the quickstart's log file, not the terminal. */
    @Test
    void javaUtilLoggingGoesToTheLogFileNotTheTerminal(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("quickstart.log");
        Process probe = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-D" + Quickstart.LOG_FILE_PROPERTY + "=" + log, "-cp", System.getProperty("java.class.path"),
                JulProbe.class.getName())).redirectErrorStream(true).start();
        String terminal = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(probe.waitFor()).isZero();
        assertThat(terminal).doesNotContain("probe failure").doesNotContain("Stream Error");
        assertThat(Files.readString(log)).contains("Stream Error from the probe", "probe failure",
                "at " + JulProbe.class.getName() + ".main");
    }
}
