-- Percentiles: PERCENTILE_CONT / PERCENTILE_DISC .. WITHIN GROUP (ORDER BY x)
-- and percentile(x, pct).  Exact over windows (checked against PostgreSQL's
-- own percentile_cont over the same rows), a DDSketch with a relative error
-- of at most 1 % in queries without a window and in aggregations.

-- 1. The sketch alone: its error bound on 100,000 values of known
-- distributions, against PostgreSQL's exact percentile_cont.
CREATE TABLE pct_dist AS
SELECT d, x::float8 AS x FROM (
  -- log-uniform over about 8.7 decades (1 to 5e8)
  SELECT 'loguniform' AS d, exp(((i * 7919) % 100000) / 5000.0::float8) AS x
    FROM generate_series(1, 100000) i
  UNION ALL
  -- uniform integers 1 .. 10,000
  SELECT 'uniform', 1 + (i * 7919) % 10000 FROM generate_series(1, 100000) i
  UNION ALL
  -- exponential (a latency-like long tail), in milliseconds
  SELECT 'exponential', -20 * ln(((i * 7919) % 100000 + 0.5::float8) / 100000)
    FROM generate_series(1, 100000) i
  UNION ALL
  -- negative values, zeros and positive values
  SELECT 'signed', ((i * 7919) % 20001 - 10000) / 100.0::float8 FROM generate_series(1, 100000) i
) s;
CREATE TABLE pct_sketch AS
SELECT d, siddhi.percentile_sketch(x) AS sk FROM pct_dist GROUP BY d;
-- the largest relative error over 11 fractions, per distribution
SELECT e.d, count(*) AS fractions,
       max(abs(siddhi.percentile_value(s.sk, e.p) - e.exact) / abs(e.exact))
         <= 0.01 AS within_1_percent
  FROM (SELECT d, unnest(f) AS p,
               unnest(percentile_cont(f) WITHIN GROUP (ORDER BY x)) AS exact
          FROM pct_dist,
               (SELECT '{0,0.001,0.01,0.1,0.25,0.5,0.75,0.9,0.95,0.99,1}'::float8[]) f(f)
         GROUP BY d, f) e
  JOIN pct_sketch s USING (d)
 WHERE e.exact <> 0
 GROUP BY e.d ORDER BY e.d;
-- ... and the bound is tight enough to mean something: not exact either
SELECT d, siddhi.percentile_value(sk, 0.95) <> (SELECT percentile_cont(0.95)
         WITHIN GROUP (ORDER BY x) FROM pct_dist p WHERE p.d = s.d) AS approximate
  FROM pct_sketch s WHERE d = 'loguniform';
-- merging is exact: the sketch of two halves merged is the sketch of all
SELECT d, siddhi.percentile_union(
         (SELECT siddhi.percentile_sketch(x) FROM pct_dist p WHERE p.d = s.d AND x < 50),
         (SELECT siddhi.percentile_sketch(x) FROM pct_dist p WHERE p.d = s.d AND x >= 50))
       = sk AS merge_is_exact,
       (SELECT siddhi.percentile_merge(b) FROM (
          SELECT siddhi.percentile_sketch(x) AS b FROM pct_dist p WHERE p.d = s.d
           GROUP BY floor(x * 1000)::bigint % 37) m) = sk AS merge_agg_is_exact
  FROM pct_sketch s ORDER BY d;
-- compact: bytes of the stored form, and percentile_disc / empty sketches
SELECT d, length(sk) AS bytes FROM pct_sketch ORDER BY d;
SELECT siddhi.percentile_value(siddhi.percentile_sketch(x), 0.5, true)
  FROM (VALUES (1.0), (2.0), (3.0), (4.0)) v(x);
SELECT siddhi.percentile_value(siddhi.percentile_sketch(x), 0.5) IS NULL AS empty
  FROM (VALUES (NULL::float8)) v(x);
