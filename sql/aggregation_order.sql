-- Incremental aggregations: events out of time order, batches larger
-- than siddhi.aggregation_max_buckets, and buckets the runtime did not
-- write itself.  Each group's older buckets are a list, latest first; a
-- late event walks it to its bucket or to where a new one goes.  New
-- buckets (after any the runtime wrote) are inserted without ON
-- CONFLICT; a row already there makes that statement an upsert.
-- Whatever the path, every bucket holds each event once: checked
-- against the same sums computed from the raw events.
CREATE TABLE ord_raw AS
  SELECT 'K' || (i % 4) AS k, (i % 13)::int8 AS v,
         -- a permutation of 0 .. 2999 (1009 is prime to 3000): times in
         -- a scrambled order, 0.7 s apart, over 35 minutes
         ((i * 1009) % 3000) * 700::int8 AS ts
    FROM generate_series(0, 2999) i;
SELECT count(DISTINCT ts) AS distinct_times FROM ord_raw;
SELECT siddhi.deploy('agg_ord', $$
  define stream OrdS (k string, v long, ts long);
  @purge(enable = 'false')
  define aggregation OrdA from OrdS
  select k, sum(v) as s, count() as n, min(v) as lo, max(v) as hi
  group by k
  aggregate by ts every sec ... hour;
$$);
-- the expected buckets, from the raw events
CREATE VIEW ord_expected AS
  SELECT g AS agg_granularity, b AS agg_timestamp, k, sum(v) AS s,
         count(*) AS n, min(v) AS lo, max(v) AS hi
    FROM (SELECT 'sec' AS g, ts / 1000 * 1000 AS b, k, v FROM ord_raw
          UNION ALL SELECT 'min', ts / 60000 * 60000, k, v FROM ord_raw
          UNION ALL SELECT 'hour', ts / 3600000 * 3600000, k, v FROM ord_raw) e
   GROUP BY 1, 2, 3;
CREATE FUNCTION ord_differing() RETURNS bigint LANGUAGE sql AS $$
  SELECT count(*) FROM (
    (SELECT agg_granularity, agg_timestamp, k, s, n, lo, hi FROM orda
     EXCEPT SELECT * FROM ord_expected)
    UNION ALL
    (SELECT * FROM ord_expected
     EXCEPT SELECT agg_granularity, agg_timestamp, k, s, n, lo, hi FROM orda)) d
$$;
-- one batch, scrambled
INSERT INTO ords SELECT k, v, ts FROM ord_raw;
SELECT siddhi.flush();
SELECT ord_differing() AS differing,
       (SELECT count(*) FROM orda) AS buckets;
-- the same events again, twice, under a limit of 100 buckets: closed
-- buckets written as each batch goes, late events into buckets written
-- already
ALTER SYSTEM SET siddhi.aggregation_max_buckets = 100;
SELECT pg_reload_conf();
SELECT pg_sleep(1);
-- first all of them in one transaction, scrambled: a make-room writes the
-- newest closed buckets first, often a group's latest while its older
-- ones stay, and later events still find each bucket
INSERT INTO ords SELECT k, v, ts FROM ord_raw;
SELECT siddhi.flush();
SELECT count(*) AS differing
  FROM orda o FULL JOIN ord_expected e
    ON (o.agg_granularity, o.agg_timestamp, o.k) = (e.agg_granularity, e.agg_timestamp, e.k)
 WHERE (o.s, o.n, o.lo, o.hi) IS DISTINCT FROM (2 * e.s, 2 * e.n, e.lo, e.hi);
-- then in 30 transactions
DO $$
BEGIN
  FOR b IN 0 .. 29 LOOP
    INSERT INTO ords SELECT k, v, ts FROM ord_raw
     WHERE ((ts / 700) * 7) % 30 = b;
    COMMIT;
  END LOOP;
END $$;
SELECT siddhi.flush();
ALTER SYSTEM RESET siddhi.aggregation_max_buckets;
SELECT pg_reload_conf();
SELECT count(*) AS differing
  FROM orda o FULL JOIN ord_expected e
    ON (o.agg_granularity, o.agg_timestamp, o.k) = (e.agg_granularity, e.agg_timestamp, e.k)
 WHERE (o.s, o.n, o.lo, o.hi) IS DISTINCT FROM (3 * e.s, 3 * e.n, e.lo, e.hi);
