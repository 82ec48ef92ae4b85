package dev.cdcconnect.quickstart.postgres;

import dev.cdcconnect.quickstart.QuickstartException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The shop of the seed pipeline: {@code users} and {@code stores}, loaded at start, and {@code orders}, which the
 * traffic fills. Orders keep their whole old row on update and delete ({@code REPLICA IDENTITY FULL}), so each
 * change event carries the row before and after.
 */
public final class ShopSchema {

    public static final String DATABASE = "shop";
    public static final int USERS = 100;
    public static final int STORES = 12;

    private static final List<String> FIRST_NAMES = List.of("Ada", "Alan", "Barbara", "Claude", "Donald", "Edsger",
            "Frances", "Grace", "Hedy", "Ivan", "John", "Katherine", "Leslie", "Margaret", "Niklaus", "Radia",
            "Shafi", "Tim", "Vint", "Whitfield");
    private static final List<String> LAST_NAMES = List.of("Lovelace", "Turing", "Liskov", "Shannon", "Knuth",
            "Dijkstra", "Allen", "Hopper", "Lamarr");
    private static final List<String> CITIES = List.of("Amsterdam", "Berlin", "Lisbon", "Madrid", "Oslo", "Paris",
            "Prague", "Rome", "Vienna", "Warsaw", "Dublin", "Zurich");
    private static final List<String> STORE_KINDS = List.of("Books", "Coffee", "Garden", "Hardware", "Music",
            "Outdoor");

    private ShopSchema() {
    }

    /** Creates the tables and loads users and stores. */
    public static void create(PostgresServer postgres) throws QuickstartException {
        try (Connection connection = postgres.connect(DATABASE)) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("""
                        CREATE TABLE users (
                          user_id INT PRIMARY KEY,
                          name TEXT NOT NULL,
                          email TEXT NOT NULL,
                          city TEXT NOT NULL)""");
                statement.execute("""
                        CREATE TABLE stores (
                          store_id INT PRIMARY KEY,
                          name TEXT NOT NULL,
                          city TEXT NOT NULL)""");
                statement.execute("""
                        CREATE TABLE orders (
                          order_id BIGINT PRIMARY KEY,
                          user_id INT NOT NULL REFERENCES users,
                          store_id INT NOT NULL REFERENCES stores,
                          quantity INT NOT NULL,
                          amount NUMERIC(10, 2) NOT NULL,
                          status TEXT NOT NULL,
                          ordered_at TIMESTAMPTZ NOT NULL)""");
                statement.execute("ALTER TABLE orders REPLICA IDENTITY FULL");
            }
            connection.setAutoCommit(false);
            try (PreparedStatement users = connection.prepareStatement("INSERT INTO users VALUES (?, ?, ?, ?)")) {
                for (int id = 1; id <= USERS; id++) {
                    String first = FIRST_NAMES.get(id % FIRST_NAMES.size());
                    String last = LAST_NAMES.get(id % LAST_NAMES.size());
                    users.setInt(1, id);
                    users.setString(2, first + " " + last);
                    users.setString(3, (first + "." + last + id + "@example.com").toLowerCase(java.util.Locale.ROOT));
                    users.setString(4, CITIES.get((id * 7) % CITIES.size()));
                    users.addBatch();
                }
                users.executeBatch();
            }
            try (PreparedStatement stores = connection.prepareStatement("INSERT INTO stores VALUES (?, ?, ?)")) {
                for (int id = 1; id <= STORES; id++) {
                    String city = CITIES.get(id % CITIES.size());
                    stores.setInt(1, id);
                    stores.setString(2, city + " " + STORE_KINDS.get(id % STORE_KINDS.size()));
                    stores.setString(3, city);
                    stores.addBatch();
                }
                stores.executeBatch();
            }
            connection.commit();
        } catch (SQLException e) {
            throw new QuickstartException("cannot create the shop tables: " + e.getMessage(), e);
        }
    }
}
