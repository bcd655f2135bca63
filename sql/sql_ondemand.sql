-- Streaming SQL reads aggregations (WITHIN .. PER ..) and runs on-demand
-- queries through siddhi.query(app, text): SELECT / INSERT / UPDATE /
-- DELETE with their PostgreSQL meaning over the app's tables, named
-- windows and aggregations; the roadmap's find(), current(), range().
SELECT siddhi.deploy('sqod', $$
CREATE STREAM OdqTrades (symbol TEXT, price DOUBLE, volume BIGINT, ts BIGINT);
CREATE TABLE OdqStock (symbol TEXT PRIMARY KEY, price DOUBLE, volume BIGINT);
CREATE WINDOW OdqLast (symbol TEXT, price DOUBLE, volume BIGINT, ts BIGINT) WINDOW length(3);
INSERT INTO OdqStock SELECT symbol, price, volume FROM OdqTrades
    ON CONFLICT (symbol) DO UPDATE SET price = EXCLUDED.price, volume = volume + EXCLUDED.volume;
INSERT INTO OdqLast SELECT * FROM OdqTrades;
CREATE AGGREGATION OdqAgg WITH (by = 'ts', granularity = 'second', purge = 'false') AS
SELECT symbol, SUM(volume) AS total, AVG(price) AS avgprice, COUNT(*) AS n
FROM OdqTrades GROUP BY symbol;
$$);
-- 2017-06-01 04:05:50, 04:05:50.5, 04:05:52, 05:07:56; 2017-06-02 06:07:56
INSERT INTO odqtrades VALUES ('WSO2', 50, 90, 1496289950000), ('WSO2', 70, 40, 1496289950500),
  ('IBM', 60, 200, 1496289952000), ('WSO2', 100, 200, 1496293676000),
  ('IBM', 80, 10, 1496383676000);
SELECT siddhi.flush();

-- tables and windows: WHERE, GROUP BY, HAVING (over aggregates, as in
-- SQL), ORDER BY, LIMIT
SELECT * FROM siddhi.query('sqod', 'SELECT * FROM OdqStock ORDER BY symbol');
SELECT * FROM siddhi.query('sqod', 'SELECT symbol, volume FROM OdqStock WHERE price > 70 ORDER BY volume DESC LIMIT 1');
SELECT * FROM siddhi.query('sqod', $q$
  SELECT symbol, count(*) AS n, sum(volume) AS v FROM OdqLast
  GROUP BY symbol HAVING sum(volume) > 100 ORDER BY symbol$q$);
SELECT * FROM siddhi.query('sqod', 'SELECT symbol, price FROM OdqLast ORDER BY ts');
-- the roadmap's W.find(cond) is SELECT .. FROM W WHERE cond (== is =)
SELECT * FROM siddhi.query('sqod', $q$
  SELECT symbol, price FROM OdqLast.find(symbol == 'WSO2' AND price > 60) ORDER BY ts DESC$q$);
SELECT * FROM siddhi.query('sqod', $q$
  SELECT symbol, price FROM OdqLast.find(price > 60) WHERE symbol = 'IBM'$q$);
-- a join of two of the app's relations, a subquery, WITH
SELECT * FROM siddhi.query('sqod', $q$
  SELECT w.symbol, w.price, s.volume AS stock_volume FROM OdqLast w JOIN OdqStock s ON s.symbol = w.symbol
  WHERE w.price > (SELECT min(price) FROM OdqLast) ORDER BY w.ts$q$);
SELECT * FROM siddhi.query('sqod', $q$
  WITH big AS (SELECT symbol FROM OdqStock WHERE volume > 250) SELECT count(*) AS n FROM big$q$);

