package dev.cdcconnect.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RedactionTest {

    /** Passwords with every character that ends a naive user-info parse. */
    @ParameterizedTest
    @ValueSource(strings = {"Top/Secret2", "Top?Secret2", "Top@Secret2", "Top:Secret2", "Top%Secret2", "a/b?c@d:e%f",
            "Top%2FSecret"})
    void connectionStringPasswordIsMaskedWhateverItHolds(String password) {
        String url = "kurrentdb://admin:" + password + "@localhost:2113?tls=false";

        String masked = Redaction.maskUrl(url);

        assertThat(masked).isEqualTo("kurrentdb://admin:[hidden]@localhost:2113?tls=false").doesNotContain(password);
    }

    @Test
    void severalHostsAfterTheUserInfoAreKept() {
        assertThat(Redaction.maskUrl("esdb+discover://ops:p@ss/w?rd@node1:2113,node2:2113,[::1]:2113/?tls=true"))
                .isEqualTo("esdb+discover://ops:[hidden]@node1:2113,node2:2113,[::1]:2113/?tls=true");
    }

    @Test
    void jdbcPasswordParametersAreMasked() {
        assertThat(Redaction.maskUrl("jdbc:postgresql://localhost:15432/shop?user=postgres&password=S3/cr?t@x:%25&ssl=true"))
                .isEqualTo("jdbc:postgresql://localhost:15432/shop?user=postgres&password=[hidden]&ssl=true");
        assertThat(Redaction.maskUrl("jdbc:sqlserver://db:1433;databaseName=shop;user=sa;password=Pa55;encrypt=false"))
                .isEqualTo("jdbc:sqlserver://db:1433;databaseName=shop;user=sa;password=[hidden];encrypt=false");
        assertThat(Redaction.maskUrl("jdbc:mariadb://root:pw%40x@127.0.0.1:3306/shop?sslPassword=k"))
                .isEqualTo("jdbc:mariadb://root:[hidden]@127.0.0.1:3306/shop?sslPassword=[hidden]");
    }

    @Test
    void urlsWithoutSecretsAreUnchanged() {
        for (String url : List.of("kurrentdb://localhost:2113?tls=false", "jdbc:postgresql://h:5432/db?user=u",
                "s3a://bucket/prefix", "not a url", "")) {
            assertThat(Redaction.maskUrl(url)).isEqualTo(url);
        }
    }

    @Test
    void secretPropertiesAreHiddenAndUrlsMasked() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("bootstrap.servers", "localhost:9092");
        props.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required password=\"x\";");
        props.put("ssl.keystore.password", "ks");
        props.put("ssl.key.password", "k");
        props.put("connection.url", "jdbc:postgresql://h/db?password=pw1");
        props.put("s3.secret.key", "abc");
        props.put("aws.access.key.id", "AKIA");

        assertThat(Redaction.maskProperties(props)).containsExactly(
                Map.entry("bootstrap.servers", "localhost:9092"),
                Map.entry("sasl.jaas.config", "[hidden]"),
                Map.entry("ssl.keystore.password", "[hidden]"),
                Map.entry("ssl.key.password", "[hidden]"),
                Map.entry("connection.url", "jdbc:postgresql://h/db?password=[hidden]"),
                Map.entry("s3.secret.key", "[hidden]"),
                Map.entry("aws.access.key.id", "[hidden]"));
    }

    @Test
    void scrubRemovesEchoedSecretsInEveryEncoding() {
        String secret = "Top/Secret?2@x:%";
        String message = "Error at index 0 in: \"" + secret + "\"; tried kurrentdb://admin:Top%2FSecret%3F2%40x%3A%25@h:1";

        String scrubbed = Redaction.scrub(message, List.of(secret));

        assertThat(scrubbed).doesNotContain(secret).doesNotContain("Top%2FSecret").contains("[hidden]");
    }

    @Test
    void messageOfAnErrorWithoutOneNamesItsClass() {
        assertThat(Redaction.message(new IllegalStateException(), List.of("secret")))
                .isEqualTo("java.lang.IllegalStateException");
    }
}
