package dev.cdcconnect.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

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
}
