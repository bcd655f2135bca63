-- Roadmap block 3 ("Query plan visualization").  EXPLAIN shows a plan
-- and runs nothing, so deployed as written the block is refused, as shown
-- first (siddhi.explain_text() shows its plan: example 39).  The query
-- itself runs as written (a bare SELECT, its rows
-- on the stream <app>_query1), with @app:playback added so that the
-- 1-minute tumbling windows close on the event times given here instead
-- of after real minutes.  WHERE after WINDOW filters the events before
-- they enter the window, as Siddhi's [volume > 100000] filter would.
-- The app lives in a schema of its own, alone on search_path: example 01
-- has a public.stockstream of other column types, which a search_path
-- naming public would find (and the deploy refuse).
CREATE EXTENSION IF NOT EXISTS siddhi;
CREATE SCHEMA roadmap3;
SET search_path = roadmap3;

-- as the roadmap writes it
SELECT siddhi.deploy('explain_plan', $$
CREATE STREAM StockStream (symbol STRING, price DOUBLE, volume LONG);
-- Query plan visualization
EXPLAIN SELECT
    symbol,
    AVG(price) as avg_price,
    COUNT(*) as count
FROM StockStream
WINDOW TUMBLING(1 minute)
WHERE volume > 100000
GROUP BY symbol;
$$);

-- the query without EXPLAIN
SELECT siddhi.deploy('explain_plan', $$
@app:playback
CREATE STREAM StockStream (symbol STRING, price DOUBLE, volume LONG);
SELECT
    symbol,
    AVG(price) as avg_price,
    COUNT(*) as count
FROM StockStream
WINDOW TUMBLING(1 minute)
WHERE volume > 100000
GROUP BY symbol;
$$);
SELECT siddhi.subscribe('explain_plan_query1');

SET siddhi.event_time = 1000;
INSERT INTO stockstream VALUES ('AAPL', 190, 200000), ('AAPL', 10, 50),
  ('MSFT', 410, 150000);
SET siddhi.event_time = 30000;
INSERT INTO stockstream VALUES ('AAPL', 200, 300000), ('MSFT', 1, 99999);
-- the next minute: one trade, then the clock moves past its end
SET siddhi.event_time = 61000;
INSERT INTO stockstream VALUES ('MSFT', 420, 500000);
RESET siddhi.event_time;
SELECT siddhi.advance_clock(121000);
SELECT siddhi.flush();

-- per minute and symbol, over the trades of more than 100000 shares
SELECT (extract(epoch FROM event_time) * 1000)::bigint AS ms,
       event->>'symbol' AS symbol, event->>'avg_price' AS avg_price,
       event->>'count' AS count
  FROM siddhi.poll('explain_plan_query1', 100, 0) ORDER BY seq;
SELECT query, events_in, events_out FROM siddhi.queries
 WHERE app = 'explain_plan';
SELECT siddhi.undeploy('explain_plan');
RESET search_path;
