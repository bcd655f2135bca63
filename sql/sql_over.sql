-- Window functions in streaming SQL: f(..) OVER (PARTITION BY .. ORDER BY ..)
-- over a window's contents and over a stream's partitions.

-- 1. Over a window: each current row gets what PostgreSQL gives it over the
-- window's contents after the window's step (here the last 4 rows).
SELECT siddhi.deploy('over_win', $$
  CREATE STREAM OwTicks (id INT, sym TEXT, price DOUBLE PRECISION, vol INT);
  CREATE TABLE OwOut (id INT, sym TEXT, rn BIGINT, rk BIGINT, drk BIGINT,
                      prev DOUBLE PRECISION, nxt DOUBLE PRECISION,
                      fv DOUBLE PRECISION, lv DOUBLE PRECISION,
                      s BIGINT, a DOUBLE PRECISION, c BIGINT, c2 BIGINT,
                      lo DOUBLE PRECISION, hi DOUBLE PRECISION);
  INSERT INTO OwOut
  SELECT id, sym,
         row_number() OVER (PARTITION BY sym ORDER BY price DESC, id) AS rn,
         rank() OVER (PARTITION BY sym ORDER BY price DESC) AS rk,
         dense_rank() OVER (PARTITION BY sym ORDER BY price DESC) AS drk,
         lag(price) OVER (PARTITION BY sym ORDER BY id) AS prev,
         lead(price, 1, -1) OVER (PARTITION BY sym ORDER BY id) AS nxt,
         first_value(price) OVER (PARTITION BY sym ORDER BY id) AS fv,
         last_value(price) OVER (PARTITION BY sym ORDER BY price) AS lv,
         sum(vol) OVER (PARTITION BY sym ORDER BY id) AS s,
         avg(vol) OVER (PARTITION BY sym) AS a,
         count(*) OVER (PARTITION BY sym ORDER BY price) AS c,
         count(vol) OVER () AS c2,
         min(price) OVER (PARTITION BY sym ORDER BY id) AS lo,
         max(price) OVER (PARTITION BY sym) AS hi
  FROM OwTicks WINDOW length(4);
$$);
SELECT wait_app('over_win');
CREATE TABLE ow_src (id int, sym text, price float8, vol int);
INSERT INTO ow_src VALUES
  (1, 'A', 10, 100), (2, 'B', 50, 10), (3, 'A', 12, 200), (4, 'A', 12, NULL),
  (5, 'B', 40, 30), (6, 'A', 9, 50), (7, 'A', 15, 70), (8, 'B', 40, 20),
  (9, 'B', 55, 5), (10, 'A', 12, 10);
INSERT INTO owticks SELECT * FROM ow_src ORDER BY id;
SELECT wait_for('SELECT count(*) FROM owout', 10);
SELECT * FROM owout ORDER BY id;

-- The same rows through PostgreSQL's own window functions, each row over
-- the 4 rows ending with it: no row differs.
CREATE VIEW ow_pg AS
SELECT x.* FROM ow_src i, LATERAL (
  SELECT id, sym,
         row_number() OVER (PARTITION BY sym ORDER BY price DESC, id) AS rn,
         rank() OVER (PARTITION BY sym ORDER BY price DESC) AS rk,
         dense_rank() OVER (PARTITION BY sym ORDER BY price DESC) AS drk,
         lag(price) OVER (PARTITION BY sym ORDER BY id) AS prev,
         lead(price, 1, -1) OVER (PARTITION BY sym ORDER BY id) AS nxt,
         first_value(price) OVER (PARTITION BY sym ORDER BY id) AS fv,
         last_value(price) OVER (PARTITION BY sym ORDER BY price) AS lv,
         sum(vol) OVER (PARTITION BY sym ORDER BY id) AS s,
         avg(vol) OVER (PARTITION BY sym)::float8 AS a,
         count(*) OVER (PARTITION BY sym ORDER BY price) AS c,
         count(vol) OVER () AS c2,
         min(price) OVER (PARTITION BY sym ORDER BY id) AS lo,
         max(price) OVER (PARTITION BY sym) AS hi
  FROM ow_src w WHERE w.id BETWEEN i.id - 3 AND i.id) x
