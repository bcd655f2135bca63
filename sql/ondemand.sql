-- On-demand queries: siddhi.query(app, text) runs Siddhi's store queries
-- against the app's tables, named windows and aggregations, as the caller;
-- each row comes back as one jsonb object.
SELECT siddhi.deploy('od_app', $$
  define stream OdIn (symbol string, price float, volume long);
  define table OdStock (symbol string, price float, volume long);
  define window OdWin (symbol string, price float, volume long) length(2);
  from OdIn insert into OdStock;
  from OdIn insert into OdWin;
  define stream OdTrades (symbol string, price double, volume long, ts long);
  @purge(enable = 'false')
  define aggregation OdAgg from OdTrades
  select symbol, sum(volume) as total, avg(price) as avgprice, count() as n
  group by symbol
  aggregate by ts every sec ... year;
$$);
INSERT INTO odin VALUES ('WSO2', 55.6, 100), ('IBM', 75.6, 100), ('WSO2', 57.6, 100),
  ('GOOG', 80.5, 50);
INSERT INTO odtrades VALUES
  ('WSO2', 50, 90, 1496289950000), ('WSO2', 70, 40, 1496289950500),
  ('IBM', 60, 200, 1496289952000), ('WSO2', 100, 200, 1496293676000);
SELECT siddhi.flush();
-- Siddhi's OnDemandQueryTableTestCase forms
SELECT * FROM siddhi.query('od_app', 'from OdStock on price > 75 select symbol, volume');
SELECT * FROM siddhi.query('od_app', 'from OdStock');
SELECT * FROM siddhi.query('od_app', $q$
  from OdStock as s select s.symbol, sum(s.volume) as totalVolume
  group by s.symbol having totalVolume > 150 order by symbol$q$);
SELECT * FROM siddhi.query('od_app', 'from OdStock select symbol, count() as n, distinctCount(price) as prices, avg(volume) as av group by symbol order by symbol desc limit 2');
-- a named window: its current contents
SELECT * FROM siddhi.query('od_app', 'from OdWin select symbol, price');
-- an aggregation: within .. per .., buckets in time order
SELECT * FROM siddhi.query('od_app', $q$
  from OdAgg within "2017-06-** **:**:**" per "seconds"
  select AGG_TIMESTAMP, symbol, total, avgprice$q$);
SELECT * FROM siddhi.query('od_app', $q$
  from OdAgg on symbol == 'WSO2' within 1496289600000L, 1496300000000L per 'hours'$q$);
SELECT * FROM siddhi.query('od_app', $q$
  from OdAgg within '2017-**-** **:**:**' per 'days' select sum(total) as t, sum(n) as n$q$);
-- Siddhi's time strings with an offset: 09:35:50 +05:30 is 04:05:50 UTC
SELECT * FROM siddhi.query('od_app', $q$
  from OdAgg within "2017-06-01 09:35:50 +05:30", "2017-06-01 09:35:52 +05:30" per "sec"
  select AGG_TIMESTAMP, symbol, total$q$);
SELECT * FROM siddhi.query('od_app', $q$
  from OdAgg within "2017-06-01 04:05:50", "2017-06-01 04:05:53" per "sec"
  select AGG_TIMESTAMP, symbol, total$q$);
-- changes, each returning the rows it changed
SELECT * FROM siddhi.query('od_app', $q$select "IBM" as symbol, 100f as price, 200L as volume insert into OdStock$q$);
SELECT * FROM siddhi.query('od_app', $q$update OdStock set OdStock.price = 10 on OdStock.symbol == "WSO2"$q$);
SELECT * FROM siddhi.query('od_app', $q$delete OdStock on OdStock.symbol == "IBM" and OdStock.volume > 150$q$);
-- select values read by name in set and on (the event's, not the table's)
SELECT * FROM siddhi.query('od_app', $q$
  select "GOOG" as symbol, 1.5f as price
  update OdStock set OdStock.price = price on OdStock.symbol == symbol$q$);
SELECT * FROM siddhi.query('od_app', $q$
  select "MSFT" as symbol, 300.5f as price, 7L as volume
  update or insert into OdStock set OdStock.price = price on OdStock.symbol == symbol$q$);
SELECT * FROM siddhi.query('od_app', $q$
  select "MSFT" as symbol, 301.5f as price, 7L as volume
  update or insert into OdStock set OdStock.price = price on OdStock.symbol == symbol$q$);
-- update without set: the columns the select names
SELECT * FROM siddhi.query('od_app', $q$
  select 8L as volume update OdStock on OdStock.symbol == 'MSFT'$q$);
SELECT * FROM siddhi.query('od_app', 'select "IBM" as symbol delete OdStock on OdStock.symbol == symbol');
SELECT symbol, price, volume FROM odstock ORDER BY symbol, price;

-- privileges apply: the caller's, not the app owner's
CREATE ROLE siddhi_od_reader;
GRANT SELECT ON odstock TO siddhi_od_reader;
SET ROLE siddhi_od_reader;
SELECT count(*) FROM siddhi.query('od_app', 'from OdStock');
SELECT * FROM siddhi.query('od_app', 'delete OdStock on OdStock.symbol == "WSO2"');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM siddhi.query('od_app', 'from OdWin');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- errors, with SQLSTATE and position
\set VERBOSITY default
SELECT * FROM siddhi.query('od_app', 'from OdStock on nosuch > 1 select symbol');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM siddhi.query('od_app', 'from OdStock select symbol insert');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM siddhi.query('od_app', 'from NoSuch select symbol');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM siddhi.query('od_app', 'from OdIn select symbol');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM siddhi.query('no_app', 'from OdStock');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM siddhi.query('od_app', 'from OdAgg select symbol');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM siddhi.query('od_app', 'from OdStock within 0L, 1L per "sec"');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM siddhi.query('od_app', 'delete OdWin on OdWin.symbol == "IBM"');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM siddhi.query('od_app', 'from OdAgg within 0L, 1L per "weeks"');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM siddhi.query('od_app', 'update OdStock on OdStock.symbol == "IBM"');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM siddhi.query('od_app', $q$
  select 'x' as symbol, 1 as price, 2L as volume, 3 as extra insert into OdStock$q$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.undeploy('od_app', drop_tables => true);
DROP ROLE siddhi_od_reader;
