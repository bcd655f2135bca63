-- Roadmap block 15 (M9, "Subqueries and CTEs"): a WITH query, joined with
-- the stream it reads.  The WITH query becomes a query of its own
-- (cte_highvolume in siddhi.queries) that inserts into a generated stream
-- (cte_high_volume_cte_highvolume); the main query reads that stream.
-- Adapted: the roadmap joins two streams without a window, which could
-- never match (a stream holds no events in a join, as in Siddhi, and the
-- SQL dialect refuses the form with a hint).  Here StockStream keeps the
-- last minute of trades (WINDOW SLIDING(1 minute)), so each high-volume
-- trade is paired with the trades of its symbol in the minute before it.
-- The roadmap shows no stream definition: one is added, in a schema of
-- the example's own (examples share a database: example 01 has its own
-- StockStream in public).
CREATE EXTENSION IF NOT EXISTS siddhi;
CREATE SCHEMA ex21;
SET search_path = ex21;

SELECT siddhi.deploy('cte_high_volume', $$
  CREATE STREAM StockStream (symbol TEXT, price DOUBLE, volume LONG);

  -- CTE example
  WITH HighVolume AS (
      SELECT symbol, volume
      FROM StockStream
      WHERE volume > 1000000
  )
  SELECT h.symbol, s.price
  FROM HighVolume h
  JOIN StockStream s WINDOW SLIDING(1 minute) ON h.symbol = s.symbol;
$$);
SELECT siddhi.flush();
SELECT siddhi.subscribe('cte_high_volume_query1');

INSERT INTO stockstream VALUES ('IBM', 140.5, 300), ('ACME', 12.0, 5000),
  ('IBM', 141.0, 2500000), ('ACME', 12.5, 900), ('MSFT', 310.0, 1500000),
  ('ACME', 13.0, 4000000);
SELECT siddhi.flush();
-- IBM's big trade meets the IBM trade before it, ACME's the two ACME
-- trades before it; MSFT had no earlier trade in the window
SELECT event FROM siddhi.poll('cte_high_volume_query1', 100, 5000);
SELECT query, events_in, events_out FROM siddhi.queries
 WHERE app = 'cte_high_volume' ORDER BY query;

-- the form of the roadmap, without a window, is refused with the fix
SELECT siddhi.deploy('cte_no_window', $$
  CREATE STREAM Trades (symbol TEXT, price DOUBLE, volume LONG);
  WITH HighVolume AS (
      SELECT symbol, volume FROM Trades WHERE volume > 1000000
  )
  SELECT h.symbol, s.price
  FROM HighVolume h
  JOIN Trades s ON h.symbol = s.symbol;
$$);
SELECT siddhi.undeploy('cte_high_volume');
