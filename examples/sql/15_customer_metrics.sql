-- Roadmap M6's example (code block 10): hourly customer metrics with
-- STDDEV, and a stream only some roles may use; and roadmap M8's HAVING
-- example (code block 13).
--
-- Adapted, because the roadmap invents syntax no one could run:
-- - the MongoDB sink (SINK (type = 'mongodb', collection = .., mode =
--   'upsert')) becomes a table, CustomerMetrics, upserted per region with
--   INSERT .. ON CONFLICT, which is what mode = 'upsert' does to a
--   collection;
-- - the stream's WITH (access.control = 'RBAC', allowed.roles = ..)
--   becomes GRANTs: a stream is a relation, and Postgres' roles and
--   privileges decide who may feed or subscribe to it;
-- - the PostgreSQL CDC source (CREATE SOURCE CustomerUpdates WITH (type =
--   'postgresql', mode = 'CDC', ..)) is left out: the roadmap gives it no
--   columns, and a source needs them (the cdc source itself is shown in
--   docs/connectors.md and tested by t/026 and regress cdc);
-- - PurchaseStream, which the roadmap reads without defining, is defined;
--   playback time makes the hour close deterministically;
-- - block 13's StockStream is StockStream15: example 01 already defines a
--   StockStream with other column types in the same database.
-- STDDEV is the sample standard deviation, as in PostgreSQL: a region with
-- one purchase in the hour gets NULL.
CREATE EXTENSION IF NOT EXISTS siddhi;

SELECT siddhi.deploy('customer_metrics', $$
  @app:playback
  CREATE STREAM SensitiveData (
      userId STRING,
      ssn STRING,
      salary DOUBLE
  );
  CREATE STREAM PurchaseStream (region STRING, purchaseAmount DOUBLE);
  CREATE TABLE CustomerMetrics (
      region TEXT PRIMARY KEY,
      avgPurchase DOUBLE PRECISION,
      stdDevPurchase DOUBLE PRECISION
  );

  INSERT INTO CustomerMetrics
  SELECT
      region,
      AVG(purchaseAmount) as avgPurchase,
      STDDEV(purchaseAmount) as stdDevPurchase
  FROM PurchaseStream
  WINDOW TUMBLING(1 hour)
  GROUP BY region
  ON CONFLICT (region) DO UPDATE
  SET avgPurchase = EXCLUDED.avgPurchase, stdDevPurchase = EXCLUDED.stdDevPurchase;
$$);

-- allowed.roles = 'admin,data-analyst'
CREATE ROLE admin;
CREATE ROLE "data-analyst";
CREATE ROLE intern;
REVOKE ALL ON sensitivedata FROM PUBLIC;
GRANT SELECT, INSERT ON sensitivedata TO admin, "data-analyst";
SELECT r AS role, has_table_privilege(r, 'sensitivedata', 'INSERT') AS may_feed
  FROM unnest(ARRAY['admin', 'data-analyst', 'intern']) AS r;
SET ROLE intern;
INSERT INTO sensitivedata VALUES ('u1', '000-00-0000', 1000);
RESET ROLE;

-- the first hour: eu 100, 200, 300 (sample stddev 100), us 50 and 70,
-- apac one purchase
SET siddhi.event_time = 0;
INSERT INTO purchasestream VALUES ('eu', 100), ('us', 50), ('apac', 80);
SET siddhi.event_time = 1800000;
INSERT INTO purchasestream VALUES ('eu', 200), ('us', 70), ('eu', 300);
-- the second hour closes the first; eu 150 and 250 then
SET siddhi.event_time = 3600000;
INSERT INTO purchasestream VALUES ('eu', 150);
SELECT siddhi.flush();
SELECT region, avgpurchase, round(stddevpurchase::numeric, 6) AS stddevpurchase
  FROM customermetrics ORDER BY region;
SET siddhi.event_time = 5400000;
INSERT INTO purchasestream VALUES ('eu', 250);
RESET siddhi.event_time;
SELECT siddhi.advance_clock(7200000);
SELECT siddhi.flush();
SELECT region, avgpurchase, round(stddevpurchase::numeric, 6) AS stddevpurchase
  FROM customermetrics ORDER BY region;

-- Roadmap block 13: HAVING on aggregates.  Per 5 minutes, IBM trades 60
-- times around 105 (shown), WSO2 60 times at 50 (average too low), ACME 10
-- times at 200 (too few trades).
SELECT siddhi.deploy('stock_having', $$
  @app:playback
  CREATE STREAM StockStream15 (symbol STRING, price DOUBLE, volume LONG);

  SELECT
      symbol,
      AVG(price) as avg_price,
      COUNT(*) as trade_count
  FROM StockStream15
  WINDOW TUMBLING(5 minutes)
  GROUP BY symbol
  HAVING AVG(price) > 100 AND COUNT(*) > 50;
$$);
SELECT siddhi.subscribe('stock_having_query1');
SET siddhi.event_time = 0;
INSERT INTO stockstream15
  SELECT 'IBM', 100 + i % 11, 10 FROM generate_series(1, 60) AS i;
INSERT INTO stockstream15 SELECT 'WSO2', 50, 10 FROM generate_series(1, 60);
INSERT INTO stockstream15 SELECT 'ACME', 200, 10 FROM generate_series(1, 10);
RESET siddhi.event_time;
SELECT siddhi.advance_clock(300000);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('stock_having_query1', 100, 0) ORDER BY seq;

SELECT siddhi.undeploy('customer_metrics');
SELECT siddhi.undeploy('stock_having');
DROP ROLE admin;
DROP ROLE "data-analyst";
DROP ROLE intern;
