-- Windows externalTimeBatch, batch, sort, delay, cron and hopping, the SQL
-- dialect's TUMBLING, SLIDING, HOPPING and CRON, and siddhi.cron_next().
-- Time windows run in playback: the clock moves with event time and with
-- siddhi.advance_clock(), so every expiry here is deterministic.

-- cron_next: Quartz (seconds first) and Unix (five fields) spellings, read
-- in the session's time zone (pg_regress runs in PST8PDT)
SELECT expr, siddhi.cron_next(expr, '2026-03-07 10:15:30-08') AS next
  FROM (VALUES ('*/10 * * * * ?'), ('0 0 12 * * ?'), ('0 15 10 ? * MON-FRI'),
               ('0 0 0 L * ?'), ('0 0 0 L-2 * ?'), ('0 0 9 LW * ?'),
               ('0 0 9 15W * ?'), ('0 0 9 ? * 6L'), ('0 0 9 ? * MON#2'),
               ('0 0 0 1 JAN ? 2030'), ('0 0 22-2/2 * * ?'), ('0 0 0 29 FEB ?'),
               ('0 0 * * *'), ('30 9 * * 1-5'), ('0 0 10 * 5'), ('*/15 * * * *'),
               ('0 0 0 30 2 ?'), ('0 0 0 1 1 ? 1999')) AS t(expr);
-- a day that does not exist in the local zone: the DST gap of 2026-03-08
SELECT siddhi.cron_next('0 30 2 * * ?', '2026-03-08 00:00:00-08');
SELECT siddhi.cron_next('0 0 * * * ?', '2026-11-01 00:30:00-07') AS a,
       siddhi.cron_next('0 0 * * * ?', '2026-11-01 01:00:00-07') AS b;
-- malformed expressions
SELECT siddhi.cron_next('0 0 25 * * ?', now());
SELECT siddhi.cron_next('* * * *', now());
SELECT siddhi.cron_next('0 0 0 1 * MON', now());
SELECT siddhi.cron_next('0 0 0 ? * ?', now());
SELECT siddhi.cron_next('0 0 0 ? * FOO', now());
SELECT siddhi.cron_next('0 */0 * * * ?', now());

-- externalTimeBatch: batches on the at attribute; a 500 ms timeout flushes
-- a batch on the app's clock when no event comes
SELECT siddhi.deploy('wm_ext', $$
  @app:playback
  define stream WmMeter (at long, kw double);
  @info(name = 'batches') from WmMeter#window.externalTimeBatch(at, 1 sec, 0, 500)
  select at, kw insert all events into WmMeterBatches;
  @info(name = 'totals') from WmMeter#window.externalTimeBatch(at, 1 sec)
  select sum(kw) as kw, count() as n insert into WmMeterTotals;
  @info(name = 'stamped') from WmMeter#window.externalTimeBatch(at, 1 sec, 0, 0, true)
  select at, kw insert into WmMeterStamped;
$$);
SELECT siddhi.subscribe('wmmeterbatches');
SELECT siddhi.subscribe('wmmetertotals');
SELECT siddhi.subscribe('wmmeterstamped');
SET siddhi.event_time = 1000;
INSERT INTO wmmeter VALUES (10000, 1.5);
SET siddhi.event_time = 1100;
INSERT INTO wmmeter VALUES (10400, 2.5);
SET siddhi.event_time = 1200;
INSERT INTO wmmeter VALUES (11100, 3.0);
RESET siddhi.event_time;
SELECT siddhi.advance_clock(1800);
SET siddhi.event_time = 1900;
INSERT INTO wmmeter VALUES (11500, 4.0);
RESET siddhi.event_time;
SELECT siddhi.advance_clock(2600);
SET siddhi.event_time = 2700;
INSERT INTO wmmeter VALUES (13200, 6.0);
RESET siddhi.event_time;
SELECT siddhi.flush();
SELECT expired, (extract(epoch FROM event_time) * 1000)::bigint AS ms, event
  FROM siddhi.poll('wmmeterbatches', 100, 0) ORDER BY seq;
