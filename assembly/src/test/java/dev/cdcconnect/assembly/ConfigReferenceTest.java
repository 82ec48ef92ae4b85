package dev.cdcconnect.assembly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cdcconnect.assembly.fixture.Helper;
import dev.cdcconnect.assembly.fixture.SampleTransform;
import dev.cdcconnect.assembly.fixture.UndescribedTransform;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.kafka.connect.transforms.Transformation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigReferenceTest {

    @Test
    void everyKeyIsDocumentedFromTheConfigDef(@TempDir Path lib) throws IOException {
        Jars.jar().withClass(SampleTransform.class).withService(Transformation.class, SampleTransform.class)
                .writeTo(lib, "sample-plugin-1.0.jar");
        Jars.jar().withClass(Helper.class).writeTo(lib, "helper-2.0.jar");

        String reference;
        try (BundlePlugins bundle = BundlePlugins.load(lib)) {
            reference = ConfigReference.render(bundle);
        }

        assertThat(reference)
                .contains("## SampleTransform (transform)")
                .contains("Transform: `" + SampleTransform.class.getName() + "`")
                .contains("### Sample\n\n#### `sample.mode`\n\nHow to &lt;transform&gt; records.\n\n- Type: string\n"
                        + "- Default: `a`\n- Valid values: [a, b]\n- Importance: high\n")
                .contains("#### `sample.secret`\n\nA secret.\n\n- Type: password\n- Default: (hidden)\n")
                .contains("#### `sample.path`\n\nA path.\n\n- Type: string\n- Default: none (required)\n"
                        + "- Valid values: an absolute path\n- Importance: medium\n");
    }

    @Test
    void aValidatorThatDoesNotSayWhatItAcceptsFailsTheReferenceNamingTheKey(@TempDir Path lib) throws IOException {
        Jars.jar().withClass(UndescribedTransform.class).withClass(SampleTransform.class).withClass(Helper.class)
                .withService(Transformation.class, UndescribedTransform.class).writeTo(lib, "undescribed-1.0.jar");

        try (BundlePlugins bundle = BundlePlugins.load(lib)) {
            assertThatThrownBy(() -> ConfigReference.render(bundle))
                    .hasMessageContaining("'undescribed.path'").hasMessageContaining("does not describe what it accepts");
        }
    }
}
