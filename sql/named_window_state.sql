-- Epochs (issue 15): the state an app keeps besides its queries'.  A named
-- window's contents are saved under the key "#window W" of its app, and
-- the event time of the streams its keyed patterns read (the dispatch
-- index's, src/runtime/dispatch.c) with the app's own state ("#app").
-- The same app and the same feed run three times: straight through, with
-- the engine killed and started again in the middle (each batch saves:
-- siddhi.state_interval = 0), and with siddhi.state_roundtrip on (every
-- batch saves and restores everything it can).  The outputs must be the
-- same in the three runs.
ALTER SYSTEM SET siddhi.state_interval = 0;
SELECT pg_reload_conf();
SELECT pg_sleep(0.3);
CREATE TEMP TABLE outs (run text, tab text, row jsonb);
CREATE TEMP TABLE feed (step int, stmt text);
-- steps 0..23, then (the restart run restarts the engine here) steps 100..126
INSERT INTO feed
  SELECT n * 3, format('SET siddhi.event_time = %s', t) FROM
    (VALUES (0, 1000), (1, 1200), (2, 1500), (3, 2100), (4, 2600), (5, 3000),
            (6, 3100), (7, 20000)) AS x(n, t)
  UNION ALL
  SELECT n * 3 + 1, s FROM
    (VALUES (0, 'INSERT INTO nwsin VALUES (''a'', 1.5), (''b'', 2.5)'),
            (1, 'INSERT INTO nwsin VALUES (''c'', 3.5)'),
            (2, 'INSERT INTO nwsprobe VALUES (1)'),
            (3, 'INSERT INTO nwsin VALUES (''d'', 4.5)'),
            (4, 'INSERT INTO nwsin VALUES (''e'', 5.5), (''f'', 6.5), (''g'', 7.5)'),
            (5, 'INSERT INTO nwsprobe VALUES (2)'),
            (6, 'INSERT INTO dsin VALUES (1000, ''A'', 1)'),
            (7, 'INSERT INTO dsin VALUES (20000, ''B'', 2)')) AS x(n, s)
  UNION ALL
  SELECT n * 3 + 2, 'SELECT siddhi.flush()' FROM generate_series(0, 7) n;
INSERT INTO feed
  SELECT 100 + n * 3, format('SET siddhi.event_time = %s', t) FROM
    (VALUES (0, 3200), (1, 3300), (2, 3900), (3, 4400), (4, 20100), (5, 20200),
            (6, 20300), (7, 20400), (8, 20500)) AS x(n, t)
  UNION ALL
  SELECT 100 + n * 3 + 1, s FROM
    (VALUES (0, 'INSERT INTO nwsprobe VALUES (3)'),
            (1, 'INSERT INTO nwsin VALUES (''h'', 8.5)'),
            (2, 'INSERT INTO nwsprobe VALUES (4)'),
            (3, 'INSERT INTO nwsin VALUES (''i'', 9.5)'),
            (4, 'SELECT siddhi.advance_clock(20100)'),
            (5, 'INSERT INTO nwsprobe VALUES (5)'),
            -- earlier than B at 20000: A at 1000 is gone (what B, spared
            -- by the pattern's key, would have expired)
            (6, 'INSERT INTO dsin VALUES (5000, ''A'', 3)'),
            (7, 'INSERT INTO dsin VALUES (25000, ''A'', 4)'),
            (8, 'INSERT INTO dsin VALUES (26000, ''A'', 5)')) AS x(n, s)
  UNION ALL
  SELECT 100 + n * 3 + 2, 'SELECT siddhi.flush()' FROM generate_series(0, 8) n;
INSERT INTO feed VALUES (200, 'RESET siddhi.event_time');

CREATE FUNCTION pg_temp.run(tag text) RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
  PERFORM siddhi.deploy('nws', $$
    @app:playback
    define stream NwsIn (k string, v double);
    define stream NwsProbe (p int);
    define window NwsLen (k string, v double) length(3) output all events;
    define window NwsTime (k string, v double) time(1 sec) output all events;
    define window NwsBatch (k string, v double) lengthBatch(2) output all events;
    define window NwsSum (k string, v double) expression('sum(v) < 12.0') output all events;
    define table NwsOut (q string, k string, v double, expired bool, at long);
    from NwsIn select k, v insert into NwsLen;
    from NwsIn select k, v insert into NwsTime;
    from NwsIn select k, v insert into NwsBatch;
    from NwsIn select k, v insert into NwsSum;
    @info(name = 'len') from NwsLen
    select 'len' as q, k, v, false as expired, eventTimestamp() as at
    insert current events into NwsOut;
    @info(name = 'len_x') from NwsLen
    select 'len' as q, k, v, true as expired, eventTimestamp() as at
    insert expired events into NwsOut;
    @info(name = 'len_sum') from NwsLen
    select 'len_sum' as q, '' as k, sum(v) as v, false as expired, eventTimestamp() as at
    insert into NwsOut;
    @info(name = 'time') from NwsTime
    select 'time' as q, k, v, false as expired, eventTimestamp() as at
    insert current events into NwsOut;
    @info(name = 'time_x') from NwsTime
    select 'time' as q, k, v, true as expired, eventTimestamp() as at
    insert expired events into NwsOut;
    @info(name = 'batch') from NwsBatch
    select 'batch' as q, k, v, false as expired, eventTimestamp() as at
    insert current events into NwsOut;
    @info(name = 'batch_x') from NwsBatch
    select 'batch' as q, k, v, true as expired, eventTimestamp() as at
    insert expired events into NwsOut;
    @info(name = 'sum') from NwsSum
    select 'sum' as q, k, v, false as expired, eventTimestamp() as at
    insert current events into NwsOut;
    @info(name = 'sum_x') from NwsSum
    select 'sum' as q, k, v, true as expired, eventTimestamp() as at
    insert expired events into NwsOut;
    @info(name = 'probe_len') from NwsProbe join NwsLen
    select 'probe_len' as q, NwsLen.k, NwsLen.v, false as expired, NwsProbe.p * 1L as at
    insert into NwsOut;
    @info(name = 'probe_time') from NwsProbe join NwsTime
    select 'probe_time' as q, NwsTime.k, NwsTime.v, false as expired, NwsProbe.p * 1L as at
    insert into NwsOut;

    @eventTime('ts') define stream DsIn (ts long, sym string, v int);
    @info(name = 'pair')
    from every e1=DsIn[sym == 'A'] -> e2=DsIn[sym == 'A'] within 10 sec
    select 'pair' as q, e1.sym as k, e1.v * 1.0 as v, false as expired, e2.v * 1L as at
    insert into NwsOut;
    @info(name = 'b') from DsIn[sym == 'B']
    select 'b' as q, sym as k, v * 1.0 as v, false as expired, ts as at
    insert into NwsOut;
  $$);
END
$f$;
-- what the run wrote, and what its windows' tables show
CREATE FUNCTION pg_temp.collect(tag text) RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
  INSERT INTO outs SELECT tag, 'nwsout', to_jsonb(o) FROM nwsout o;
  INSERT INTO outs SELECT tag, 'nwslen', to_jsonb(w) FROM nwslen w;
  INSERT INTO outs SELECT tag, 'nwsbatch', to_jsonb(w) FROM nwsbatch w;
  INSERT INTO outs SELECT tag, 'nwssum', to_jsonb(w) FROM nwssum w;
  PERFORM siddhi.undeploy('nws', drop_tables => true);
END
$f$;
-- the engine ends; the next event starts a new one, which restores
CREATE FUNCTION pg_temp.restart() RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
  PERFORM pg_terminate_backend(pid, 10000) FROM pg_stat_activity
    WHERE backend_type = 'siddhi engine' AND datname = current_database();
END
$f$;

-- straight through
SELECT pg_temp.run('straight');
\set ECHO none
\o /dev/null
SELECT stmt FROM feed ORDER BY step \gexec
\o
\set ECHO all
SELECT pg_temp.collect('straight');

-- the engine restarted in the middle
SELECT pg_temp.run('restart');
\set ECHO none
\o /dev/null
SELECT stmt FROM feed WHERE step < 100 ORDER BY step \gexec
\o
\set ECHO all
-- what is saved besides the queries: the windows and the app's own state
SELECT query, saved, bytes > 0 AS bytes, reason FROM siddhi.query_states
 WHERE app = 'nws' AND query LIKE '#%' ORDER BY query;
SELECT pg_temp.restart();
\set ECHO none
\o /dev/null
SELECT stmt FROM feed WHERE step >= 100 ORDER BY step \gexec
\o
\set ECHO all
SELECT state FROM siddhi.apps WHERE name = 'nws';
SELECT pg_temp.collect('restart');

-- siddhi.state_roundtrip on
ALTER SYSTEM SET siddhi.state_roundtrip = on;
SELECT pg_reload_conf();
SELECT pg_sleep(0.3);
SELECT pg_temp.run('roundtrip');
\set ECHO none
\o /dev/null
SELECT stmt FROM feed ORDER BY step \gexec
\o
\set ECHO all
SELECT pg_temp.collect('roundtrip');
ALTER SYSTEM RESET siddhi.state_roundtrip;
SELECT pg_reload_conf();

-- the same rows in the three runs
SELECT r.run, count(*) AS rows,
       (SELECT count(*) FROM (SELECT tab, row FROM outs WHERE run = r.run
                              EXCEPT ALL
                              SELECT tab, row FROM outs WHERE run = 'straight') d) AS extra,
       (SELECT count(*) FROM (SELECT tab, row FROM outs WHERE run = 'straight'
                              EXCEPT ALL
                              SELECT tab, row FROM outs WHERE run = r.run) d) AS missing
  FROM outs r GROUP BY r.run ORDER BY r.run;
-- (the rows that differ, if any)
SELECT r.run, d.* FROM (VALUES ('restart'), ('roundtrip')) r(run),
  LATERAL (SELECT '+' AS diff, tab, row FROM (SELECT tab, row FROM outs WHERE run = r.run
                                    EXCEPT ALL
                                    SELECT tab, row FROM outs WHERE run = 'straight') x
           UNION ALL
           SELECT '-', tab, row FROM (SELECT tab, row FROM outs WHERE run = 'straight'
                               EXCEPT ALL
                               SELECT tab, row FROM outs WHERE run = r.run) y) d
 ORDER BY 1, 2, 3, 4;

-- what they are (straight through)
SELECT row->>'q' AS q, row->>'k' AS k, row->>'v' AS v, row->>'expired' AS expired,
       row->>'at' AS at
  FROM outs WHERE run = 'straight' AND tab = 'nwsout'
 ORDER BY q, (row->>'at')::bigint, k, v, expired;
SELECT tab, row->>'k' AS k, row->>'v' AS v FROM outs
 WHERE run = 'straight' AND tab <> 'nwsout' ORDER BY tab, k;

-- a changed definition starts its window empty: length(4) instead of 3
SELECT siddhi.deploy('nwc', $$
  define stream NwcIn (k string);
  define window NwcWin (k string) length(3) output all events;
  define table NwcOut (k string);
  from NwcIn insert into NwcWin;
  from NwcWin select k insert expired events into NwcOut;
$$);
INSERT INTO nwcin VALUES ('a'), ('b'), ('c');
SELECT siddhi.flush();
SELECT siddhi.deploy('nwc', replace(source, 'length(3)', 'length(4)'), replace => true)
  FROM siddhi.apps WHERE name = 'nwc';
INSERT INTO nwcin VALUES ('d'), ('e'), ('f'), ('g');
SELECT siddhi.flush();
-- a, b, c were forgotten: only d leaves, pushed out by h
INSERT INTO nwcin VALUES ('h');
SELECT siddhi.flush();
SELECT k FROM nwcout ORDER BY k;
-- and the same text again keeps it: i pushes e out
SELECT siddhi.deploy('nwc', source, replace => true) FROM siddhi.apps WHERE name = 'nwc';
INSERT INTO nwcin VALUES ('i');
SELECT siddhi.flush();
SELECT k FROM nwcout ORDER BY k;
SELECT * FROM nwcwin ORDER BY k;
SELECT siddhi.undeploy('nwc', drop_tables => true);

-- the SQL dialect's CREATE WINDOW is the same window: after a restart it
-- holds a and b again, and c pushes a out; its table shows it
SELECT siddhi.deploy('nwq', $$
  CREATE STREAM NwqIn (k TEXT);
  CREATE WINDOW NwqWin (k TEXT) length(2);
  INSERT INTO NwqWin SELECT k FROM NwqIn;
$$);
INSERT INTO nwqin VALUES ('a'), ('b');
SELECT siddhi.flush();
SELECT pg_temp.restart();
INSERT INTO nwqin VALUES ('c');
SELECT siddhi.flush();
SELECT * FROM nwqwin ORDER BY k;
SELECT siddhi.undeploy('nwq', drop_tables => true);

ALTER SYSTEM RESET siddhi.state_interval;
SELECT pg_reload_conf();
