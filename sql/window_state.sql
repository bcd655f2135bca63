-- Epochs (issue 15): with siddhi.state_roundtrip on, the engine saves the
-- state of every query that can be saved at the end of each batch, and
-- replaces its window (and deduplicate) by a new one restored from those
-- bytes.  The same app and the same feed (one batch per step) run twice,
-- the setting off, then on: the outputs must be the same, row for row.
-- The feed is chosen where a window's state is more than its events: a
-- session key table grown past its first size (a join scans it in its
-- order), frequent's and unique:lengthBatch's Java hash tables after they
-- grew, the aggregators of expression windows, the event expressionBatch
-- keeps in its aggregators only, hopping's emitted events, delay, sort,
-- externalTimeBatch's timeout, the deduplicate, lossyFrequent's counts,
-- unique:timeBatch's and cron's next flush; timeBatch and lengthBatch,
-- saved incrementally (the batch emitted last, then the one collected).
CREATE TEMP TABLE outs (run text, stream text, seq bigint, ms bigint,
                        expired boolean, event jsonb);
CREATE TEMP TABLE feed (step int, stmt text);
-- 200 keys in 10 batches (Keys); 11 s later, when their sessions have
-- closed, 40 new keys and a probe; then single events (Ev), the clock between
INSERT INTO feed
  SELECT b * 3, format('SET siddhi.event_time = %s', 1000 + b * 10) FROM generate_series(0, 9) b
  UNION ALL
  SELECT b * 3 + 1, format('INSERT INTO keys SELECT ''k'' || i, i FROM generate_series(%s, %s) i',
                           b * 20 + 1, b * 20 + 20) FROM generate_series(0, 9) b
  UNION ALL
  SELECT b * 3 + 2, 'SELECT siddhi.flush()' FROM generate_series(0, 9) b;
INSERT INTO feed VALUES
  (40, 'SET siddhi.event_time = 12000'),
  (41, 'INSERT INTO keys SELECT ''k'' || i, i FROM generate_series(1001, 1040) i'),
  (42, 'SELECT siddhi.flush()'),
  (43, 'SET siddhi.event_time = 12100'), (44, 'INSERT INTO probe VALUES (1)'),
  (45, 'SELECT siddhi.flush()');
INSERT INTO feed
  SELECT 100 + n * 3, format('SET siddhi.event_time = %s', t) FROM
    (VALUES (0, 14000), (1, 14300), (2, 14600), (3, 15100), (4, 15400), (5, 15500),
            (6, 16200), (7, 16300), (8, 19000), (9, 19100), (10, 19400)) AS x(n, t)
  UNION ALL
  SELECT 100 + n * 3 + 1, format('INSERT INTO ev VALUES (%L, %s, %s)', k, v, at) FROM
    (VALUES (0, 'a', 5, 100), (1, 'b', 12, 300), (2, 'a', 7, 500), (3, 'c', 20, 1200),
            (4, 'b', 1, 1300), (5, 'd', 9, 1400), (6, 'a', 30, 2500), (7, 'e', 2, 2600),
            (8, 'b', 4, 2700), (9, 'c', 8, 5000), (10, 'a', 6, 5100)) AS x(n, k, v, at)
  UNION ALL
  SELECT 100 + n * 3 + 2, 'SELECT siddhi.flush()' FROM generate_series(0, 10) n;
INSERT INTO feed VALUES (200, 'RESET siddhi.event_time'),
  (201, 'SELECT siddhi.advance_clock(24000)'), (202, 'SELECT siddhi.flush()');

CREATE FUNCTION pg_temp.run(tag text) RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
  PERFORM siddhi.deploy('ws', $$
    @app:playback
    define stream Keys (k string, v int);
    define stream Probe (p int);
    define stream Ev (k string, v int, at long);
    @info(name = 'sess_join') from Probe join Keys#window.session(10 sec, k)
    select Probe.p, Keys.k insert into OSessJoin;
    @info(name = 'freq') from Keys[v <= 70]#window.frequent(20, k)
    select k, v insert all events into OFreq;
    @info(name = 'ulb') from Keys[v <= 70]#window.unique:lengthBatch(k, 15)
    select k, v insert all events into OUlb;
    @info(name = 'xs') from Ev#window.expression('sum(v) <= 30 and max(v) < 25')
    select k, v insert all events into OXs;
    @info(name = 'xb_incl') from Ev#window.expressionBatch('count() <= 2', true)
    select k, v insert all events into OXbIncl;
    @info(name = 'xb_stream') from Ev#window.expressionBatch('sum(v) < 20', false, true)
    select k, v insert all events into OXbStream;
    @info(name = 'hop') from Ev#window.hopping(2 sec, 1 sec)
    select k, v insert all events into OHop;
    @info(name = 'delay') from Ev#window.delay(1500) select k, v insert into ODelay;
    @info(name = 'sort') from Ev#window.sort(3, v, 'desc')
    select k, v insert all events into OSort;
    @info(name = 'sess') from Ev#window.session(1 sec, k, 500)
    select k, v insert all events into OSess;
    @info(name = 'uext') from Ev#window.unique:externalTimeBatch(k, at, 1 sec, 0, 2 sec)
    select k, v insert all events into OUext;
    @info(name = 'dedup') from Ev#unique:deduplicate(k, 2 sec)
    select k, v insert into ODedup;
    @info(name = 'lossy') from Ev#window.lossyFrequent(0.3, 0.1, k)
    select k, v insert all events into OLossy;
    @info(name = 'utb') from Ev#window.unique:timeBatch(k, 1 sec)
    select k, v insert all events into OUtb;
    @info(name = 'cron') from Ev#window.cron('*/2 * * * * ?')
    select k, v insert all events into OCron;
    @info(name = 'tb') from Ev#window.timeBatch(1 sec)
    select k, v insert all events into OTb;
    @info(name = 'lb') from Ev#window.lengthBatch(3)
    select k, sum(v) as s insert all events into OLb;
  $$);
  PERFORM siddhi.subscribe(s) FROM unnest(ARRAY['osessjoin', 'ofreq', 'oulb', 'oxs',
    'oxbincl', 'oxbstream', 'ohop', 'odelay', 'osort', 'osess', 'ouext', 'odedup',
    'olossy', 'outb', 'ocron', 'otb', 'olb']) s;
