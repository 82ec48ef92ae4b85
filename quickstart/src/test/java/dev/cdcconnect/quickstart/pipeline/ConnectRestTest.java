package dev.cdcconnect.quickstart.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConnectRestTest {

    @Test
    void aFailedTaskIsToldByItsFirstLineAndItsRootCause() {
        String trace = """
                org.apache.kafka.connect.errors.ConnectException: Tolerance exceeded in error handler
                \tat org.apache.kafka.connect.runtime.errors.RetryWithToleranceOperator.execAndHandleError(X.java:259)
                Caused by: org.apache.kafka.common.KafkaException: Failed to construct kafka producer
                \tat org.apache.kafka.clients.producer.KafkaProducer.<init>(KafkaProducer.java:1)
                Caused by: org.apache.kafka.common.config.ConfigException: delivery.timeout.ms should be larger
                \tat org.apache.kafka.clients.producer.KafkaProducer.<init>(KafkaProducer.java:2)
                """;
        assertThat(ConnectRest.essence(trace)).isEqualTo("org.apache.kafka.connect.errors.ConnectException: "
                + "Tolerance exceeded in error handler\n  Caused by: org.apache.kafka.common.config.ConfigException: "
                + "delivery.timeout.ms should be larger");
        assertThat(ConnectRest.essence("")).isEqualTo("(no error trace)");
    }
}
