-- Streaming SQL joins without windows, temporal joins, WITH queries and
-- subqueries in FROM (issue 17).  Errors show their position.

-- 1. Two streams, neither with a window: refused with the window to add
-- (a stream holds no events in a join, so nothing could ever match)
SELECT siddhi.deploy('j2_nowin', $$
  CREATE STREAM J2a (k TEXT, v INT);
  CREATE STREAM J2b (k TEXT, w INT);
  SELECT a.k, b.w FROM J2a a JOIN J2b b ON a.k = b.k;
$$);
SELECT siddhi.deploy('j2_nowin', $$
  CREATE STREAM J2a (k TEXT, v INT);
  CREATE STREAM J2b (k TEXT, w INT);
  SELECT a.k, b.w FROM J2a a UNIDIRECTIONAL LEFT JOIN J2b b ON a.k = b.k;
$$);
-- a window on one side is enough: the other side's arrivals probe it
SELECT siddhi.deploy('j2_onewin', $$
  CREATE STREAM J2c (k TEXT, v INT);
  CREATE STREAM J2d (k TEXT, w INT);
  INSERT INTO J2cd SELECT c.k, c.v, d.w
  FROM J2c c JOIN J2d d WINDOW LENGTH(1) ON c.k = d.k;
$$);
SELECT siddhi.subscribe('j2cd');
INSERT INTO j2d VALUES ('x', 1);
INSERT INTO j2d VALUES ('x', 2);
INSERT INTO j2c VALUES ('x', 10), ('y', 20);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('j2cd', 100, 0);
-- SiddhiQL keeps Siddhi's meaning: deployed, and a left outer join emits
-- each arrival with nulls
SELECT siddhi.deploy('j2_siddhiql', $$
  define stream J2e (k string, v int);
  define stream J2f (k string, w int);
  from J2e as e left outer join J2f as f on e.k == f.k
  select e.k as k, f.w as w insert into J2ef;
$$);
SELECT siddhi.subscribe('j2ef');
INSERT INTO j2f VALUES ('x', 1);
INSERT INTO j2e VALUES ('x', 10);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('j2ef', 100, 0);