-- infinities and NaN where PostgreSQL puts them (NaN above everything)
SELECT p, siddhi.percentile_value(siddhi.percentile_sketch(x), p) AS sketch,
       (SELECT percentile_cont(p) WITHIN GROUP (ORDER BY x)
          FROM unnest('{-Infinity,1,0,-2,NaN,Infinity}'::float8[]) x) AS exact
  FROM unnest('{-Infinity,1,0,-2,NaN,Infinity}'::float8[]) x,
       unnest('{0,0.2,0.4,0.6,0.8,1}'::float8[]) p
 GROUP BY p ORDER BY p;
-- values over 600 decades: the smallest magnitudes fold into one bucket
-- (the memory bound), the upper percentiles keep the 1 % bound
SELECT length(sk) < 5 * 2048 AS bounded,
       abs(siddhi.percentile_value(sk, 0.99) - exact) <= 0.01 * exact AS p99_within_1_percent
  FROM (SELECT siddhi.percentile_sketch(x) AS sk,
               percentile_cont(0.99) WITHIN GROUP (ORDER BY x) AS exact
          FROM (SELECT power(10::float8, i / 100.0 - 300) AS x
                  FROM generate_series(0, 60000) i) v) s;
SELECT siddhi.percentile_value('\x01'::bytea, 0.5);
SELECT siddhi.percentile_value(sk, 1.5) FROM pct_sketch WHERE d = 'uniform';

-- 2. Exact over a sliding length window, with group by: each output row
-- against percentile_cont / percentile_disc over the same rows.
CREATE TABLE pct_in (seq int, ep text, ms float8, ts bigint);
INSERT INTO pct_in
SELECT i, CASE WHEN i % 3 = 0 THEN 'b' ELSE 'a' END,
       CASE WHEN i % 7 = 0 THEN NULL ELSE ((i * 37) % 23) * 1.5 END,
       1000000 + i * 700
  FROM generate_series(1, 40) i;
SELECT siddhi.deploy('pct_sliding', $$
  CREATE STREAM PctLat (ep TEXT, ms DOUBLE PRECISION, ts BIGINT);
  INSERT INTO PctSliding
  SELECT ep, PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY ms) AS med,
         PERCENTILE(ms, 90) AS p90,
         PERCENTILE_DISC(0.25) WITHIN GROUP (ORDER BY ms) AS q1,
         PERCENTILE_CONT(0.75) WITHIN GROUP (ORDER BY ms DESC) AS q1_desc
    FROM PctLat WINDOW length(6) GROUP BY ep;
  INSERT INTO PctBatch
  SELECT ep, PERCENTILE(ms, 50) AS med, count(*) AS n
    FROM PctLat WINDOW lengthBatch(8) GROUP BY ep;
  INSERT INTO PctExt
  SELECT ep, PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY ms) AS p90
    FROM PctLat WINDOW externalTime(ts, 3 seconds) GROUP BY ep;
$$);
SELECT siddhi.subscribe('pctsliding');
SELECT siddhi.subscribe('pctbatch');
SELECT siddhi.subscribe('pctext');
INSERT INTO pctlat SELECT ep, ms, ts FROM pct_in ORDER BY seq;
SELECT siddhi.flush();
CREATE TABLE pct_sliding_out AS
SELECT row_number() OVER (ORDER BY seq) AS seq, event
  FROM siddhi.poll('pctsliding', 1000, 0);
CREATE TABLE pct_batch_out AS
SELECT row_number() OVER (ORDER BY seq) AS k, event
  FROM siddhi.poll('pctbatch', 1000, 0);
CREATE TABLE pct_ext_out AS
SELECT row_number() OVER (ORDER BY seq) AS seq, event
  FROM siddhi.poll('pctext', 1000, 0);
