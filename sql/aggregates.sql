-- Aggregators (sum, count, avg, min, max, minForever, maxForever), group by
-- and having, over windows or running; one output row per group per arrival.
SELECT siddhi.deploy('aggs', $$
  define stream AggTrades (sym string, px double, qty int);
  define table PerSymbol (sym string, total long, n long, mean double);
  define table Moving (total long, lo double, hi double, everhi double);
  @info(name = 'per_symbol')
  from AggTrades select sym, sum(qty) as total, count() as n, avg(px) as mean
  group by sym insert into PerSymbol;
  @info(name = 'moving')
  from AggTrades#window.length(2)
  select sum(qty) as total, min(px) as lo, max(px) as hi, maxForever(px) as everhi
  insert into Moving;
  @info(name = 'heavy')
  from AggTrades#window.lengthBatch(3)
  select sym, sum(qty) as total group by sym having total >= 5
  insert into HeavyBatches;
$$);
SELECT siddhi.subscribe('heavybatches');
INSERT INTO aggtrades VALUES ('a', 10, 1), ('b', 20, 2), ('a', 5, 4),
  ('b', 40, 8), (NULL, 1, 16), ('a', 30, 1);
SELECT siddhi.flush();
SELECT * FROM persymbol ORDER BY sym NULLS LAST, n;
SELECT * FROM moving ORDER BY total, lo;
-- lengthBatch(3): [a1 b2 a4] then [b8 null16 a1]; one row per group
SELECT event FROM siddhi.poll('heavybatches', 100, 0) ORDER BY seq;

-- the same in streaming SQL: GROUP BY, HAVING over the output's names
SELECT siddhi.deploy('aggs_sql', $$
  CREATE STREAM Sales (region TEXT, amount DOUBLE PRECISION);
  CREATE TABLE RegionTotals (region TEXT, total DOUBLE PRECISION, sales BIGINT);
  INSERT INTO RegionTotals
  SELECT region, sum(amount) AS total, count(*) AS sales
  FROM Sales WINDOW length(3)
  GROUP BY region HAVING sales >= 2;
$$);
INSERT INTO sales VALUES ('eu', 10), ('us', 5), ('eu', 2.5), ('eu', 1), ('us', 7);
SELECT siddhi.flush();
SELECT * FROM regiontotals ORDER BY region, total;

-- distinctCount, stdDev (population), and, or, over a sliding window
SELECT siddhi.deploy('aggs_more', $$
  define stream Doors2 (door string, venue string, px double, locked bool);
  from Doors2#window.length(3)
  select distinctCount(venue) as venues, stdDev(px) as spread,
         and(locked) as all_locked, or(locked) as any_locked
  insert into DoorStats;
$$);
SELECT siddhi.subscribe('doorstats');
INSERT INTO doors2 VALUES ('n', 'x', 2, true), ('s', 'y', 4, true),
  ('e', 'x', 4, false), ('w', 'z', 6, false), ('n', 'z', 6, false);
SELECT siddhi.flush();
SELECT (event->>'venues')::int AS venues,
       round((event->>'spread')::numeric, 9) AS spread,
       event->'all_locked' AS all_locked, event->'any_locked' AS any_locked
  FROM siddhi.poll('doorstats', 100, 0) ORDER BY seq;

-- order by, limit and offset apply to the rows of one arrival (one batch)
SELECT siddhi.deploy('aggs_top', $$
  define stream TopTrades (sym string, qty int);
  from TopTrades#window.lengthBatch(4)
  select sym, sum(qty) as q group by sym order by q desc, sym limit 2
  insert into TopTwo;
$$);
SELECT siddhi.deploy('aggs_top_sql', $$
  CREATE STREAM Bids (bidder TEXT, amount INT);
  INSERT INTO SecondAndThird SELECT bidder, amount FROM Bids WINDOW lengthBatch(4)
  ORDER BY amount DESC LIMIT 2 OFFSET 1;
$$);
SELECT siddhi.subscribe('toptwo');
SELECT siddhi.subscribe('secondandthird');
INSERT INTO toptrades VALUES ('a', 1), ('b', 5), ('c', 5), ('a', 2),
  ('d', 1), ('d', 1), ('e', 9), ('f', 0);
INSERT INTO bids VALUES ('x', 10), ('y', 40), ('z', 30), ('w', 20);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('toptwo', 100, 0) ORDER BY seq;
SELECT event FROM siddhi.poll('secondandthird', 100, 0) ORDER BY seq;