-- aggregations: WITHIN start, end (Siddhi's range form) PER, in time order
SELECT * FROM siddhi.query('sqod', $q$
  SELECT * FROM OdqAgg WITHIN '2017-06-01 00:00:00', '2017-07-01 00:00:00' PER 'hour'
  WHERE symbol == 'WSO2'$q$);
-- a within pattern; PER 'day' with ORDER BY
SELECT * FROM siddhi.query('sqod', $q$
  SELECT agg_timestamp, symbol, total FROM OdqAgg WITHIN '2017-06-** **:**:**' PER 'day'
  ORDER BY agg_timestamp, total DESC$q$);
-- re-aggregating the returned rows (the roadmap's block 23)
SELECT * FROM siddhi.query('sqod', $q$
  SELECT symbol, SUM(total) AS total_volume, AVG(avgprice) AS avg_price, COUNT(*) AS hours
  FROM OdqAgg WITHIN '2017-**-** **:**:**' PER 'hour'
  GROUP BY symbol ORDER BY total_volume DESC$q$);
-- WITHIN as milliseconds, and a time minus a duration (durations are ms)
SELECT * FROM siddhi.query('sqod', $q$
  SELECT agg_timestamp, total FROM OdqAgg AS a
  WITHIN 1496289950000, '2017-06-01 04:05:52+00'::timestamptz + 1 sec PER 'seconds'
  WHERE a.symbol = 'WSO2'$q$);
-- current(): the latest bucket of each group, at the finest granularity
-- unless PER says otherwise
SELECT * FROM siddhi.query('sqod', 'SELECT * FROM OdqAgg.current() ORDER BY symbol');
SELECT * FROM siddhi.query('sqod', $q$SELECT symbol, total FROM OdqAgg.current() PER 'day' WHERE symbol == 'WSO2'$q$);
-- range(from: a, to: b) is WITHIN a, b
SELECT * FROM siddhi.query('sqod', $q$
  SELECT agg_timestamp, symbol, total FROM OdqAgg.range(from: '2017-06-01 04:00:00', to: '2017-06-01 05:00:00') PER 'min'$q$);
-- WITHIN last '30 days' on the clock: one event now, one 40 days ago
INSERT INTO odqtrades VALUES ('NOW', 1, 1, (extract(epoch FROM now()) * 1000)::bigint),
  ('NOW', 1, 2, (extract(epoch FROM now() - interval '40 days') * 1000)::bigint);
SELECT siddhi.flush();
SELECT * FROM siddhi.query('sqod', $q$
  SELECT symbol, sum(total) AS total FROM OdqAgg WITHIN last '30 days' PER 'hour' GROUP BY symbol$q$);
SELECT * FROM siddhi.query('sqod', $q$
  SELECT symbol, sum(total) AS total FROM OdqAgg WITHIN last 90 days PER 'day' GROUP BY symbol$q$);
SELECT * FROM siddhi.query('sqod', $q$
  SELECT symbol, sum(total) AS total FROM OdqAgg.range(from: now() - 7 days, to: now()) PER 'hour' GROUP BY symbol$q$);
-- aggregates of an aggregation without GROUP BY, as the roadmap writes
-- them: grouped by the other items (plain SQL would refuse it); the same
-- rows as with GROUP BY
SELECT * FROM siddhi.query('sqod', $q$
  SELECT symbol, sum(total) AS total FROM OdqAgg WITHIN last '30 days' PER 'hour'$q$);
SELECT * FROM siddhi.query('sqod', $q$
  SELECT symbol, lower(symbol) AS low, sum(total) AS total, count(*) AS buckets
    FROM OdqAgg WITHIN '2017-**-** **:**:**' PER 'hour' ORDER BY symbol$q$);
-- with no plain item, one row over all buckets, as in SQL
SELECT * FROM siddhi.query('sqod', $q$
  SELECT sum(total) AS total FROM OdqAgg WITHIN '2017-**-** **:**:**' PER 'hour'$q$);
-- the attribute an aggregation is aggregated by names the bucket's start,
-- of its type, when a query names it (the roadmap's DATE(timestamp))
SELECT count(*) FROM siddhi.deploy('sqod_by', $$
  CREATE STREAM ReqMs (endpoint TEXT, n BIGINT, timestamp BIGINT);
  CREATE STREAM ReqTs (endpoint TEXT, n BIGINT, at TIMESTAMP);
  CREATE AGGREGATION ReqMsAgg WITH (by = 'timestamp', granularity = 'second')
    AS SELECT endpoint, SUM(n) AS requests FROM ReqMs GROUP BY endpoint;
  CREATE AGGREGATION ReqTsAgg WITH (by = 'at', granularity = 'second')
    AS SELECT endpoint, SUM(n) AS requests FROM ReqTs GROUP BY endpoint;
$$);
INSERT INTO reqms VALUES ('/a', 1, 1496289950000), ('/a', 2, 1496376350000),
  ('/b', 5, 1496376351000);
INSERT INTO reqts VALUES ('/a', 1, '2017-06-01 04:05:50'),
  ('/a', 2, '2017-06-02 04:05:50'), ('/b', 5, '2017-06-02 04:05:51');
SELECT siddhi.flush();
SELECT event FROM siddhi.query('sqod_by', $q$
  SELECT timestamp, endpoint, SUM(requests) AS daily_requests
    FROM ReqMsAgg WITHIN '2017-**-** **:**:**' PER 'day'
   ORDER BY timestamp, daily_requests DESC$q$);
SELECT event FROM siddhi.query('sqod_by', $q$
  SELECT DATE(at) AS day, endpoint, SUM(requests) AS daily_requests
    FROM ReqTsAgg WITHIN '2017-**-** **:**:**' PER 'day'
   ORDER BY day, daily_requests DESC$q$);
-- and * is the view's columns, as before
SELECT event FROM siddhi.query('sqod_by', $q$
  SELECT * FROM ReqTsAgg WITHIN '2017-**-** **:**:**' PER 'day' LIMIT 1$q$);
SELECT siddhi.undeploy('sqod_by', drop_tables => true);

-- changes of tables return the rows they changed
SELECT * FROM siddhi.query('sqod', $q$INSERT INTO OdqStock VALUES ('ORCL', 1.5, 7)$q$);
SELECT * FROM siddhi.query('sqod', $q$
  INSERT INTO OdqStock SELECT symbol || '2', price, volume FROM OdqLast WHERE symbol = 'IBM'$q$);
SELECT * FROM siddhi.query('sqod', $q$UPDATE OdqStock SET price = price * 2 WHERE symbol = 'ORCL'$q$);
SELECT * FROM siddhi.query('sqod', $q$
  UPDATE OdqStock AS s SET volume = s.volume + w.volume FROM OdqLast w WHERE w.symbol = s.symbol AND w.symbol = 'IBM'$q$);
SELECT * FROM siddhi.query('sqod', $q$DELETE FROM OdqStock WHERE symbol IN ('ORCL', 'IBM2')$q$);
-- outside FROM, per and within are names (here aliases)
SELECT * FROM siddhi.query('sqod', $q$
  SELECT per FROM (SELECT symbol AS per FROM OdqStock) AS x WHERE per = 'WSO2' ORDER BY per$q$);
SELECT * FROM siddhi.query('sqod', 'SELECT * FROM OdqStock ORDER BY symbol');
-- SiddhiQL text is still SiddhiQL (both may start with select, update,
-- delete: told apart by what follows)
SELECT * FROM siddhi.query('sqod', $q$select 'X' as symbol, 1.0 as price, 1L as volume insert into OdqStock$q$);
SELECT * FROM siddhi.query('sqod', $q$update OdqStock set OdqStock.price = 2.0 on OdqStock.symbol == 'X'$q$);
SELECT * FROM siddhi.query('sqod', $q$delete OdqStock on OdqStock.symbol == 'X'$q$);
SELECT * FROM siddhi.query('sqod', $q$from OdqAgg within '2017-06-** **:**:**' per 'days' select symbol, total$q$);

-- refusals, with positions and what to write instead
SELECT * FROM siddhi.query('sqod', 'SELECT * FROM OdqTrades');
SELECT * FROM siddhi.query('sqod', 'SELECT * FROM OdqAgg WHERE symbol = ''IBM''');
SELECT * FROM siddhi.query('sqod', $q$SELECT * FROM OdqStock WITHIN last '1 day' PER 'hour'$q$);
SELECT * FROM siddhi.query('sqod', $q$SELECT * FROM OdqStock.current()$q$);
SELECT * FROM siddhi.query('sqod', $q$SELECT * FROM OdqAgg.find(symbol = 'IBM')$q$);
SELECT * FROM siddhi.query('sqod', $q$SELECT * FROM OdqAgg WITHIN PER 'hour'$q$);
SELECT * FROM siddhi.query('sqod', $q$SELECT * FROM OdqAgg WITHIN last 'forever' PER 'hour'$q$);
SELECT * FROM siddhi.query('sqod', $q$SELECT * FROM OdqAgg WITHIN last '1 day' PER 'hour' PER 'day'$q$);
SELECT * FROM siddhi.query('sqod', $q$SELECT * FROM OdqAgg WITHIN last '1 day' PER 'weeks'$q$);
SELECT * FROM siddhi.query('sqod', $q$SELECT * FROM OdqAgg.range(from: 1) PER 'hour'$q$);
SELECT * FROM siddhi.query('sqod', $q$DELETE FROM OdqLast WHERE price > 1$q$);
SELECT * FROM siddhi.query('sqod', $q$UPDATE OdqAgg SET total = 0$q$);
SELECT * FROM siddhi.query('sqod', $q$DELETE FROM OdqStock RETURNING symbol$q$);
SELECT * FROM siddhi.query('sqod', $q$SELECT * FROM public.OdqStock$q$);
SELECT * FROM siddhi.query('sqod', $q$SELECT * INTO copy FROM OdqStock$q$);
SELECT * FROM siddhi.query('sqod', $q$SELECT 1 FROM OdqStock; SELECT 2 FROM OdqStock$q$);
SELECT * FROM siddhi.query('sqod', $q$SELECT * FROM OdqStock WHERE nosuch = 1$q$);
SELECT * FROM siddhi.query('nosuchapp', 'SELECT * FROM OdqStock');
SELECT siddhi.undeploy('sqod', drop_tables => true);

-- In an app: a stream joined with an aggregation, WITHIN .. PER .. after
-- the join (SiddhiQL's `join A on .. within .. per ..`)
SELECT siddhi.deploy('sqjoin', $$
CREATE STREAM OdqSales (region TEXT, amount DOUBLE, ts BIGINT);
CREATE STREAM OdqReport (region TEXT, lo BIGINT, hi BIGINT, per TEXT);
CREATE AGGREGATION OdqSalesAgg WITH (by = 'ts', granularity = 'second', purge = 'false') AS
SELECT region, SUM(amount) AS total_sales, COUNT(*) AS sale_count FROM OdqSales GROUP BY region;
INSERT INTO OdqHourly
SELECT r.region, a.agg_timestamp AS bucket, a.total_sales
FROM OdqReport AS r JOIN OdqSalesAgg AS a ON a.region = r.region
WITHIN r.lo, r.hi PER r.per;
INSERT INTO OdqDaily
SELECT r.region, SUM(a.total_sales) AS total, COUNT(*) AS days
FROM OdqReport AS r JOIN OdqSalesAgg AS a ON a.region = r.region
WITHIN '2017-**-** **:**:**' PER 'day' GROUP BY r.region;
INSERT INTO OdqRecent
SELECT r.region, a.sale_count
FROM OdqReport AS r, OdqSalesAgg AS a
WITHIN last '30 days' PER 'hour' WHERE a.region = r.region;
-- outside the FROM clause, per and within are names
INSERT INTO OdqPerEcho SELECT region, per FROM OdqReport WHERE per = 'hour' OR per = 'within';
$$);
SELECT siddhi.subscribe(s) FROM unnest(ARRAY['odqhourly', 'odqdaily', 'odqrecent', 'odqperecho']) s;
INSERT INTO odqsales VALUES ('US-WEST', 10, 1496289950000), ('US-WEST', 20, 1496293676000),
  ('EU', 5, 1496289950000), ('US-WEST', 7, 1496383676000),
  ('US-WEST', 1, (extract(epoch FROM now()) * 1000)::bigint),
  ('US-WEST', 1, (extract(epoch FROM now() - interval '40 days') * 1000)::bigint);
SELECT siddhi.flush();
INSERT INTO odqreport VALUES ('US-WEST', 1496289600000, 1496300000000, 'hour');
SELECT siddhi.flush();
INSERT INTO odqreport VALUES ('EU', 0, 1596300000000, 'days');
SELECT siddhi.flush();
SELECT s AS stream, p.event
  FROM unnest(ARRAY['odqhourly', 'odqdaily', 'odqrecent', 'odqperecho']) WITH ORDINALITY AS u(s, o),
       LATERAL siddhi.poll(s, 100, 0) p
 ORDER BY o, p.seq;
SELECT siddhi.undeploy('sqjoin', drop_tables => true);
-- an app's query reads an aggregation only in a join
SELECT siddhi.deploy('sqjoin_bad1', $$
CREATE STREAM OdqSales (region TEXT, amount DOUBLE, ts BIGINT);
CREATE AGGREGATION OdqSalesAgg WITH (by = 'ts') AS
SELECT region, SUM(amount) AS total_sales FROM OdqSales GROUP BY region;
INSERT INTO OdqX SELECT * FROM OdqSalesAgg WITHIN last '30 days' PER 'hour';
$$);
-- a join with an aggregation needs PER; WITHIN/PER need an aggregation
SELECT siddhi.deploy('sqjoin_bad2', $$
CREATE STREAM OdqSales (region TEXT, amount DOUBLE, ts BIGINT);
CREATE STREAM OdqReport (region TEXT);
CREATE AGGREGATION OdqSalesAgg WITH (by = 'ts') AS
SELECT region, SUM(amount) AS total_sales FROM OdqSales GROUP BY region;
INSERT INTO OdqX SELECT a.total_sales FROM OdqReport AS r JOIN OdqSalesAgg AS a ON a.region = r.region
WITHIN last '30 days';
$$);
SELECT siddhi.deploy('sqjoin_bad3', $$
CREATE STREAM OdqSales (region TEXT, amount DOUBLE, ts BIGINT);
CREATE TABLE OdqT (region TEXT);
INSERT INTO OdqX SELECT s.amount FROM OdqSales AS s JOIN OdqT AS t ON t.region = s.region PER 'hour';
$$);

-- CREATE WINDOW w TUMBLING(..) WITH (queryable = true): the roadmap's
-- findable window; without columns it takes its feeding stream's
SELECT siddhi.deploy('sqwin', $$
@app:playback
CREATE STREAM OdqTradeStream (symbol TEXT, price DOUBLE, volume BIGINT, timestamp BIGINT)
    WITH (event_time = 'timestamp');
CREATE WINDOW OdqLastHour TUMBLING(1 hour) WITH (queryable = true);
INSERT INTO OdqLastHour SELECT * FROM OdqTradeStream;
$$);
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'odqlasthour'::regclass AND attnum > 0 ORDER BY attnum;
INSERT INTO odqtradestream VALUES ('AAPL', 160, 10, 1000), ('AAPL', 140, 5, 2000),
  ('MSFT', 300, 1, 3000), ('AAPL', 155, 7, 4000);
-- the hour (from the first event) closes: the batch it emitted is the
-- window's contents
INSERT INTO odqtradestream VALUES ('AAPL', 1, 1, 3700000);
SELECT siddhi.flush();
SELECT * FROM siddhi.query('sqwin', $q$
  SELECT * FROM OdqLastHour.find(symbol == 'AAPL' AND price > 150) ORDER BY timestamp DESC$q$);
SELECT siddhi.undeploy('sqwin', drop_tables => true);
SELECT siddhi.deploy('sqwin_bad1', $$
CREATE STREAM OdqTradeStream (symbol TEXT, price DOUBLE);
CREATE WINDOW OdqW1 TUMBLING(1 hour) WITH (queryable = false);
INSERT INTO OdqW1 SELECT * FROM OdqTradeStream;
$$);
SELECT siddhi.deploy('sqwin_bad2', $$
CREATE STREAM OdqTradeStream (symbol TEXT, price DOUBLE);
CREATE WINDOW OdqW2 TUMBLING(1 hour);
INSERT INTO OdqW2 SELECT symbol FROM OdqTradeStream;
$$);