-- what PostgreSQL says over the same rows: the last 6 events, of the group
CREATE VIEW pct_sliding_exact AS
SELECT a.seq, a.ep,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY b.ms) AS med,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY b.ms) AS p90,
       percentile_disc(0.25) WITHIN GROUP (ORDER BY b.ms) AS q1,
       percentile_cont(0.75) WITHIN GROUP (ORDER BY b.ms DESC) AS q1_desc
  FROM pct_in a JOIN pct_in b ON b.ep = a.ep AND b.seq BETWEEN a.seq - 5 AND a.seq
 GROUP BY a.seq, a.ep;
SELECT o.seq, o.event->>'ep' AS ep, o.event->'med' AS med, o.event->'p90' AS p90,
       o.event->'q1' AS q1, o.event->'q1_desc' AS q1_desc
  FROM pct_sliding_out o ORDER BY o.seq;
SELECT count(*) AS rows,
       count(*) FILTER (WHERE (o.event->>'med')::float8 IS NOT DISTINCT FROM e.med
                          AND (o.event->>'p90')::float8 IS NOT DISTINCT FROM e.p90
                          AND (o.event->>'q1')::float8 IS NOT DISTINCT FROM e.q1
                          AND (o.event->>'q1_desc')::float8 IS NOT DISTINCT FROM e.q1_desc
                          AND o.event->>'ep' = e.ep) AS same_as_postgres
  FROM pct_sliding_out o JOIN pct_sliding_exact e USING (seq);
-- lengthBatch(8): one row per group per batch, over the batch's rows
SELECT k, event FROM pct_batch_out ORDER BY k;
SELECT count(*) AS rows, count(*) FILTER (WHERE (o.event->>'med')::float8
         IS NOT DISTINCT FROM e.med AND (o.event->>'n')::int = e.n) AS same_as_postgres
  FROM (SELECT k, event, event->>'ep' AS ep, (k - 1) / 2 AS batch FROM pct_batch_out) o
  JOIN (SELECT (seq - 1) / 8 AS batch, ep, count(*) AS n,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS med
          FROM pct_in GROUP BY 1, 2) e USING (batch, ep);
-- externalTime(ts, 3 sec): events of the last 3 seconds of event time
SELECT count(*) AS rows,
       count(*) FILTER (WHERE (o.event->>'p90')::float8 IS NOT DISTINCT FROM e.p90)
         AS same_as_postgres
  FROM pct_ext_out o
  JOIN (SELECT a.seq, percentile_cont(0.9) WITHIN GROUP (ORDER BY b.ms) AS p90
          FROM pct_in a JOIN pct_in b ON b.ep = a.ep AND b.ts > a.ts - 3000
                                      AND b.seq <= a.seq
         GROUP BY a.seq) e USING (seq);

-- 3. A long window: thousands of values with duplicates move through the
-- order-statistics blocks (split, merged, emptied); every output checked.
CREATE TABLE pct_long AS
SELECT i AS seq, ((i * 7919) % 1543) / 4 AS v FROM generate_series(1, 3000) i;
CREATE INDEX ON pct_long (seq);
SELECT siddhi.deploy('pct_long', $$
  CREATE STREAM PctLong (v INT);
  INSERT INTO PctLongOut
  SELECT PERCENTILE_CONT(0.37) WITHIN GROUP (ORDER BY v) AS p37,
         PERCENTILE_DISC(0.99) WITHIN GROUP (ORDER BY v) AS p99,
         PERCENTILE_DISC(0.99) WITHIN GROUP (ORDER BY v DESC) AS p01,
         PERCENTILE(v, 100) AS top
    FROM PctLong WINDOW length(1200);
$$);
CREATE TABLE pct_long_out (p37 float8, p99 int, p01 int, top float8);
SELECT siddhi.deploy('pct_long_keep', $$
  define stream PctLongOut (p37 double, p99 int, p01 int, top double);
  define table pct_long_out (p37 double, p99 int, p01 int, top double);
  from PctLongOut insert into pct_long_out;
$$);
INSERT INTO pctlong SELECT v FROM pct_long ORDER BY seq;
SELECT siddhi.flush();
SELECT count(*) AS rows,
       count(*) FILTER (WHERE o.p37 = e.p37 AND o.p99 = e.p99 AND o.p01 = e.p01
                          AND o.top = e.top) AS same_as_postgres
  FROM (SELECT row_number() OVER () AS seq, * FROM pct_long_out) o
  JOIN LATERAL (SELECT percentile_cont(0.37) WITHIN GROUP (ORDER BY v) AS p37,
                       percentile_disc(0.99) WITHIN GROUP (ORDER BY v) AS p99,
                       percentile_disc(0.99) WITHIN GROUP (ORDER BY v DESC) AS p01,
                       percentile_cont(1) WITHIN GROUP (ORDER BY v) AS top
                  FROM pct_long l WHERE l.seq BETWEEN o.seq - 1199 AND o.seq) e ON true;

