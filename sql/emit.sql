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
