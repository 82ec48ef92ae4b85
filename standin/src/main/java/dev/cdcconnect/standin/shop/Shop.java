package dev.cdcconnect.standin.shop;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The shop of the ksqlDB enrichment demo this project replaces: {@code users}, {@code stores} and
 * {@code orders} tables, filled with users and stores, and random orders whose {@code user_id} and
 * {@code store_id} exist. Plain JDBC and portable SQL, so it runs against Postgres, MySQL and MariaDB alike,
 * from tests, benchmarks and the quickstart ({@link #main}).
 */
public final class Shop {

    private static final String[] FIRST = {"Ann", "Bob", "Cleo", "Dev", "Eve", "Finn", "Gus", "Hana", "Ivo", "Jill",
        "Kai", "Lena", "Milo", "Nora", "Omar", "Pia", "Quin", "Rosa", "Sam", "Tess"};
    private static final String[] LAST = {"Lee", "Ng", "Diaz", "Khan", "Moss", "Ruiz", "Berg", "Cole", "Ito", "Vogel"};
    private static final String[] CITIES = {"Lyon", "Porto", "Graz", "Turku", "Ghent", "Cork", "Brno", "Split"};

    private final String url;
    private final String user;
    private final String password;
    private final Random random;

    /**
     * @param seed seed of the random choices, so a run can be repeated
     */
    public Shop(String url, String user, String password, long seed) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.random = new Random(seed);
    }

    /** Creates the three tables if they do not exist. */
    public void createTables() {
        execute("CREATE TABLE IF NOT EXISTS users (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL,"
                        + " email VARCHAR(200), city VARCHAR(100))",
                "CREATE TABLE IF NOT EXISTS stores (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, city VARCHAR(100))",
                "CREATE TABLE IF NOT EXISTS orders (id BIGINT PRIMARY KEY, user_id INT NOT NULL, store_id INT NOT NULL,"
                        + " quantity INT NOT NULL, amount DECIMAL(10,2) NOT NULL)");
    }

    /** Inserts users with ids {@code firstId} to {@code firstId + count - 1}. */
    public void addUsers(int firstId, int count) {
        batch("INSERT INTO users (id, name, email, city) VALUES (?, ?, ?, ?)", count, (statement, i) -> {
            int id = firstId + i;
            String name = FIRST[id % FIRST.length] + " " + LAST[(id / FIRST.length) % LAST.length];
            statement.setInt(1, id);
            statement.setString(2, name);
            statement.setString(3, name.toLowerCase().replace(' ', '.') + "." + id + "@example.com");
            statement.setString(4, CITIES[id % CITIES.length]);
        });
    }

    /** Inserts stores with ids {@code firstId} to {@code firstId + count - 1}. */
    public void addStores(int firstId, int count) {
        batch("INSERT INTO stores (id, name, city) VALUES (?, ?, ?)", count, (statement, i) -> {
            int id = firstId + i;
            statement.setInt(1, id);
            statement.setString(2, "Store " + id);
            statement.setString(3, CITIES[(id * 7) % CITIES.length]);
        });
    }

    /**
     * Inserts {@code count} random orders, each for a user and a store that exist now, and returns their ids.
     */
    public List<Long> generateOrders(int count) {
        List<Integer> users = ids("SELECT id FROM users");
        List<Integer> stores = ids("SELECT id FROM stores");
        if (users.isEmpty() || stores.isEmpty()) {
            throw new IllegalStateException("orders need at least one user and one store");
        }
        long next = maxOrderId() + 1;
        List<Long> created = new ArrayList<>(count);
        batch("INSERT INTO orders (id, user_id, store_id, quantity, amount) VALUES (?, ?, ?, ?, ?)", count,
                (statement, i) -> {
                    long id = next + i;
                    statement.setLong(1, id);
                    statement.setInt(2, users.get(random.nextInt(users.size())));
                    statement.setInt(3, stores.get(random.nextInt(stores.size())));
                    statement.setInt(4, 1 + random.nextInt(5));
                    statement.setBigDecimal(5, BigDecimal.valueOf(100 + random.nextInt(20_000), 2)
                            .setScale(2, RoundingMode.UNNECESSARY));
                    created.add(id);
                });
        return created;
    }

    /** Inserts one order for the given user and store (which need not exist), and returns its id. */
    public long placeOrder(int userId, int storeId) {
        long id = maxOrderId() + 1;
        batch("INSERT INTO orders (id, user_id, store_id, quantity, amount) VALUES (?, ?, ?, ?, ?)", 1, (statement, i) -> {
            statement.setLong(1, id);
            statement.setInt(2, userId);
            statement.setInt(3, storeId);
            statement.setInt(4, 1);
            statement.setBigDecimal(5, new BigDecimal("9.99"));
        });
        return id;
    }

    private long maxOrderId() {
        try (Connection connection = connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT COALESCE(MAX(id), 0) FROM orders")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read orders: " + e.getMessage(), e);
        }
    }

    private List<Integer> ids(String query) {
        try (Connection connection = connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(query)) {
            List<Integer> ids = new ArrayList<>();
            while (rs.next()) {
                ids.add(rs.getInt(1));
            }
            return ids;
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read ids: " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement statement, int index) throws SQLException;
    }

    private void batch(String sql, int count, Binder binder) {
        try (Connection connection = connect()) {
            connection.setAutoCommit(false);
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                for (int i = 0; i < count; i++) {
                    binder.bind(statement, i);
                    statement.addBatch();
                    if ((i + 1) % 1_000 == 0) {
                        statement.executeBatch();
                    }
                }
                statement.executeBatch();
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot write to " + url + ": " + e.getMessage(), e);
        }
    }

    private void execute(String... sql) {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            for (String s : sql) {
                statement.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot write to " + url + ": " + e.getMessage(), e);
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    /**
     * Places random orders, like the demo's {@code generate.sh}:
     * {@code Shop <jdbc-url> <user> <password> [orders=1]}; with {@code --setup USERS STORES} first, creates the
     * tables and fills them.
     */
    public static void main(String[] args) {
        if (args.length < 3) {
            System.err.println("usage: Shop <jdbc-url> <user> <password> [orders] [--setup <users> <stores>]");
            System.exit(2);
        }
        Shop shop = new Shop(args[0], args[1], args[2], System.nanoTime());
        int orders = 1;
        for (int i = 3; i < args.length; i++) {
            if (args[i].equals("--setup")) {
                shop.createTables();
                shop.addUsers(1, Integer.parseInt(args[++i]));
                shop.addStores(1, Integer.parseInt(args[++i]));
            } else {
                orders = Integer.parseInt(args[i]);
            }
        }
        List<Long> ids = shop.generateOrders(orders);
        System.out.println("placed " + ids.size() + " orders, ids " + ids.get(0) + ".." + ids.get(ids.size() - 1));
    }
}
