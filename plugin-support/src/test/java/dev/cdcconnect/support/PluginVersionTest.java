package dev.cdcconnect.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cdcconnect.support.unfiltered.UnfilteredPlugin;
import org.junit.jupiter.api.Test;

class PluginVersionTest {

    @Test
    void aPluginWithoutVersionFileIsUnknownRatherThanAnotherComponentsVersion() {
        assertThat(PluginVersion.of(PluginVersionTest.class)).isEqualTo(PluginVersion.UNKNOWN);
    }

    @Test
    void aVersionFileTheBuildDidNotFilterIsUnknown() {
        assertThat(PluginVersion.of(UnfilteredPlugin.class)).isEqualTo(PluginVersion.UNKNOWN);
    }
}
