-- Event time and playback: an event's timestamp comes from the attribute
-- its stream declares; in playback the app's clock follows event time.
SELECT siddhi.deploy('replay', $$
  @app:name('replay')
  @app:playback
  @eventTime('ts')
  define stream Replayed (ts long, symbol string, price double);
  define table ReplaySeen (symbol string, at long, clock long);
  from Replayed
  select symbol, eventTimestamp() as at, currentTimeMillis() as clock
  insert into ReplaySeen;
$$);
\d replayed
INSERT INTO replayed VALUES (1000, 'A', 1), (5000, 'B', 2), (3000, 'C', 3);
SELECT siddhi.flush();
-- the clock never goes back: C (at 3000) is seen at clock 5000
SELECT * FROM replayseen ORDER BY symbol;

-- without playback the clock is the wall clock, event time still applies
SELECT siddhi.deploy('stamped', $$
  @eventTime(attribute = 'ts')
  define stream Stamped (ts long, n int);
  define table StampedSeen (n int, at long, wall bool);
  from Stamped select n, eventTimestamp() as at,
    currentTimeMillis() > 1700000000000L as wall insert into StampedSeen;
$$);
INSERT INTO stamped VALUES (42, 1), (NULL, 2);
SELECT siddhi.flush();
-- a null event time means "now"
SELECT n, at = 42 AS from_attribute, at > 1700000000000 AS arrival, wall
  FROM stampedseen ORDER BY n;

-- streaming SQL: WITH (event_time = ..), a timestamp attribute, and a
-- watcher sees the event time
SELECT siddhi.deploy('sql_replay', $$
  @app:playback
  CREATE STREAM Readings2 (at TIMESTAMPTZ, v INT) WITH (event_time = 'at');
  INSERT INTO Doubled2 SELECT v * 2 AS v2, siddhi.event_timestamp() AS ms FROM Readings2;
$$);
SELECT siddhi.subscribe('doubled2');
INSERT INTO readings2 VALUES ('2026-01-01 00:00:01+00', 1), ('2026-01-01 00:00:02.5+00', 2);
SELECT siddhi.flush();
SELECT event_time AT TIME ZONE 'UTC' AS event_time, event
  FROM siddhi.poll('doubled2', 10, 1000) ORDER BY seq;

-- errors
SELECT siddhi.deploy('bad_time1', $$
  @eventTime('nope') define stream BadTime1 (ts long);
$$);
SELECT siddhi.deploy('bad_time2', $$
  @eventTime('ts') define stream BadTime2 (ts string);
$$);
SELECT siddhi.deploy('bad_time3', $$
  define stream Replayed (ts long, symbol string, price double);
$$);

-- siddhi.event_time stamps what this session inserts (replaying history)
SET siddhi.event_time = 7000;
INSERT INTO replayed VALUES (NULL, 'D', 4);
SET siddhi.event_time = 6000;
INSERT INTO replayed VALUES (NULL, 'E', 5);
RESET siddhi.event_time;
SELECT siddhi.flush();
SELECT * FROM replayseen WHERE symbol IN ('D', 'E') ORDER BY symbol;
SET siddhi.event_time = 'yesterday';
