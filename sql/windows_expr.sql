-- session, expression and expressionBatch windows, in playback time.

-- session(gap, key): a session per user, closed when the gap passes
SELECT siddhi.deploy('sess', $$
  @app:playback
  define stream Visits (usr string, page string);
  @info(name = 'sessions') from Visits#window.session(2 sec, usr)
  select usr, page insert all events into UserSessions;
  @info(name = 'counts') from Visits#window.session(2 sec, usr)
  select usr, count() as n group by usr insert into SessionCounts;
$$);
SELECT siddhi.subscribe('usersessions');
SELECT siddhi.subscribe('sessioncounts');
SET siddhi.event_time = 1000;
INSERT INTO visits VALUES ('ann', 'home');
SET siddhi.event_time = 1500;
INSERT INTO visits VALUES ('bob', 'home');
SET siddhi.event_time = 2500;
INSERT INTO visits VALUES ('ann', 'cart');
-- bob's session ended at 3500: it expires before this event is seen
SET siddhi.event_time = 4000;
INSERT INTO visits VALUES ('bob', 'help');
RESET siddhi.event_time;
SELECT siddhi.advance_clock(10000);
SELECT siddhi.flush();
-- expired events keep their own timestamps
SELECT expired, (extract(epoch FROM event_time) * 1000)::bigint AS ms,
       event->>'usr' AS usr, event->>'page' AS page
  FROM siddhi.poll('usersessions', 100, 0) ORDER BY seq;
SELECT event FROM siddhi.poll('sessioncounts', 100, 0) ORDER BY seq;

-- the SQL dialect: WINDOW SESSION(gap) and WINDOW SESSION(gap, key)
SELECT siddhi.deploy('sess_sql', $$
  @app:playback
  CREATE STREAM Taps (device TEXT, n INT);
  INSERT INTO TapBursts SELECT count() AS taps, sum(n) AS total
    FROM Taps WINDOW SESSION(1 second);
  INSERT INTO DeviceBursts SELECT device, count() AS taps
    FROM Taps WINDOW SESSION(1 second, device) GROUP BY device;
$$);
SELECT siddhi.subscribe('tapbursts');
SELECT siddhi.subscribe('devicebursts');
SET siddhi.event_time = 1000;
INSERT INTO taps VALUES ('d1', 1);
SET siddhi.event_time = 1600;
INSERT INTO taps VALUES ('d2', 2);
SET siddhi.event_time = 2400;
INSERT INTO taps VALUES ('d1', 3);
SET siddhi.event_time = 4000;
INSERT INTO taps VALUES ('d2', 4);
RESET siddhi.event_time;
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('tapbursts', 100, 0) ORDER BY seq;
SELECT event FROM siddhi.poll('devicebursts', 100, 0) ORDER BY seq;

-- expression: the last events while the condition holds
SELECT siddhi.deploy('expr', $$
  @app:playback
  define stream ExprOrders (item string, qty int);
  @info(name = 'capped') from ExprOrders#window.expression('sum(qty) <= 10')
  select item, qty insert all events into CappedOrders;
  @info(name = 'spread') from ExprOrders#window.expression("count() < 4 and last.qty - first.qty < 5")
  select count() as n, sum(qty) as total insert into SpreadOrders;
$$);
SELECT siddhi.subscribe('cappedorders');
SELECT siddhi.subscribe('spreadorders');
SET siddhi.event_time = 1000;
INSERT INTO exprorders VALUES ('a', 4), ('b', 5), ('c', 3), ('d', 9), ('e', 1), ('f', 20);
RESET siddhi.event_time;
SELECT siddhi.flush();
SELECT expired, event->>'item' AS item, event->>'qty' AS qty
  FROM siddhi.poll('cappedorders', 100, 0) ORDER BY seq;
SELECT event FROM siddhi.poll('spreadorders', 100, 0) ORDER BY seq;

