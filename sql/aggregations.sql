-- Incremental aggregations: one table per granularity, upserted at the
-- end of each batch; explicit times (ms since the epoch, UTC).
SELECT siddhi.deploy('agg_trades', $$
  define stream AggTrades (symbol string, price double, volume int, ts long);
  define aggregation TradeAgg
  from AggTrades
  select symbol, sum(volume) as total, avg(price) as avgprice, count() as n,
         min(price) as lo, max(price) as hi, price as lastprice
  group by symbol
  aggregate by ts every sec ... year;
$$);
\d tradeagg_sec
SELECT kind, relname FROM siddhi.app_relation WHERE app = 'agg_trades'
 ORDER BY kind, relname;
-- 2017-06-01 04:05:50 UTC = 1496289950000
INSERT INTO aggtrades VALUES
  ('A', 10, 100, 1496289950000),
  ('A', 20, 200, 1496289950500),
  ('B', 5, 10, 1496289951000),
  ('A', 30, 300, 1496289951200);
SELECT siddhi.flush();
SELECT * FROM tradeagg_sec ORDER BY agg_timestamp, symbol;
SELECT * FROM tradeagg_min ORDER BY agg_timestamp, symbol;
SELECT agg_granularity, to_timestamp(agg_timestamp / 1000.0) AT TIME ZONE 'UTC' AS bucket,
       symbol, total, avgprice, n, lo, hi, lastprice
  FROM tradeagg ORDER BY agg_timestamp, agg_granularity, symbol;
-- a late event (an hour earlier, then a month earlier), in another batch:
-- it updates its own buckets at every granularity, nothing else
INSERT INTO aggtrades VALUES ('A', 1, 1, 1496286350000);
INSERT INTO aggtrades VALUES ('A', 2, 2, 1493611150000);
SELECT siddhi.flush();
SELECT agg_granularity, to_timestamp(agg_timestamp / 1000.0) AT TIME ZONE 'UTC' AS bucket,
       symbol, total, avgprice, n, lo, hi, lastprice
  FROM tradeagg WHERE symbol = 'A' ORDER BY agg_granularity, agg_timestamp;
-- flushing again writes nothing twice
SELECT siddhi.flush();
SELECT sum(n) FROM tradeagg_year;
