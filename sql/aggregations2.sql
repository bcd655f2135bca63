-- Incremental aggregations, continued: distinctCount, time zones, joins
-- with an aggregation, siddhi.query().

-- distinctCount: Siddhi's DistinctCountAggregationTestCase data; a
-- bucket's count is that of the union of its values, at every granularity
SELECT siddhi.deploy('agg_dc', $$
  define stream DcStock (symbol string, price float, volume long, ts long);
  @purge(enable = 'false')
  define aggregation DcAgg from DcStock
  select distinctCount(symbol) as distinctcnt, distinctCount(volume) as volumes,
         count() as n, symbol as lastsymbol
  aggregate by ts every sec ... year;
$$);
\d dcagg_day
INSERT INTO dcstock VALUES
  ('WSO2', 50, 90, 1496289950000), ('WSO22', 70, 40, 1496289950000),
  ('WSO23', 60, 200, 1496289952000), ('WSO24', 100, 200, 1496289952000),
  ('IBM', 101, 200, 1496289954000), ('IBM1', 102, 200, 1496289954000),
  ('IBM', 900, 200, 1496289956000), ('IBM1', 500, 200, 1496289956000),
  ('IBM', 400, 200, 1496290016000), ('IBM2', 600, 200, 1496290076000);
SELECT siddhi.flush();
-- the rest in another batch: the stored sketches merge with the new ones
INSERT INTO dcstock VALUES
  ('CISCO', 700, 200, 1496293676000), ('WSO2', 61, 200, 1496297276000),
  ('CISCO', 801, 100, 1496383676000), ('CISCO', 901, 100, 1496470076000),
  ('IBM', 101, 200, 1499062076000), ('IBM', 402, 200, 1501740476000),
  ('WSO2', 63, 200, 1533276476000), ('WSO2', 260, 200, 1564812476000),
  ('CISCO', 26, 200, 1596434876000);
SELECT siddhi.flush();
SELECT agg_timestamp, distinctcnt, volumes, n, lastsymbol FROM dcagg
 WHERE agg_granularity = 'day' ORDER BY agg_timestamp;
SELECT agg_granularity, agg_timestamp, distinctcnt, volumes, n FROM dcagg
 WHERE agg_granularity IN ('hour', 'month', 'year') ORDER BY 1, 2;
SELECT * FROM siddhi.aggregation('dcagg', 1496200000000, 1596535449000, 'days')
 LIMIT 2;
-- the sketch functions: union is idempotent and order-free; counts are
-- exact below 1024 distinct values and estimated above
SELECT siddhi.distinct_count(siddhi.distinct_union(ARRAY[3, 1, 2, 2]::int8[], ARRAY[2, 5]::int8[]));
SELECT siddhi.distinct_union(ARRAY[5, 1]::int8[], NULL), siddhi.distinct_count(NULL);
SELECT siddhi.undeploy('agg_dc', drop_tables => true);
-- many distinct values: 5000 in one hour, 3000 of them again in the next;
-- the day's estimate is within 10 % of the true 5000 (the standard
-- error is about 3 %), and the sketch holds 1024 hashes at most
SELECT siddhi.deploy('agg_dc2', $$
  define stream DcMany (v long, ts long);
  @purge(enable = 'false')
  define aggregation DcManyAgg from DcMany
  select distinctCount(v) as d, count() as n
  aggregate by ts every hour ... day;
$$);
INSERT INTO dcmany SELECT i, 1496275200000 + i FROM generate_series(1, 5000) i;
INSERT INTO dcmany SELECT i, 1496275200000 + 3600000 + i FROM generate_series(1, 3000) i;
INSERT INTO dcmany SELECT i, 1496275200000 + 7200000 + i FROM generate_series(1, 500) i;
SELECT siddhi.flush();
SELECT agg_granularity, agg_timestamp, n, d BETWEEN 4500 AND 5500 AS about_5000,
       d BETWEEN 2700 AND 3300 AS about_3000, CASE WHEN n <= 1000 THEN d END AS exact
  FROM dcmanyagg ORDER BY 1, 2;
SELECT max(cardinality(d_set)) FROM dcmanyagg_hour;
SELECT siddhi.undeploy('agg_dc2', drop_tables => true);

