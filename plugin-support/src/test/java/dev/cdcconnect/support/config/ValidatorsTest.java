package dev.cdcconnect.support.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidatorsTest {

    private enum Mode { FLATTEN, STRUCT }

    @Test
    void aParsersErrorIsAProblemOnTheKeyNamingTheValueAndWhatIsValid() {
        ConfigDef.Validator positive = Validators.parsing("a positive number", text -> {
            if (Integer.parseInt(text) <= 0) {
                throw new IllegalArgumentException("is not positive");
            }
            return text;
        });

        assertThatThrownBy(() -> positive.ensureValid("size", "-3"))
                .isInstanceOfSatisfying(ConfigProblem.class, p -> assertThat(p.key()).isEqualTo("size"))
                .hasMessage("Invalid value -3 for configuration size: is not positive (valid: a positive number)");
        positive.ensureValid("size", "3");
        assertThat(positive).hasToString("a positive number");
    }

    @Test
    void aListValidatorReadsTheEntriesAndAnAbsentListAsEmpty() {
        ConfigDef.Validator names = Validators.list("distinct names", entries -> {
            if (entries.size() != entries.stream().distinct().count()) {
                throw new IllegalArgumentException("a name is given twice");
            }
            return entries;
        });

        names.ensureValid("names", null);
        assertThatThrownBy(() -> names.ensureValid("names", List.of("a", "a")))
                .hasMessageContaining("names").hasMessageContaining("a name is given twice")
                .hasMessageContaining("distinct names");
    }

    @Test
    void aKafkaConfigExceptionOfACheckBecomesAKeyedProblem() {
        ConfigDef.Validator check = Validators.of("anything but x", (name, value) -> {
            if ("x".equals(value)) {
                throw new ConfigException(name, value, "x is taken");
            }
        });

        assertThatThrownBy(() -> check.ensureValid("letter", "x"))
                .isInstanceOfSatisfying(ConfigProblem.class, p -> assertThat(p.key()).isEqualTo("letter"))
                .hasMessageContaining("x is taken").hasMessageContaining("anything but x");
    }

    @Test
    void oneOfTakesAnyCaseRecommendsTheWordsAndNamesThemWhenItRefuses() {
        Validators.OneOf modes = Validators.oneOf(Mode.values());

        modes.ensureValid("mode", "Struct");
        assertThat(modes.validValues("mode", Map.of())).containsExactly("flatten", "struct");
        assertThat(modes).hasToString("one of: flatten, struct");
        assertThatThrownBy(() -> modes.ensureValid("mode", "nested"))
                .isInstanceOf(ConfigProblem.class)
                .hasMessage("Invalid value nested for configuration mode: must be one of: flatten, struct");
        assertThatThrownBy(() -> modes.ensureValid("mode", null)).hasMessageContaining("mode");
    }

    @Test
    void hostPortsNameTheEntryWithoutAValidPort() {
        ConfigDef.Validator required = Validators.hostPorts(true, false);
        ConfigDef.Validator optional = Validators.hostPorts(false, true);

        required.ensureValid("servers", List.of());
        required.ensureValid("servers", List.of("kafka:9092", "[::1]:9093"));
        assertThatThrownBy(() -> required.ensureValid("servers", List.of("kafka"))).hasMessageContaining("'kafka'")
                .hasMessageContaining("host:port");
        optional.ensureValid("points", List.of("cassandra1", "cassandra2:9042"));
        assertThatThrownBy(() -> optional.ensureValid("points", List.of("host:99999")))
                .hasMessageContaining("'host:99999' has no valid port (1-65535)");
        assertThatThrownBy(() -> optional.ensureValid("points", List.of(":9042"))).hasMessageContaining("no host");
        assertThatThrownBy(() -> optional.ensureValid("points", List.of())).hasMessageContaining("at least one");
    }

    @Test
    void aReadableFileIsAFileTheWorkerCanRead(@TempDir Path dir) throws IOException {
        ConfigDef.Validator file = Validators.readableFile("path of a readable file, or empty");
        File pem = Files.writeString(dir.resolve("ca.pem"), "x").toFile();

        file.ensureValid("ca", "");
        file.ensureValid("ca", pem.getPath());
        assertThatThrownBy(() -> file.ensureValid("ca", dir.toString())).hasMessageContaining("readable file");
        assertThatThrownBy(() -> file.ensureValid("ca", dir.resolve("missing.pem").toString()))
                .hasMessageContaining("missing.pem").hasMessageContaining("ca");
    }

    @Test
    void aProblemIsReportedOnTheKeyItNamesOrElseOnTheGivenKey() {
        Map<String, ConfigValue> values = new HashMap<>();
        values.put("a", new ConfigValue("a"));

        ConfigProblem.report(values, ConfigProblem.withMessage("b", "b is wrong, whatever key a says"), "a");
        ConfigProblem.report(values, new ConfigException("a library's problem naming configuration b:"), "a");

        assertThat(values.get("b").errorMessages()).containsExactly("b is wrong, whatever key a says");
        assertThat(values.get("a").errorMessages()).containsExactly("a library's problem naming configuration b:");
    }
}
