package dev.cdcconnect.infer.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cdcconnect.infer.schema.FieldSpec;
import dev.cdcconnect.infer.schema.SchemaSnapshot;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

class SnapshotCodecTest {

    @Test
    void storedSchemaReadsBackEqual() {
        SchemaSnapshot snapshot = new SchemaSnapshot(4, FieldSpec.struct("", List.of(
                FieldSpec.primitive("id", "int64"),
                new FieldSpec("tags", "array", "string", List.of()),
                FieldSpec.struct("customer", List.of(FieldSpec.primitive("since", "timestamp"))))));
        byte[] bytes = SnapshotCodec.encode(snapshot);
        assertThat(new String(bytes, StandardCharsets.UTF_8)).startsWith("{\"version\":4,\"root\":{\"type\":\"struct\"");
        assertThat(SnapshotCodec.decode(bytes)).isEqualTo(snapshot);
    }

    @Test
    void damagedRecordIsRejected() {
        assertThatThrownBy(() -> SnapshotCodec.decode("not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SnapshotCodec.decode("{\"version\":1}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SnapshotCodec.decode(
                "{\"version\":1,\"root\":{\"type\":\"struct\",\"fields\":[{\"name\":\"a\",\"type\":\"huge\"}]}}"
                        .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("huge");
    }
}
