package dev.cdcconnect.assembly;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cdcconnect.assembly.fixture.Helper;
import dev.cdcconnect.assembly.fixture.Lonely;
import dev.cdcconnect.assembly.fixture.SampleTransform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.connect.transforms.Transformation;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleCheckTest {

    @TempDir
    Path lib;

    @BeforeEach
    void pluginAndItsLibrary() throws IOException {
        Jars.jar().withClass(SampleTransform.class).withService(Transformation.class, SampleTransform.class)
                .writeTo(lib, "sample-plugin-1.0.jar");
        Jars.jar().withClass(Helper.class).writeTo(lib, "helper-2.0.jar");
    }

    @Test
    void cleanLibPassesAndListsThePlugins() throws IOException {
        BundleCheck.Outcome outcome = BundleCheck.check(lib, "1.0");

        assertThat(outcome.problems()).isEmpty();
        assertThat(outcome.summary()).contains("2 jars", "transform " + SampleTransform.class.getName() + " 1.0");
    }

    @Test
    void jarNothingUsesFails() throws IOException {
        Jars.jar().withClass(Lonely.class).writeTo(lib, "lonely-1.0.jar");

        assertThat(BundleCheck.check(lib, "1.0").problems())
                .containsExactly("lonely-1.0.jar is used by nothing in lib/: no plugin reaches it through class"
                        + " references or service manifests (exclude it from the bundle)");
    }

    @Test
    void providerOfAJdkServiceCountsAsUsed() throws IOException {
        Jars.jar().withClass(Lonely.class).withService(java.sql.Driver.class, Lonely.class)
                .writeTo(lib, "driver-1.0.jar");

        assertThat(BundleCheck.check(lib, "1.0").problems()).isEmpty();
    }

    @Test
    void pluginReportingAnotherVersionFails() throws IOException {
        assertThat(BundleCheck.check(lib, "2.0").problems())
                .containsExactly(SampleTransform.class.getName() + " reports version 1.0, not the build's 2.0");
    }

    @Test
    void libWithoutPluginsFails() throws IOException {
        Files.delete(lib.resolve("sample-plugin-1.0.jar"));

        assertThat(BundleCheck.check(lib, "1.0").problems())
                .anyMatch(p -> p.startsWith("no plugin listed in any META-INF/services manifest"));
    }
}