-- errors
SELECT siddhi.deploy('aggs_bad1', $$
  define stream AB1 (s string, v int);
  from AB1 select sum(s) as total insert into AB1Out;
$$);
SELECT siddhi.deploy('aggs_bad2', $$
  define stream AB2 (s string, v int);
  from AB2 select unionSet(v) as d insert into AB2Out;
$$);
-- group by without an aggregate deploys, as in Siddhi (issue 17)
SELECT siddhi.deploy('aggs_noagg3', $$
  define stream AB3 (s string, v int);
  from AB3 select s, v group by s insert into AB3Out;
$$);
SELECT siddhi.undeploy('aggs_noagg3');
SELECT siddhi.deploy('aggs_bad4', $$
  define stream AB4 (s string, v int);
  from AB4 select sum(v, v) as t insert into AB4Out;
$$);

-- group keys of several columns and types, nulls grouped together
SELECT siddhi.deploy('aggs_keys', $$
  define stream Keyed (s string, i int, d double, b bool, v long);
  define table KeyedOut (s string, i int, d double, b bool, total long, n long);
  from Keyed select s, i, d, b, sum(v) as total, count() as n
  group by s, i, d, b insert into KeyedOut;
$$);
INSERT INTO keyed VALUES ('a', 1, 1.5, true, 1), ('a', 1, 1.5, false, 2),
  ('a', 2, 1.5, true, 4), (NULL, 1, 1.5, true, 8), ('a', 1, 1.5, true, 16),
  (NULL, 1, 1.5, true, 32), ('a', NULL, NULL, NULL, 64),
  ('a', NULL, NULL, NULL, 128), ('ab', 1, 1.5, true, 256),
  ('a', 1, 2.5, true, 512);
SELECT siddhi.flush();
SELECT * FROM keyedout ORDER BY s NULLS LAST, i NULLS LAST, d, b, n;

-- group maps are bounded: siddhi.max_groups per query
ALTER SYSTEM SET siddhi.max_groups = 2;
SELECT pg_reload_conf();
SELECT pg_sleep(0.5);
SELECT siddhi.deploy('aggs_bounded', $$
  define stream Bounded (k string, v int);
  define table BoundedOut (k string, total long);
  @info(name = 'running') from Bounded select k, sum(v) as total group by k
  insert into BoundedOut;
$$);
INSERT INTO bounded VALUES ('x', 1), ('y', 2), ('z', 3), ('x', 4);
SELECT siddhi.flush();
SELECT * FROM boundedout ORDER BY k, total;
SELECT errors, last_error FROM siddhi.queries WHERE app = 'aggs_bounded';
ALTER SYSTEM RESET siddhi.max_groups;
SELECT pg_reload_conf();

-- unionSet: the union of sets (arrays) in the window, a value counted while
-- any event that brought it is there; createSet(x) makes a set of one
SELECT siddhi.deploy('agg_sets', $$
  define stream SetTags (item string, tag string);
  from SetTags#window.length(2)
  select sizeOfSet(unionSet(createSet(tag))) as n, unionSet(createSet(tag)) as tags
  insert into SetUnion;
$$);
SELECT siddhi.subscribe('setunion');
INSERT INTO settags VALUES ('a', 'red'), ('b', 'red'), ('c', 'blue'), ('d', 'green');
SELECT siddhi.flush();
SELECT event->'n' AS n, ARRAY(SELECT jsonb_array_elements_text(event->'tags') ORDER BY 1) AS tags
  FROM siddhi.poll('setunion', 100, 0) ORDER BY seq;
SELECT siddhi.deploy('agg_sets_bad', $$
  define stream SetBad (tag string);
  from SetBad select unionSet(tag) as s insert into SetBadOut;
$$);
SELECT siddhi.undeploy('agg_sets');

-- a time window grows past its first 64 slots (it crashed once); 1,000
-- events over 10 groups, all in one minute: the last row of each group
SELECT siddhi.deploy('agg_grow', $$
  @app:playback
  @eventTime('ts')
  define stream Grow (sym string, v long, ts long);
  define table GrowOut (sym string, total long, n long);
  from Grow#window.time(1 min) select sym, sum(v) as total, count() as n
  group by sym insert into GrowOut;
$$);
INSERT INTO grow SELECT 's' || (i % 10), i, i FROM generate_series(1, 1000) i;
SELECT siddhi.flush();
SELECT sym, max(total) AS total, max(n) AS n FROM growout GROUP BY sym ORDER BY sym;
SELECT siddhi.undeploy('agg_grow');
