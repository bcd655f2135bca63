-- Count windows: length(n) and lengthBatch(n), current and expired events.
SELECT siddhi.deploy('win', $$
  define stream WinTrades (sym string, qty int);
  define table LastThree (sym string, qty int);
  define table Dropped (sym string, qty int);
  @info(name = 'recent') from WinTrades#window.length(3)
  select sym, qty insert all events into RecentTrades;
  @info(name = 'dropped') from WinTrades#window.length(3)
  select sym, qty insert expired events into Dropped;
  @info(name = 'batches') from WinTrades[qty > 0]#window.lengthBatch(2)[qty < 100]
  select sym, qty insert all events into Batches;
$$);
SELECT siddhi.subscribe('recenttrades');
SELECT siddhi.subscribe('batches');
INSERT INTO wintrades VALUES ('a', 1), ('b', 2), ('c', 3), ('d', 4), ('e', 500), ('f', 0), ('g', 6);
SELECT siddhi.flush();
-- expired events come before the arrival that pushed them out
SELECT expired, event->>'sym' AS sym FROM siddhi.poll('recenttrades', 100, 0) ORDER BY seq;
SELECT * FROM dropped ORDER BY sym;
-- lengthBatch(2) after a filter, then a filter on what the window emits
SELECT expired, event->>'sym' AS sym FROM siddhi.poll('batches', 100, 0) ORDER BY seq;

-- the SQL dialect names the same windows
SELECT siddhi.deploy('win_sql', $$
  CREATE STREAM WinReadings (sensor TEXT, v INT);
  INSERT INTO LastTwo SELECT sensor, v FROM WinReadings WINDOW length(2);
$$);
SELECT siddhi.subscribe('lasttwo');
INSERT INTO winreadings VALUES ('x', 1), ('y', 2), ('z', 3);
SELECT siddhi.flush();
SELECT expired, event FROM siddhi.poll('lasttwo', 100, 0) ORDER BY seq;

-- errors
SELECT siddhi.deploy('win_bad1', $$
  define stream W1 (a int);
  from W1#window.length(2)#window.length(3) select a insert into W1Out;
$$);
SELECT siddhi.deploy('win_bad2', $$
  define stream W2 (a int);
  from W2#window.length(a) select a insert into W2Out;
$$);
SELECT siddhi.deploy('win_bad3', $$
  define stream W3 (a int);
  from W3#window.lengthBatch(0) select a insert into W3Out;
$$);
SELECT siddhi.deploy('win_bad4', $$
  define stream W4 (a int);
  from W4#window.length(1, 2) select a insert into W4Out;
$$);
SELECT siddhi.deploy('win_bad5', $$
  define stream W5 (a int);
  from W5#window.unique:ever(a) select a insert into W5Out;
$$);

-- a group whose events all expire in one chunk is released once
SELECT siddhi.deploy('win_groups', $$
  define stream GroupTicks (k string, v int);
  from GroupTicks#window.lengthBatch(2) select k, count() as n group by k
  insert into GroupCounts;
$$);
SELECT siddhi.subscribe('groupcounts');
INSERT INTO groupticks VALUES ('p', 1), ('p', 2), ('q', 3), ('q', 4), ('r', 5), ('r', 6);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('groupcounts', 100, 0) ORDER BY seq;

-- time windows in playback: the clock moves with the events and with
-- siddhi.advance_clock()
SELECT siddhi.deploy('win_time', $$
  @app:playback
  define stream TimedTicks (sym string, v int);
  @info(name = 'sliding') from TimedTicks#window.time(1 sec)
  select sym insert all events into LastSecond;
  @info(name = 'tumbling') from TimedTicks#window.timeBatch(1 sec)
  select sum(v) as total, count() as n insert into PerSecond;
$$);
SELECT siddhi.subscribe('lastsecond');
SELECT siddhi.subscribe('persecond');
SET siddhi.event_time = 1000;
INSERT INTO timedticks VALUES ('a', 1);
SET siddhi.event_time = 1500;
INSERT INTO timedticks VALUES ('b', 2);
SET siddhi.event_time = 2200;
INSERT INTO timedticks VALUES ('c', 4);
RESET siddhi.event_time;
SELECT siddhi.advance_clock(5000);
SELECT siddhi.flush();
SELECT expired, (extract(epoch FROM event_time) * 1000)::bigint AS ms, event->>'sym' AS sym
  FROM siddhi.poll('lastsecond', 100, 0) ORDER BY seq;
SELECT (extract(epoch FROM event_time) * 1000)::bigint AS ms, event
  FROM siddhi.poll('persecond', 100, 0) ORDER BY seq;

-- on the wall clock a timer expires events with no new event arriving
SELECT siddhi.deploy('win_wall', $$
  define stream WallTicks (sym string);
  from WallTicks#window.time(2 sec) select sym
  insert expired events into WallExpired;
$$);
SELECT siddhi.subscribe('wallexpired');
INSERT INTO wallticks VALUES ('w1');
SELECT count(*) AS before_expiry FROM siddhi.poll('wallexpired', 100, 0);
SELECT event FROM siddhi.poll('wallexpired', 100, 10000);

-- timeLength(t, n) and externalTime(attribute, t)
SELECT siddhi.deploy('win_more', $$
  @app:playback
  define stream Logins (at long, who string);
  @info(name = 'bounded') from Logins#window.timeLength(2 sec, 2)
  select who insert all events into BoundedLogins;
  @info(name = 'external') from Logins#window.externalTime(at, 1 sec)
  select who, count() as n insert into ActiveLogins;
$$);
SELECT siddhi.subscribe('boundedlogins');
SELECT siddhi.subscribe('activelogins');
SET siddhi.event_time = 1000;
INSERT INTO logins VALUES (10000, 'amy');
SET siddhi.event_time = 1500;
INSERT INTO logins VALUES (10400, 'ben');
SET siddhi.event_time = 1800;
INSERT INTO logins VALUES (11000, 'cal');
RESET siddhi.event_time;
SELECT siddhi.flush();
SELECT expired, event->>'who' AS who FROM siddhi.poll('boundedlogins', 100, 0) ORDER BY seq;
SELECT event FROM siddhi.poll('activelogins', 100, 0) ORDER BY seq;
SELECT siddhi.deploy('win_bad6', $$
  define stream W6 (at string);
  from W6#window.externalTime(at, 1 sec) select at insert into W6Out;
$$);

-- a time window that holds many events grows its ring (more than 64)
SELECT siddhi.deploy('win_many', $$
  @app:playback
  define stream ManyTicks (n int);
  from ManyTicks#window.time(10 sec) select count() as held, sum(n) as total
  insert into ManyHeld;
$$);
SELECT siddhi.subscribe('manyheld');
SET siddhi.event_time = 1000;
INSERT INTO manyticks SELECT g FROM generate_series(1, 500) g;
RESET siddhi.event_time;
SELECT siddhi.advance_clock(20000);
SELECT siddhi.flush();
SELECT count(*) AS rows, max((event->>'held')::int) AS most_held,
       max((event->>'total')::int) AS most_total
  FROM siddhi.poll('manyheld', 1000, 0);
SELECT siddhi.undeploy('win_many');
