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
    void classInTwoJarsFails() throws IOException {
        Files.copy(lib.resolve("helper-2.0.jar"), lib.resolve("helper-copy.jar"));

        assertThat(BundleCheck.check(lib, "1.0").problems())
                .anyMatch(p -> p.contains("more than one jar (helper-2.0.jar, helper-copy.jar)")
                        && p.contains(Helper.class.getName().replace('.', '/')));
    }

    @Test
    void multiReleaseVariantCountsAsTheSameClass() throws IOException {
        Jars.jar().withEntry("META-INF/versions/11/" + Helper.class.getName().replace('.', '/') + ".class", "")
                .writeTo(lib, "helper-mr.jar");

        assertThat(BundleCheck.check(lib, "1.0").problems())
                .anyMatch(p -> p.contains("more than one jar (helper-2.0.jar, helper-mr.jar)"));
    }

    @Test
    void classesTheWorkerProvidesFail() throws IOException {
        Jars.jar().withEntry("org/apache/kafka/connect/data/Struct.class", "").writeTo(lib, "connect-api-copy.jar");

        assertThat(BundleCheck.check(lib, "1.0").problems())
                .anyMatch(p -> p.startsWith("connect-api-copy.jar holds 1 class(es) the Connect worker provides"));
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