END
$f$;
CREATE FUNCTION pg_temp.collect(tag text) RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
  INSERT INTO outs
    SELECT tag, s, p.seq, (extract(epoch FROM p.event_time) * 1000)::bigint,
           p.expired, p.event
      FROM unnest(ARRAY['osessjoin', 'ofreq', 'oulb', 'oxs', 'oxbincl', 'oxbstream',
                        'ohop', 'odelay', 'osort', 'osess', 'ouext', 'odedup',
                        'olossy', 'outb', 'ocron', 'otb', 'olb']) s,
           LATERAL siddhi.poll(s, 10000, 0) p;
  PERFORM siddhi.undeploy('ws', drop_tables => true);
END
$f$;

-- the setting off
SELECT pg_temp.run('off');
-- the feed, one batch per step (not echoed)
\set ECHO none
\o /dev/null
SELECT stmt FROM feed ORDER BY step \gexec
\o
\set ECHO all
SELECT pg_temp.collect('off');

-- the setting on: every batch saves and restores every query above
ALTER SYSTEM SET siddhi.state_roundtrip = on;
SELECT pg_reload_conf();
SELECT pg_sleep(0.3);
SELECT pg_temp.run('on');
-- the feed, one batch per step (not echoed)
\set ECHO none
\o /dev/null
SELECT stmt FROM feed ORDER BY step \gexec
\o
\set ECHO all
SELECT pg_temp.collect('on');
ALTER SYSTEM RESET siddhi.state_roundtrip;
SELECT pg_reload_conf();

-- the same rows, in the same order, in every output stream
SELECT o.stream, count(*) AS rows,
       bool_and(o.ms = n.ms AND o.expired = n.expired AND o.event = n.event) AS same
  FROM (SELECT *, row_number() OVER (PARTITION BY stream ORDER BY seq) AS i
          FROM outs WHERE run = 'off') o
  FULL JOIN (SELECT *, row_number() OVER (PARTITION BY stream ORDER BY seq) AS i
               FROM outs WHERE run = 'on') n USING (stream, i)
 GROUP BY o.stream ORDER BY o.stream;

-- what they are (the run with the setting on)
CREATE FUNCTION pg_temp.show(s text) RETURNS TABLE (ms bigint, expired boolean, event jsonb)
  LANGUAGE sql AS $f$ SELECT ms, expired, event FROM outs WHERE run = 'on' AND stream = s ORDER BY seq $f$;
-- the probe scans the 40 open sessions in the key table's order (a table
-- that grew to 200 keys)
SELECT string_agg(event->>'k', ' ' ORDER BY seq) FROM outs
 WHERE run = 'on' AND stream = 'osessjoin';
-- frequent(20): k1..k20 take the counters; k21 takes every counter to zero,
-- so all twenty expire, in Siddhi's ConcurrentHashMap order, and k21 enters
SELECT string_agg(CASE WHEN expired THEN '-' ELSE '+' END || (event->>'k'), ' ' ORDER BY seq)
  FROM outs WHERE run = 'on' AND stream = 'ofreq';
-- unique:lengthBatch(k, 15): batches of 15 keys in Siddhi's HashMap order
SELECT string_agg(CASE WHEN expired THEN '-' ELSE '+' END || (event->>'k'), ' ' ORDER BY seq)
  FROM outs WHERE run = 'on' AND stream = 'oulb';
SELECT * FROM pg_temp.show('oxs');
SELECT * FROM pg_temp.show('oxbincl');
SELECT * FROM pg_temp.show('oxbstream');
SELECT * FROM pg_temp.show('ohop');
SELECT * FROM pg_temp.show('odelay');
SELECT * FROM pg_temp.show('osort');
SELECT * FROM pg_temp.show('osess');
SELECT * FROM pg_temp.show('ouext');
SELECT * FROM pg_temp.show('odedup');
SELECT * FROM pg_temp.show('olossy');
SELECT * FROM pg_temp.show('outb');
SELECT * FROM pg_temp.show('ocron');
