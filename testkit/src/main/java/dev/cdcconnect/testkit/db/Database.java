package dev.cdcconnect.testkit.db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One database on a real server, reached over JDBC: run statements and read rows back as a user would. */
public final class Database {

    private final String name;
    private final String jdbcUrl;
    private final String host;
    private final int port;
    private final String user;
    private final String password;

    Database(String name, String jdbcUrl, String host, int port, String user, String password) {
        this.name = name;
        this.jdbcUrl = jdbcUrl;
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
    }

    public String name() {
        return name;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** A new connection (auto-commit on); the caller closes it. */
    public Connection connect() {
        try {
            return DriverManager.getConnection(jdbcUrl, user, password);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot connect to " + jdbcUrl + ": " + e.getMessage(), e);
        }
    }

    /** Runs each statement in order, each in its own transaction. */
    public void execute(String... sql) {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            for (String s : sql) {
                statement.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed on " + name + ": " + e.getMessage(), e);
        }
    }

    /** Runs the statements in one transaction. */
    public void inTransaction(String... sql) {
        try (Connection connection = connect()) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                for (String s : sql) {
                    statement.execute(s);
                }
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("SQL transaction failed on " + name + ": " + e.getMessage(), e);
        }
    }

    /** Runs a parameterised update and returns the update count. */
    public int update(String sql, Object... params) {
        try (Connection connection = connect(); PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, params);
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed on " + name + ": " + e.getMessage(), e);
        }
    }

    /** The rows of a query, each as a map from lower-case column label to value, in result order. */
    public List<Map<String, Object>> query(String sql, Object... params) {
        try (Connection connection = connect(); PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, params);
            try (ResultSet rs = statement.executeQuery()) {
                ResultSetMetaData meta = rs.getMetaData();
                List<Map<String, Object>> rows = new ArrayList<>();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= meta.getColumnCount(); i++) {
                        row.put(meta.getColumnLabel(i).toLowerCase(java.util.Locale.ROOT), rs.getObject(i));
                    }
                    rows.add(row);
                }
                return rows;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Query failed on " + name + ": " + e.getMessage(), e);
        }
    }

    /** Whether a table of that name exists (in any schema the user can see). */
    public boolean tableExists(String table) {
        try (Connection connection = connect();
             ResultSet rs = connection.getMetaData().getTables(null, null, table, new String[] {"TABLE"})) {
            return rs.next();
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read the catalog of " + name + ": " + e.getMessage(), e);
        }
    }

    /** Column name to the server's type name, for a table, in column order. */
    public Map<String, String> columnTypes(String table) {
        try (Connection connection = connect();
             ResultSet rs = connection.getMetaData().getColumns(null, null, table, null)) {
            Map<String, String> columns = new LinkedHashMap<>();
            while (rs.next()) {
                columns.put(rs.getString("COLUMN_NAME"), rs.getString("TYPE_NAME"));
            }
            return columns;
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read the columns of " + table + ": " + e.getMessage(), e);
        }
    }

    private static void bind(PreparedStatement statement, Object[] params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            statement.setObject(i + 1, params[i]);
        }
    }

    @Override
    public String toString() {
        return "Database{" + jdbcUrl + '}';
    }
}