-- 2. Temporal joins: BETWEEN over the other stream's time keeps that much
-- of the stream (here 5 minutes of news, by their ts); bounds included
SELECT siddhi.deploy('j2_temporal', $$
  CREATE STREAM J2Stock (symbol TEXT, price FLOAT8, ts BIGINT);
  CREATE STREAM J2News (symbol TEXT, headline TEXT, ts BIGINT);
  INSERT INTO J2Matched SELECT s.symbol, s.price, n.headline
  FROM J2Stock s
  LEFT JOIN J2News n
      ON s.symbol = n.symbol
      AND n.ts BETWEEN s.ts - 5 minutes AND s.ts;
$$);
SELECT siddhi.subscribe('j2matched');
INSERT INTO j2news VALUES ('A', 'old', 0);
INSERT INTO j2news VALUES ('A', 'a up', 1000000);
INSERT INTO j2news VALUES ('B', 'b news', 1200000);
INSERT INTO j2stock VALUES ('A', 10, 1100000);  -- a up
INSERT INTO j2stock VALUES ('A', 11, 1300001);  -- 1 ms too late: null
INSERT INTO j2stock VALUES ('A', 12, 1300000);  -- on the bound: a up
INSERT INTO j2stock VALUES ('A', 13, 900000);   -- news after it: null
INSERT INTO j2stock VALUES ('C', 14, 1300000);  -- no news: null
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('j2matched', 100, 0);
-- the time column must be a bigint of milliseconds (externalTime's)
SELECT siddhi.deploy('j2_temporal_bad', $$
  CREATE STREAM J2S2 (symbol TEXT, ts TEXT);
  CREATE STREAM J2N2 (symbol TEXT, ts TEXT);
  SELECT s.symbol FROM J2S2 s JOIN J2N2 n
      ON n.ts BETWEEN s.ts - 5 minutes AND s.ts;
$$);
-- a stream with a table, the same bound: the lookup applies it
SELECT siddhi.deploy('j2_table', $$
  CREATE STREAM J2Trade (k TEXT, ts BIGINT);
  CREATE STREAM J2Upd (k TEXT, v INT, ts BIGINT);
  CREATE TABLE J2Ver (k TEXT PRIMARY KEY, v INT, at BIGINT);
  INSERT INTO J2Ver SELECT k, v, ts AS at FROM J2Upd
      ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v, at = EXCLUDED.at;
  INSERT INTO J2Recent SELECT t.k, t.ts, r.v
  FROM J2Trade t LEFT JOIN J2Ver r
      ON r.k = t.k AND r.at BETWEEN t.ts - 1 second AND t.ts;
  INSERT INTO J2AsOf SELECT t.k, t.ts, r.v
  FROM J2Trade t LEFT JOIN J2Ver FOR SYSTEM_TIME AS OF t.ts AS r
      ON r.k = t.k;
$$);
SELECT siddhi.subscribe('j2recent');
SELECT siddhi.subscribe('j2asof');
INSERT INTO j2upd VALUES ('x', 1, 1000);
INSERT INTO j2trade VALUES ('x', 1500), ('x', 2500), ('y', 2500);
INSERT INTO j2upd VALUES ('x', 2, 3000);
INSERT INTO j2trade VALUES ('x', 3000);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('j2recent', 100, 0);
SELECT event FROM siddhi.poll('j2asof', 100, 0);
-- AS OF on a stream without a window (a versioned stream): its latest
-- event for each key ON equates, as of the other side's event
SELECT siddhi.deploy('j2_asof_stream', $$
  CREATE STREAM J2Rate (cur TEXT, rate FLOAT8, ts BIGINT);
  CREATE STREAM J2Order (id INT, cur TEXT, amount FLOAT8, ts BIGINT);
  INSERT INTO J2Conv SELECT o.id, o.cur, o.amount * r.rate AS converted
  FROM J2Order o LEFT JOIN J2Rate FOR SYSTEM_TIME AS OF o.ts AS r
      ON r.cur = o.cur;
$$);
SELECT siddhi.subscribe('j2conv');
INSERT INTO j2rate VALUES ('EUR', 1.5, 1000), ('GBP', 2.5, 1000);
INSERT INTO j2order VALUES (1, 'EUR', 100, 1500), (2, 'JPY', 100, 1600);
INSERT INTO j2rate VALUES ('EUR', 1.25, 2000);
INSERT INTO j2order VALUES (3, 'EUR', 100, 2500), (4, 'GBP', 10, 2600);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('j2conv', 100, 0);
-- AS OF on a stream without its key in ON, on a single stream, or over
-- its own side: refused
SELECT siddhi.deploy('j2_asof_bad', $$
  CREATE STREAM J2Q (k TEXT, ts BIGINT);
  CREATE STREAM J2O (k TEXT, ts BIGINT);
  SELECT o.k FROM J2O o JOIN J2Q FOR SYSTEM_TIME AS OF o.ts AS q ON q.ts < o.ts;
$$);
SELECT siddhi.deploy('j2_asof_bad', $$
  CREATE STREAM J2O (k TEXT, ts BIGINT);
  SELECT o.k FROM J2O FOR SYSTEM_TIME AS OF ts AS o;
$$);
SELECT siddhi.deploy('j2_asof_bad', $$
  CREATE STREAM J2O (k TEXT, ts BIGINT);
  CREATE TABLE J2T (k TEXT, at BIGINT);
  SELECT o.k FROM J2O o JOIN J2T FOR SYSTEM_TIME AS OF t.at AS t ON t.k = o.k;
$$);
SELECT siddhi.deploy('j2_asof_bad', $$
  CREATE STREAM J2O (k TEXT, ts BIGINT);
  CREATE TABLE J2T (k TEXT, at BIGINT);
  SELECT o.k FROM J2O o JOIN J2T FOR SYSTEM_TIME o.ts AS t ON t.k = o.k;
$$);

-- 3. WITH queries and subqueries in FROM: queries of their own, inserting
-- into generated streams that the main query reads
SELECT siddhi.deploy('j2_cte', $$
  CREATE STREAM J2Trades (symbol TEXT, price FLOAT8, volume BIGINT);
  WITH Big AS (
      SELECT symbol, volume FROM J2Trades WHERE volume > 1000
  ), Bigger AS (
      SELECT symbol, volume * 2 AS twice FROM Big WHERE volume > 5000
  )
  INSERT INTO J2BigTrades
  SELECT b.symbol, b.twice, t.price
  FROM Bigger b JOIN J2Trades t WINDOW LENGTH(2) ON b.symbol = t.symbol;
  SELECT h.symbol, h.doubled
  FROM (SELECT symbol, price * 2 AS doubled FROM J2Trades WHERE price > 10) AS h
  WHERE h.doubled < 100;
  SELECT m.symbol, m.avg_price
  FROM (SELECT symbol, AVG(price) AS avg_price
        FROM J2Trades WINDOW LENGTH(2) GROUP BY symbol) m;
$$);
SELECT wait_app('j2_cte');
-- generated queries are named after their stream; query1, query2 stay the
-- user's queries
SELECT query FROM siddhi.queries WHERE app = 'j2_cte' ORDER BY query;
SELECT siddhi.subscribe(s)
  FROM unnest(ARRAY['j2bigtrades', 'j2_cte_query2', 'j2_cte_query3']) s;
INSERT INTO j2trades VALUES ('A', 5, 100), ('A', 20, 6000), ('B', 60, 2000),
  ('A', 30, 7000);
SELECT siddhi.flush();
SELECT s AS stream, p.event
  FROM unnest(ARRAY['j2bigtrades', 'j2_cte_query2', 'j2_cte_query3'])
       WITH ORDINALITY AS u(s, o),
       LATERAL siddhi.poll(s, 100, 0) p
 ORDER BY o, p.seq;
-- a generated name never clashes with a name the app writes
SELECT siddhi.deploy('j2_clash', $$
  CREATE STREAM cte_h (x INT);
  CREATE STREAM subquery (x INT);
  WITH h AS (SELECT x FROM cte_h) SELECT h.x FROM h;
  SELECT q.x FROM (SELECT x FROM subquery) AS q;
$$);
SELECT wait_app('j2_clash');
SELECT query FROM siddhi.queries WHERE app = 'j2_clash' ORDER BY query;
-- the generated streams carry the app's name, as a query's return stream does
SELECT relname FROM pg_class
 WHERE relname LIKE 'j2\_c%' AND relkind = 'f' ORDER BY relname;
-- errors
SELECT siddhi.deploy('j2_bad', $$
  CREATE STREAM J2S (k TEXT);
  SELECT * FROM (SELECT k FROM J2S);
$$);
SELECT siddhi.deploy('j2_bad', $$
  CREATE STREAM J2S (k TEXT);
  INSERT INTO J2Out WITH h AS (SELECT k FROM J2S) SELECT * FROM h;
$$);
SELECT siddhi.deploy('j2_bad', $$
  CREATE STREAM J2S (k TEXT);
  WITH RECURSIVE h AS (SELECT k FROM J2S) SELECT * FROM h;
$$);
SELECT siddhi.deploy('j2_bad', $$
  CREATE STREAM J2S (k TEXT);
  WITH h (a) AS (SELECT k FROM J2S) SELECT * FROM h;
$$);
SELECT siddhi.deploy('j2_bad', $$
  CREATE STREAM J2S (k TEXT);
  WITH h AS (SELECT k FROM J2S), h AS (SELECT k FROM J2S) SELECT * FROM h;
$$);
SELECT siddhi.deploy('j2_bad', $$
  CREATE STREAM J2S (k TEXT);
  WITH h AS (SELECT k FROM J2S PARTITION BY k) SELECT * FROM h;
$$);
SELECT siddhi.deploy('j2_bad', $$
  CREATE STREAM J2S (k TEXT);
  WITH h AS (SELECT k FROM J2S);
$$);
SELECT siddhi.deploy('j2_bad', $$
  CREATE STREAM J2S (k TEXT);
  WITH h AS (DELETE FROM J2S) SELECT * FROM h;
$$);
-- a WITH query's columns are its select list's
SELECT siddhi.deploy('j2_bad', $$
  CREATE STREAM J2S (k TEXT, v INT);
  WITH h AS (SELECT k FROM J2S) SELECT * FROM h WHERE v > 1;
$$);

-- 3b. Scalar subqueries over a table in WHERE: the table's one matching
-- value per event (null without a row; two rows fail the event)
SELECT siddhi.deploy('j2_scalar', $$
  CREATE STREAM J2Px (symbol TEXT, price FLOAT8);
  CREATE TABLE J2Limits (sym TEXT, lim FLOAT8);
  INSERT INTO J2Over SELECT symbol, price FROM J2Px s
    WHERE price > (SELECT lim FROM J2Limits WHERE J2Limits.sym = s.symbol);
  INSERT INTO J2Over2 SELECT symbol, price FROM J2Px
    WHERE price > (SELECT l.lim * 2 FROM J2Limits l WHERE l.sym = symbol)
       OR symbol = 'Z';
$$);
INSERT INTO j2limits VALUES ('A', 10), ('B', 100), ('D', 1), ('D', 2);
SELECT siddhi.subscribe('j2over');
SELECT siddhi.subscribe('j2over2');
INSERT INTO j2px VALUES ('A', 5), ('A', 15), ('A', 25), ('B', 50), ('C', 1),
  ('Z', 0);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('j2over', 100, 0);
SELECT event FROM siddhi.poll('j2over2', 100, 0);
INSERT INTO j2px VALUES ('D', 5);
SELECT siddhi.flush();
SELECT query, errors, last_error FROM siddhi.queries
 WHERE app = 'j2_scalar' ORDER BY query;
SELECT siddhi.deploy('j2_scalar_bad', $$
  CREATE STREAM J2Py (symbol TEXT, price FLOAT8);
  SELECT symbol FROM J2Py WHERE price > (SELECT max(price) FROM J2Py);
$$);
SELECT siddhi.deploy('j2_scalar_bad', $$
  CREATE STREAM J2Py (symbol TEXT, price FLOAT8);
  CREATE TABLE J2Lim (sym TEXT, lim FLOAT8);
  SELECT symbol FROM J2Py WHERE price > (SELECT max(lim) FROM J2Lim);
$$);
SELECT siddhi.deploy('j2_scalar_bad', $$
  CREATE STREAM J2Py (symbol TEXT, price FLOAT8);
  CREATE TABLE J2Lim (sym TEXT, lim FLOAT8);
  SELECT symbol FROM J2Py WHERE price > (SELECT lim, sym FROM J2Lim);
$$);
-- in the select list of a query reading one stream: the table's value for
-- each event (null without a row), also inside an expression and over a
-- window (the rows the window hands out are the stream's)
SELECT siddhi.deploy('j2_scalar_sel', $$
  CREATE STREAM J2Pz (symbol TEXT, price FLOAT8);
  CREATE TABLE J2Lz (sym TEXT, lim FLOAT8);
  INSERT INTO J2Sel SELECT symbol, price,
         (SELECT lim FROM J2Lz WHERE J2Lz.sym = symbol) AS lim,
         price - (SELECT z.lim FROM J2Lz z WHERE z.sym = symbol) AS over_by
    FROM J2Pz WINDOW LENGTH(2);
$$);
INSERT INTO j2lz VALUES ('A', 10), ('B', 100);
SELECT siddhi.subscribe('j2sel');
INSERT INTO j2pz VALUES ('A', 15), ('B', 50), ('C', 1);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('j2sel', 100, 0);
-- in a join's select list too (sql_scalar2 has more)
SELECT siddhi.deploy('j2_scalar_bad', $$
  CREATE STREAM J2Py (symbol TEXT, price FLOAT8);
  CREATE STREAM J2Pq (symbol TEXT, qty INT);
  CREATE TABLE J2Lim (sym TEXT, lim FLOAT8);
  SELECT y.symbol, (SELECT lim FROM J2Lim WHERE J2Lim.sym = y.symbol) AS lim
  FROM J2Py y WINDOW LENGTH(1) JOIN J2Pq q ON y.symbol = q.symbol;
$$);
SELECT siddhi.undeploy(name) FROM siddhi.apps WHERE name LIKE 'j2%' ORDER BY name;
