-- Partitions: each key keeps its own state of every query in the partition.
-- Playback time (@app:playback) keeps windows and purges deterministic.

-- value partition: a per-key length window and running aggregates
SELECT siddhi.deploy('part_value', $$
  @app:playback
  define stream PvTrades (sym string, px double, qty int);
  partition with (sym of PvTrades)
  begin
    @info(name = 'lastTwo')
    from PvTrades#window.length(2)
    select sym, sum(qty) as total, count() as n
    insert into PvTotals;
  end;
$$);
SELECT siddhi.subscribe('pvtotals');
SET siddhi.event_time = 1000;
INSERT INTO pvtrades VALUES ('a', 1, 1), ('b', 1, 10), ('a', 1, 2), ('a', 1, 3),
  ('b', 1, 20), ('c', 1, 100), ('b', 1, 30);
RESET siddhi.event_time;
SELECT siddhi.flush();
-- each symbol's window holds its own last two events
SELECT event->>'sym' AS sym, event->>'total' AS total, event->>'n' AS n
FROM siddhi.poll('pvtotals', 100, 0) ORDER BY seq;

-- range partition: an event goes to every range whose condition holds
SELECT siddhi.deploy('part_range', $$
  define stream PrOrders (id int, amount double);
  partition with (amount < 100 as 'small' or amount >= 100 as 'large'
                  or amount >= 1000 as 'huge' of PrOrders)
  begin
    from PrOrders select id, amount, count() as n insert into PrCounts;
  end;
$$);
SELECT siddhi.subscribe('prcounts');
INSERT INTO prorders VALUES (1, 5), (2, 500), (3, 5000), (4, 50), (5, NULL);
SELECT siddhi.flush();
-- 3 counts as large (its 2nd) and huge (its 1st); 5 has no range
SELECT event->>'id' AS id, event->>'n' AS n FROM siddhi.poll('prcounts', 100, 0)
ORDER BY seq;

-- inner streams carry a key's events to the next query of the same key;
-- a stream the partition does not divide reaches every key there is
SELECT siddhi.deploy('part_inner', $$
  @app:playback
  define stream PiReadings (sensor string, v int);
  define stream PiReset (note string);
  partition with (sensor of PiReadings)
  begin
    from PiReadings[v >= 0] select sensor, v insert into #Valid;
    from #Valid#window.lengthBatch(2)
    select sensor, sum(v) as s insert into PiPairs;
    from PiReset select note insert into #Resets;
    from #Resets select note, count() as seen insert into PiResetsSeen;
  end;
$$);
SELECT siddhi.subscribe('pipairs');
SELECT siddhi.subscribe('piresetsseen');
SET siddhi.event_time = 1000;
INSERT INTO pireset VALUES ('before any key');
INSERT INTO pireadings VALUES ('t1', 1), ('t2', 10), ('t1', -5), ('t1', 2),
  ('t2', 20), ('t1', 3);
INSERT INTO pireset VALUES ('after two keys');
RESET siddhi.event_time;
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('pipairs', 100, 0) ORDER BY seq;
-- the first reset found no key; the second reached t1 and t2
SELECT event FROM siddhi.poll('piresetsseen', 100, 0) ORDER BY seq;
-- an inner stream is a stream of the app, named after the partition
SELECT kind, relname FROM siddhi.app_relation WHERE app = 'part_inner'
ORDER BY relname;

-- time windows per key fire on the app clock, for every key
SELECT siddhi.deploy('part_time', $$
  @app:playback
  define stream PtTicks (k string, v int);
  partition with (k of PtTicks)
  begin
    from PtTicks#window.timeBatch(1 sec)
    select k, sum(v) as s, count() as n insert into PtSums;
  end;
$$);
SELECT siddhi.subscribe('ptsums');
SET siddhi.event_time = 1000;
INSERT INTO ptticks VALUES ('x', 1), ('y', 2);
SET siddhi.event_time = 1500;
INSERT INTO ptticks VALUES ('x', 3);
RESET siddhi.event_time;
SELECT siddhi.advance_clock(2000);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('ptsums', 100, 0) ORDER BY seq;

