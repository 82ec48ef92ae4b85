-- MySQL side of the demo: the inventory database that Debezium's MySQL source captures (seeds 000 and 002).
-- Run by setup as root; safe to run again.

CREATE USER IF NOT EXISTS 'debezium'@'%' IDENTIFIED BY 'dbz';
-- What Debezium's MySQL connector needs: snapshot reads, the binlog, and GTID positions
GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT, LOCK TABLES ON *.* TO 'debezium'@'%';

USE inventory;

CREATE TABLE IF NOT EXISTS users (
  id INT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  email VARCHAR(200),
  city VARCHAR(100)
);

CREATE TABLE IF NOT EXISTS stores (
  id INT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  city VARCHAR(100)
);

-- Order ids from MySQL stay below the ones from Postgres (which start at 1000001), so the two sources'
-- orders can share a table downstream.
CREATE TABLE IF NOT EXISTS orders (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  user_id INT NOT NULL,
  store_id INT NOT NULL,
  product VARCHAR(100) NOT NULL,
  quantity INT NOT NULL,
  amount DECIMAL(10,2) NOT NULL,
  status VARCHAR(20) NOT NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);

INSERT IGNORE INTO users (id, name, email, city) VALUES
  (1, 'Sally Thomas', 'sally.thomas@example.com', 'Lisbon'),
  (2, 'George Bailey', 'gbailey@example.com', 'Porto'),
  (3, 'Edward Walker', 'ed@walker.example', 'Madrid'),
  (4, 'Anne Kretchmar', 'annek@example.com', 'Paris'),
  (5, 'Maria Silva', 'maria.silva@example.com', 'Lisbon'),
  (6, 'Jonas Berg', 'jonas@berg.example', 'Oslo'),
  (7, 'Aiko Tanaka', 'aiko.tanaka@example.com', 'Berlin'),
  (8, 'Omar Haddad', 'omar@haddad.example', 'Vienna'),
  (9, 'Lena Novak', 'lena.novak@example.com', 'Prague'),
  (10, 'Pierre Dubois', 'pierre@dubois.example', 'Lyon');

INSERT IGNORE INTO stores (id, name, city) VALUES
  (1, 'Downtown', 'Lisbon'),
  (2, 'Riverside', 'Porto'),
  (3, 'Old Town', 'Prague'),
  (4, 'Harbour', 'Oslo'),
  (5, 'Online', NULL);
