-- Incremental aggregations: one table per granularity, upserted at the
-- end of each batch; explicit times (ms since the epoch, UTC).
SELECT siddhi.deploy('agg_trades', $$
  define stream IncTrades (symbol string, price double, volume int, ts long);
  @purge(enable = 'false')
  define aggregation IncTradeAgg
  from IncTrades
  select symbol, sum(volume) as total, avg(price) as avgprice, count() as n,
         min(price) as lo, max(price) as hi, price as lastprice
  group by symbol
  aggregate by ts every sec ... year;
$$);
\d inctradeagg_sec
SELECT kind, relname FROM siddhi.app_relation WHERE app = 'agg_trades'
 ORDER BY kind, relname;
-- 2017-06-01 04:05:50 UTC = 1496289950000
INSERT INTO inctrades VALUES
  ('A', 10, 100, 1496289950000),
  ('A', 20, 200, 1496289950500),
  ('B', 5, 10, 1496289951000),
  ('A', 30, 300, 1496289951200);
SELECT siddhi.flush();
SELECT * FROM inctradeagg_sec ORDER BY agg_timestamp, symbol;
SELECT * FROM inctradeagg_min ORDER BY agg_timestamp, symbol;
SELECT agg_granularity, to_timestamp(agg_timestamp / 1000.0) AT TIME ZONE 'UTC' AS bucket,
       symbol, total, avgprice, n, lo, hi, lastprice
  FROM inctradeagg ORDER BY agg_timestamp, agg_granularity, symbol;
-- a late event (an hour earlier, then a month earlier), in another batch:
-- it updates its own buckets at every granularity, nothing else
INSERT INTO inctrades VALUES ('A', 1, 1, 1496286350000);
INSERT INTO inctrades VALUES ('A', 2, 2, 1493611150000);
SELECT siddhi.flush();
SELECT agg_granularity, to_timestamp(agg_timestamp / 1000.0) AT TIME ZONE 'UTC' AS bucket,
       symbol, total, avgprice, n, lo, hi, lastprice
  FROM inctradeagg WHERE symbol = 'A' ORDER BY agg_granularity, agg_timestamp;
-- flushing again writes nothing twice
SELECT siddhi.flush();
SELECT sum(n) FROM inctradeagg_year;

-- retrieval: Siddhi's within .. per .., as functions
SELECT * FROM siddhi.aggregation('IncTradeAgg', 1496289950000, 1496289952000, 'sec');
SELECT * FROM siddhi.aggregation('inctradeagg', '2017-06-01 00:00+00'::timestamptz,
                                 '2017-06-02 00:00+00'::timestamptz, 'hour');
SELECT * FROM siddhi.aggregation('inctradeagg', '2017-06-** **:**:**', 'day');
SELECT * FROM siddhi.aggregation('inctradeagg', '2017-**-** **:**:**', 'months');
SELECT * FROM siddhi.aggregation('inctradeagg', '2017-06-01 04:**:**', 'min');
SELECT * FROM siddhi.aggregation('inctradeagg', '2017-06', 'min');
SELECT * FROM siddhi.aggregation('inctradeagg', '2017-06-** **:**:**', 'week');
SELECT * FROM siddhi.aggregation('nosuchagg', '2017-06-** **:**:**', 'day');
SELECT * FROM siddhi.aggregations WHERE app = 'agg_trades';

-- the SQL dialect: CREATE AGGREGATION, by a timestamp column, a range of
-- granularities; WHERE filters the input
SELECT siddhi.deploy('agg_sql', $$
  CREATE STREAM IncSales (region text, amount double precision, at timestamptz);
  CREATE AGGREGATION IncSalesAgg WITH (by = 'at', granularity = 'minute ... hour', purge = 'false') AS
    SELECT region, SUM(amount) AS total, AVG(amount) AS avg_sale,
           COUNT(*) AS sales
      FROM IncSales WHERE amount > 0 GROUP BY region;
$$);
SELECT * FROM siddhi.aggregations WHERE app = 'agg_sql';
INSERT INTO incsales VALUES
  ('west', 10, '2024-03-01 10:15:20+00'),
  ('east', 5, '2024-03-01 10:15:40+00'),
  ('west', 20, '2024-03-01 10:59:59.999+00'),
  ('west', -1, '2024-03-01 10:30:00+00'),
  ('west', 30, '2024-03-01 11:00:00+00');
