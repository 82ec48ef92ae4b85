package dev.cdcconnect.enrich;

import static dev.cdcconnect.enrich.Shop.ORDER;
import static dev.cdcconnect.enrich.Shop.config;
import static dev.cdcconnect.enrich.Shop.order;
import static dev.cdcconnect.enrich.Shop.orderMap;
import static dev.cdcconnect.enrich.Shop.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MissPolicyTest {

    private final Shop shop = new Shop().user(1, "Ann").store(10, "Corner", "Lyon");
    private Enrich<SinkRecord> transform;

    @AfterEach
    void close() {
        if (transform != null) {
            transform.close();
        }
    }

    @Test
    void nullLeavesTheLookupNullOnStructsAndMaps() {
        transform = shop.valueTransform(config());

        Struct struct = (Struct) transform.apply(record(ORDER, order(1, 42, 10))).value();
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) transform.apply(record(null, orderMap(2, 42, 10))).value();

        assertThat(struct.get("user")).isNull();
        assertThat(struct.getStruct("store").getString("name")).isEqualTo("Corner");
        assertThat(map).containsEntry("user", null);
    }

    @Test
    void failThrowsADataExceptionNamingKeyFieldAndRecord() {
        transform = shop.valueTransform(config("lookup.user.miss.policy", "fail"));

        assertThatThrownBy(() -> transform.apply(record(ORDER, order(1, 42, 10))))
                .isInstanceOf(DataException.class)
                .hasMessage("lookup user: no row for key 42 (field user_id) in the record at topic orders partition 0"
                        + " offset 17");
    }

    @Test
    void dropDropsTheRecord() {
        transform = shop.valueTransform(config("lookup.store.miss.policy", "drop"));

        assertThat(transform.apply(record(ORDER, order(1, 1, 99)))).isNull();
        assertThat(transform.apply(record(null, orderMap(1, 1, 99)))).isNull();
        assertThat(transform.apply(record(ORDER, order(1, 1, 10)))).isNotNull();
    }

    @Test
    void aMissingOrNullKeyFollowsThePolicy() {
        transform = shop.valueTransform(config("lookup.user.miss.policy", "fail"));

        assertThatThrownBy(() -> transform.apply(record(ORDER, order(1, null, 10))))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("the key field user_id is missing or null");
        assertThatThrownBy(() -> transform.apply(record(null, Map.of("id", 1, "store_id", 10))))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("the key field user_id is missing or null");
    }

    @Test
    void waitFindsARowThatIsInTheTopicButNotYetInTheTable() {
        transform = shop.valueTransform(config("lookup.user.miss.policy", "wait", "lookup.user.wait.fallback", "fail"));
        transform.apply(record(ORDER, order(1, 1, 10)));
        shop.user(5, "Eve");

        Struct value = (Struct) transform.apply(record(ORDER, order(2, 5, 10))).value();

        assertThat(value.getStruct("user").getString("name")).isEqualTo("Eve");
    }

    @Test
    void waitAppliesTheFallbackOnceTheTableHasCaughtUpWithoutWaitingTheWholeTimeout() {
        transform = shop.valueTransform(config("lookup.user.miss.policy", "wait", "lookup.user.wait.timeout.ms", "30000",
                "lookup.user.wait.fallback", "null"));

        long started = System.nanoTime();
        Struct value = (Struct) transform.apply(record(ORDER, order(1, 404, 10))).value();

        assertThat(value.get("user")).isNull();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void waitFallsBackToFailOrDrop() {
        transform = shop.valueTransform(config("lookup.user.miss.policy", "wait", "lookup.user.wait.fallback", "fail",
                "lookup.store.miss.policy", "wait", "lookup.store.wait.fallback", "drop"));

        assertThatThrownBy(() -> transform.apply(record(ORDER, order(1, 404, 10))))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("no row for key 404")
                .hasMessageContaining("after waiting up to 5000 ms");
        assertThat(transform.apply(record(ORDER, order(1, 1, 404)))).isNull();
    }

    @Test
    void waitWithANullKeyGoesStraightToTheFallback() {
        transform = shop.valueTransform(config("lookup.user.miss.policy", "wait", "lookup.user.wait.fallback", "drop"));

        assertThat(transform.apply(record(ORDER, order(1, null, 10)))).isNull();
    }

    @Test
    void waitWhileTheBrokersAreUnreachableIsRetriableNotAMiss() {
        transform = shop.valueTransform(config("lookup.user.miss.policy", "wait", "lookup.user.wait.timeout.ms", "300"));
        transform.apply(record(ORDER, order(1, 1, 10)));
        shop.users.unreachable();

        assertThatThrownBy(() -> transform.apply(record(ORDER, order(2, 404, 10))))
                .isInstanceOf(RetriableException.class)
                .hasMessageContaining("could not fetch the end offsets of topic dbserver1.public.users within 300 ms")
                .hasMessageContaining("brokers unreachable");
    }

    @Test
    void aTableThatCannotLoadInTimeIsRetriable() {
        shop.users.unreachable();
        transform = shop.valueTransform(config("lookup.user.topic.load.timeout.ms", "200"));

        assertThatThrownBy(() -> transform.apply(record(ORDER, order(1, 1, 10))))
                .isInstanceOf(RetriableException.class)
                .hasMessageContaining("still loading after 200 ms")
                .hasMessageContaining("lookup.user.topic.load.timeout.ms");
    }

    @Test
    void aTableOverItsBoundFailsRecordsInsteadOfMissing() {
        for (int i = 100; i < 200; i++) {
            shop.user(i, "User " + i);
        }
        transform = shop.valueTransform(config("lookup.user.table.max.bytes", "2000"));

        assertThatThrownBy(() -> transform.apply(record(ORDER, order(1, 1, 10))))
                .isInstanceOf(ConnectException.class)
                .isNotInstanceOf(RetriableException.class)
                .hasMessageContaining("over its bound of 2,000 bytes");
    }

    @Test
    void closeStopsTheTablesFeeds() {
        transform = shop.valueTransform(config());
        transform.apply(record(ORDER, order(1, 1, 10)));
        assertThat(shop.users.running()).isTrue();

        transform.close();

        assertThat(shop.users.running()).isFalse();
        assertThat(shop.stores.running()).isFalse();
        transform = null;
    }
}
