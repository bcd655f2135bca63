-- SQL's aggregates in the streaming SQL dialect (issue 17): STDDEV and
-- VARIANCE are the sample statistics, STDDEV_POP and VAR_POP the
-- population ones, COUNT(x) counts non-null values; COUNT/SUM/AVG(DISTINCT
-- x) and FILTER (WHERE ..); SiddhiQL keeps Siddhi's stdDev (population) and
-- adds variance (population) and intersectSet.

-- sample and population statistics over a sliding window of 3 events: one
-- value gives NULL for the sample ones (PostgreSQL's answer) and 0 for the
-- population ones; the fourth event expires the first
SELECT siddhi.deploy('sqlagg_stats', $$
  CREATE STREAM sa_px (sym TEXT, x DOUBLE PRECISION, n INT);
  @info(name = 'stats')
  INSERT INTO sa_pxstats
  SELECT STDDEV(x) AS sd, STDDEV_SAMP(x) AS sd_samp, STDDEV_POP(x) AS sd_pop,
         VARIANCE(x) AS var, VAR_SAMP(x) AS var_samp, VAR_POP(x) AS var_pop,
         STDDEV(n) AS sd_int, COUNT(x) AS n_x, COUNT(*) AS n_all
  FROM sa_px WINDOW length(3);
$$);
SELECT siddhi.subscribe('sa_pxstats');
INSERT INTO sa_px VALUES ('a', 10, 1), ('b', 20, 2), ('a', 30, 3), ('b', 60, 4),
  ('a', NULL, 5);
SELECT siddhi.flush();
SELECT round((event->>'sd')::numeric, 9) AS sd,
       round((event->>'sd_samp')::numeric, 9) AS sd_samp,
       round((event->>'sd_pop')::numeric, 9) AS sd_pop,
       round((event->>'var')::numeric, 9) AS var,
       round((event->>'var_samp')::numeric, 9) AS var_samp,
       round((event->>'var_pop')::numeric, 9) AS var_pop,
       event->'sd_int' AS sd_int, event->'n_x' AS n_x, event->'n_all' AS n_all
  FROM siddhi.poll('sa_pxstats', 100, 0) ORDER BY seq;
-- PostgreSQL's own aggregates over the same windows give the same numbers
SELECT w, round(stddev(x)::numeric, 9) AS sd, round(stddev_pop(x)::numeric, 9) AS sd_pop,
       round(variance(x)::numeric, 9) AS var, round(var_pop(x)::numeric, 9) AS var_pop
  FROM (VALUES (1, 10.0::float8), (2, 10), (2, 20), (3, 10), (3, 20), (3, 30),
               (4, 20), (4, 30), (4, 60), (5, 30), (5, 60), (5, NULL)) AS v(w, x)
 GROUP BY w ORDER BY w;

-- SiddhiQL keeps Siddhi's stdDev (population); variance is its square
SELECT siddhi.deploy('sqlagg_siddhiql', $$
  define stream sa_px2 (x double);
  from sa_px2#window.length(3)
  select stdDev(x) as sd, variance(x) as var, stddev_samp(x) as sd_samp
  insert into sa_px2stats;
$$);
SELECT siddhi.subscribe('sa_px2stats');
INSERT INTO sa_px2 VALUES (10), (20), (30), (60);
SELECT siddhi.flush();
SELECT round((event->>'sd')::numeric, 9) AS sd,
       round((event->>'var')::numeric, 9) AS var,
       round((event->>'sd_samp')::numeric, 9) AS sd_samp
  FROM siddhi.poll('sa_px2stats', 100, 0) ORDER BY seq;

-- a batch window with GROUP BY: each batch of 4 starts again
SELECT siddhi.deploy('sqlagg_batch', $$
  CREATE STREAM sa_px3 (sym TEXT, x DOUBLE PRECISION);
  INSERT INTO sa_px3stats
  SELECT sym, STDDEV(x) AS sd, VAR_POP(x) AS var_pop, COUNT(*) AS n
  FROM sa_px3 WINDOW lengthBatch(4) GROUP BY sym;
$$);
SELECT siddhi.subscribe('sa_px3stats');
INSERT INTO sa_px3 VALUES ('a', 1), ('a', 3), ('b', 5), ('a', 8),
  ('b', 2), ('b', 4), ('b', 6), ('a', 7);
SELECT siddhi.flush();
SELECT event->>'sym' AS sym, round((event->>'sd')::numeric, 9) AS sd,
       round((event->>'var_pop')::numeric, 9) AS var_pop, event->'n' AS n
  FROM siddhi.poll('sa_px3stats', 100, 0) ORDER BY seq;

-- FILTER (WHERE ..) on any aggregate, under expiry: the filtered-out
-- events count for nothing, coming or going
SELECT siddhi.deploy('sqlagg_filter', $$
  CREATE STREAM sa_orders (region TEXT, amount INT);
  INSERT INTO sa_orderstats
  SELECT COUNT(*) AS n,
         COUNT(*) FILTER (WHERE amount > 100) AS big,
         count() FILTER (WHERE amount <= 100) AS small,
         SUM(amount) FILTER (WHERE region = 'eu') AS eu_total,
         AVG(amount) FILTER (WHERE region <> 'eu') AS other_avg,
         MAX(amount) FILTER (WHERE amount < 100) AS small_max
  FROM sa_orders WINDOW length(3);
$$);
SELECT siddhi.subscribe('sa_orderstats');
INSERT INTO sa_orders VALUES ('eu', 50), ('us', 150), ('eu', 200), ('us', 20),
  ('us', 30), ('eu', 10);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('sa_orderstats', 100, 0) ORDER BY seq;

-- DISTINCT: each value counts once while any of its events is in the
-- window; a duplicate leaving keeps the value, the last one takes it out
SELECT siddhi.deploy('sqlagg_distinct', $$
  CREATE STREAM sa_visits (page TEXT, ms INT);
  INSERT INTO sa_visitstats
  SELECT COUNT(DISTINCT page) AS pages, SUM(DISTINCT ms) AS sum_ms,
         AVG(DISTINCT ms) AS avg_ms, COUNT(ms) AS n_ms,
         COUNT(DISTINCT page) FILTER (WHERE ms > 5) AS slow_pages
  FROM sa_visits WINDOW length(3);
$$);
SELECT siddhi.subscribe('sa_visitstats');
INSERT INTO sa_visits VALUES ('home', 5), ('home', 5), ('cart', 7),
  ('home', 9), ('pay', 9), ('pay', NULL), ('home', 3);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('sa_visitstats', 100, 0) ORDER BY seq;

-- DISTINCT per group over a batch window, floats (-0 and 0 are one value)
SELECT siddhi.deploy('sqlagg_distinct_batch', $$
  CREATE STREAM sa_readings (k TEXT, v FLOAT8);
  INSERT INTO sa_readingstats
  SELECT k, SUM(DISTINCT v) AS s, AVG(DISTINCT v) AS a, COUNT(DISTINCT v) AS c
  FROM sa_readings WINDOW lengthBatch(3) GROUP BY k;
$$);
SELECT siddhi.subscribe('sa_readingstats');
INSERT INTO sa_readings VALUES ('k', 1.5), ('j', 0), ('j', '-0'),
  ('k', 1.5), ('j', 2), ('k', 4);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('sa_readingstats', 100, 0) ORDER BY seq;

-- COUNT(DISTINCT x) uses the type's equality: 1.0 and 1.00 are one number
SELECT siddhi.deploy('sqlagg_distinct_numeric', $$
  CREATE STREAM sa_prices (p NUMERIC);
  INSERT INTO sa_pricestats SELECT COUNT(DISTINCT p) AS c FROM sa_prices WINDOW length(3);
$$);
SELECT siddhi.subscribe('sa_pricestats');
INSERT INTO sa_prices VALUES (1.0), (1.00), (2), (NULL);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('sa_pricestats', 100, 0) ORDER BY seq;

-- intersectSet: the elements every set in the window holds (unionSet's
-- counterpart); NULL sets are skipped
SELECT siddhi.deploy('sqlagg_sets', $$
  CREATE STREAM sa_tagged (tags TEXT[]);
  INSERT INTO sa_tagstats
  SELECT intersectSet(tags) AS common, unionSet(tags) AS anyof
  FROM sa_tagged WINDOW length(2);
$$);
SELECT siddhi.subscribe('sa_tagstats');
INSERT INTO sa_tagged VALUES ('{a,b,c}'), ('{c,b,d,b}'), ('{c,e}'), (NULL), ('{f}');
SELECT siddhi.flush();
SELECT (SELECT array_agg(e ORDER BY e) FROM jsonb_array_elements_text(event->'common') e) AS common,
       (SELECT array_agg(e ORDER BY e) FROM jsonb_array_elements_text(event->'anyof') e) AS anyof
  FROM siddhi.poll('sa_tagstats', 100, 0) ORDER BY seq;
-- and in SiddhiQL, over createSet
SELECT siddhi.deploy('sqlagg_sets_siddhiql', $$
  define stream sa_logins (user string, host string);
  from sa_logins#window.lengthBatch(2)
  select host, intersectSet(createSet(user)) as everyone group by host
  insert into sa_common;
$$);
SELECT siddhi.subscribe('sa_common');
INSERT INTO sa_logins VALUES ('ann', 'h1'), ('ann', 'h1'), ('bob', 'h1'), ('ann', 'h1');
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('sa_common', 100, 0) ORDER BY seq;

-- CREATE AGGREGATION: COUNT(x) and FILTER work; the statistics do not
SELECT siddhi.deploy('sqlagg_incr', $$
  CREATE STREAM sa_pay (k TEXT, amount INT, ts BIGINT);
  CREATE AGGREGATION sa_payagg WITH (by = 'ts', granularity = 'second', purge = 'false')
  AS SELECT k, COUNT(amount) AS n, SUM(amount) FILTER (WHERE amount > 10) AS big
     FROM sa_pay GROUP BY k;
$$);
INSERT INTO sa_pay VALUES ('a', 5, 1000), ('a', NULL, 1200), ('a', 20, 1500);
SELECT siddhi.flush();
SELECT k, n, big FROM sa_payagg WHERE agg_granularity = 'sec';
SELECT siddhi.deploy('sqlagg_bad', $$
  CREATE STREAM sa_pay2 (k TEXT, amount INT, ts BIGINT);
  CREATE AGGREGATION sa_payagg2 WITH (by = 'ts')
  AS SELECT k, STDDEV(amount) AS sd FROM sa_pay2 GROUP BY k;
$$);

-- on-demand queries (SiddhiQL) read variance as PostgreSQL's var_pop
SELECT siddhi.deploy('sqlagg_od', $$
  define stream sa_odin (x double);
  define table sa_odvals (x double);
  from sa_odin insert into sa_odvals;
$$);
INSERT INTO sa_odin VALUES (10), (20), (30);
SELECT siddhi.flush();
SELECT * FROM siddhi.query('sqlagg_od', 'from sa_odvals select stdDev(x) as sd, variance(x) as v');

-- errors, at their positions
SELECT siddhi.deploy('sqlagg_bad', $$
  CREATE STREAM sa_bad (a INT, b TEXT);
  INSERT INTO sa_badout SELECT STDDEV(DISTINCT a) AS sd FROM sa_bad WINDOW length(3);
$$);
SELECT siddhi.deploy('sqlagg_bad', $$
  CREATE STREAM sa_bad (a INT, b TEXT);
  INSERT INTO sa_badout SELECT COUNT(*) FILTER (WHERE b) AS n FROM sa_bad WINDOW length(3);
$$);
SELECT siddhi.deploy('sqlagg_bad', $$
  CREATE STREAM sa_bad (a INT, b TEXT);
  INSERT INTO sa_badout SELECT SUM(a) FILTER (WHERE COUNT(*) > 1) AS n FROM sa_bad WINDOW length(3);
$$);
SELECT siddhi.deploy('sqlagg_bad', $$
  CREATE STREAM sa_bad (a INT, b TEXT);
  INSERT INTO sa_badout SELECT VARIANCE(b) AS v FROM sa_bad WINDOW length(3);
$$);
SELECT siddhi.deploy('sqlagg_bad', $$
  CREATE STREAM sa_bad (a INT, b TEXT);
  INSERT INTO sa_badout SELECT intersectSet(b) AS v FROM sa_bad WINDOW length(3);
$$);
SELECT siddhi.deploy('sqlagg_bad', $$
  define stream sa_bad (a int, b string);
  from sa_bad#window.length(3) select variance(b) as v insert into sa_badout;
$$);
SELECT count(*) FROM siddhi.apps WHERE name = 'sqlagg_bad';

SELECT siddhi.undeploy(name, drop_tables => true) FROM siddhi.apps
 WHERE name LIKE 'sqlagg%' ORDER BY name;