SELECT siddhi.flush();
SELECT * FROM incsalesagg ORDER BY agg_granularity, agg_timestamp, region;
-- without by: the event's time; a list of granularities
SELECT siddhi.deploy('agg_sql2', $$
  CREATE STREAM IncClicks (page text);
  CREATE AGGREGATION IncClickAgg WITH (granularity = 'day, year') AS
    SELECT page, count(*) AS clicks FROM IncClicks GROUP BY page;
$$);
SELECT * FROM siddhi.aggregations WHERE app = 'agg_sql2';
INSERT INTO incclicks VALUES ('home'), ('home'), ('about');
SELECT siddhi.flush();
SELECT agg_granularity, page, clicks,
       agg_timestamp = (extract(epoch FROM date_trunc('day', now() AT TIME ZONE 'UTC')) * 1000)::bigint
         OR agg_granularity = 'year' AS this_bucket
  FROM incclickagg ORDER BY agg_granularity, page;

-- errors, with SQLSTATE and position
\set VERBOSITY default
\set ON_ERROR_STOP 0
SELECT siddhi.deploy('agg_bad1', $$
  define stream IncBad (a string, x double, ts bool);
  define aggregation IncBadA from IncBad select a, sum(x) as s group by a
  aggregate by ts every sec ... min;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('agg_bad2', $$
  define stream IncBad (a string, x double, ts long);
  define aggregation IncBadA from IncBad select a, sum(x) * 2 as s group by a
  aggregate by ts every sec;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('agg_bad3', $$
  define stream IncBad (a string, x double, ts long);
  define aggregation IncBadA from IncBad select sum(x) as s group by a
  aggregate by ts every sec;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('agg_bad4', $$
  define stream IncBad (a string, x string, ts long);
  define aggregation IncBadA from IncBad select a, sum(x) as s group by a
  aggregate by ts every min ... sec;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('agg_bad5', $$
  define stream IncBad (a string, x string, ts long);
  define aggregation IncBadA from IncBad select a, sum(x) as s group by a
  aggregate by ts every sec;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('agg_bad6', $$
  define aggregation IncBadA from NoSuchStream select a, sum(x) as s group by a
  aggregate every sec;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('agg_bad7', $$
  CREATE STREAM IncBad (a text, x float8);
  CREATE AGGREGATION IncBadA WITH (granularity = 'fortnight') AS
    SELECT a, sum(x) AS s FROM IncBad GROUP BY a;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('agg_bad8', $$
  CREATE STREAM IncBad (a text, x float8);
  CREATE AGGREGATION IncBadA WITH (granularity = 'second', retention = '-90 days') AS
    SELECT a, sum(x) AS s FROM IncBad GROUP BY a;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('agg_bad9', $$
  define stream IncBad (a string, x double, ts long);
  define aggregation IncBadA from IncBad select a, stdDev(x) as s group by a
  aggregate by ts every sec;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM pg_class WHERE relname LIKE 'incbad%';

-- undeploy keeps the aggregation's tables and view (their rows are data);
-- drop_tables removes them
SELECT wait_app('agg_sql2');
SELECT siddhi.undeploy('agg_sql2');
SELECT relname FROM pg_class WHERE relname LIKE 'incclickagg%' ORDER BY 1;
SELECT siddhi.deploy('agg_sql2', $$
  CREATE STREAM IncClicks (page text);
  CREATE AGGREGATION IncClickAgg WITH (granularity = 'day, year') AS
    SELECT page, count(*) AS clicks FROM IncClicks GROUP BY page;
$$);
INSERT INTO incclicks VALUES ('home');
SELECT siddhi.flush();
SELECT agg_granularity, page, clicks FROM incclickagg ORDER BY 1, 2;
SELECT siddhi.undeploy('agg_sql2', drop_tables => true);
SELECT relname FROM pg_class WHERE relname LIKE 'incclickagg%' ORDER BY 1;
SELECT siddhi.undeploy('agg_sql');
SELECT siddhi.undeploy('agg_trades');

-- retention (Siddhi's @purge): in playback, now is the latest event time;
-- rows older than now - retention go, at most once per interval
SELECT siddhi.deploy('agg_purge', $$
  @app:playback
  @eventTime('ts')
  define stream IncPurgeS (k string, v long, ts long);
  @purge(interval = '1 min', @retentionPeriod(sec = '120 sec', min = '1 hour', hour = 'all'))
  define aggregation IncPurgeA from IncPurgeS select k, sum(v) as s group by k
  aggregate by ts every sec ... hour;
$$);
INSERT INTO incpurges VALUES ('p', 1, 1000000000000);
SELECT siddhi.flush();
INSERT INTO incpurges VALUES ('p', 2, 1000000030000);
SELECT siddhi.flush();
-- within the interval: nothing purged yet
SELECT agg_granularity, agg_timestamp, s FROM incpurgea ORDER BY 1, 2;
-- 3 minutes on: the sec rows are older than 120 s
INSERT INTO incpurges VALUES ('p', 4, 1000000180000);
SELECT siddhi.flush();
SELECT agg_granularity, agg_timestamp, s FROM incpurgea ORDER BY 1, 2;
-- 2 hours on: the min rows too; hours are kept
INSERT INTO incpurges VALUES ('p', 8, 1000007200000);
SELECT siddhi.flush();
SELECT agg_granularity, agg_timestamp, s FROM incpurgea ORDER BY 1, 2;
SELECT siddhi.undeploy('agg_purge', drop_tables => true);
-- the first purge runs one purge interval after the start (Siddhi's
-- timing; in playback, after the first event); once a purge has run, a
-- bucket already past its retention when written is not written at all
-- (a backfill does not insert sec rows only for the next purge to delete)
SELECT siddhi.deploy('agg_nowrite', $$
  @app:playback
  @eventTime('ts')
  define stream IncNoWriteS (k string, v long, ts long);
  @purge(interval = '1 hour', @retentionPeriod(sec = '120 sec', min = '1 hour', hour = 'all'))
  define aggregation IncNoWriteA from IncNoWriteS select k, sum(v) as s group by k
  aggregate by ts every sec ... hour;
$$);
INSERT INTO incnowrites VALUES ('n', 1, 1000000000000);
SELECT siddhi.flush();
-- one batch: 5 s is 295 s older than the clock (300 s) when written
INSERT INTO incnowrites VALUES ('n', 2, 1000000005000), ('n', 4, 1000000300000);
SELECT siddhi.flush();
-- no purge yet (the first is an hour after the first event): all written
SELECT agg_granularity, agg_timestamp, s FROM incnowritea ORDER BY 1, 2;
-- an hour on: the first purge (sec rows older than 120 s go); then a
-- 700 s old event writes its min and hour rows, not its sec row
INSERT INTO incnowrites VALUES ('n', 8, 1000003700000);
SELECT siddhi.flush();
INSERT INTO incnowrites VALUES ('n', 16, 1000003000000);
SELECT siddhi.flush();
SELECT agg_granularity, agg_timestamp, s FROM incnowritea ORDER BY 1, 2;
SELECT siddhi.undeploy('agg_nowrite', drop_tables => true);
-- the SQL dialect: retention = 'x' for every granularity
SELECT siddhi.deploy('agg_purge_sql', $$
  CREATE STREAM IncPurgeSql (k text, v int8, ts int8);
  CREATE AGGREGATION IncPurgeSqlA WITH (by = 'ts', granularity = 'day', retention = '90 days') AS
    SELECT k, sum(v) AS s FROM IncPurgeSql GROUP BY k;
$$);
-- an old day (and month and year) stays until the first purge, one purge
-- interval (15 minutes) after the start on the wall clock, as in Siddhi
INSERT INTO incpurgesql VALUES ('q', 1, 1000000000000);
SELECT siddhi.flush();
SELECT count(*) FROM incpurgesqla;
SELECT siddhi.undeploy('agg_purge_sql', drop_tables => true);
SELECT siddhi.deploy('agg_bad10', $$
  define stream IncBad (a string, x double, ts long);
  @purge(enable = 'maybe')
  define aggregation IncBadA from IncBad select a, sum(x) as s group by a
  aggregate by ts every sec;
$$);
SELECT siddhi.deploy('agg_bad11', $$
  define stream IncBad (a string, x double, ts long);
  @purge(@retentionPeriod(week = '3 days'))
  define aggregation IncBadA from IncBad select a, sum(x) as s group by a
  aggregate by ts every sec;
$$);
\echo :LAST_ERROR_SQLSTATE

-- a granularity table dropped (with CASCADE: the app depends on it) stops
-- the app with the reason; the engine and the other apps go on
SELECT siddhi.deploy('agg_drop', $$
  define stream IncDropS (k string, v long);
  define aggregation IncDropA from IncDropS select k, sum(v) as s group by k
  aggregate every sec, min;
$$);
INSERT INTO incdrops VALUES ('x', 1);
SELECT siddhi.flush();
SELECT k, s FROM incdropa_min;
DROP TABLE incdropa_sec CASCADE;
INSERT INTO incdrops VALUES ('x', 2);
SELECT siddhi.flush();
SELECT k, s FROM incdropa_min;
SELECT state, error FROM siddhi.apps WHERE name = 'agg_drop';
SELECT siddhi.deploy('agg_after', $$
  define stream IncAfterS (k string, v long);
  define aggregation IncAfterA from IncAfterS select k, max(v) as m group by k
  aggregate every year;
$$);
INSERT INTO incafters VALUES ('y', 7), ('y', 3);
SELECT siddhi.flush();
SELECT k, m FROM incaftera;
SELECT siddhi.undeploy('agg_after', drop_tables => true);
SELECT siddhi.undeploy('agg_drop', drop_tables => true);

-- a kept table that no longer fits the definition: the deploy says so
SELECT siddhi.deploy('agg_keep', $$
  define stream IncKeepS (k string, v long);
  define aggregation IncKeepA from IncKeepS select k, sum(v) as s group by k
  aggregate every sec;
$$);
SELECT wait_app('agg_keep');
SELECT siddhi.undeploy('agg_keep');
SELECT siddhi.deploy('agg_keep', $$
  define stream IncKeepS (k string, v long);
  define aggregation IncKeepA from IncKeepS select k, max(v) as m group by k
  aggregate every sec;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('agg_keep', $$
  define stream IncKeepS (k string, v long);
  define aggregation IncKeepA from IncKeepS select k, sum(v) as s group by k
  aggregate every sec;
$$);
SELECT siddhi.undeploy('agg_keep', drop_tables => true);

-- an error while aggregating an event (here a bigint sum overflowing)
-- skips that event for the aggregation; the next ones count
SELECT siddhi.deploy('agg_overflow', $$
  define stream IncOvS (k string, v long);
  @purge(enable = 'false')
  define aggregation IncOvA from IncOvS select k, sum(v) as s, count() as n
  group by k aggregate every year;
$$);
INSERT INTO incovs VALUES ('o', 9223372036854775807), ('o', 1), ('p', 5);
SELECT siddhi.flush();
SELECT k, s, n FROM incova ORDER BY k;
SELECT siddhi.undeploy('agg_overflow', drop_tables => true);