SELECT (extract(epoch FROM event_time) * 1000)::bigint AS ms, event
  FROM siddhi.poll('wmmetertotals', 100, 0) ORDER BY seq;
-- replace.with.batchtime: at becomes the end of the event's batch
SELECT event FROM siddhi.poll('wmmeterstamped', 100, 0) ORDER BY seq;

-- start.time from an attribute of the first event
SELECT siddhi.deploy('wm_ext_start', $$
  @app:playback
  define stream WmShifts (at long, opened long, worker string);
  from WmShifts#window.externalTimeBatch(at, 100, opened)
  select count() as n, max(at) as last insert into WmShiftCounts;
$$);
SELECT siddhi.subscribe('wmshiftcounts');
INSERT INTO wmshifts VALUES (1050, 1000, 'a'), (1099, 0, 'b'), (1100, 0, 'c'), (1250, 0, 'd');
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('wmshiftcounts', 100, 0) ORDER BY seq;

-- batch(): one INSERT is one chunk; batch(n) cuts a chunk into batches of
-- n; a filter upstream passes its chunk on whole
SELECT siddhi.deploy('wm_batch', $$
  define stream WmPings (host string, ms int);
  @info(name = 'whole') from WmPings#window.batch()
  select host, ms insert all events into WmPingBatches;
  @info(name = 'pairs') from WmPings#window.batch(2)
  select count() as n, sum(ms) as total insert into WmPingPairs;
  @info(name = 'slow') from WmPings[ms > 10] select host, ms insert into WmSlowPings;
  @info(name = 'slowbatch') from WmSlowPings#window.batch()
  select count() as n, max(ms) as worst insert into WmSlowBatches;
$$);
SELECT siddhi.subscribe('wmpingbatches');
SELECT siddhi.subscribe('wmpingpairs');
SELECT siddhi.subscribe('wmslowbatches');
INSERT INTO wmpings VALUES ('h1', 12), ('h2', 5), ('h3', 30);
INSERT INTO wmpings VALUES ('h4', 7), ('h5', 11);
SELECT siddhi.flush();
SELECT expired, event FROM siddhi.poll('wmpingbatches', 100, 0) ORDER BY seq;
SELECT event FROM siddhi.poll('wmpingpairs', 100, 0) ORDER BY seq;
SELECT event FROM siddhi.poll('wmslowbatches', 100, 0) ORDER BY seq;

-- sort: the n first in the order; ties keep the earlier; text and nulls
SELECT siddhi.deploy('wm_sort', $$
  define stream WmBids (bidder string, amount int);
  @info(name = 'cheap') from WmBids#window.sort(2, amount)
  select bidder, amount insert all events into WmCheapBids;
  @info(name = 'names') from WmBids#window.sort(2, bidder, 'desc', amount, 'asc')
  select bidder, amount, sum(amount) as total insert into WmLateNames;
$$);
SELECT siddhi.subscribe('wmcheapbids');
SELECT siddhi.subscribe('wmlatenames');
INSERT INTO wmbids VALUES ('kim', 20), ('lee', 10), ('max', 20), ('ada', 5), ('zoe', NULL), ('kim', 1);
SELECT siddhi.flush();
SELECT expired, event FROM siddhi.poll('wmcheapbids', 100, 0) ORDER BY seq;
SELECT event FROM siddhi.poll('wmlatenames', 100, 0) ORDER BY seq;

-- delay: events come out as current t after they arrived, stamped with
-- the clock that let them out
SELECT siddhi.deploy('wm_delay', $$
  @app:playback
  define stream WmClicks (page string);
  from WmClicks#window.delay(1 sec) select page insert all events into WmLateClicks;
$$);
SELECT siddhi.subscribe('wmlateclicks');
SET siddhi.event_time = 1000;
INSERT INTO wmclicks VALUES ('home');
SET siddhi.event_time = 1300;
INSERT INTO wmclicks VALUES ('cart');
SET siddhi.event_time = 2100;
INSERT INTO wmclicks VALUES ('pay');
RESET siddhi.event_time;
SELECT siddhi.advance_clock(2300);
SELECT siddhi.advance_clock(9000);
SELECT siddhi.flush();
SELECT expired, (extract(epoch FROM event_time) * 1000)::bigint AS ms, event->>'page' AS page
  FROM siddhi.poll('wmlateclicks', 100, 0) ORDER BY seq;

