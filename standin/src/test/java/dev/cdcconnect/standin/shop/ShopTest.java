package dev.cdcconnect.standin.shop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cdcconnect.standin.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ShopTest {

    private static PostgresServer postgres;

    @BeforeAll
    static void startPostgres() throws SQLException {
        postgres = PostgresServer.start(Map.of());
        postgres.createDatabase("seed_shop");
    }

    @AfterAll
    static void stopPostgres() {
        postgres.close();
    }

    @Test
    void ordersReferenceExistingUsersAndStores() throws SQLException {
        Shop shop = new Shop(postgres.jdbcUrl("seed_shop"), PostgresServer.USER, PostgresServer.PASSWORD, 42);
        shop.createTables();
        shop.addUsers(1, 50);
        shop.addStores(1, 5);

        List<Long> first = shop.generateOrders(200);
        List<Long> second = shop.generateOrders(10);

        assertThat(first).hasSize(200).startsWith(1L);
        assertThat(second).startsWith(201L);
        assertThat(query("SELECT count(*) FROM orders o JOIN users u ON u.id = o.user_id"
                + " JOIN stores s ON s.id = o.store_id")).isEqualTo("210");
        assertThat(Long.parseLong(query("SELECT count(DISTINCT user_id) FROM orders"))).isGreaterThan(40L);
        assertThat(query("SELECT name || ' ' || email FROM users WHERE id = 21")).isEqualTo("Bob Ng bob.ng.21@example.com");
    }

    private static String query(String sql) throws SQLException {
        try (Connection connection = postgres.connect("seed_shop"); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            assertThat(rows.next()).isTrue();
            return rows.getString(1);
        }
    }
}
