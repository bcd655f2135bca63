-- Scalar subqueries over a table in the select list of a join and of a
-- pattern (issue 17): read per output row, against the table's current
-- contents, naming the join's sides and the pattern's states as the select
-- list does (sql_joins2 has the single-stream forms).

-- a join: each joined pair reads the table as it is when the pair goes
-- out; a name the table lacks is the join's (y.price, q.symbol)
SELECT siddhi.deploy('sc2_join', $$
  CREATE STREAM Sc2Py (symbol TEXT, price FLOAT8);
  CREATE STREAM Sc2Pq (symbol TEXT, qty INT);
  CREATE TABLE Sc2Lim (sym TEXT, lim FLOAT8);
  INSERT INTO Sc2JOut
  SELECT y.symbol, q.qty,
         (SELECT lim FROM Sc2Lim WHERE Sc2Lim.sym = y.symbol) AS lim,
         q.qty * (SELECT l.lim FROM Sc2Lim l
                  WHERE l.sym = q.symbol AND l.lim > y.price) AS scaled
  FROM Sc2Py y WINDOW LENGTH(1) JOIN Sc2Pq q ON y.symbol = q.symbol;
$$);
INSERT INTO sc2lim VALUES ('A', 10), ('B', 100);
SELECT siddhi.subscribe('sc2jout');
INSERT INTO sc2py VALUES ('A', 5);
INSERT INTO sc2pq VALUES ('A', 2);
INSERT INTO sc2py VALUES ('B', 500);
INSERT INTO sc2pq VALUES ('B', 3);
SELECT siddhi.flush();
-- the table changes: the next pair reads the new value
UPDATE sc2lim SET lim = 20 WHERE sym = 'A';
INSERT INTO sc2py VALUES ('A', 6);
INSERT INTO sc2pq VALUES ('A', 4);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('sc2jout', 100, 0) ORDER BY seq;
-- two rows for one pair: the step fails as in SQL and is counted
INSERT INTO sc2lim VALUES ('A', 30);
INSERT INTO sc2pq VALUES ('A', 9);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('sc2jout', 100, 0) ORDER BY seq;
SELECT query, errors > 0 AS failed FROM siddhi.queries WHERE app = 'sc2_join';

-- a pattern: its states, a counted state's f[0], and a table of its own
SELECT siddhi.deploy('sc2_pat', $$
  @app:playback
  CREATE STREAM Sc2Lg (ts BIGINT, userId INT) WITH (event_time = 'ts');
  CREATE STREAM Sc2Pu (ts BIGINT, userId INT, amount INT) WITH (event_time = 'ts');
  CREATE TABLE Sc2Caps (uid INT, cap INT);
  INSERT INTO Sc2POut
  SELECT a.userId, b.amount,
         b.amount - (SELECT cap FROM Sc2Caps WHERE uid = a.userId) AS over_cap,
         (SELECT cap FROM Sc2Caps WHERE uid = f[0].userId) AS fcap
  FROM PATTERN ( every a=Sc2Lg -> f=Sc2Pu<1:2>[userId = a.userId]
                 -> b=Sc2Pu[userId = a.userId] );
$$);
INSERT INTO sc2caps VALUES (1, 100), (2, 200);
SELECT siddhi.subscribe('sc2pout');
INSERT INTO sc2lg VALUES (1000, 1);
INSERT INTO sc2pu VALUES (1100, 1, 50), (1200, 1, 150);
INSERT INTO sc2lg VALUES (2000, 3);
INSERT INTO sc2pu VALUES (2100, 3, 50), (2200, 3, 70);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('sc2pout', 100, 0) ORDER BY seq;

-- (P1) AND (P2) and (P1) OR (P2): the states of the sides read as the
-- select list reads them (the other alternative's as NULL)
SELECT siddhi.deploy('sc2_patand', $$
  @app:playback
  CREATE STREAM Sc2A (ts BIGINT, k INT) WITH (event_time = 'ts');
  CREATE STREAM Sc2B (ts BIGINT, k INT) WITH (event_time = 'ts');
  CREATE TABLE Sc2Names (k INT, name TEXT);
  INSERT INTO Sc2Both
  SELECT (SELECT name FROM Sc2Names n WHERE n.k = a.k) AS a_name,
         (SELECT name FROM Sc2Names n WHERE n.k = b.k) AS b_name
  FROM PATTERN ((a=Sc2A) AND (b=Sc2B));
  INSERT INTO Sc2Either
  SELECT (SELECT name FROM Sc2Names n WHERE n.k = coalesce(c.k, d.k)) AS name
  FROM PATTERN ((every c=Sc2A) OR (every d=Sc2B));
$$);
INSERT INTO sc2names VALUES (1, 'one'), (2, 'two');
SELECT siddhi.subscribe('sc2both');
SELECT siddhi.subscribe('sc2either');
INSERT INTO sc2b VALUES (1000, 2);
INSERT INTO sc2a VALUES (1100, 1);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('sc2both', 100, 0) ORDER BY seq;
SELECT event FROM siddhi.poll('sc2either', 100, 0) ORDER BY seq;

-- refused, with the form to write: inside a function's arguments, and a
-- name neither the table nor the query has
SELECT siddhi.deploy('sc2_bad', $$
  CREATE STREAM Sc2Py (symbol TEXT, price FLOAT8);
  CREATE STREAM Sc2Pq (symbol TEXT, qty INT);
  CREATE TABLE Sc2Lim (sym TEXT, lim FLOAT8);
  SELECT y.symbol, coalesce((SELECT lim FROM Sc2Lim WHERE sym = y.symbol), 0) AS lim
  FROM Sc2Py y WINDOW LENGTH(1) JOIN Sc2Pq q ON y.symbol = q.symbol;
$$);
SELECT siddhi.deploy('sc2_bad', $$
  CREATE STREAM Sc2Py (symbol TEXT, price FLOAT8);
  CREATE STREAM Sc2Pq (symbol TEXT, qty INT);
  CREATE TABLE Sc2Lim (sym TEXT, lim FLOAT8);
  SELECT y.symbol, (SELECT lim FROM Sc2Lim WHERE sym = z.symbol) AS lim
  FROM Sc2Py y WINDOW LENGTH(1) JOIN Sc2Pq q ON y.symbol = q.symbol;
$$);
-- in a join's ON and a pattern's WHERE: refused (join the table, or
-- filter with EXISTS / IN)
SELECT siddhi.deploy('sc2_bad', $$
  CREATE STREAM Sc2Py (symbol TEXT, price FLOAT8);
  CREATE STREAM Sc2Pq (symbol TEXT, qty INT);
  CREATE TABLE Sc2Lim (sym TEXT, lim FLOAT8);
  SELECT y.symbol FROM Sc2Py y WINDOW LENGTH(1) JOIN Sc2Pq q
    ON y.price > (SELECT lim FROM Sc2Lim WHERE sym = y.symbol);
$$);
SELECT siddhi.deploy('sc2_bad', $$
  CREATE STREAM Sc2Xg (userId INT);
  CREATE TABLE Sc2XCaps (uid INT, cap INT);
  SELECT a.userId FROM PATTERN (a=Sc2Xg -> b=Sc2Xg)
  WHERE b.userId > (SELECT cap FROM Sc2XCaps WHERE uid = a.userId);
$$);

SELECT siddhi.undeploy(app, drop_tables => true)
  FROM unnest(ARRAY['sc2_join', 'sc2_pat', 'sc2_patand']) app;