-- undeploy keeps the tables; a new deploy of the aggregation knows none
-- of their rows: its first inserts meet them and become upserts
SELECT siddhi.undeploy('agg_ord');
SELECT siddhi.deploy('agg_ord', $$
  define stream OrdS (k string, v long, ts long);
  @purge(enable = 'false')
  define aggregation OrdA from OrdS
  select k, sum(v) as s, count() as n, min(v) as lo, max(v) as hi
  group by k
  aggregate by ts every sec ... hour;
$$);
-- in time order now, and one event after all the others (a new bucket
-- at every granularity, inserted in the same flush)
INSERT INTO ords SELECT k, v, ts FROM ord_raw ORDER BY ts;
INSERT INTO ords VALUES ('K9', 5, 7200000);
SELECT siddhi.flush();
SELECT count(*) AS differing
  FROM (SELECT * FROM orda WHERE k <> 'K9') o FULL JOIN ord_expected e
    ON (o.agg_granularity, o.agg_timestamp, o.k) = (e.agg_granularity, e.agg_timestamp, e.k)
 WHERE (o.s, o.n, o.lo, o.hi) IS DISTINCT FROM (4 * e.s, 4 * e.n, e.lo, e.hi);
SELECT agg_granularity, agg_timestamp, s, n FROM orda WHERE k = 'K9' ORDER BY 1;
SELECT count(*) AS buckets FROM orda;
SELECT siddhi.undeploy('agg_ord', drop_tables => true);
DROP FUNCTION ord_differing();
DROP VIEW ord_expected;
-- a make-room writes a group's latest bucket while its older ones stay:
-- the newest of those becomes its latest, and a later event of an older
-- bucket finds it (it made a second delta of that bucket, and the whole
-- batch of the aggregation was lost).  Limit 100; one transaction: A and
-- B at minutes 0 .. 20 (86 buckets), A at 45, then at 40 .. 44, then B at
-- 30 (the 100th: B's latest, closed, made last, so written first), then
-- B at minute 18 again.
ALTER SYSTEM SET siddhi.aggregation_max_buckets = 100;
SELECT pg_reload_conf();
SELECT pg_sleep(1);
SELECT siddhi.deploy('agg_latest', $$
  define stream LatS (k string, v long, ts long);
  @purge(enable = 'false')
  define aggregation LatA from LatS select k, sum(v) as s, count() as n
  group by k aggregate by ts every sec ... hour;
$$);
CREATE TABLE lat_raw (seq int, k text, v int8, ts int8);
INSERT INTO lat_raw
  SELECT m * 2 + g, CASE g WHEN 0 THEN 'A' ELSE 'B' END, 1, m * 60000 + g * 1000
    FROM generate_series(0, 20) m, generate_series(0, 1) g;
INSERT INTO lat_raw VALUES (100, 'A', 1, 45 * 60000);
INSERT INTO lat_raw SELECT 100 + m, 'A', 1, (44 - m) * 60000 FROM generate_series(1, 5) m;
INSERT INTO lat_raw VALUES (200, 'B', 1, 30 * 60000), (201, 'B', 10, 18 * 60000 + 5000);
INSERT INTO lats SELECT k, v, ts FROM lat_raw ORDER BY seq;
SELECT siddhi.flush();
ALTER SYSTEM RESET siddhi.aggregation_max_buckets;
SELECT pg_reload_conf();
SELECT agg_granularity, agg_timestamp, k, s, n FROM lata
 WHERE k = 'B' AND agg_timestamp IN (18 * 60000, 30 * 60000, 0) ORDER BY 1, 2;
SELECT count(*) AS differing
  FROM lata a FULL JOIN (
    SELECT g, b, k, sum(v) AS s, count(*) AS n
      FROM (SELECT 'sec' AS g, ts / 1000 * 1000 AS b, k, v FROM lat_raw
            UNION ALL SELECT 'min', ts / 60000 * 60000, k, v FROM lat_raw
            UNION ALL SELECT 'hour', ts / 3600000 * 3600000, k, v FROM lat_raw) e
     GROUP BY 1, 2, 3) r
    ON (a.agg_granularity, a.agg_timestamp, a.k) = (r.g, r.b, r.k)
 WHERE (a.s, a.n) IS DISTINCT FROM (r.s, r.n);
SELECT siddhi.undeploy('agg_latest', drop_tables => true);
DROP TABLE lat_raw;
-- group keys: two groups whose values, joined with a separator byte,
-- read the same (the key was the values' text joined by \x1f) stay two
SELECT siddhi.deploy('agg_keys', $$
  define stream KeyS (a string, b string, v long, ts long);
  @purge(enable = 'false')
  define aggregation KeyA from KeyS select a, b, sum(v) as s, count() as n
  group by a, b aggregate by ts every sec;
$$);
INSERT INTO keys VALUES (E'x\x1fy', 'z', 1, 1000), ('x', E'y\x1fz', 10, 1000),
  (NULL, 'q', 100, 1000), ('', 'q', 1000, 1000);
SELECT siddhi.flush();
SELECT coalesce(replace(a, E'\x1f', '<US>'), '<null>') AS a, replace(b, E'\x1f', '<US>') AS b, s, n
  FROM keya ORDER BY s;
SELECT siddhi.undeploy('agg_keys', drop_tables => true);
-- retention under the limit: a backfill in playback, 2 events a second
-- for 3 hours; at the limit, closed sec and min buckets past retention
-- are dropped unwritten (those at the head of their lists), the others
-- written.  The tables end as those of the same events under the
-- default limit.
CREATE TABLE ret_raw AS
  SELECT 'R' || (i % 2) AS k, (i % 5)::int8 AS v, 1000000000000 + i * 500::int8 AS ts
    FROM generate_series(0, 21599) i;
SELECT siddhi.deploy('agg_ret', $$
  @app:playback
  @eventTime('ts')
  define stream RetS (k string, v long, ts long);
  @purge(interval = '10 min', @retentionPeriod(sec = '120 sec', min = '1 hour', hour = 'all'))
  define aggregation RetA from RetS select k, sum(v) as s, count() as n group by k
  aggregate by ts every sec ... hour;
$$);
SELECT siddhi.deploy('agg_ret2', $$
  @app:playback
  @eventTime('ts')
  define stream RetS2 (k string, v long, ts long);
  @purge(interval = '10 min', @retentionPeriod(sec = '120 sec', min = '1 hour', hour = 'all'))
  define aggregation RetB from RetS2 select k, sum(v) as s, count() as n group by k
  aggregate by ts every sec ... hour;
$$);
ALTER SYSTEM SET siddhi.aggregation_max_buckets = 500;
SELECT pg_reload_conf();
SELECT pg_sleep(1);
INSERT INTO rets SELECT * FROM ret_raw ORDER BY ts;
SELECT siddhi.flush();
ALTER SYSTEM RESET siddhi.aggregation_max_buckets;
SELECT pg_reload_conf();
SELECT pg_sleep(1);
INSERT INTO rets2 SELECT * FROM ret_raw ORDER BY ts;
SELECT siddhi.flush();
SELECT agg_granularity, count(*) AS buckets, sum(n) AS events, sum(s) AS total
  FROM reta GROUP BY 1 ORDER BY 1;
SELECT count(*) AS differing FROM (
  (SELECT agg_granularity, agg_timestamp, k, s, n FROM reta
   EXCEPT SELECT agg_granularity, agg_timestamp, k, s, n FROM retb)
  UNION ALL
  (SELECT agg_granularity, agg_timestamp, k, s, n FROM retb
   EXCEPT SELECT agg_granularity, agg_timestamp, k, s, n FROM reta)) d;
SELECT siddhi.undeploy('agg_ret', drop_tables => true);
SELECT siddhi.undeploy('agg_ret2', drop_tables => true);
-- a make-room writes the newest closed buckets first, and a later one
-- the older buckets it left behind: those are before what their group
-- wrote, so new rows as well, inserted without ON CONFLICT
-- (incremental_flush.c, delta_is_new).  An insert that met a row would
-- be rolled back and upserted, and counted in n_tup_ins beside the row
-- it met: every table's inserts are its rows.
ALTER SYSTEM SET siddhi.aggregation_max_buckets = 100;
SELECT pg_reload_conf();
SELECT pg_sleep(1);
SELECT siddhi.deploy('agg_fresh', $$
  define stream FreshS (k string, v long, ts long);
  @purge(enable = 'false')
  define aggregation FreshA from FreshS
  select k, sum(v) as s, count() as n
  group by k
  aggregate by ts every sec ... hour;
$$);
INSERT INTO freshs SELECT k, v, ts FROM ord_raw;
SELECT siddhi.flush();
ALTER SYSTEM RESET siddhi.aggregation_max_buckets;
SELECT pg_reload_conf();
SELECT count(*) AS differing
  FROM fresha a FULL JOIN (
    SELECT g, b, k, sum(v) AS s, count(*) AS n
      FROM (SELECT 'sec' AS g, ts / 1000 * 1000 AS b, k, v FROM ord_raw
            UNION ALL SELECT 'min', ts / 60000 * 60000, k, v FROM ord_raw
            UNION ALL SELECT 'hour', ts / 3600000 * 3600000, k, v FROM ord_raw) e
     GROUP BY 1, 2, 3) r
    ON (a.agg_granularity, a.agg_timestamp, a.k) = (r.g, r.b, r.k)
 WHERE (a.s, a.n) IS DISTINCT FROM (r.s, r.n);
-- the engine reports its table statistics within a second or so
DO $$
BEGIN
  FOR i IN 1 .. 100 LOOP
    PERFORM pg_stat_clear_snapshot();
    EXIT WHEN (SELECT sum(n_tup_ins) FROM pg_stat_user_tables
                WHERE relname LIKE 'fresha\_%') >= (SELECT count(*) FROM fresha);
    PERFORM pg_sleep(0.2);
  END LOOP;
END $$;
SELECT s.relname, c.n AS rows, s.n_tup_ins - c.n AS inserts_beyond_rows
  FROM pg_stat_user_tables s
  JOIN (SELECT 'fresha_' || agg_granularity AS relname, count(*) AS n
          FROM fresha GROUP BY 1) c USING (relname)
 ORDER BY 1;
SELECT siddhi.undeploy('agg_fresh', drop_tables => true);
-- in time order, one batch: each make-room writes the newest closed
-- buckets and leaves the older ones held, inside the spans its writes
-- make; the last flush writes them.  They were never written, so they
-- are inserted too: no statement probes the unique index before a row as
-- ON CONFLICT does (pg_stat_user_indexes counts each probe).
ALTER SYSTEM SET siddhi.aggregation_max_buckets = 100;
SELECT pg_reload_conf();
SELECT pg_sleep(1);
SELECT count(*) FROM siddhi.deploy('agg_fresh2', $$
  define stream FreshT (k string, v long, ts long);
  @purge(enable = 'false')
  define aggregation FreshB from FreshT
  select k, sum(v) as s, count() as n
  group by k
  aggregate by ts every sec ... hour;
$$);
INSERT INTO fresht SELECT k, v, ts FROM ord_raw ORDER BY ts;
SELECT siddhi.flush();
ALTER SYSTEM RESET siddhi.aggregation_max_buckets;
SELECT pg_reload_conf();
SELECT agg_granularity, count(*) AS buckets, sum(n) AS events
  FROM freshb GROUP BY 1 ORDER BY 1;
DO $$
BEGIN
  FOR i IN 1 .. 100 LOOP
    PERFORM pg_stat_clear_snapshot();
    EXIT WHEN (SELECT sum(n_tup_ins) FROM pg_stat_user_tables
                WHERE relname LIKE 'freshb\_%') >= (SELECT count(*) FROM freshb);
    PERFORM pg_sleep(0.2);
  END LOOP;
END $$;
SELECT relname, sum(idx_scan) AS index_probes
  FROM pg_stat_user_indexes WHERE relname LIKE 'freshb\_%'
 GROUP BY 1 ORDER BY 1;
SELECT siddhi.undeploy('agg_fresh2', drop_tables => true);
DROP TABLE ord_raw, ret_raw;
