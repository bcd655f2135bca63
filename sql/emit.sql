-- Bare SELECT .. EMIT: the roadmap's example.  A query without INSERT INTO
-- writes to a stream named <app>_<query>, which siddhi.subscribe() watches.
SELECT siddhi.deploy('roadmap', $$
  @app:playback
  CREATE STREAM RoadmapStocks (
      symbol STRING,
      price DOUBLE,
      volume LONG
  );

  SELECT
      symbol,
      AVG(price) as avg_price,
      SUM(volume) as total_volume
  FROM RoadmapStocks
  WINDOW TUMBLING(5 minutes)
  GROUP BY symbol
  EMIT CHANGES;
$$);
SELECT siddhi.subscribe('roadmap_query1');
SET siddhi.event_time = 0;
INSERT INTO roadmapstocks VALUES ('IBM', 10, 100), ('WSO2', 20, 5), ('IBM', 30, 300);
SET siddhi.event_time = 120000;
INSERT INTO roadmapstocks VALUES ('WSO2', 40, 15);
SET siddhi.event_time = 300000;
INSERT INTO roadmapstocks VALUES ('IBM', 50, 1);
RESET siddhi.event_time;
SELECT siddhi.advance_clock(600000);
SELECT siddhi.flush();
-- one row per symbol per 5-minute window, when the window closes
SELECT (extract(epoch FROM event_time) * 1000)::bigint AS ms, event
  FROM siddhi.poll('roadmap_query1', 100, 0) ORDER BY seq;

-- the window's duration in SQL's other spellings: INTERVAL 'n' UNIT (the
-- standard's, plural too), a string that is an interval, an interval
-- value; each the same 5-minute window as TUMBLING(5 minutes) above
SELECT siddhi.deploy('durations', $$
  @app:playback
  CREATE STREAM DurStocks (symbol STRING, price DOUBLE);
  @info(name = 'std') INSERT INTO DurStd SELECT symbol, AVG(price) AS a,
    COUNT(*) AS n FROM DurStocks WINDOW TUMBLING(INTERVAL '5' MINUTE) GROUP BY symbol;
  @info(name = 'plural') INSERT INTO DurPlural SELECT symbol, AVG(price) AS a,
    COUNT(*) AS n FROM DurStocks WINDOW TUMBLING(interval '300' seconds) GROUP BY symbol;
  @info(name = 'string') INSERT INTO DurString SELECT symbol, AVG(price) AS a,
    COUNT(*) AS n FROM DurStocks WINDOW TUMBLING('5 minutes') GROUP BY symbol;
  @info(name = 'cast') INSERT INTO DurCast SELECT symbol, AVG(price) AS a,
    COUNT(*) AS n FROM DurStocks WINDOW TUMBLING('0:05'::interval) GROUP BY symbol;
  @info(name = 'sliding') INSERT INTO DurSliding SELECT symbol, COUNT(*) AS n
    FROM DurStocks WINDOW SLIDING('1 min') GROUP BY symbol;
$$);
SELECT siddhi.subscribe(s) FROM unnest(ARRAY['durstd', 'durplural',
  'durstring', 'durcast', 'dursliding']) s;
SET siddhi.event_time = 0;
INSERT INTO durstocks VALUES ('AAPL', 10);
SET siddhi.event_time = 60000;
INSERT INTO durstocks VALUES ('AAPL', 20);
SET siddhi.event_time = 310000;
INSERT INTO durstocks VALUES ('AAPL', 30);
RESET siddhi.event_time;
SELECT siddhi.advance_clock(700000);
SELECT siddhi.flush();
-- AAPL 15 (2 events), then AAPL 30 (1), in each of the four
SELECT s, string_agg(format('%s/%s/%s', event->>'symbol', event->>'a',
                            event->>'n'), ' ; ' ORDER BY seq)
  FROM unnest(ARRAY['durstd', 'durplural', 'durstring', 'durcast']) s,
       siddhi.poll(s, 100, 0)
 WHERE NOT expired GROUP BY s ORDER BY s;
-- SLIDING('1 min'): the event at 60000 finds the first one gone
SELECT (extract(epoch FROM event_time) * 1000)::bigint AS ms, event, expired
  FROM siddhi.poll('dursliding', 100, 0) ORDER BY seq;
SELECT siddhi.undeploy('durations');
-- not a duration: the error names the window as written, TUMBLING
SELECT siddhi.deploy('dur_bad1', $$
  CREATE STREAM DurS (symbol STRING, price DOUBLE);
  SELECT symbol FROM DurS WINDOW TUMBLING('five minutes');
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('dur_bad2', $$
  CREATE STREAM DurS (symbol STRING, price DOUBLE);
  SELECT symbol FROM DurS WINDOW TUMBLING(price);
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('dur_bad3', $$
  CREATE STREAM DurS (symbol STRING, price DOUBLE);
  SELECT symbol FROM DurS WINDOW SLIDING('-1 minute');
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('dur_bad4', $$
  CREATE STREAM DurS (symbol STRING, price DOUBLE);
  SELECT symbol FROM DurS WINDOW TUMBLING(INTERVAL 'soon' MINUTE);
$$);
\echo :LAST_ERROR_SQLSTATE
-- SiddhiQL's times are Siddhi's (5 min, or milliseconds): no strings
SELECT siddhi.deploy('dur_bad5', $$
  define stream DurS (symbol string, price double);
  from DurS#window.timeBatch('5 min') select symbol insert into DurOut;
$$);
\echo :LAST_ERROR_SQLSTATE

-- EMIT FINAL: once when the window closes; refused for windows that slide
SELECT siddhi.deploy('emit_final', $$
  @app:playback
  CREATE STREAM Clicks (page TEXT);
  @info(name = 'per_page')
  SELECT page, count() AS n FROM Clicks WINDOW TUMBLING(1 minute)
  GROUP BY page EMIT FINAL;
$$);
SELECT siddhi.subscribe('emit_final_per_page');
SET siddhi.event_time = 1000;
INSERT INTO clicks VALUES ('a'), ('b'), ('a');
RESET siddhi.event_time;
SELECT siddhi.advance_clock(61000);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('emit_final_per_page', 100, 0) ORDER BY seq;
SELECT siddhi.deploy('emit_bad', $$
  CREATE STREAM Clicks2 (page TEXT);
  SELECT page, count() AS n FROM Clicks2 WINDOW SLIDING(1 minute)
  GROUP BY page EMIT FINAL;
$$);
SELECT siddhi.undeploy('roadmap');
SELECT siddhi.undeploy('emit_final');
