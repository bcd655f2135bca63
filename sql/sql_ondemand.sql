-- Streaming SQL reads aggregations (WITHIN .. PER ..) and runs on-demand
-- queries through siddhi.query(app, text): SELECT / INSERT / UPDATE /
-- DELETE with their PostgreSQL meaning over the app's tables, named
-- windows and aggregations; the roadmap's find(), current(), range().
SELECT siddhi.deploy('sqod', $$
CREATE STREAM Trades (symbol TEXT, price DOUBLE, volume BIGINT, ts BIGINT);
CREATE TABLE Stock (symbol TEXT PRIMARY KEY, price DOUBLE, volume BIGINT);
CREATE WINDOW LastTrades (symbol TEXT, price DOUBLE, volume BIGINT, ts BIGINT) WINDOW length(3);
INSERT INTO Stock SELECT symbol, price, volume FROM Trades
    ON CONFLICT (symbol) DO UPDATE SET price = EXCLUDED.price, volume = volume + EXCLUDED.volume;
INSERT INTO LastTrades SELECT * FROM Trades;
CREATE AGGREGATION TradeAgg WITH (by = 'ts', granularity = 'second', purge = 'false') AS
SELECT symbol, SUM(volume) AS total, AVG(price) AS avgprice, COUNT(*) AS n
FROM Trades GROUP BY symbol;
$$);
-- 2017-06-01 04:05:50, 04:05:50.5, 04:05:52, 05:07:56; 2017-06-02 06:07:56
INSERT INTO trades VALUES ('WSO2', 50, 90, 1496289950000), ('WSO2', 70, 40, 1496289950500),
  ('IBM', 60, 200, 1496289952000), ('WSO2', 100, 200, 1496293676000),
  ('IBM', 80, 10, 1496383676000);
SELECT siddhi.flush();

-- tables and windows: WHERE, GROUP BY, HAVING (over aggregates, as in
-- SQL), ORDER BY, LIMIT
SELECT * FROM siddhi.query('sqod', 'SELECT * FROM Stock ORDER BY symbol');
SELECT * FROM siddhi.query('sqod', 'SELECT symbol, volume FROM Stock WHERE price > 70 ORDER BY volume DESC LIMIT 1');
SELECT * FROM siddhi.query('sqod', $q$
  SELECT symbol, count(*) AS n, sum(volume) AS v FROM LastTrades
  GROUP BY symbol HAVING sum(volume) > 100 ORDER BY symbol$q$);
SELECT * FROM siddhi.query('sqod', 'SELECT symbol, price FROM LastTrades ORDER BY ts');
-- the roadmap's W.find(cond) is SELECT .. FROM W WHERE cond (== is =)
SELECT * FROM siddhi.query('sqod', $q$
  SELECT symbol, price FROM LastTrades.find(symbol == 'WSO2' AND price > 60) ORDER BY ts DESC$q$);
SELECT * FROM siddhi.query('sqod', $q$
  SELECT symbol, price FROM LastTrades.find(price > 60) WHERE symbol = 'IBM'$q$);
-- a join of two of the app's relations, a subquery, WITH
SELECT * FROM siddhi.query('sqod', $q$
  SELECT w.symbol, w.price, s.volume AS stock_volume FROM LastTrades w JOIN Stock s ON s.symbol = w.symbol
  WHERE w.price > (SELECT min(price) FROM LastTrades) ORDER BY w.ts$q$);
SELECT * FROM siddhi.query('sqod', $q$
  WITH big AS (SELECT symbol FROM Stock WHERE volume > 250) SELECT count(*) AS n FROM big$q$);