-- SiddhiQL spells it percentile(x, pct); here over lengthBatch(4) by group
SELECT siddhi.deploy('pct_siddhiql', $$
  define stream PctQl (sym string, px double);
  from PctQl#window.lengthBatch(4)
  select sym, percentile(px, 50) as med, percentile(px, 25) as q1
  group by sym insert into PctQlOut;
$$);
SELECT siddhi.subscribe('pctqlout');
INSERT INTO pctql VALUES ('a', 1), ('a', 4), ('b', 10), ('a', 2),
  ('b', 30), ('b', 20), ('a', 8), ('b', NULL);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('pctqlout', 100, 0) ORDER BY seq;

-- 4. No window: nothing ever leaves, so a sketch: every output within 1 %
-- of the exact percentile of the events so far, and not all exact
CREATE TABLE pct_unb AS
SELECT i AS seq, CASE WHEN i % 2 = 0 THEN 'x' ELSE 'y' END AS ep,
       -20 * ln(((i * 7919) % 3001 + 0.5) / 3001.0) AS ms
  FROM generate_series(1, 3000) i;
CREATE INDEX ON pct_unb (ep, seq);
CREATE TABLE pct_unb_out (ep text, p95 float8, n bigint);
SELECT siddhi.deploy('pct_unbounded', $$
  CREATE STREAM PctAll (ep TEXT, ms DOUBLE PRECISION);
  CREATE TABLE pct_unb_out (ep TEXT, p95 DOUBLE PRECISION, n BIGINT);
  INSERT INTO pct_unb_out
  SELECT ep, PERCENTILE(ms, 95) AS p95, count(*) AS n FROM PctAll GROUP BY ep;
$$);
INSERT INTO pctall SELECT ep, ms FROM pct_unb ORDER BY seq;
SELECT siddhi.flush();
SELECT count(*) AS rows,
       count(*) FILTER (WHERE abs(o.p95 - e.p95) <= 0.01 * e.p95) AS within_1_percent,
       count(*) FILTER (WHERE o.p95 <> e.p95) > 0 AS approximate
  FROM pct_unb_out o
  JOIN LATERAL (SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY ms) AS p95
                  FROM (SELECT ms FROM pct_unb u WHERE u.ep = o.ep
                         ORDER BY seq LIMIT o.n) f) e ON true;

-- 5. Aggregations keep a sketch per bucket (<name>_sketch, bytea), merged
-- by the upserts: each granularity's percentile is the one of its
-- bucket's events, within 1 %, whatever the order of the flushes.
CREATE TABLE pct_agg_in AS
SELECT i AS seq, CASE WHEN i % 3 = 0 THEN '/b' ELSE '/a' END AS endpoint,
       -50 * ln(((i * 7919) % 6007 + 0.5) / 6007.0) AS rt,
       '2024-03-01 10:00:00+00'::timestamptz + (i * 1.7) * interval '1 second' AS at
  FROM generate_series(1, 6000) i;
