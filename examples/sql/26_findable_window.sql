-- Roadmap blocks 19 (a findable window) and 4 (its last query: a
-- queryable window read on demand), in streaming SQL.
-- Adapted: the roadmap never defines TradeStream and lastHourPrices, so
-- they are created here; its on-demand SELECTs run through
-- siddhi.query(app, text) (inside an app a bare SELECT is a continuous
-- query, not a read of the window's contents); block 4's query names its
-- columns instead of SELECT *, because the timestamps are relative to
-- now() and would change the output every run.
CREATE EXTENSION IF NOT EXISTS siddhi;

-- Block 19: CREATE WINDOW without columns takes those of the stream that
-- fills it; queryable = true is what every named window is.  Playback
-- (event time) makes the hour close deterministically.
SELECT siddhi.deploy('findable', $$
  @app:playback
  CREATE STREAM TradeStream (symbol STRING, price DOUBLE, volume LONG, timestamp LONG)
      WITH (event_time = 'timestamp');

  -- Create findable window
  CREATE WINDOW LastHourTrades
      TUMBLING(1 hour)
  WITH (queryable = true);

  INSERT INTO LastHourTrades
  SELECT * FROM TradeStream;
$$);

INSERT INTO tradestream VALUES
  ('AAPL', 151.0, 100, 1704067200000),   -- 2024-01-01 00:00:00 UTC
  ('AAPL', 149.5, 300, 1704067500000),
  ('MSFT', 375.2, 200, 1704068100000),
  ('AAPL', 152.3, 250, 1704069000000);
-- an hour after the first trade the tumbling window emits its batch: the
-- batch is what the window holds and what find() searches
INSERT INTO tradestream VALUES ('AAPL', 153.0, 50, 1704070900000);
SELECT siddhi.flush();

-- Query window on-demand (the roadmap's text, as written)
SELECT event FROM siddhi.query('findable', $q$
SELECT *
FROM LastHourTrades.find(symbol == 'AAPL' AND price > 150)
ORDER BY timestamp DESC
$q$);
-- find(cond) is SELECT .. FROM the window WHERE cond; the window is also a
-- table any SQL reads
SELECT symbol, price FROM lasthourtrades WHERE symbol = 'AAPL' AND price > 150
 ORDER BY timestamp DESC;

-- Block 4: a sliding window of prices, read with find() and a WHERE on the
-- clock; `now() - 30 minutes` is milliseconds since the epoch here
-- (durations are milliseconds), to compare with the LONG timestamp.
SELECT siddhi.deploy('prices', $$
  CREATE STREAM PriceStream (symbol STRING, price DOUBLE, timestamp LONG);
  CREATE WINDOW lastHourPrices (symbol STRING, price DOUBLE, timestamp LONG)
      SLIDING(1 hour);
  INSERT INTO lastHourPrices SELECT * FROM PriceStream;
$$);
INSERT INTO pricestream
SELECT s, p, (extract(epoch FROM now() - m * interval '1 minute') * 1000)::bigint
  FROM (VALUES ('AAPL', 180.0, 50), ('AAPL', 181.5, 40), ('MSFT', 402.0, 20),
               ('AAPL', 182.25, 20), ('AAPL', 183.0, 5)) AS v(s, p, m);
SELECT siddhi.flush();

-- Queryable window for on-demand access
SELECT event FROM siddhi.query('prices', $q$
SELECT symbol, price
FROM lastHourPrices.find(symbol == 'AAPL')
WHERE timestamp > now() - 30 minutes
ORDER BY timestamp
$q$);

SELECT siddhi.undeploy('findable', drop_tables => true);
SELECT siddhi.undeploy('prices', drop_tables => true);
