-- The roadmap's window functions (M9, "Window Functions (OVER Clause)"),
-- run as written over a stream without a window:
--   ROW_NUMBER() OVER (PARTITION BY symbol ORDER BY price DESC): the row's
--     place, highest price first, among its symbol's prices so far (its
--     last siddhi.over_history_rows rows, 1000 by default);
--   LAG(price, 1) OVER (PARTITION BY symbol ORDER BY timestamp): the
--     symbol's previous price.
-- Adapted: StockStream declares its `timestamp` column (milliseconds) and
-- names it the stream's event time (WITH (event_time = 'timestamp')), so
-- ORDER BY timestamp is the order the rows arrive in and LAG keeps one
-- price per symbol.  The stream lives in its own schema because example 01
-- has a StockStream of other columns (search_path names only that schema,
-- so the other is not found).  A window's contents instead: see
-- the second query.
CREATE EXTENSION IF NOT EXISTS siddhi;
CREATE SCHEMA window_functions;
SET search_path = window_functions;

SELECT siddhi.deploy('window_functions', $$
  CREATE STREAM StockStream (symbol TEXT, price DOUBLE PRECISION, timestamp BIGINT)
    WITH (event_time = 'timestamp');

  SELECT
      symbol,
      price,
      ROW_NUMBER() OVER (PARTITION BY symbol ORDER BY price DESC) as rank,
      LAG(price, 1) OVER (PARTITION BY symbol ORDER BY timestamp) as prev_price
  FROM StockStream;

  -- over a window: each row's rank among its symbol's trades in the last 3
  CREATE TABLE TopOfWindow (symbol TEXT, price DOUBLE PRECISION, rank BIGINT, trades BIGINT);
  INSERT INTO TopOfWindow
  SELECT symbol, price,
         RANK() OVER (PARTITION BY symbol ORDER BY price DESC) AS rank,
         COUNT(*) OVER (PARTITION BY symbol) AS trades
  FROM StockStream WINDOW length(3);
$$);
SELECT siddhi.flush();
-- a bare SELECT's rows go to the stream <app>_<query>: watch it
SELECT siddhi.subscribe('window_functions_query1');

INSERT INTO stockstream VALUES
  ('IBM', 75.5, 1000), ('MSFT', 310.0, 1000), ('IBM', 76.25, 2000),
  ('IBM', 74.0, 3000), ('MSFT', 305.5, 3000), ('IBM', 80.0, 4000);
SELECT siddhi.flush();
SELECT event->>'symbol' AS symbol, event->'price' AS price,
       event->'rank' AS rank, event->'prev_price' AS prev_price
  FROM siddhi.poll('window_functions_query1', 10, 5000) ORDER BY seq;
SELECT siddhi.unsubscribe('window_functions_query1');
SELECT * FROM topofwindow ORDER BY symbol, price;
SELECT siddhi.undeploy('window_functions');
RESET search_path;