-- @purge releases keys idle for idle.period: a key seen again starts afresh
SELECT siddhi.deploy('part_purge', $$
  @app:playback
  define stream PpEvents (k string, v int);
  @purge(enable = 'true', interval = '1 sec', idle.period = '2 sec')
  partition with (k of PpEvents)
  begin
    from PpEvents select k, count() as n insert into PpCounts;
  end;
$$);
SELECT siddhi.subscribe('ppcounts');
SET siddhi.event_time = 1000;
INSERT INTO ppevents VALUES ('a', 1), ('b', 1);
SET siddhi.event_time = 2500;
INSERT INTO ppevents VALUES ('a', 1);
-- at 5000, b (last seen at 1000) has been idle for more than 2 s; a has not
SET siddhi.event_time = 4000;
INSERT INTO ppevents VALUES ('a', 1);
SET siddhi.event_time = 5000;
INSERT INTO ppevents VALUES ('a', 1), ('b', 1);
RESET siddhi.event_time;
SELECT siddhi.flush();
SELECT event->>'k' AS k, event->>'n' AS n FROM siddhi.poll('ppcounts', 100, 0)
ORDER BY seq;

-- a purged key leaves the schedule its time window put it in: b goes at
-- 5000 (idle since 1000) and comes back afresh; at 12000 a's first event
-- expires (a 3), then the purge takes a and b (idle since 5000), b with
-- an event due at 15000 that must not come back when time passes it
SELECT siddhi.deploy('part_purge_time', $$
  @app:playback
  define stream PqEvents (k string, v int);
  @purge(enable = 'true', interval = '1 sec', idle.period = '2 sec')
  partition with (k of PqEvents)
  begin
    from PqEvents#window.time(10 sec) select k, count() as n
    insert all events into PqCounts;
  end;
$$);
SELECT siddhi.subscribe('pqcounts');
SET siddhi.event_time = 1000;
INSERT INTO pqevents VALUES ('a', 1), ('b', 1);
SET siddhi.event_time = 2500;
INSERT INTO pqevents VALUES ('a', 1);
SET siddhi.event_time = 4000;
INSERT INTO pqevents VALUES ('a', 1);
SET siddhi.event_time = 5000;
INSERT INTO pqevents VALUES ('a', 1), ('b', 1);
SET siddhi.event_time = 12000;
INSERT INTO pqevents VALUES ('a', 1);
SET siddhi.event_time = 16000;
INSERT INTO pqevents VALUES ('a', 1);
RESET siddhi.event_time;
SELECT siddhi.flush();
SELECT event->>'k' AS k, event->>'n' AS n FROM siddhi.poll('pqcounts', 100, 0)
ORDER BY seq;
SELECT siddhi.undeploy('part_purge_time');

-- without @purge the keys are bounded by siddhi.max_partition_keys
ALTER SYSTEM SET siddhi.max_partition_keys = 2;
SELECT pg_reload_conf();
SELECT pg_sleep(0.5);
SELECT siddhi.deploy('part_bounded', $$
  define stream PbEvents (k string);
  define table PbOut (k string, n long);
  @info(name = 'perKey')
  partition with (k of PbEvents)
  begin
    @info(name = 'perKey') from PbEvents select k, count() as n insert into PbOut;
  end;
$$);
INSERT INTO pbevents VALUES ('x'), ('y'), ('z'), ('x');
SELECT siddhi.flush();
SELECT * FROM pbout ORDER BY k, n;
SELECT errors, last_error FROM siddhi.queries WHERE app = 'part_bounded';
ALTER SYSTEM RESET siddhi.max_partition_keys;
SELECT pg_reload_conf();

