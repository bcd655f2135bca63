-- Epochs (issue 15): expression windows save their condition's aggregators
-- as they are (siddhi_aggs_serialize), so every one can be saved: a float
-- sum that lost values (rounding), minForever / maxForever (they remember
-- what left), stdDev, arguments reading the window's first or last event,
-- and expressionBatch's aggregators that hold the arrival that restarted
-- them.  The same app and the same feed run three times: straight through,
-- with the engine killed and started again in the middle (each batch
-- saves: siddhi.state_interval = 0), and with siddhi.state_roundtrip on.
-- The outputs must be the same in the three runs.
ALTER SYSTEM SET siddhi.state_interval = 0;
SELECT pg_reload_conf();
SELECT pg_sleep(0.3);
CREATE TEMP TABLE outs (run text, row jsonb);
CREATE TEMP TABLE feed (step int, stmt text);
-- values whose float sums round (0.1, 0.2, ...), one event per batch
INSERT INTO feed
  SELECT n * 3, format('SET siddhi.event_time = %s', 1000 + n * 100)
    FROM generate_series(0, 23) n
  UNION ALL
  SELECT n * 3 + 1, format('INSERT INTO xwin VALUES (%L, %s)',
                           chr(97 + n), (ARRAY[0.1, 0.2, 0.7, 3.3, 0.4, 5.5, 0.1, 9.9,
                                               0.3, 2.2, 0.6, 4.4, 0.2, 0.3, 7.7, 0.1,
                                               1.1, 0.9, 6.6, 0.2, 0.4, 3.3, 0.7, 0.5])[n + 1])
    FROM generate_series(0, 23) n
  UNION ALL
  SELECT n * 3 + 2, 'SELECT siddhi.flush()' FROM generate_series(0, 23) n;
INSERT INTO feed VALUES (100, 'RESET siddhi.event_time');

CREATE FUNCTION pg_temp.run(tag text) RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
  PERFORM siddhi.deploy('xws', $$
    @app:playback
    define stream XWin (k string, v double);
    define table XOut (q string, k string, v double, expired bool, at long);
    @info(name = 'fsum') from XWin#window.expression('sum(v) <= 10.0')
    select 'fsum' as q, k, v, false as expired, eventTimestamp() as at
    insert current events into XOut;
    @info(name = 'fsum_x') from XWin#window.expression('sum(v) <= 10.0')
    select 'fsum' as q, k, v, true as expired, eventTimestamp() as at
    insert expired events into XOut;
    @info(name = 'forever') from XWin#window.expression('count() <= 4 and maxForever(v) - minForever(v) < 9.5')
    select 'forever' as q, k, v, false as expired, eventTimestamp() as at
    insert current events into XOut;
    @info(name = 'forever_x') from XWin#window.expression('count() <= 4 and maxForever(v) - minForever(v) < 9.5')
    select 'forever' as q, k, v, true as expired, eventTimestamp() as at
    insert expired events into XOut;
    @info(name = 'sd') from XWin#window.expression('count() <= 2 or stdDev(v) < 2.0')
    select 'sd' as q, k, v, false as expired, eventTimestamp() as at
    insert current events into XOut;
    @info(name = 'sd_x') from XWin#window.expression('count() <= 2 or stdDev(v) < 2.0')
    select 'sd' as q, k, v, true as expired, eventTimestamp() as at
    insert expired events into XOut;
    @info(name = 'firstlast') from XWin#window.expression('sum(last.v - first.v) < 5.0')
    select 'firstlast' as q, k, v, false as expired, eventTimestamp() as at
    insert current events into XOut;
    @info(name = 'firstlast_x') from XWin#window.expression('sum(last.v - first.v) < 5.0')
    select 'firstlast' as q, k, v, true as expired, eventTimestamp() as at
    insert expired events into XOut;
    @info(name = 'xb') from XWin#window.expressionBatch('sum(v) < 6.0', true)
    select 'xb' as q, k, v, false as expired, eventTimestamp() as at
    insert current events into XOut;
    @info(name = 'xb_x') from XWin#window.expressionBatch('sum(v) < 6.0', true)
    select 'xb' as q, k, v, true as expired, eventTimestamp() as at
    insert expired events into XOut;
    @info(name = 'agg') from XWin#window.expression('avg(v) < 3.0')
    select 'agg' as q, '' as k, sum(v) as v, false as expired, eventTimestamp() as at
    insert into XOut;
  $$);
END
$f$;
CREATE FUNCTION pg_temp.collect(tag text) RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
  INSERT INTO outs SELECT tag, to_jsonb(o) FROM xout o;
  PERFORM siddhi.undeploy('xws', drop_tables => true);
END
$f$;
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

-- the engine restarted twice on the way
SELECT pg_temp.run('restart');
\set ECHO none
\o /dev/null
SELECT stmt FROM feed WHERE step < 30 ORDER BY step \gexec
\o
\set ECHO all
-- every query's state is saved
SELECT query, saved, reason FROM siddhi.query_states WHERE app = 'xws' ORDER BY query;
SELECT pg_temp.restart();
\set ECHO none
\o /dev/null
SELECT stmt FROM feed WHERE step >= 30 AND step < 50 ORDER BY step \gexec
\o
\set ECHO all
SELECT pg_temp.restart();
\set ECHO none
\o /dev/null
SELECT stmt FROM feed WHERE step >= 50 ORDER BY step \gexec
\o
\set ECHO all
SELECT state FROM siddhi.apps WHERE name = 'xws';
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
       (SELECT count(*) FROM (SELECT row FROM outs WHERE run = r.run
                              EXCEPT ALL
                              SELECT row FROM outs WHERE run = 'straight') d) AS extra,
       (SELECT count(*) FROM (SELECT row FROM outs WHERE run = 'straight'
                              EXCEPT ALL
                              SELECT row FROM outs WHERE run = r.run) d) AS missing
  FROM outs r GROUP BY r.run ORDER BY r.run;
-- (the rows that differ, if any)
SELECT r.run, d.* FROM (VALUES ('restart'), ('roundtrip')) r(run),
  LATERAL (SELECT '+' AS diff, row FROM (SELECT row FROM outs WHERE run = r.run
                                    EXCEPT ALL
                                    SELECT row FROM outs WHERE run = 'straight') x
           UNION ALL
           SELECT '-', row FROM (SELECT row FROM outs WHERE run = 'straight'
                               EXCEPT ALL
                               SELECT row FROM outs WHERE run = r.run) y) d
 ORDER BY 1, 2, 3;

-- what they are (straight through): per query, the events in and out
SELECT row->>'q' AS q,
       string_agg(CASE WHEN (row->>'expired')::bool THEN '-' ELSE '+' END || (row->>'k'),
                  ' ' ORDER BY (row->>'at')::bigint, (row->>'expired')::bool DESC, row->>'k') AS events
  FROM outs WHERE run = 'straight' AND row->>'q' <> 'agg' GROUP BY 1 ORDER BY 1;
SELECT string_agg(row->>'v', ' ' ORDER BY (row->>'at')::bigint) AS sums
  FROM outs WHERE run = 'straight' AND row->>'q' = 'agg';

ALTER SYSTEM RESET siddhi.state_interval;
SELECT pg_reload_conf();
