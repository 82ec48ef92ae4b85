package dev.cdcconnect.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

class StructValuesTest {

    private static final Schema ROW = SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA)
            .field("name", Schema.OPTIONAL_STRING_SCHEMA).build();
    private static final Schema ENVELOPE = SchemaBuilder.struct().field("after", ROW).field("op", Schema.STRING_SCHEMA)
            .build();

    @Test
    void theConnectRuntimeOnTheClasspathLetsValuesBeWrittenDirectly() {
        // on a Connect whose Struct keeps its values elsewhere the transforms fall back to put, and this fails
        assertThat(StructValues.direct()).isTrue();
    }

    @Test
    void aStructWithoutTheValueArraySaysSoInsteadOfSlowingDownSilently() {
        List<String> warnings = new ArrayList<>();

        assertThat(StructValues.valuesHandle("fieldValues", warnings::add)).isNull();

        assertThat(warnings).singleElement().asString()
                .contains("through Struct.put, which validates every value again")
                .contains("no accessible Object[] field 'fieldValues'")
                .contains("NoSuchFieldException");
    }

    @Test
    void aStructFilledWithFittingValuesIsTheStructPutWouldBuild() {
        Struct row = new Struct(ROW).put("id", 7L).put("name", "Ann");
        Struct viaPut = new Struct(ENVELOPE).put("after", row).put("op", "c");

        Struct direct = new Struct(ENVELOPE);
        StructValues.setFitting(direct, ENVELOPE.field("after"), row);
        StructValues.setFitting(direct, ENVELOPE.field("op"), "c");

        direct.validate();
        assertThat(direct).isEqualTo(viaPut);
        assertThat(direct.getStruct("after").getString("name")).isEqualTo("Ann");
    }
}
