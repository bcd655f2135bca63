-- Roadmap block 17 (M9, "Advanced JOIN features"): a temporal join of
-- stock trades with the news of the five minutes before each trade.
-- The query is the roadmap's, unchanged: the BETWEEN bound over the news'
-- time gives the news side a window that keeps five minutes of news
-- (by their timestamp column; see docs/sql-dialect.md, Temporal joins),
-- so each trade finds the matching headlines, and a trade with none goes
-- out once with a null headline (LEFT JOIN).
-- Adapted: the roadmap shows no stream definitions; timestamps are
-- milliseconds since the epoch (BIGINT), as `5 minutes` is 300000 ms.
-- A second app shows FOR SYSTEM_TIME AS OF a table, a third AS OF a
-- stream without a window (its latest event per key).
CREATE EXTENSION IF NOT EXISTS siddhi;
CREATE SCHEMA ex22;
SET search_path = ex22;

SELECT siddhi.deploy('temporal_news', $$
  CREATE STREAM StockStream (symbol TEXT, price DOUBLE, timestamp BIGINT);
  CREATE STREAM NewsStream (symbol TEXT, headline TEXT, timestamp BIGINT);

  -- Temporal join with time constraint
  SELECT s.symbol, s.price, n.headline
  FROM StockStream s
  LEFT JOIN NewsStream n
      ON s.symbol = n.symbol
      AND n.timestamp BETWEEN s.timestamp - 5 minutes AND s.timestamp;
$$);
SELECT siddhi.flush();
SELECT siddhi.subscribe('temporal_news_query1');

-- 12:00:00 and 12:03:00 news on ACME, 12:04:00 on IBM
INSERT INTO newsstream VALUES
  ('ACME', 'ACME wins contract', 1767268800000),
  ('ACME', 'ACME CEO resigns', 1767268980000),
  ('IBM', 'IBM beats estimates', 1767269040000);
-- trades at 12:04:30 (ACME: both news, IBM), 12:07:30 (ACME: only the
-- 12:03 news is in its five minutes), 12:09:30 (IBM: its news is too
-- old), and a symbol with no news
INSERT INTO stockstream VALUES
  ('ACME', 10.5, 1767269070000),
  ('IBM', 141.0, 1767269070000),
  ('ACME', 11.0, 1767269250000),
  ('IBM', 140.0, 1767269370000),
  ('MSFT', 310.0, 1767269370000);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('temporal_news_query1', 100, 5000);

-- a table of the latest headline per symbol, joined as of each trade
SELECT siddhi.deploy('temporal_table', $$
  CREATE STREAM Headlines (symbol TEXT, headline TEXT, ts BIGINT);
  CREATE STREAM Trades (symbol TEXT, price DOUBLE, ts BIGINT);
  CREATE TABLE LatestNews (symbol TEXT PRIMARY KEY, headline TEXT, ts BIGINT);
  INSERT INTO LatestNews SELECT symbol, headline, ts FROM Headlines
      ON CONFLICT (symbol) DO UPDATE
      SET headline = EXCLUDED.headline, ts = EXCLUDED.ts;
  INSERT INTO Enriched
  SELECT t.symbol, t.price, n.headline
  FROM Trades t
  LEFT JOIN LatestNews FOR SYSTEM_TIME AS OF t.ts AS n ON n.symbol = t.symbol;
$$);
SELECT siddhi.flush();
SELECT siddhi.subscribe('enriched');
INSERT INTO headlines VALUES ('ACME', 'ACME wins contract', 1000);
INSERT INTO trades VALUES ('ACME', 10.5, 2000), ('IBM', 141.0, 2000);
INSERT INTO headlines VALUES ('ACME', 'ACME CEO resigns', 3000);
INSERT INTO trades VALUES ('ACME', 11.0, 4000);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('enriched', 100, 5000);

-- AS OF on a stream without a window (a versioned stream): each order
-- meets the latest quote of its symbol (the key is what ON equates)
SELECT siddhi.deploy('temporal_stream', $$
  CREATE STREAM Quotes (symbol TEXT, price DOUBLE, ts BIGINT);
  CREATE STREAM Orders (symbol TEXT, qty INT, ts BIGINT);
  SELECT o.symbol, o.qty, q.price
  FROM Orders o JOIN Quotes FOR SYSTEM_TIME AS OF o.ts AS q
      ON q.symbol = o.symbol;
$$);
SELECT siddhi.flush();
SELECT siddhi.subscribe('temporal_stream_query1');
INSERT INTO quotes VALUES ('ACME', 10.0, 1000), ('IBM', 140.0, 1000);
INSERT INTO orders VALUES ('ACME', 5, 1500);
INSERT INTO quotes VALUES ('ACME', 12.0, 2000);
INSERT INTO orders VALUES ('ACME', 7, 2500), ('IBM', 1, 2600), ('XYZ', 3, 2700);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('temporal_stream_query1', 100, 5000);
SELECT siddhi.undeploy('temporal_stream');
SELECT siddhi.undeploy('temporal_news');
SELECT siddhi.undeploy('temporal_table');
