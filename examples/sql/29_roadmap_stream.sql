-- Roadmap block 1 ("Create input stream with SQL" and "Streaming
-- aggregation with SQL"), deployed as written.  One line is added:
-- @app:playback, so that the app's clock follows the event times given
-- with siddhi.event_time and the 5-minute tumbling windows close here and
-- now, not after five real minutes.  The bare SELECT .. EMIT CHANGES has no
-- INSERT INTO: its rows go to the stream <app>_query1, which
-- siddhi.subscribe() and siddhi.poll() read.  (Example 03 runs the
-- roadmap's stream definition with a filter, not this aggregation.)
-- The app lives in a schema of its own, alone on search_path: example 01
-- has a public.stockstream of other column types, which a search_path
-- naming public would find (and the deploy refuse).
CREATE EXTENSION IF NOT EXISTS siddhi;
CREATE SCHEMA roadmap1;
SET search_path = roadmap1;

SELECT siddhi.deploy('roadmap_aggregation', $$
@app:playback
-- Create input stream with SQL
CREATE STREAM StockStream (
    symbol STRING,
    price DOUBLE,
    volume LONG
);

-- Streaming aggregation with SQL
SELECT
    symbol,
    AVG(price) as avg_price,
    SUM(volume) as total_volume
FROM StockStream
WINDOW TUMBLING(5 minutes)
GROUP BY symbol
EMIT CHANGES;
$$);
\d stockstream
SELECT siddhi.subscribe('roadmap_aggregation_query1');

-- trades in the first five minutes (event times in ms since the epoch) ..
SET siddhi.event_time = 0;
INSERT INTO stockstream VALUES ('AAPL', 189.5, 100), ('MSFT', 410.0, 50);
SET siddhi.event_time = 60000;
INSERT INTO stockstream VALUES ('AAPL', 190.5, 300);
SET siddhi.event_time = 240000;
INSERT INTO stockstream VALUES ('MSFT', 412.0, 150), ('AAPL', 191.0, 100);
-- .. and in the second; the first event after minute 5 closes the first
-- window, and advancing the clock past minute 10 closes the second
SET siddhi.event_time = 330000;
INSERT INTO stockstream VALUES ('AAPL', 200.0, 1000);
RESET siddhi.event_time;
SELECT siddhi.advance_clock(600000);
SELECT siddhi.flush();

-- one row per symbol and window, when the window closes
SELECT to_timestamp(extract(epoch FROM event_time)) AT TIME ZONE 'UTC' AS at,
       event->>'symbol' AS symbol, event->>'avg_price' AS avg_price,
       event->>'total_volume' AS total_volume
  FROM siddhi.poll('roadmap_aggregation_query1', 100, 0) ORDER BY seq;
SELECT query, events_in, events_out FROM siddhi.queries
 WHERE app = 'roadmap_aggregation';
SELECT siddhi.undeploy('roadmap_aggregation');
RESET search_path;