-- cron: every 10 seconds (on the playback clock), the collected batch
-- goes out and the one before expires; a fire with nothing collected does
-- nothing
SELECT siddhi.deploy('wm_cron', $$
  @app:playback
  define stream WmSales (shop string, amount int);
  @info(name = 'every10') from WmSales#window.cron('*/10 * * * * ?')
  select shop, amount insert all events into WmTenSecondSales;
  @info(name = 'sums') from WmSales#window.cron('*/10 * * * * ?')
  select sum(amount) as total, count() as n insert into WmTenSecondTotals;
$$);
SELECT siddhi.subscribe('wmtensecondsales');
SELECT siddhi.subscribe('wmtensecondtotals');
SET siddhi.event_time = 1000;
INSERT INTO wmsales VALUES ('s1', 10);
SET siddhi.event_time = 4000;
INSERT INTO wmsales VALUES ('s2', 20);
SET siddhi.event_time = 12000;
INSERT INTO wmsales VALUES ('s3', 5);
RESET siddhi.event_time;
SELECT siddhi.advance_clock(25000);
SELECT siddhi.advance_clock(65000);
SET siddhi.event_time = 66000;
INSERT INTO wmsales VALUES ('s4', 1);
RESET siddhi.event_time;
SELECT siddhi.advance_clock(70000);
SELECT siddhi.flush();
SELECT expired, (extract(epoch FROM event_time) * 1000)::bigint AS ms, event
  FROM siddhi.poll('wmtensecondsales', 100, 0) ORDER BY seq;
SELECT (extract(epoch FROM event_time) * 1000)::bigint AS ms, event
  FROM siddhi.poll('wmtensecondtotals', 100, 0) ORDER BY seq;

-- hopping(size, advance): every advance, the events of the last size
SELECT siddhi.deploy('wm_hop', $$
  @app:playback
  define stream WmTemps (room string, c int);
  @info(name = 'hops') from WmTemps#window.hopping(3 sec, 1 sec)
  select room, c insert all events into WmTempHops;
  @info(name = 'means') from WmTemps#window.hopping(3 sec, 1 sec)
  select avg(c) as mean, count() as n insert into WmTempMeans;
$$);
SELECT siddhi.subscribe('wmtemphops');
SELECT siddhi.subscribe('wmtempmeans');
SET siddhi.event_time = 1500;
INSERT INTO wmtemps VALUES ('a', 20);
SET siddhi.event_time = 2200;
INSERT INTO wmtemps VALUES ('b', 22);
RESET siddhi.event_time;
SELECT siddhi.advance_clock(5000);
SELECT siddhi.advance_clock(60000);
SELECT siddhi.flush();
SELECT expired, (extract(epoch FROM event_time) * 1000)::bigint AS ms, event->>'room' AS room
  FROM siddhi.poll('wmtemphops', 100, 0) ORDER BY seq;
SELECT (extract(epoch FROM event_time) * 1000)::bigint AS ms, event
  FROM siddhi.poll('wmtempmeans', 100, 0) ORDER BY seq;

