package dev.cdcconnect.quickstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OptionsTest {

    private static Options parse(String... args) throws Options.UsageException {
        return Options.parse(args, name -> null);
    }

    @Test
    void defaultsRunTheDemoOnFixedPortsWithTheStandIn() throws Exception {
        Options options = parse();
        assertThat(options.orders()).isEqualTo(Options.DEFAULT_ORDERS);
        assertThat(options.rate()).isEqualTo(Options.DEFAULT_RATE);
        assertThat(options.eventStoreUrl()).isEmpty();
        assertThat(options.kafkaPort()).isEqualTo(19092);
        assertThat(options.controllerPort()).isEqualTo(19093);
        assertThat(options.connectPort()).isEqualTo(18083);
        assertThat(options.secondConnectPort()).isEqualTo(18084);
        assertThat(options.keepRunning()).isFalse();
        assertThat(options.help()).isFalse();
    }

    @Test
    void valuesComeAfterTheOptionOrAfterAnEqualsSign() throws Exception {
        Options options = parse("--orders", "50", "--rate=12.5", "--keep-running", "--timeout", "30",
                "--kafka-port=0", "--connect-port", "28083", "--seed", "7");
        assertThat(options.orders()).isEqualTo(50);
        assertThat(options.rate()).isEqualTo(12.5);
        assertThat(options.keepRunning()).isTrue();
        assertThat(options.catchUpTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.kafkaPort()).isZero();
        assertThat(options.controllerPort()).as("0 takes any free port for both").isZero();
        assertThat(options.secondConnectPort()).isEqualTo(28084);
        assertThat(options.seed()).isEqualTo(7);
    }

    @Test
    void eventStoreUrlWithCredentialsAndCaFile(@TempDir Path dir) throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----");
        Options options = parse("--eventstore", "kurrentdb://db.example:2113", "--eventstore-user", "admin",
                "--eventstore-password", "changeit", "--eventstore-tls-ca-file", ca.toString());
        assertThat(options.eventStoreUrl()).contains("kurrentdb://db.example:2113");
        assertThat(options.eventStoreUser()).contains("admin");
        assertThat(options.eventStorePassword()).contains("changeit");
        assertThat(options.eventStoreCaFile()).contains(ca.toAbsolutePath());
    }

    @Test
    void passwordMayComeFromTheEnvironment() throws Exception {
        Options options = Options.parse(new String[] {"--eventstore", "esdb://localhost:2113?tls=false",
            "--eventstore-user", "admin"}, Map.of(Options.PASSWORD_ENV, "from-env")::get);
        assertThat(options.eventStorePassword()).contains("from-env");
    }

    @Test
    void mistakesAreExplained() {
        assertThatThrownBy(() -> parse("--orders", "many")).hasMessage("--orders takes a whole number, not 'many'");
        assertThatThrownBy(() -> parse("--orders", "0")).hasMessageContaining("--orders must be between 1 and");
        assertThatThrownBy(() -> parse("--rate", "-3")).hasMessageContaining("--rate must be more than 0");
        assertThatThrownBy(() -> parse("--kafka-port", "70000")).hasMessageContaining("between 0 and 65535");
        assertThatThrownBy(() -> parse("--orders")).hasMessageContaining("--orders needs a value");
        assertThatThrownBy(() -> parse("--verbose")).hasMessageContaining("unknown option '--verbose'");
        assertThatThrownBy(() -> parse("--eventstore", "http://localhost:2113"))
                .hasMessageContaining("connection string such as kurrentdb://host:2113");
        assertThatThrownBy(() -> parse("--eventstore", "kurrentdb://admin:secret@localhost:2113"))
                .hasMessageContaining("must not carry credentials").hasMessageNotContaining("secret");
        assertThatThrownBy(() -> parse("--eventstore-user", "admin")).hasMessageContaining("need --eventstore URL");
        assertThatThrownBy(() -> parse("--eventstore-tls-ca-file", "/no/such/ca.pem"))
                .hasMessageContaining("is not a readable file");
    }

    @Test
    void helpIsAnOption() throws Exception {
        assertThat(parse("--help").help()).isTrue();
        assertThat(parse("-h").help()).isTrue();
        assertThat(Options.USAGE).contains("--orders N", "--eventstore URL", "--keep-running", "--postgres-port");
    }
}
