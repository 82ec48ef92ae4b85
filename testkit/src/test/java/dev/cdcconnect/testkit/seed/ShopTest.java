package dev.cdcconnect.testkit.seed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cdcconnect.standin.shop.Shop;
import dev.cdcconnect.testkit.db.Database;
import dev.cdcconnect.testkit.db.PostgresServer;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShopTest {

    @Test
    void ordersReferenceExistingUsersAndStores() {
        Database db = PostgresServer.shared().createDatabase("seed_shop");
        Shop shop = new Shop(db.jdbcUrl(), db.user(), db.password(), 42);
        shop.createTables();
        shop.addUsers(1, 50);
        shop.addStores(1, 5);

        List<Long> first = shop.generateOrders(200);
        List<Long> second = shop.generateOrders(10);

        assertThat(first).hasSize(200).startsWith(1L);
        assertThat(second).startsWith(201L);
        assertThat(db.query("SELECT count(*) AS n FROM orders o JOIN users u ON u.id = o.user_id"
                + " JOIN stores s ON s.id = o.store_id")).containsExactly(java.util.Map.of("n", 210L));
        assertThat((Long) db.query("SELECT count(DISTINCT user_id) AS n FROM orders").get(0).get("n")).isGreaterThan(40L);
        assertThat(db.query("SELECT name, email FROM users WHERE id = 21").get(0))
                .containsEntry("name", "Bob Ng").containsEntry("email", "bob.ng.21@example.com");
    }
}