WHERE x.id = i.id;
SELECT count(*) AS rows_pg FROM ow_pg;
SELECT 'only in siddhi' AS side, * FROM (SELECT * FROM owout EXCEPT SELECT * FROM ow_pg) d
UNION ALL
SELECT 'only in postgres', * FROM (SELECT * FROM ow_pg EXCEPT SELECT * FROM owout) d;

-- 2. A batch window: the functions see the whole batch when it goes out.
SELECT siddhi.deploy('over_batch', $$
  CREATE STREAM ObTicks (id INT, sym TEXT, price DOUBLE PRECISION);
  CREATE TABLE ObOut (id INT, sym TEXT, rk BIGINT, nxt INT, n BIGINT);
  INSERT INTO ObOut
  SELECT id, sym, rank() OVER (ORDER BY price DESC) AS rk,
         lead(id) OVER (PARTITION BY sym ORDER BY id) AS nxt,
         count(*) OVER (PARTITION BY sym) AS n
  FROM ObTicks WINDOW lengthBatch(3);
$$);
SELECT wait_app('over_batch');
INSERT INTO obticks VALUES (1, 'A', 5), (2, 'B', 7), (3, 'A', 6),
  (4, 'A', 1), (5, 'A', 2), (6, 'A', 2), (7, 'B', 0);
SELECT wait_for('SELECT count(*) FROM obout', 6);
SELECT * FROM obout ORDER BY id;