-- time zones: hour, day, month and year buckets start at the zone's local
-- midnight, hour, first of the month; sec and min stay UTC multiples
SELECT siddhi.deploy('agg_tz', $$
  define stream TzS (k string, v long, ts long);
  @purge(enable = 'false')
  @aggTimeZone('America/New_York')
  define aggregation TzAgg from TzS
  select k, sum(v) as s, count() as n
  group by k
  aggregate by ts every min ... year;
$$);
-- around the spring-forward day 2024-03-10 (23 hours) and the fall-back
-- night of 2024-11-03 (01:00-02:00 twice)
INSERT INTO tzs VALUES
  ('k', 1, extract(epoch FROM timestamptz '2024-03-10 04:59:59Z') * 1000),
  ('k', 2, extract(epoch FROM timestamptz '2024-03-10 05:00:00Z') * 1000),
  ('k', 4, extract(epoch FROM timestamptz '2024-03-11 03:59:59Z') * 1000),
  ('k', 8, extract(epoch FROM timestamptz '2024-03-11 04:00:00Z') * 1000),
  ('k', 16, extract(epoch FROM timestamptz '2024-11-03 05:30:00Z') * 1000),
  ('k', 32, extract(epoch FROM timestamptz '2024-11-03 06:30:00Z') * 1000),
  ('k', 64, extract(epoch FROM timestamptz '2024-12-31 23:59:59-05') * 1000),
  ('k', 128, extract(epoch FROM timestamptz '2025-01-01 00:00:00-05') * 1000);
SELECT siddhi.flush();
SELECT agg_granularity, to_timestamp(agg_timestamp / 1000) AT TIME ZONE 'UTC' AS utc,
       to_timestamp(agg_timestamp / 1000) AT TIME ZONE 'America/New_York' AS new_york,
       s, n
  FROM tzagg WHERE agg_granularity <> 'min' ORDER BY 1, 2;
SELECT count(*) AS min_buckets, bool_and(agg_timestamp % 60000 = 0) AS utc_multiples
  FROM tzagg_min;
-- the SQL dialect: WITH (timezone = ..); India is +05:30, so its hours
-- start at half past in UTC
SELECT siddhi.deploy('agg_tz_sql', $$
  CREATE STREAM TzSql (k text, v int8, at timestamptz);
  CREATE AGGREGATION TzSqlAgg WITH (by = 'at', granularity = 'minute ... day',
                                    timezone = 'Asia/Kolkata', purge = 'false') AS
    SELECT k, sum(v) AS s, distinctCount(v) AS dv FROM TzSql GROUP BY k;
$$);
INSERT INTO tzsql VALUES ('a', 1, '2024-01-01 10:15:00Z'), ('a', 2, '2024-01-01 10:29:59Z'),
  ('a', 4, '2024-01-01 10:30:00Z'), ('a', 8, '2024-01-01 18:29:59Z'),
  ('a', 16, '2024-01-01 18:30:00Z');
SELECT siddhi.flush();
SELECT agg_granularity, to_timestamp(agg_timestamp / 1000) AT TIME ZONE 'UTC' AS utc, s
  FROM tzsqlagg WHERE agg_granularity <> 'min' ORDER BY 1, 2;
-- Siddhi's within pattern with an offset: 2024-01-01 in India
SELECT * FROM siddhi.aggregation('tzsqlagg', '2024-01-01 **:**:** +05:30', 'hour');
SELECT * FROM siddhi.aggregation('tzsqlagg', '2024-01-** **:**:** +05:30', 'day');
SELECT siddhi.undeploy('agg_tz_sql', drop_tables => true);
SELECT siddhi.undeploy('agg_tz', drop_tables => true);
-- the app-wide form, and an unknown zone
SELECT siddhi.deploy('agg_tz_app', $$
  @app:aggTimeZone('Asia/Tokyo')
  define stream TzAppS (v long, ts long);
  @purge(enable = 'false')
  define aggregation TzAppAgg from TzAppS select sum(v) as s aggregate by ts every day;
$$);
INSERT INTO tzapps VALUES (1, extract(epoch FROM timestamptz '2024-01-01 14:59:59Z') * 1000),
  (2, extract(epoch FROM timestamptz '2024-01-01 15:00:00Z') * 1000);
SELECT siddhi.flush();
SELECT to_timestamp(agg_timestamp / 1000) AT TIME ZONE 'Asia/Tokyo' AS tokyo, s
  FROM tzappagg ORDER BY 1;