-- aggregations: WITHIN start, end (Siddhi's range form) PER, in time order
SELECT * FROM siddhi.query('sqod', $q$
  SELECT * FROM TradeAgg WITHIN '2017-06-01 00:00:00', '2017-07-01 00:00:00' PER 'hour'
  WHERE symbol == 'WSO2'$q$);
-- a within pattern; PER 'day' with ORDER BY
SELECT * FROM siddhi.query('sqod', $q$
  SELECT agg_timestamp, symbol, total FROM TradeAgg WITHIN '2017-06-** **:**:**' PER 'day'
  ORDER BY agg_timestamp, total DESC$q$);
-- re-aggregating the returned rows (the roadmap's block 23)
SELECT * FROM siddhi.query('sqod', $q$
  SELECT symbol, SUM(total) AS total_volume, AVG(avgprice) AS avg_price, COUNT(*) AS hours
  FROM TradeAgg WITHIN '2017-**-** **:**:**' PER 'hour'
  GROUP BY symbol ORDER BY total_volume DESC$q$);
-- WITHIN as milliseconds, and a time minus a duration (durations are ms)
SELECT * FROM siddhi.query('sqod', $q$
  SELECT agg_timestamp, total FROM TradeAgg AS a
  WITHIN 1496289950000, '2017-06-01 04:05:52+00'::timestamptz + 1 sec PER 'seconds'
  WHERE a.symbol = 'WSO2'$q$);
-- current(): the latest bucket of each group, at the finest granularity
-- unless PER says otherwise
SELECT * FROM siddhi.query('sqod', 'SELECT * FROM TradeAgg.current() ORDER BY symbol');
SELECT * FROM siddhi.query('sqod', $q$SELECT symbol, total FROM TradeAgg.current() PER 'day' WHERE symbol == 'WSO2'$q$);
-- range(from: a, to: b) is WITHIN a, b
SELECT * FROM siddhi.query('sqod', $q$
  SELECT agg_timestamp, symbol, total FROM TradeAgg.range(from: '2017-06-01 04:00:00', to: '2017-06-01 05:00:00') PER 'min'$q$);
-- WITHIN last '30 days' on the clock: one event now, one 40 days ago
INSERT INTO trades VALUES ('NOW', 1, 1, (extract(epoch FROM now()) * 1000)::bigint),
  ('NOW', 1, 2, (extract(epoch FROM now() - interval '40 days') * 1000)::bigint);
SELECT siddhi.flush();
SELECT * FROM siddhi.query('sqod', $q$
  SELECT symbol, sum(total) AS total FROM TradeAgg WITHIN last '30 days' PER 'hour' GROUP BY symbol$q$);
SELECT * FROM siddhi.query('sqod', $q$
  SELECT symbol, sum(total) AS total FROM TradeAgg WITHIN last 90 days PER 'day' GROUP BY symbol$q$);
SELECT * FROM siddhi.query('sqod', $q$
  SELECT symbol, sum(total) AS total FROM TradeAgg.range(from: now() - 7 days, to: now()) PER 'hour' GROUP BY symbol$q$);

-- changes of tables return the rows they changed
SELECT * FROM siddhi.query('sqod', $q$INSERT INTO Stock VALUES ('ORCL', 1.5, 7)$q$);
SELECT * FROM siddhi.query('sqod', $q$
  INSERT INTO Stock SELECT symbol || '2', price, volume FROM LastTrades WHERE symbol = 'IBM'$q$);
SELECT * FROM siddhi.query('sqod', $q$UPDATE Stock SET price = price * 2 WHERE symbol = 'ORCL'$q$);
SELECT * FROM siddhi.query('sqod', $q$
  UPDATE Stock AS s SET volume = s.volume + w.volume FROM LastTrades w WHERE w.symbol = s.symbol AND w.symbol = 'IBM'$q$);
SELECT * FROM siddhi.query('sqod', $q$DELETE FROM Stock WHERE symbol IN ('ORCL', 'IBM2')$q$);
-- outside FROM, per and within are names (here aliases)
SELECT * FROM siddhi.query('sqod', $q$
  SELECT per FROM (SELECT symbol AS per FROM Stock) AS x WHERE per = 'WSO2' ORDER BY per$q$);
SELECT * FROM siddhi.query('sqod', 'SELECT * FROM Stock ORDER BY symbol');
-- SiddhiQL text is still SiddhiQL (both may start with select, update,
-- delete: told apart by what follows)
SELECT * FROM siddhi.query('sqod', $q$select 'X' as symbol, 1.0 as price, 1L as volume insert into Stock$q$);
SELECT * FROM siddhi.query('sqod', $q$update Stock set Stock.price = 2.0 on Stock.symbol == 'X'$q$);
SELECT * FROM siddhi.query('sqod', $q$delete Stock on Stock.symbol == 'X'$q$);
SELECT * FROM siddhi.query('sqod', $q$from TradeAgg within '2017-06-** **:**:**' per 'days' select symbol, total$q$);

-- refusals, with positions and what to write instead
SELECT * FROM siddhi.query('sqod', 'SELECT * FROM Trades');
SELECT * FROM siddhi.query('sqod', 'SELECT * FROM TradeAgg WHERE symbol = ''IBM''');
SELECT * FROM siddhi.query('sqod', $q$SELECT * FROM Stock WITHIN last '1 day' PER 'hour'$q$);
SELECT * FROM siddhi.query('sqod', $q$SELECT * FROM Stock.current()$q$);
SELECT * FROM siddhi.query('sqod', $q$SELECT * FROM TradeAgg.find(symbol = 'IBM')$q$);
SELECT * FROM siddhi.query('sqod', $q$SELECT * FROM TradeAgg WITHIN PER 'hour'$q$);
SELECT * FROM siddhi.query('sqod', $q$SELECT * FROM TradeAgg WITHIN last 'forever' PER 'hour'$q$);
SELECT * FROM siddhi.query('sqod', $q$SELECT * FROM TradeAgg WITHIN last '1 day' PER 'hour' PER 'day'$q$);
SELECT * FROM siddhi.query('sqod', $q$SELECT * FROM TradeAgg WITHIN last '1 day' PER 'weeks'$q$);
SELECT * FROM siddhi.query('sqod', $q$SELECT * FROM TradeAgg.range(from: 1) PER 'hour'$q$);
SELECT * FROM siddhi.query('sqod', $q$DELETE FROM LastTrades WHERE price > 1$q$);
SELECT * FROM siddhi.query('sqod', $q$UPDATE TradeAgg SET total = 0$q$);
SELECT * FROM siddhi.query('sqod', $q$DELETE FROM Stock RETURNING symbol$q$);
SELECT * FROM siddhi.query('sqod', $q$SELECT * FROM public.Stock$q$);
SELECT * FROM siddhi.query('sqod', $q$SELECT * INTO copy FROM Stock$q$);
SELECT * FROM siddhi.query('sqod', $q$SELECT 1 FROM Stock; SELECT 2 FROM Stock$q$);
SELECT * FROM siddhi.query('sqod', $q$SELECT * FROM Stock WHERE nosuch = 1$q$);
SELECT * FROM siddhi.query('nosuchapp', 'SELECT * FROM Stock');
SELECT siddhi.undeploy('sqod', drop_tables => true);

-- In an app: a stream joined with an aggregation, WITHIN .. PER .. after
-- the join (SiddhiQL's `join A on .. within .. per ..`)
SELECT siddhi.deploy('sqjoin', $$
CREATE STREAM Sales (region TEXT, amount DOUBLE, ts BIGINT);
CREATE STREAM Report (region TEXT, lo BIGINT, hi BIGINT, per TEXT);
CREATE AGGREGATION SalesAgg WITH (by = 'ts', granularity = 'second', purge = 'false') AS
SELECT region, SUM(amount) AS total_sales, COUNT(*) AS sale_count FROM Sales GROUP BY region;
INSERT INTO Hourly
SELECT r.region, a.agg_timestamp AS bucket, a.total_sales
FROM Report AS r JOIN SalesAgg AS a ON a.region = r.region
WITHIN r.lo, r.hi PER r.per;
INSERT INTO Daily
SELECT r.region, SUM(a.total_sales) AS total, COUNT(*) AS days
FROM Report AS r JOIN SalesAgg AS a ON a.region = r.region
WITHIN '2017-**-** **:**:**' PER 'day' GROUP BY r.region;
INSERT INTO Recent
SELECT r.region, a.sale_count
FROM Report AS r, SalesAgg AS a
WITHIN last '30 days' PER 'hour' WHERE a.region = r.region;
-- outside the FROM clause, per and within are names
INSERT INTO PerEcho SELECT region, per FROM Report WHERE per = 'hour' OR per = 'within';
$$);
SELECT siddhi.subscribe(s) FROM unnest(ARRAY['hourly', 'daily', 'recent', 'perecho']) s;
INSERT INTO sales VALUES ('US-WEST', 10, 1496289950000), ('US-WEST', 20, 1496293676000),
  ('EU', 5, 1496289950000), ('US-WEST', 7, 1496383676000),
  ('US-WEST', 1, (extract(epoch FROM now()) * 1000)::bigint),
  ('US-WEST', 1, (extract(epoch FROM now() - interval '40 days') * 1000)::bigint);
SELECT siddhi.flush();
INSERT INTO report VALUES ('US-WEST', 1496289600000, 1496300000000, 'hour');
SELECT siddhi.flush();
INSERT INTO report VALUES ('EU', 0, 1596300000000, 'days');
SELECT siddhi.flush();
SELECT s AS stream, p.event
  FROM unnest(ARRAY['hourly', 'daily', 'recent', 'perecho']) WITH ORDINALITY AS u(s, o),
       LATERAL siddhi.poll(s, 100, 0) p
 ORDER BY o, p.seq;
SELECT siddhi.undeploy('sqjoin', drop_tables => true);
-- an app's query reads an aggregation only in a join
SELECT siddhi.deploy('sqjoin_bad1', $$
CREATE STREAM Sales (region TEXT, amount DOUBLE, ts BIGINT);
CREATE AGGREGATION SalesAgg WITH (by = 'ts') AS
SELECT region, SUM(amount) AS total_sales FROM Sales GROUP BY region;
INSERT INTO X SELECT * FROM SalesAgg WITHIN last '30 days' PER 'hour';
$$);
-- a join with an aggregation needs PER; WITHIN/PER need an aggregation
SELECT siddhi.deploy('sqjoin_bad2', $$
CREATE STREAM Sales (region TEXT, amount DOUBLE, ts BIGINT);
CREATE STREAM Report (region TEXT);
CREATE AGGREGATION SalesAgg WITH (by = 'ts') AS
SELECT region, SUM(amount) AS total_sales FROM Sales GROUP BY region;
INSERT INTO X SELECT a.total_sales FROM Report AS r JOIN SalesAgg AS a ON a.region = r.region
WITHIN last '30 days';
$$);
SELECT siddhi.deploy('sqjoin_bad3', $$
CREATE STREAM Sales (region TEXT, amount DOUBLE, ts BIGINT);
CREATE TABLE T (region TEXT);
INSERT INTO X SELECT s.amount FROM Sales AS s JOIN T AS t ON t.region = s.region PER 'hour';
$$);

-- CREATE WINDOW w TUMBLING(..) WITH (queryable = true): the roadmap's
-- findable window; without columns it takes its feeding stream's
SELECT siddhi.deploy('sqwin', $$
@app:playback
CREATE STREAM TradeStream (symbol TEXT, price DOUBLE, volume BIGINT, timestamp BIGINT)
    WITH (event_time = 'timestamp');
CREATE WINDOW LastHourTrades TUMBLING(1 hour) WITH (queryable = true);
INSERT INTO LastHourTrades SELECT * FROM TradeStream;
$$);
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'lasthourtrades'::regclass AND attnum > 0 ORDER BY attnum;
INSERT INTO tradestream VALUES ('AAPL', 160, 10, 1000), ('AAPL', 140, 5, 2000),
  ('MSFT', 300, 1, 3000), ('AAPL', 155, 7, 4000);
-- the hour (from the first event) closes: the batch it emitted is the
-- window's contents
INSERT INTO tradestream VALUES ('AAPL', 1, 1, 3700000);
SELECT siddhi.flush();
SELECT * FROM siddhi.query('sqwin', $q$
  SELECT * FROM LastHourTrades.find(symbol == 'AAPL' AND price > 150) ORDER BY timestamp DESC$q$);
SELECT siddhi.undeploy('sqwin', drop_tables => true);
SELECT siddhi.deploy('sqwin_bad1', $$
CREATE STREAM TradeStream (symbol TEXT, price DOUBLE);
CREATE WINDOW W1 TUMBLING(1 hour) WITH (queryable = false);
INSERT INTO W1 SELECT * FROM TradeStream;
$$);
SELECT siddhi.deploy('sqwin_bad2', $$
CREATE STREAM TradeStream (symbol TEXT, price DOUBLE);
CREATE WINDOW W2 TUMBLING(1 hour);
INSERT INTO W2 SELECT symbol FROM TradeStream;
$$);