-- 3. Over a stream, per partition: in arrival order (no ORDER BY, or the
-- stream's event_time ascending) running values over the whole history;
-- another ORDER BY: over the partition's last siddhi.over_history_rows rows.
SELECT siddhi.deploy('over_stream', $$
  CREATE STREAM OsTicks (sym TEXT, price DOUBLE PRECISION, ts BIGINT)
    WITH (event_time = 'ts');
  CREATE TABLE OsOut (sym TEXT, price DOUBLE PRECISION, ts BIGINT,
                      n BIGINT, rk BIGINT, drk BIGINT, prev DOUBLE PRECISION,
                      prev2 DOUBLE PRECISION, fv DOUBLE PRECISION,
                      lv DOUBLE PRECISION, total DOUBLE PRECISION,
                      mean DOUBLE PRECISION, c BIGINT, lo DOUBLE PRECISION,
                      hi DOUBLE PRECISION, by_price BIGINT, rank_all BIGINT);
  INSERT INTO OsOut
  SELECT sym, price, ts,
         row_number() OVER (PARTITION BY sym) AS n,
         rank() OVER (PARTITION BY sym ORDER BY ts) AS rk,
         dense_rank() OVER (PARTITION BY sym ORDER BY ts) AS drk,
         lag(price) OVER (PARTITION BY sym ORDER BY ts) AS prev,
         lag(price, 2, 0.0) OVER (PARTITION BY sym ORDER BY ts) AS prev2,
         first_value(price) OVER (PARTITION BY sym ORDER BY ts) AS fv,
         last_value(price) OVER (PARTITION BY sym ORDER BY ts) AS lv,
         sum(price) OVER (PARTITION BY sym ORDER BY ts) AS total,
         avg(price) OVER (PARTITION BY sym) AS mean,
         count(price) OVER (PARTITION BY sym) AS c,
         min(price) OVER (PARTITION BY sym ORDER BY ts) AS lo,
         max(price) OVER (PARTITION BY sym ORDER BY ts) AS hi,
         row_number() OVER (PARTITION BY sym ORDER BY price DESC) AS by_price,
         rank() OVER (ORDER BY price) AS rank_all
  FROM OsTicks;
$$);
SELECT wait_app('over_stream');
INSERT INTO osticks VALUES ('A', 10, 1000), ('B', 20, 1000), ('A', 12, 2000),
  ('A', 11, 2000), ('B', NULL, 3000), ('A', 13, 4000), ('B', 25, 5000),
  ('A', 9, 6000);
SELECT wait_for('SELECT count(*) FROM osout', 8);
SELECT * FROM osout ORDER BY sym, ts, price;

-- 3b. The stream meaning checked against PostgreSQL: each row over its
-- partition's rows so far (ts increases with id; rows 7 and 8 share a ts).
SELECT siddhi.deploy('over_stream_pg', $$
  CREATE STREAM OpTicks (id INT, sym TEXT, price INT, ts BIGINT)
    WITH (event_time = 'ts');
  CREATE TABLE OpOut (id INT, n BIGINT, rk BIGINT, drk BIGINT, prev INT,
                      prev3 INT, fv INT, lv INT, total BIGINT,
                      mean DOUBLE PRECISION, lo INT, hi INT, by_price BIGINT,
                      rk_price BIGINT, fv_price INT, run_price BIGINT);
  INSERT INTO OpOut
  SELECT id,
         row_number() OVER (PARTITION BY sym ORDER BY ts) AS n,
         rank() OVER (PARTITION BY sym ORDER BY ts) AS rk,
         dense_rank() OVER (PARTITION BY sym ORDER BY ts) AS drk,
         lag(price) OVER (PARTITION BY sym ORDER BY ts) AS prev,
         lag(price, 3, 0) OVER (PARTITION BY sym ORDER BY ts) AS prev3,
         first_value(price) OVER (PARTITION BY sym ORDER BY ts) AS fv,
         last_value(price) OVER (PARTITION BY sym ORDER BY ts) AS lv,
         sum(price) OVER (PARTITION BY sym ORDER BY ts) AS total,
         avg(price) OVER (PARTITION BY sym ORDER BY ts) AS mean,
         min(price) OVER (PARTITION BY sym ORDER BY ts) AS lo,
         max(price) OVER (PARTITION BY sym ORDER BY ts) AS hi,
         row_number() OVER (PARTITION BY sym ORDER BY price DESC, id) AS by_price,
         rank() OVER (PARTITION BY sym ORDER BY price) AS rk_price,
         first_value(price) OVER (PARTITION BY sym ORDER BY price) AS fv_price,
         sum(price) OVER (ORDER BY price) AS run_price
  FROM OpTicks;
$$);
SELECT wait_app('over_stream_pg');
CREATE TABLE op_src (id int, sym text, price int, ts bigint);
INSERT INTO op_src VALUES (1, 'A', 10, 1000), (2, 'B', 7, 2000),
  (3, 'A', 12, 3000), (4, 'C', 3, 4000), (5, 'A', 8, 5000), (6, 'B', 7, 6000),
  (7, 'A', 12, 7000), (8, 'A', 15, 7000), (9, 'B', 1, 9000),
  (10, 'C', 9, 10000), (11, 'A', 11, 11000), (12, 'B', 20, 12000);
INSERT INTO opticks SELECT * FROM op_src ORDER BY id;
SELECT wait_for('SELECT count(*) FROM opout', 12);
SELECT * FROM opout ORDER BY id;
CREATE VIEW op_pg AS
SELECT x.* FROM op_src i, LATERAL (
  SELECT id,
         row_number() OVER (PARTITION BY sym ORDER BY ts, id) AS n,
         rank() OVER (PARTITION BY sym ORDER BY ts) AS rk,
         dense_rank() OVER (PARTITION BY sym ORDER BY ts) AS drk,
         lag(price) OVER (PARTITION BY sym ORDER BY ts, id) AS prev,
         lag(price, 3, 0) OVER (PARTITION BY sym ORDER BY ts, id) AS prev3,
         first_value(price) OVER (PARTITION BY sym ORDER BY ts) AS fv,
         last_value(price) OVER (PARTITION BY sym ORDER BY ts) AS lv,
         sum(price) OVER (PARTITION BY sym ORDER BY ts) AS total,
         avg(price) OVER (PARTITION BY sym ORDER BY ts)::float8 AS mean,
         min(price) OVER (PARTITION BY sym ORDER BY ts) AS lo,
         max(price) OVER (PARTITION BY sym ORDER BY ts) AS hi,
         row_number() OVER (PARTITION BY sym ORDER BY price DESC, id) AS by_price,
         rank() OVER (PARTITION BY sym ORDER BY price) AS rk_price,
         first_value(price) OVER (PARTITION BY sym ORDER BY price) AS fv_price,
         sum(price) OVER (ORDER BY price) AS run_price
  FROM op_src w WHERE w.id <= i.id) x
WHERE x.id = i.id;
SELECT 'only in siddhi' AS side, * FROM (SELECT * FROM opout EXCEPT SELECT * FROM op_pg) d
UNION ALL
SELECT 'only in postgres', * FROM (SELECT * FROM op_pg EXCEPT SELECT * FROM opout) d;

-- 4. The bounds: at most siddhi.over_history_rows rows per partition for an
-- ORDER BY that is not the arrival order, at most
-- siddhi.over_max_partitions partitions (the least recently used forgotten).
ALTER SYSTEM SET siddhi.over_history_rows = 3;
ALTER SYSTEM SET siddhi.over_max_partitions = 2;
SELECT pg_reload_conf();
SELECT pg_sleep(0.5);
SELECT siddhi.deploy('over_bounded', $$
  CREATE STREAM OxTicks (id INT, sym TEXT, price INT);
  CREATE TABLE OxOut (id INT, sym TEXT, n BIGINT, by_price BIGINT, p2 INT,
                      mx TEXT);
  INSERT INTO OxOut
  SELECT id, sym, count(*) OVER (PARTITION BY sym) AS n,
         row_number() OVER (PARTITION BY sym ORDER BY price DESC) AS by_price,
         lag(price, 2, -1) OVER (PARTITION BY sym) AS p2,
         max(sym || price) OVER (PARTITION BY sym) AS mx
  FROM OxTicks;
$$);
SELECT wait_app('over_bounded');
-- A: 5, 4, 3, then 9 (ranks among 4, 3, 9 only: 5 is forgotten), then B
-- and C push A out (two partitions), and A starts again
INSERT INTO oxticks VALUES (1, 'A', 5), (2, 'A', 4), (3, 'A', 3), (4, 'A', 9),
  (5, 'A', 1), (6, 'B', 1), (7, 'C', 1), (8, 'A', 2);
SELECT wait_for('SELECT count(*) FROM oxout', 8);
SELECT * FROM oxout ORDER BY id;
ALTER SYSTEM RESET siddhi.over_history_rows;
ALTER SYSTEM RESET siddhi.over_max_partitions;
SELECT pg_reload_conf();

-- 4b. A time window on the app's clock: rows leave as time passes, and
-- the functions of each arrival see only what is left.
SELECT siddhi.deploy('over_time', $$
  @app:playback
  CREATE STREAM OtTicks (id INT, price INT);
  SELECT id, count(*) OVER () AS n, rank() OVER (ORDER BY price) AS r,
         first_value(id) OVER (ORDER BY id) AS oldest
  FROM OtTicks WINDOW SLIDING(2 seconds);
$$);
SELECT siddhi.subscribe('over_time_query1');
SET siddhi.event_time = 0;
INSERT INTO otticks VALUES (1, 30);
SET siddhi.event_time = 1000;
INSERT INTO otticks VALUES (2, 10);
SET siddhi.event_time = 2500;
INSERT INTO otticks VALUES (3, 20);
SET siddhi.event_time = 5000;
INSERT INTO otticks VALUES (4, 40), (5, 5);
RESET siddhi.event_time;
SELECT siddhi.flush();
SELECT (extract(epoch FROM event_time) * 1000)::bigint AS ms, event
  FROM siddhi.poll('over_time_query1', 100, 0) ORDER BY seq;
SELECT siddhi.unsubscribe('over_time_query1');
SELECT siddhi.undeploy('over_time');

-- 4c. A loop of queries that brings a row back into a query with window
-- functions over a window while that query emits its step: the row waits
-- for the step to end, then goes through as any row (src/runtime/README.md,
-- "Loops"; before, an error of that query).
SELECT siddhi.deploy('over_cycle', $$
  CREATE STREAM CyA (id INT, v INT);
  CREATE STREAM CyB (id INT, v INT);
  INSERT INTO CyB SELECT id, rank() OVER (ORDER BY v)::int AS v FROM CyA WINDOW length(3);
  INSERT INTO CyA SELECT id + 1 AS id, v FROM CyB WHERE id < 5;
  CREATE TABLE CyOut (id INT, v INT);
  INSERT INTO CyOut SELECT id, v FROM CyB;
$$);
SELECT wait_app('over_cycle');
INSERT INTO cya VALUES (1, 10);
SELECT siddhi.flush();
SELECT * FROM cyout ORDER BY id;
SELECT query, events_in, events_out, errors, last_error FROM siddhi.queries
  WHERE app = 'over_cycle' ORDER BY query;
SELECT siddhi.undeploy('over_cycle');

-- 5. Refused at deploy, with the position and what to write instead.
-- lead over a stream: the next rows have not arrived
SELECT siddhi.deploy('over_bad', $$CREATE STREAM s (a int, b text, ts bigint);
INSERT INTO o SELECT a, lead(a) OVER (PARTITION BY b ORDER BY ts) AS n FROM s;$$);
-- functions not supported
SELECT siddhi.deploy('over_bad', $$CREATE STREAM s (a int, b text);
INSERT INTO o SELECT a, ntile(2) OVER (ORDER BY a) AS n FROM s WINDOW length(5);$$);
-- frames
SELECT siddhi.deploy('over_bad', $$CREATE STREAM s (a int, b text);
INSERT INTO o SELECT a, sum(a) OVER (ORDER BY a ROWS 2 PRECEDING) AS n FROM s WINDOW length(5);$$);
-- FILTER
SELECT siddhi.deploy('over_bad', $$CREATE STREAM s (a int, b text);
INSERT INTO o SELECT a, count(*) FILTER (WHERE a > 1) OVER () AS n FROM s WINDOW length(5);$$);
-- a non-constant offset
SELECT siddhi.deploy('over_bad', $$CREATE STREAM s (a int, b text);
INSERT INTO o SELECT a, lag(a, a) OVER () AS n FROM s WINDOW length(5);$$);
-- sum of a type without a native sum
SELECT siddhi.deploy('over_bad', $$CREATE STREAM s (a numeric, b text);
INSERT INTO o SELECT a, sum(a) OVER () AS n FROM s WINDOW length(5);$$);
-- with an aggregate or GROUP BY
SELECT siddhi.deploy('over_bad', $$CREATE STREAM s (a int, b text);
INSERT INTO o SELECT b, sum(a) AS t, rank() OVER (ORDER BY b) AS r FROM s WINDOW length(5) GROUP BY b;$$);
-- in ORDER BY, WHERE
SELECT siddhi.deploy('over_bad', $$CREATE STREAM s (a int, b text);
INSERT INTO o SELECT a FROM s WINDOW length(5) ORDER BY rank() OVER (ORDER BY a);$$);
SELECT siddhi.deploy('over_bad', $$CREATE STREAM s (a int, b text);
INSERT INTO o SELECT a FROM s WHERE rank() OVER (ORDER BY a) > 1;$$);
-- inside a partition, in a join
SELECT siddhi.deploy('over_bad', $$CREATE STREAM s (a int, b text);
INSERT INTO o SELECT a, rank() OVER (ORDER BY a) AS r FROM s PARTITION BY b;$$);
SELECT siddhi.deploy('over_bad', $$CREATE STREAM s (a int, b text); CREATE STREAM t (a int, c text);
INSERT INTO o SELECT s.a, rank() OVER (ORDER BY s.a) AS r FROM s WINDOW length(5) JOIN t WINDOW length(5) ON s.a = t.a;$$);
SELECT count(*) FROM siddhi.apps WHERE name = 'over_bad';

SELECT siddhi.undeploy('over_win');
SELECT siddhi.undeploy('over_batch');
SELECT siddhi.undeploy('over_stream');
SELECT siddhi.undeploy('over_stream_pg');
SELECT siddhi.undeploy('over_bounded');