SELECT siddhi.undeploy('agg_tz_app', drop_tables => true);
\set VERBOSITY default
\set ON_ERROR_STOP 0
SELECT siddhi.deploy('agg_tz_bad', $$
  define stream TzBad (v long, ts long);
  @aggTimeZone('Mars/Olympus_Mons')
  define aggregation TzBadAgg from TzBad select sum(v) as s aggregate by ts every day;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('agg_tz_bad2', $$
  CREATE STREAM TzBad (v int8);
  CREATE AGGREGATION TzBadAgg WITH (granularity = 'day', timezone = '') AS
    SELECT sum(v) AS s FROM TzBad;
$$);
\echo :LAST_ERROR_SQLSTATE

-- a stream joined with an aggregation (Siddhi's `join A within .. per ..`):
-- each arrival reads the buckets of granularity per whose start lies in
-- [start, end), in time order, with the query's own on, select, group by
SELECT siddhi.deploy('agg_join', $$
  define stream AjStock (symbol string, price double, volume long, ts long);
  define stream AjReq (symbol string, perv string, lo long, hi long);
  define stream AjPat (w string);
  @purge(enable = 'false')
  define aggregation AjAgg from AjStock
  select symbol, sum(volume) as total, avg(price) as avgprice,
         distinctCount(price) as prices, price as lastprice
  group by symbol
  aggregate by ts every sec ... year;
  -- constant per, within as two longs: Siddhi's AggregationTestCase form
  @info(name = 'days')
  from AjReq as r join AjAgg as a on r.symbol == a.symbol
  within 1496200000000L, 1596535449000L per "days"
  select AGG_TIMESTAMP as bucket, a.symbol, a.total, a.avgprice, a.prices, a.lastprice
  insert into AjDays;
  -- per and within from the event's attributes
  from AjReq as r join AjAgg as a on r.symbol == a.symbol
  within r.lo, r.hi per r.perv
  select r.perv, a.agg_timestamp as bucket, a.total
  insert into AjDyn;
  -- a within pattern, every symbol; a left outer join keeps a miss
  from AjPat as p left outer join AjAgg as a
  within p.w per 'months'
  select p.w, a.agg_timestamp as bucket, a.symbol, a.total
  insert into AjPatOut;
  -- aggregators over the joined rows
  from AjReq as r join AjAgg as a on r.symbol == a.symbol
  within '2017-**-** **:**:**' per 'hours'
  select r.symbol, count() as hours, sum(a.total) as total
  group by r.symbol
  insert into AjSum;
$$);
SELECT siddhi.subscribe(s)
  FROM unnest(ARRAY['ajdays', 'ajdyn', 'ajpatout', 'ajsum']) s;
INSERT INTO ajstock VALUES
  ('WSO2', 50, 90, 1496289950000), ('WSO2', 70, 40, 1496289950000),
  ('IBM', 60, 200, 1496289952000), ('WSO2', 100, 200, 1496293676000),
  ('IBM', 101, 200, 1496383676000), ('WSO2', 61, 10, 1499062076000);
-- in the same batch as the events it reads: it sees them
INSERT INTO ajreq VALUES ('WSO2', 'hour', 1496289600000, 1496296800000);
SELECT siddhi.flush();
INSERT INTO ajreq VALUES ('IBM', 'DAYS', 0, 1496361600000);
INSERT INTO ajpat VALUES ('2017-06-** **:**:**'), ('2017-06-** **:**:** -10:00'), ('2018-**-** **:**:**');
SELECT siddhi.flush();
SELECT s AS stream, p.event
  FROM unnest(ARRAY['ajdays', 'ajdyn', 'ajpatout', 'ajsum']) WITH ORDINALITY AS u(s, o),
       LATERAL siddhi.poll(s, 100, 0) p
 ORDER BY o, p.seq;
-- an unknown per in an event fails that event's lookup, logged; the next
-- one goes on
INSERT INTO ajreq VALUES ('IBM', 'weeks', 0, 1496361600000);
INSERT INTO ajreq VALUES ('IBM', 'years', 0, 1596361600000);
SELECT siddhi.flush();
SELECT p.event FROM siddhi.poll('ajdyn', 100, 0) p ORDER BY p.seq;
SELECT siddhi.undeploy('agg_join', drop_tables => true);
-- errors, with SQLSTATE and position
SELECT siddhi.deploy('agg_join_bad1', $$
  define stream AjS (k string, v long);
  define stream AjR (k string);
  define aggregation AjA from AjS select k, sum(v) as s group by k aggregate every sec;
  from AjR as r join AjA as a on r.k == a.k within 0L, 10L
  select a.s insert into AjOut;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('agg_join_bad2', $$
  define stream AjS (k string, v long);
  define stream AjR (k string);
  define table AjT (k string);
  from AjR as r join AjT as t on r.k == t.k within 0L, 10L per 'sec'
  select t.k insert into AjOut;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('agg_join_bad3', $$
  define stream AjS (k string, v long);
  define stream AjR (k string);
  define aggregation AjA from AjS select k, sum(v) as s group by k aggregate every sec;
  from AjR as r join AjA[s > 1] as a on r.k == a.k within 0L, 10L per 'sec'
  select a.s insert into AjOut;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('agg_join_bad4', $$
  define stream AjS (k string, v long);
  define stream AjR (k string);
  define aggregation AjA from AjS select k, sum(v) as s group by k aggregate every sec;
  from AjR as r join AjA as a on r.k == a.nosuch within 0L, 10L per 'sec'
  select a.s insert into AjOut;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM pg_class WHERE relname LIKE 'aja%';