-- an event that fails in the middle of a chunk (a partition's query takes
-- the ring's chunk in one step) is skipped for its key alone: the
-- chunk's other events and keys go on, and the key's window holds it
CREATE FUNCTION pf_div(a int, b int) RETURNS int
  LANGUAGE sql IMMUTABLE AS 'SELECT a / b';
SELECT count(*) FROM siddhi.deploy('part_fail', $$
  define stream PfEvents (k string, v int);
  define table PfOut (k string, r int, n long);
  partition with (k of PfEvents)
  begin
    from PfEvents#window.length(2) select k, pf_div(10, v) as r, count() as n
    insert into PfOut;
  end;
$$);
INSERT INTO pfevents VALUES ('a', 1), ('b', 2), ('a', 0), ('b', 5), ('a', 2);
SELECT siddhi.flush();
SELECT * FROM pfout ORDER BY k, n, r;
SELECT errors FROM siddhi.queries WHERE app = 'part_fail';
SELECT siddhi.undeploy('part_fail', drop_tables => true);
DROP FUNCTION pf_div(int, int);

-- a join inside a partition: both sides keyed, each key joins its own windows
SELECT siddhi.deploy('part_join', $$
  @app:playback
  define stream PjQuotes (sym string, px double);
  define stream PjOrders (sym string, qty int);
  partition with (sym of PjQuotes, sym of PjOrders)
  begin
    from PjOrders#window.length(1) as o join PjQuotes#window.length(1) as q
      on o.qty > 0
    select o.sym as osym, q.sym as qsym, o.qty * q.px as notional
    insert into PjFilled;
  end;
$$);
SELECT siddhi.subscribe('pjfilled');
SET siddhi.event_time = 1000;
INSERT INTO pjquotes VALUES ('a', 10), ('b', 20);
INSERT INTO pjorders VALUES ('a', 2), ('b', 3), ('c', 4);
RESET siddhi.event_time;
SELECT siddhi.flush();
-- never a cross-key pair; c has no quote
SELECT event FROM siddhi.poll('pjfilled', 100, 0) ORDER BY seq;

-- output rate limiting and group by per key
SELECT siddhi.deploy('part_rate', $$
  @app:playback
  define stream PqEvents (k string, g string, v int);
  partition with (k of PqEvents)
  begin
    from PqEvents select k, g, sum(v) as s group by g
    output last every 2 events insert into PqOut;
  end;
$$);
SELECT siddhi.subscribe('pqout');
SET siddhi.event_time = 1000;
INSERT INTO pqevents VALUES ('a', 'g1', 1), ('b', 'g1', 10), ('a', 'g2', 2),
  ('b', 'g1', 20), ('a', 'g1', 4);
RESET siddhi.event_time;
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('pqout', 100, 0) ORDER BY seq;

-- a pattern per key: each key's partial matches are its own (r2's 34
-- never pairs with r1's 31), and within ends them per key
SELECT siddhi.deploy('part_pattern', $$
  @app:playback
  define stream PpatTemps (room string, deg double);
  partition with (room of PpatTemps)
  begin
    from every e1=PpatTemps[deg > 30.0] -> e2=PpatTemps[deg > e1.deg] within 10 sec
    select e1.room, e1.deg as first, e2.deg as second insert into PpatRising;
  end;
$$);
SELECT siddhi.subscribe('ppatrising');
SET siddhi.event_time = 1000;
INSERT INTO ppattemps VALUES ('r1', 31), ('r2', 35), ('r1', 33), ('r2', 34);
SET siddhi.event_time = 20000;
-- r2's 35 and 34 are more than 10 s old: within drops them
INSERT INTO ppattemps VALUES ('r2', 36), ('r1', 40);
RESET siddhi.event_time;
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('ppatrising', 100, 0) ORDER BY seq;

-- the SQL dialect: PARTITION BY on a query
SELECT siddhi.deploy('part_sql', $$
  CREATE STREAM PsClicks (user_id TEXT, page TEXT);
  INSERT INTO PsLastPages
  SELECT user_id, count(*) AS n FROM PsClicks WINDOW LENGTH(2)
  PARTITION BY user_id;
  @purge(enable = 'true', interval = '1 min', idle.period = '10 min')
  INSERT INTO PsRanges
  SELECT user_id, count(*) AS n FROM PsClicks
  PARTITION BY CASE WHEN page LIKE '/admin%' THEN 'admin' ELSE 'public' END;
$$);
SELECT siddhi.subscribe('pslastpages');
SELECT siddhi.subscribe('psranges');
INSERT INTO psclicks VALUES ('u1', '/'), ('u2', '/admin/x'), ('u1', '/a'),
  ('u1', '/b'), ('u2', '/c');
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('pslastpages', 100, 0) ORDER BY seq;
SELECT event FROM siddhi.poll('psranges', 100, 0) ORDER BY seq;

-- PARTITION BY keys every stream the query reads: a pattern's streams,
-- a join's two streams; a table joined is read whole
SELECT siddhi.deploy('part_sql2', $$
  @app:playback
  CREATE STREAM PsLogin (user_id TEXT, ok BOOLEAN);
  CREATE STREAM PsBuy (user_id TEXT, amount DOUBLE);
  CREATE TABLE PsLimits (user_id TEXT PRIMARY KEY, cap DOUBLE);
  INSERT INTO PsLoginThenBuy
  SELECT a.user_id, b.amount
  FROM PATTERN (every a=PsLogin[ok] -> b=PsBuy[amount > 10])
  PARTITION BY user_id;
  INSERT INTO PsOverCap
  SELECT b.user_id, b.amount, l.cap
  FROM PsBuy AS b JOIN PsLimits AS l ON b.amount > l.cap
  PARTITION BY user_id;
$$);
INSERT INTO pslimits VALUES ('x', 100);
SELECT siddhi.subscribe('psloginthenbuy');
SELECT siddhi.subscribe('psovercap');
SET siddhi.event_time = 1000;
INSERT INTO pslogin VALUES ('u1', true), ('u2', true);
INSERT INTO psbuy VALUES ('u2', 50), ('u1', 500), ('u3', 20);
RESET siddhi.event_time;
SELECT siddhi.flush();
-- each user's purchase follows that user's own login; u3 never logged in
SELECT event FROM siddhi.poll('psloginthenbuy', 100, 0) ORDER BY seq;
SELECT event FROM siddhi.poll('psovercap', 100, 0) ORDER BY seq;
SELECT siddhi.deploy('part_sql3', $$
  CREATE STREAM PsA (k TEXT);
  CREATE STREAM PsB (other TEXT);
  INSERT INTO PsAB SELECT a.k FROM PATTERN (a=PsA -> b=PsB) PARTITION BY k;
$$);

-- errors
SELECT siddhi.deploy('part_bad1', $$
  define stream Pb1 (k string);
  partition with (k of Nowhere) begin from Pb1 select k insert into Pb1Out; end;
$$);
SELECT siddhi.deploy('part_bad2', $$
  define stream Pb2 (k string);
  partition with (k of Pb2, k of Pb2) begin from Pb2 select k insert into Pb2Out; end;
$$);
SELECT siddhi.deploy('part_bad3', $$
  define stream Pb3 (k string);
  partition with (k of Pb3) begin from #Missing select k insert into Pb3Out; end;
$$);
SELECT siddhi.deploy('part_bad4', $$
  define stream Pb4 (k string);
  from Pb4 select k insert into #Outside;
$$);
SELECT siddhi.deploy('part_bad5', $$
  define stream Pb5 (k string);
  @purge(enable = 'true', interval = '1 sec')
  partition with (k of Pb5) begin from Pb5 select k insert into Pb5Out; end;
$$);
SELECT siddhi.deploy('part_bad6', $$
  define stream Pb6 (k string);
  @purge(enable = 'maybe', idle.period = '1 sec')
  partition with (k of Pb6) begin from Pb6 select k insert into Pb6Out; end;
$$);
SELECT siddhi.deploy('part_bad7', $$
  define stream Pb7 (k string, v int);
  partition with (v + 'x' as 'odd' of Pb7) begin from Pb7 select k insert into Pb7Out; end;
$$);
SELECT siddhi.deploy('part_bad8', $$
  define stream Pb8 (k string);
  partition with (nope of Pb8) begin from Pb8 select k insert into Pb8Out; end;
$$);
SELECT siddhi.deploy('part_bad9', $$
  CREATE STREAM Pb9 (k TEXT);
  INSERT INTO Pb9Out SELECT k FROM Pb9 PARTITION BY;
$$);

SELECT siddhi.undeploy(name, drop_tables => true) FROM siddhi.apps
WHERE name LIKE 'part\_%' ORDER BY name;
