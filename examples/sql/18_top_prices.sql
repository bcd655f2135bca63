-- Roadmap block 14 (SQL completeness, "LIMIT and OFFSET": top-N queries):
-- the top 10 prices over the whole stream so far, continuously.  The
-- query runs as the roadmap writes it; only the stream definition and
-- @app:playback (so that the times shown are the events' own) are added.
-- Without INSERT INTO, its rows go to the stream top_prices_query1.
--
-- ORDER BY .. LIMIT n in streaming SQL is the top n rows of what the
-- query has seen (here, without a window, the whole stream; only 10 rows
-- are kept).  Each event that enters the top 10 sends out the new top
-- 10, in order, as one chunk; an event that does not enter sends nothing.
-- (SiddhiQL's `order by .. limit` keeps Siddhi's meaning: per output
-- chunk.  See docs/sql-dialect.md.)
CREATE EXTENSION IF NOT EXISTS siddhi;
-- a schema of its own: earlier examples made other StockStreams and Alerts
CREATE SCHEMA ex18;
SET search_path = ex18;

SELECT siddhi.deploy('top_prices', $$
  @app:playback
  CREATE STREAM StockStream (symbol STRING, price DOUBLE);

  -- Top 10 highest prices
  SELECT symbol, price
  FROM StockStream
  ORDER BY price DESC
  LIMIT 10;
$$);
SELECT siddhi.flush();
SELECT siddhi.subscribe('top_prices_query1');

-- 15 trades, one a second from 2024-01-02 12:00:00 UTC (siddhi.event_time
-- is the event's time in ms since the epoch)
SET siddhi.event_time = 1704196800000;
INSERT INTO stockstream VALUES ('AAPL', 189.5);
SET siddhi.event_time = 1704196801000;
INSERT INTO stockstream VALUES ('MSFT', 410.2);
SET siddhi.event_time = 1704196802000;
INSERT INTO stockstream VALUES ('F', 12.1);
SET siddhi.event_time = 1704196803000;
INSERT INTO stockstream VALUES ('NVDA', 920.0);
SET siddhi.event_time = 1704196804000;
INSERT INTO stockstream VALUES ('AMZN', 178.3);
SET siddhi.event_time = 1704196805000;
INSERT INTO stockstream VALUES ('TSLA', 175.9);
SET siddhi.event_time = 1704196806000;
INSERT INTO stockstream VALUES ('META', 505.1);
SET siddhi.event_time = 1704196807000;
INSERT INTO stockstream VALUES ('GOOG', 151.2);
SET siddhi.event_time = 1704196808000;
INSERT INTO stockstream VALUES ('NFLX', 610.4);
SET siddhi.event_time = 1704196809000;
INSERT INTO stockstream VALUES ('INTC', 30.5);
SET siddhi.event_time = 1704196810000;
INSERT INTO stockstream VALUES ('AMD', 160.7);
SET siddhi.event_time = 1704196811000;
INSERT INTO stockstream VALUES ('ORCL', 125.0);
SET siddhi.event_time = 1704196812000;
INSERT INTO stockstream VALUES ('IBM', 190.1);
SET siddhi.event_time = 1704196813000;
INSERT INTO stockstream VALUES ('KO', 60.2);
SET siddhi.event_time = 1704196814000;
INSERT INTO stockstream VALUES ('AVGO', 1330.0);
RESET siddhi.event_time;
SELECT siddhi.flush();

-- one line per output chunk: when, and the top rows then, best first
SELECT to_char(event_time AT TIME ZONE 'UTC', 'HH24:MI:SS') AS at,
       count(*) AS n,
       string_agg(format('%s %s', event->>'symbol', event->>'price'), ', '
                  ORDER BY seq) AS top
  FROM siddhi.poll('top_prices_query1', 1000, 0)
 GROUP BY event_time ORDER BY event_time;
SELECT siddhi.unsubscribe('top_prices_query1');
SELECT siddhi.undeploy('top_prices');