-- the SQL dialect: TUMBLING is timeBatch, SLIDING is time, HOPPING(SIZE,
-- ADVANCE) is hopping(size, advance), CRON is cron
SELECT siddhi.deploy('wm_sql', $$
  @app:playback
  CREATE STREAM WmReadings (sensor TEXT, v INT);
  INSERT INTO WmTumbled SELECT sum(v) AS total, count(*) AS n FROM WmReadings WINDOW TUMBLING(5 minutes);
  INSERT INTO WmSlid SELECT count(*) AS n, min(v) AS low FROM WmReadings WINDOW SLIDING(1 minute);
  INSERT INTO WmHopped SELECT count(*) AS n, max(v) AS top FROM WmReadings WINDOW HOPPING(SIZE 1 hour, ADVANCE 5 minutes);
  INSERT INTO WmCrond SELECT sum(v) AS total FROM WmReadings WINDOW CRON('*/5 * * * *');
$$);
SELECT line FROM regexp_split_to_table(siddhi.parse($$
  CREATE STREAM WmReadings (sensor TEXT, v INT);
  INSERT INTO T1 SELECT v FROM WmReadings WINDOW TUMBLING(5 minutes);
  INSERT INTO T2 SELECT v FROM WmReadings WINDOW SLIDING(1 minute);
  INSERT INTO T3 SELECT v FROM WmReadings WINDOW HOPPING(SIZE 1 hour, ADVANCE 5 minutes);
  INSERT INTO T4 SELECT v FROM WmReadings WINDOW HOPPING(ADVANCE 5 minutes, SIZE 1 hour);
  INSERT INTO T5 SELECT v FROM WmReadings WINDOW CRON('0 0 * * *');
$$), E'\n') AS line WHERE line ~* 'window';
SELECT siddhi.subscribe('wmtumbled');
SELECT siddhi.subscribe('wmslid');
SELECT siddhi.subscribe('wmhopped');
SELECT siddhi.subscribe('wmcrond');
SET siddhi.event_time = 60000;   -- 00:01
INSERT INTO wmreadings VALUES ('x', 1);
SET siddhi.event_time = 100000;  -- 00:01:40
INSERT INTO wmreadings VALUES ('y', 2);
SET siddhi.event_time = 400000;  -- 00:06:40
INSERT INTO wmreadings VALUES ('z', 4);
RESET siddhi.event_time;
SELECT siddhi.advance_clock(900000);
SELECT siddhi.flush();
SELECT (extract(epoch FROM event_time) * 1000)::bigint AS ms, event
  FROM siddhi.poll('wmtumbled', 100, 0) ORDER BY seq;
SELECT (extract(epoch FROM event_time) * 1000)::bigint AS ms, event
  FROM siddhi.poll('wmslid', 100, 0) ORDER BY seq;
SELECT (extract(epoch FROM event_time) * 1000)::bigint AS ms, event
  FROM siddhi.poll('wmhopped', 100, 0) ORDER BY seq;
SELECT (extract(epoch FROM event_time) * 1000)::bigint AS ms, event
  FROM siddhi.poll('wmcrond', 100, 0) ORDER BY seq;

-- errors, with their position
SELECT siddhi.deploy('wm_bad1', $$
  define stream B1 (a int);
  from B1#window.cron('0 0 25 * * ?') select a insert into B1Out;
$$);
SELECT siddhi.deploy('wm_bad2', $$
  CREATE STREAM B2 (a INT);
  INSERT INTO B2Out SELECT a FROM B2 WINDOW CRON('0 0 0 1 * MON');
$$);
SELECT siddhi.deploy('wm_bad3', $$
  define stream B3 (at long, a int);
  from B3#window.externalTimeBatch(at + 1, 1 sec, 0, 0, true) select a insert into B3Out;
$$);
SELECT siddhi.deploy('wm_bad4', $$
  define stream B4 (a int);
  from B4#window.sort(2, a, 'up') select a insert into B4Out;
$$);
SELECT siddhi.deploy('wm_bad5', $$
  define stream B5 (a int);
  from B5#window.sort(2, 7) select a insert into B5Out;
$$);
SELECT siddhi.deploy('wm_bad6', $$
  CREATE STREAM B6 (a INT);
  INSERT INTO B6Out SELECT a FROM B6 WINDOW HOPPING(SIZE 1 hour);
$$);
SELECT siddhi.deploy('wm_bad7', $$
  define stream B7 (a int);
  from B7#window.hopping(1 sec, 0) select a insert into B7Out;
$$);
SELECT siddhi.deploy('wm_bad8', $$
  define stream B8 (a int);
  from B8#window.delay('soon') select a insert into B8Out;
$$);
SELECT name FROM siddhi.apps WHERE name LIKE 'wm_bad%';

-- leave no relations behind for the tests that follow
SELECT count(siddhi.undeploy(name, drop_tables => true)) FROM siddhi.apps WHERE name LIKE 'wm\_%';
