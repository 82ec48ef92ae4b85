package dev.cdcconnect.quickstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

class PortsTest {

    @Test
    void zeroBecomesADistinctFreePort() throws Exception {
        List<Integer> ports = Ports.claim(List.of(new Ports.Need("a", "--a", 0), new Ports.Need("b", "--b", 0)));
        assertThat(ports).hasSize(2).doesNotContain(0).doesNotHaveDuplicates();
        assertThat(Ports.isFree(ports.get(0))).isTrue();
    }

    @Test
    void aPortInUseIsNamedWithWhatItWasForAndTheOptionToChangeIt() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> Ports.claim(List.of(new Ports.Need("Postgres", "--postgres-port", port))))
                    .isInstanceOf(QuickstartException.class)
                    .hasMessageContaining("port " + port + " (Postgres) is in use")
                    .hasMessageContaining("--postgres-port N");
        }
    }

    @Test
    void theSamePortAskedTwiceIsRefused() {
        assertThatThrownBy(() -> Ports.claim(List.of(new Ports.Need("Kafka broker", "--kafka-port", 45123),
                new Ports.Need("Postgres", "--postgres-port", 45123))))
                .hasMessageContaining("port 45123 is asked for twice (Kafka broker and Postgres)");
    }
}