SELECT siddhi.deploy('pct_agg', $$
  CREATE STREAM PctReq (endpoint TEXT, rt DOUBLE PRECISION, at TIMESTAMPTZ);
  CREATE AGGREGATION PctAgg WITH (by = 'at', granularity = 'minute ... hour',
                                  purge = 'false') AS
    SELECT endpoint, COUNT(*) AS n, PERCENTILE(rt, 95) AS p95,
           PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY rt) AS med
      FROM PctReq GROUP BY endpoint;
$$);
SELECT column_name, data_type FROM information_schema.columns
 WHERE table_name = 'pctagg_min' ORDER BY ordinal_position;
-- in three transactions: the second and third merge into stored buckets
INSERT INTO pctreq SELECT endpoint, rt, at FROM pct_agg_in WHERE seq % 3 = 0 ORDER BY seq;
SELECT siddhi.flush();
INSERT INTO pctreq SELECT endpoint, rt, at FROM pct_agg_in WHERE seq % 3 = 1 ORDER BY seq;
SELECT siddhi.flush();
INSERT INTO pctreq SELECT endpoint, rt, at FROM pct_agg_in WHERE seq % 3 = 2 ORDER BY seq;
SELECT siddhi.flush();
SELECT a.agg_granularity, count(*) AS buckets,
       count(*) FILTER (WHERE a.n = e.n) AS same_count,
       count(*) FILTER (WHERE abs(a.p95 - e.p95) <= 0.01 * e.p95
                          AND abs(a.med - e.med) <= 0.01 * e.med) AS within_1_percent,
       max(length(s.sk)) < 1000 AS sketch_under_1kb
  FROM pctagg a
  JOIN (SELECT 'min' AS agg_granularity, endpoint,
               (extract(epoch FROM date_trunc('minute', at)) * 1000)::bigint AS agg_timestamp,
               count(*) AS n, percentile_cont(0.95) WITHIN GROUP (ORDER BY rt) AS p95,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY rt) AS med
          FROM pct_agg_in GROUP BY 2, 3
        UNION ALL
        SELECT 'hour', endpoint,
               (extract(epoch FROM date_trunc('hour', at)) * 1000)::bigint,
               count(*), percentile_cont(0.95) WITHIN GROUP (ORDER BY rt),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY rt)
          FROM pct_agg_in GROUP BY 2, 3) e USING (agg_granularity, endpoint, agg_timestamp)
  JOIN (SELECT 'min' AS agg_granularity, endpoint, agg_timestamp, p95_sketch AS sk FROM pctagg_min
        UNION ALL
        SELECT 'hour', endpoint, agg_timestamp, p95_sketch FROM pctagg_hour) s
    USING (agg_granularity, endpoint, agg_timestamp)
 GROUP BY 1 ORDER BY 1;
-- the whole range: merge the hours' sketches (siddhi.percentile_merge)
SELECT endpoint, abs(siddhi.percentile_value(siddhi.percentile_merge(p95_sketch), 0.95)
                     - (SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY rt)
                          FROM pct_agg_in i WHERE i.endpoint = h.endpoint))
                 <= 0.01 * (SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY rt)
                              FROM pct_agg_in i WHERE i.endpoint = h.endpoint) AS within_1_percent
  FROM pctagg_hour h GROUP BY endpoint ORDER BY endpoint;
-- on demand, Siddhi's way: within .. per
SELECT event->>'endpoint' AS endpoint, (event->>'n')::int AS n,
       round((event->>'p95')::numeric, 1) AS p95
  FROM siddhi.query('pct_agg', $q$
  from PctAgg within '2024-03-01 00:00:00 +00:00', '2024-03-02 00:00:00 +00:00'
  per 'hours' select endpoint, n, p95$q$) ORDER BY 1, 2;

