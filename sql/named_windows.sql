-- Named windows: shared by several queries, read like a stream (current
-- and expired events), and shown to plain SQL as a table.
SELECT siddhi.deploy('nwin', $$
  define stream NwBuys (sym string, price double);
  define stream NwSells (sym string, price double);
  define window NwRecent (sym string, price double) length(3) output all events;
  @info(name = 'buys') from NwBuys select sym, price insert into NwRecent;
  @info(name = 'sells') from NwSells[price > 0] select sym, price insert into NwRecent;
  @info(name = 'all') from NwRecent select sym, price insert all events into NwSeen;
  @info(name = 'total') from NwRecent select sum(price) as total, count() as n
  insert into NwTotals;
$$);
SELECT relname, kind FROM siddhi.app_relation WHERE app = 'nwin' ORDER BY relname;
SELECT relpersistence FROM pg_class WHERE relname = 'nwrecent';
SELECT siddhi.subscribe('nwseen');
SELECT siddhi.subscribe('nwtotals');
INSERT INTO nwbuys VALUES ('a', 1), ('b', 2);
INSERT INTO nwsells VALUES ('c', 3), ('x', -1);
SELECT siddhi.flush();
-- the window's contents, with plain SQL
SELECT * FROM nwrecent ORDER BY sym;
INSERT INTO nwbuys VALUES ('d', 4);
INSERT INTO nwsells VALUES ('e', 5);
SELECT siddhi.flush();
SELECT * FROM nwrecent ORDER BY sym;
SELECT * FROM nwrecent WHERE price > 4;
-- readers get the window's expired events before the arrival that pushed
-- them out
SELECT expired, event->>'sym' AS sym FROM siddhi.poll('nwseen', 100, 0) ORDER BY seq;
-- an aggregation over the window: expired events leave the sum
SELECT event FROM siddhi.poll('nwtotals', 100, 0) ORDER BY seq;

-- a time window in playback; output current events only; CREATE WINDOW
SELECT siddhi.deploy('nwin_sql', $$
  @app:playback
  CREATE STREAM NwTicks (sym TEXT, v INT);
  CREATE WINDOW NwLastSecond (sym TEXT, v INT) SLIDING(1 sec) OUTPUT CURRENT EVENTS;
  INSERT INTO NwLastSecond SELECT sym, v FROM NwTicks;
  INSERT INTO NwCounted SELECT sym, count() AS n FROM NwLastSecond GROUP BY sym;
$$);
SELECT siddhi.subscribe('nwcounted');
SET siddhi.event_time = 1000;
INSERT INTO nwticks VALUES ('a', 1);
SET siddhi.event_time = 1400;
INSERT INTO nwticks VALUES ('a', 2), ('b', 3);
RESET siddhi.event_time;
SELECT siddhi.flush();
SELECT * FROM nwlastsecond ORDER BY v;
SELECT siddhi.advance_clock(2100);
SELECT siddhi.flush();
-- the first event left at 2000, the others at 2400 (not yet)
SELECT * FROM nwlastsecond ORDER BY v;
SELECT siddhi.advance_clock(2500);
SELECT siddhi.flush();
SELECT count(*) FROM nwlastsecond;
-- OUTPUT CURRENT EVENTS: readers never see expiries, so counts only grow
SELECT event FROM siddhi.poll('nwcounted', 100, 0) ORDER BY seq;

-- a batch window shows the batch it emitted last
SELECT siddhi.deploy('nwin_batch', $$
  define stream NwIn (k string);
  define window NwBatch (k string) lengthBatch(2);
  from NwIn insert into NwBatch;
$$);
INSERT INTO nwin VALUES ('p'), ('q'), ('r');
SELECT siddhi.flush();
SELECT * FROM nwbatch ORDER BY k;
INSERT INTO nwin VALUES ('s');
SELECT siddhi.flush();
SELECT * FROM nwbatch ORDER BY k;

-- the table starts empty when the app starts again
SELECT siddhi.deploy('nwin_batch', $$
  define stream NwIn (k string);
  define window NwBatch (k string) lengthBatch(2);
  from NwIn insert into NwBatch;
$$, replace => true);
SELECT siddhi.flush();
SELECT count(*) FROM nwbatch;

-- errors
SELECT siddhi.deploy('nwin_bad1', $$
  define stream NwB1 (a int);
  define window NwW1 (a int) length(2);
  from NwW1#window.length(1) select a insert into NwOut1;
$$);
SELECT siddhi.deploy('nwin_bad2', $$
  define window NwW2 (a int) shortest(2);
$$);
SELECT siddhi.deploy('nwin_bad3', $$
  define window NwRecent (sym string, price double) length(2);
$$);
SELECT siddhi.deploy('nwin_bad4', $$
  define window NwW4 (a string, ts long) externalTime(a, 1 sec);
$$);

-- undeploy drops the window's table
SELECT siddhi.undeploy('nwin');
SELECT to_regclass('nwrecent');
SELECT siddhi.undeploy('nwin_sql');
SELECT siddhi.undeploy('nwin_batch');

-- a window's table shows what it holds, not what only passes through it:
-- a session window lets through, without keeping, a row of a chunk that
-- comes past its session's end (the rows of a lengthBatch, here), and a
-- delay window releases what it held; neither ever expires those, so
-- neither may leave them in the table
SELECT count(*) FROM siddhi.deploy('nwin_pass', $$
  @app:playback
  define stream NwpIn (k string, v int);
  define window NwpSess (k string, v int) session(1 sec, k) output all events;
  define window NwpDelay (k string, v int) delay(1 sec);
  from NwpIn#window.lengthBatch(3) select k, v insert into NwpSess;
  from NwpIn select k, v insert into NwpDelay;
  from NwpSess select k, v insert into NwpSessOut;
  from NwpDelay select k, v insert into NwpDelayOut;
$$);
SELECT siddhi.subscribe('nwpsessout');
SELECT siddhi.subscribe('nwpdelayout');
SET siddhi.event_time = 1000;
INSERT INTO nwpin VALUES ('a', 1);
SET siddhi.event_time = 5000;
INSERT INTO nwpin VALUES ('a', 2);
SET siddhi.event_time = 9000;
INSERT INTO nwpin VALUES ('a', 3);
RESET siddhi.event_time;
SELECT siddhi.flush();
-- while the clock stands at 9 s the session holds (a,1); a delay window's
-- table stays empty: it hands out what it releases, and keeps it no more
SELECT * FROM nwpsess ORDER BY v;
SELECT * FROM nwpdelay ORDER BY v;
SELECT siddhi.advance_clock(100000);
SELECT siddhi.flush();
SELECT count(*) AS held_by_session FROM nwpsess;
SELECT count(*) AS held_by_delay FROM nwpdelay;
-- what went through them goes on all the same
SELECT 'session' AS w, p.expired, p.event FROM siddhi.poll('nwpsessout', 10, 0) p
UNION ALL
SELECT 'delay', p.expired, p.event FROM siddhi.poll('nwpdelayout', 10, 0) p
ORDER BY 1, 3;
SELECT siddhi.undeploy('nwin_pass', drop_tables => true);
