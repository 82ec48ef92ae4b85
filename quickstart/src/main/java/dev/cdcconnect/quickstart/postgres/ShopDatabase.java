package dev.cdcconnect.quickstart.postgres;

import dev.cdcconnect.quickstart.QuickstartException;
import dev.cdcconnect.standin.postgres.PostgresServer;
import dev.cdcconnect.standin.shop.Shop;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The demo shop's database: the {@link Shop}'s {@code users}, {@code stores} and {@code orders} tables, users and
 * stores loaded. Orders keep their whole old row on update and delete ({@code REPLICA IDENTITY FULL}), so each
 * change event carries the row before and after.
 */
public final class ShopDatabase {

    public static final String DATABASE = "shop";
    public static final int USERS = 100;
    public static final int STORES = 12;

    private ShopDatabase() {
    }

    /** Creates the database and the tables, loads users and stores, and returns the shop on it. */
    public static Shop create(PostgresServer postgres, long seed) throws QuickstartException {
        try {
            postgres.createDatabase(DATABASE);
        } catch (SQLException e) {
            throw new QuickstartException("cannot create database " + DATABASE + ": " + e.getMessage(), e);
        }
        Shop shop = new Shop(postgres.jdbcUrl(DATABASE), PostgresServer.USER, PostgresServer.PASSWORD, seed);
        try {
            shop.createTables();
            shop.addUsers(1, USERS);
            shop.addStores(1, STORES);
        } catch (IllegalStateException e) {
            throw new QuickstartException("cannot create the shop tables: " + e.getMessage(), e);
        }
        try (Connection connection = postgres.connect(DATABASE); Statement statement = connection.createStatement()) {
            statement.execute("ALTER TABLE orders REPLICA IDENTITY FULL");
        } catch (SQLException e) {
            throw new QuickstartException("cannot configure the orders table: " + e.getMessage(), e);
        }
        return shop;
    }
}