-- on demand over a table, percentile(x, pct) is PostgreSQL's exact one
SELECT siddhi.deploy('pct_od', $$
  define stream PctOdIn (k string, v double);
  define table PctOdT (k string, v double);
  from PctOdIn insert into PctOdT;
$$);
INSERT INTO pctodin VALUES ('a', 1), ('a', 2), ('a', 4), ('b', 10);
SELECT siddhi.flush();
SELECT event FROM siddhi.query('pct_od',
  'from PctOdT select k, percentile(v, 50) as med group by k order by k');

-- SiddhiQL: define aggregation with percentile(x, pct)
SELECT siddhi.deploy('pct_agg_ql', $$
  define stream PctQlReq (rt long, ts long);
  @purge(enable = 'false')
  define aggregation PctQlAgg from PctQlReq
  select percentile(rt, 50) as med, count() as n
  aggregate by ts every sec ... min;
$$);
INSERT INTO pctqlreq VALUES (10, 1000), (20, 1100), (30, 1900), (1000, 2500);
SELECT siddhi.flush();
SELECT agg_granularity, agg_timestamp, n, round(med::numeric, 2) AS med
  FROM pctqlagg ORDER BY 1, 2;

-- 6. Errors, with their positions
\set VERBOSITY default
SELECT siddhi.deploy('pct_bad1', $$
  CREATE STREAM PctBad (ep TEXT, ms DOUBLE PRECISION);
  INSERT INTO PctBadOut
  SELECT PERCENTILE_CONT(1.5) WITHIN GROUP (ORDER BY ms) AS p FROM PctBad WINDOW length(5);
$$);
SELECT siddhi.deploy('pct_bad2', $$
  CREATE STREAM PctBad (ep TEXT, ms DOUBLE PRECISION);
  INSERT INTO PctBadOut SELECT PERCENTILE(ms, 120) AS p FROM PctBad WINDOW length(5);
$$);
SELECT siddhi.deploy('pct_bad3', $$
  CREATE STREAM PctBad (ep TEXT, ms DOUBLE PRECISION);
  INSERT INTO PctBadOut
  SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY ep) AS p FROM PctBad WINDOW length(5);
$$);
SELECT siddhi.deploy('pct_bad4', $$
  CREATE STREAM PctBad (ep TEXT, ms DOUBLE PRECISION);
  INSERT INTO PctBadOut
  SELECT PERCENTILE_CONT(ms) WITHIN GROUP (ORDER BY ms) AS p FROM PctBad WINDOW length(5);
$$);
SELECT siddhi.deploy('pct_bad5', $$
  CREATE STREAM PctBad (ep TEXT, ms DOUBLE PRECISION);
  INSERT INTO PctBadOut SELECT PERCENTILE_CONT(0.5) AS p FROM PctBad WINDOW length(5);
$$);
SELECT siddhi.deploy('pct_bad6', $$
  CREATE STREAM PctBad (ep TEXT, ms DOUBLE PRECISION);
  INSERT INTO PctBadOut SELECT PERCENTILE(ms) AS p FROM PctBad WINDOW length(5);
$$);
SELECT siddhi.deploy('pct_bad7', $$
  define stream PctBad (ep string, ms double);
  from PctBad#window.length(5) select percentile(ep, 50) as p insert into PctBadOut;
$$);
SELECT siddhi.deploy('pct_bad8', $$
  define stream PctBad (ep string, ms double);
  from PctBad#window.length(5) select percentile(ms, -1) as p insert into PctBadOut;
$$);
SELECT siddhi.deploy('pct_bad9', $$
  CREATE STREAM PctBad (ep TEXT, ms DOUBLE PRECISION, ts BIGINT);
  CREATE AGGREGATION PctBadAgg WITH (by = 'ts', granularity = 'second') AS
    SELECT PERCENTILE(ms, 101) AS p FROM PctBad;
$$);
SELECT siddhi.deploy('pct_bad10', $$
  CREATE STREAM PctBad (ep TEXT, ms DOUBLE PRECISION);
  INSERT INTO PctBadOut
  SELECT PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY ms USING <) AS p FROM PctBad WINDOW length(5);
$$);