-- expressionBatch: batches that end where the condition breaks
SELECT siddhi.deploy('exprb', $$
  @app:playback
  define stream Parts (part string, w int);
  @info(name = 'boxes') from Parts#window.expressionBatch('sum(w) < 10')
  select part insert all events into Boxes;
  @info(name = 'boxes_incl') from Parts#window.expressionBatch('sum(w) < 10', true)
  select part insert all events into BoxesIncl;
  @info(name = 'boxes_stream') from Parts#window.expressionBatch('count() < 3', false, true)
  select part insert all events into BoxesStream;
  @info(name = 'spans') from Parts#window.expressionBatch('eventTimestamp(last) - eventTimestamp(first) < 1000')
  select count() as n insert into Spans;
$$);
SELECT siddhi.subscribe('boxes');
SELECT siddhi.subscribe('boxesincl');
SELECT siddhi.subscribe('boxesstream');
SELECT siddhi.subscribe('spans');
SET siddhi.event_time = 1000;
INSERT INTO parts VALUES ('p1', 4);
SET siddhi.event_time = 1400;
INSERT INTO parts VALUES ('p2', 4);
SET siddhi.event_time = 1900;
INSERT INTO parts VALUES ('p3', 4);
SET siddhi.event_time = 2500;
INSERT INTO parts VALUES ('p4', 1);
SET siddhi.event_time = 3200;
INSERT INTO parts VALUES ('p5', 8);
RESET siddhi.event_time;
SELECT siddhi.flush();
SELECT expired, (extract(epoch FROM event_time) * 1000)::bigint AS ms, event->>'part' AS part
  FROM siddhi.poll('boxes', 100, 0) ORDER BY seq;
SELECT expired, event->>'part' AS part FROM siddhi.poll('boxesincl', 100, 0) ORDER BY seq;
SELECT expired, event->>'part' AS part FROM siddhi.poll('boxesstream', 100, 0) ORDER BY seq;
SELECT event FROM siddhi.poll('spans', 100, 0) ORDER BY seq;

-- open sessions are bounded by siddhi.max_groups; the overflow is an error
ALTER SYSTEM SET siddhi.max_groups = 2;
SELECT pg_reload_conf();
SELECT pg_sleep(0.5);
SELECT siddhi.deploy('sess_bounded', $$
  @app:playback
  define stream Pings (host string);
  define table PingLog (host string);
  @info(name = 'hosts') from Pings#window.session(1 sec, host)
  select host insert into PingLog;
$$);
SET siddhi.event_time = 1000;
INSERT INTO pings VALUES ('h1'), ('h2'), ('h3');
-- the sessions have closed: a new host fits again
SET siddhi.event_time = 5000;
INSERT INTO pings VALUES ('h4');
RESET siddhi.event_time;
SELECT siddhi.flush();
SELECT * FROM pinglog ORDER BY host;
SELECT errors, last_error FROM siddhi.queries WHERE app = 'sess_bounded';
ALTER SYSTEM RESET siddhi.max_groups;
SELECT pg_reload_conf();

-- errors
\set VERBOSITY default
SELECT siddhi.deploy('expr_bad1', $$
  define stream E1 (a int);
  from E1#window.expression('count() <= ') select a insert into E1Out;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('expr_bad2', $$
  define stream E2 (a int);
  from E2#window.expression('sum(b) < 10') select a insert into E2Out;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('expr_bad3', $$
  define stream E3 (a int);
  from E3#window.expressionBatch('a + 1') select a insert into E3Out;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('expr_bad4', $$
  define stream E4 (a int);
  from E4#window.expression('eventTimestamp(a) > 0') select a insert into E4Out;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('expr_bad5', $$
  define stream E5 (a int);
  from E5#window.expression('count() < 3 a') select a insert into E5Out;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('sess_bad1', $$
  define stream S1 (k string);
  from S1#window.session(1 sec, k, 2 sec) select k insert into S1Out;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('sess_bad2', $$
  define stream S2 (k string);
  from S2#window.session(1 sec, 'k') select k insert into S2Out;
$$);
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY terse
