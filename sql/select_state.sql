-- Epochs (issue 15): a query's groups and aggregators, SQL's contents and
-- its output rate limiter are saved and restored whole.  With
-- siddhi.state_roundtrip on, the engine saves every query's state at the
-- end of each batch and restores it into new operators; each event below is
-- its own batch (a flush after each), so every step runs on restored state
-- and the outputs must be Siddhi's, as without the setting.
ALTER SYSTEM SET siddhi.state_roundtrip = on;
SELECT pg_reload_conf();
-- what each stream received since the last call, with each row's time
CREATE FUNCTION st_drain(streams text[]) RETURNS TABLE (s text, rows text)
LANGUAGE sql AS $$
  SELECT s, string_agg(CASE WHEN event_time > '2000-01-01' THEN event::text
                            ELSE format('%s@%s', event,
                                        (extract(epoch FROM event_time) * 1000)::bigint)
                       END, ' ' ORDER BY seq)
    FROM unnest(streams) AS s, siddhi.poll(s, 100, 0)
   GROUP BY s ORDER BY s
$$;

-- every aggregator of SiddhiQL, running (no window) and over length(3)
SELECT siddhi.deploy('st_aggs', $$
  define stream StIn (k string, v double, n int, b bool);
  @info(name = 'running')
  from StIn
  select k, sum(n) as s, count() as c, avg(v) as a, min(v) as lo, max(n) as hi,
         minForever(v) as flo, maxForever(n) as fhi, stdDev(v) as sd,
         and(b) as al, or(b) as an, distinctCount(n) as dc,
         unionSet(createSet(n)) as us, percentile(v, 50) as med
  group by k insert into StRunning;
  @info(name = 'windowed')
  from StIn#window.length(3)
  select sum(n) as s, count() as c, avg(v) as a, min(v) as lo, max(n) as hi,
         minForever(n) as flo, maxForever(v) as fhi, stdDev(n) as sd,
         and(b) as al, or(b) as an, distinctCount(k) as dk,
         unionSet(createSet(k)) as ks, percentile(v, 50) as med
  insert all events into StWindowed;
$$);
SELECT siddhi.subscribe('strunning');
SELECT siddhi.subscribe('stwindowed');
INSERT INTO stin VALUES ('a', 2.5, 4, true);
SELECT siddhi.flush();
INSERT INTO stin VALUES ('b', 1.0, 7, false);
SELECT siddhi.flush();
INSERT INTO stin VALUES ('a', 0.5, 9, false);
SELECT siddhi.flush();
INSERT INTO stin VALUES ('a', 4.0, 4, true);
SELECT siddhi.flush();
INSERT INTO stin VALUES ('b', 3.0, 1, true);
SELECT siddhi.flush();
INSERT INTO stin VALUES ('a', 1.5, 2, NULL);
SELECT siddhi.flush();
-- per group: a's four events (4, 9, 4, 2), b's two (7, 1)
SELECT event->>'k' AS k, event->'s' AS s, event->'c' AS c, event->'a' AS a,
       event->'lo' AS lo, event->'hi' AS hi, event->'flo' AS flo,
       event->'fhi' AS fhi, round((event->>'sd')::numeric, 6) AS sd,
       event->'al' AS al, event->'an' AS an, event->'dc' AS dc,
       (SELECT array_agg(e::int ORDER BY e::int) FROM jsonb_array_elements_text(event->'us') e) AS us,
       event->'med' AS med
  FROM siddhi.poll('strunning', 100, 0) ORDER BY seq;
-- the last three events: expired rows leave min, max, the sets and the median
SELECT event->'s' AS s, event->'c' AS c, round((event->>'a')::numeric, 6) AS a,
       event->'lo' AS lo, event->'hi' AS hi, event->'flo' AS flo,
       event->'fhi' AS fhi, round((event->>'sd')::numeric, 6) AS sd,
       event->'al' AS al, event->'an' AS an, event->'dk' AS dk,
       (SELECT array_agg(e ORDER BY e) FROM jsonb_array_elements_text(event->'ks') e) AS ks,
       event->'med' AS med
  FROM siddhi.poll('stwindowed', 100, 0) ORDER BY seq;
SELECT siddhi.undeploy('st_aggs');

-- SQL's statistics, COUNT(x), DISTINCT and intersectSet over a window, and
-- ORDER BY / LIMIT over the groups (the contents)
SELECT siddhi.deploy('st_sqlaggs', $$
  CREATE STREAM st_px (g TEXT, x DOUBLE PRECISION, tags TEXT[]);
  @info(name = 'stats')
  INSERT INTO st_stats
  SELECT g, STDDEV_SAMP(x) AS sd, VAR_POP(x) AS vp, COUNT(x) AS nx,
         COUNT(DISTINCT x) AS cd, SUM(DISTINCT x) AS sdx, AVG(DISTINCT x) AS adx,
         intersectSet(tags) AS common
  FROM st_px WINDOW length(4) GROUP BY g;
  @info(name = 'top')
  INSERT INTO st_top
  SELECT g, SUM(x) AS total FROM st_px WINDOW length(4)
  GROUP BY g ORDER BY total DESC LIMIT 2;
  @info(name = 'median')
  INSERT INTO st_median
  SELECT g, PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY x) AS med
  FROM st_px GROUP BY g;
$$);
SELECT siddhi.subscribe('st_stats');
SELECT siddhi.subscribe('st_top');
SELECT siddhi.subscribe('st_median');
INSERT INTO st_px VALUES ('p', 1, '{a,b}');
SELECT siddhi.flush();
SELECT rows AS top FROM st_drain(ARRAY['st_top']);
INSERT INTO st_px VALUES ('q', 5, '{c}');
SELECT siddhi.flush();
SELECT rows AS top FROM st_drain(ARRAY['st_top']);
INSERT INTO st_px VALUES ('p', 1, '{b,c}');
SELECT siddhi.flush();
SELECT rows AS top FROM st_drain(ARRAY['st_top']);
INSERT INTO st_px VALUES ('r', 2, NULL);
SELECT siddhi.flush();
SELECT rows AS top FROM st_drain(ARRAY['st_top']);
INSERT INTO st_px VALUES ('p', 4, '{b}');
SELECT siddhi.flush();
SELECT rows AS top FROM st_drain(ARRAY['st_top']);
INSERT INTO st_px VALUES ('q', NULL, '{c,d}');
SELECT siddhi.flush();
SELECT rows AS top FROM st_drain(ARRAY['st_top']);
SELECT event->>'g' AS g, round((event->>'sd')::numeric, 6) AS sd,
       round((event->>'vp')::numeric, 6) AS vp, event->'nx' AS nx,
       event->'cd' AS cd, event->'sdx' AS sdx, event->'adx' AS adx,
       event->'common' AS common
  FROM siddhi.poll('st_stats', 100, 0) ORDER BY seq;
-- without a window, a sketch: p's 1, 1, 4 (the first 1 never leaves)
SELECT event FROM siddhi.poll('st_median', 100, 0) ORDER BY seq;
SELECT siddhi.undeploy('st_sqlaggs');

-- window functions over a stream (per partition: running values in
-- arrival order, the last rows for another ORDER BY) and over a window, and
-- SQL's contents without aggregates (DISTINCT over a window, a top 2 over
-- the stream)
SELECT siddhi.deploy('st_over', $$
  CREATE STREAM st_ticks (id INT, sym TEXT, price DOUBLE PRECISION, vol INT);
  @info(name = 'stream_fns')
  INSERT INTO st_overs
  SELECT id, row_number() OVER (PARTITION BY sym) AS rn,
         lag(price, 2, -1) OVER (PARTITION BY sym) AS lag2,
         first_value(price) OVER (PARTITION BY sym) AS fv,
         sum(vol) OVER (PARTITION BY sym) AS s,
         min(price) OVER (PARTITION BY sym) AS lo,
         rank() OVER (PARTITION BY sym ORDER BY price DESC) AS rk
  FROM st_ticks;
  @info(name = 'window_fns')
  INSERT INTO st_overw
  SELECT id, rank() OVER (ORDER BY price) AS rk,
         lead(id) OVER (PARTITION BY sym ORDER BY id) AS nxt,
         sum(vol) OVER (PARTITION BY sym) AS s
  FROM st_ticks WINDOW length(3);
  @info(name = 'distinct_syms')
  INSERT INTO st_distinct SELECT DISTINCT sym FROM st_ticks WINDOW length(2);
  @info(name = 'top_prices')
  INSERT INTO st_topprice SELECT id, price FROM st_ticks ORDER BY price DESC LIMIT 2;
$$);
SELECT siddhi.subscribe(s) FROM unnest(ARRAY['st_overs', 'st_overw', 'st_distinct', 'st_topprice']) AS s;
INSERT INTO st_ticks VALUES (1, 'a', 5.0, 10);
SELECT siddhi.flush();
SELECT * FROM st_drain(ARRAY['st_distinct', 'st_topprice']);
INSERT INTO st_ticks VALUES (2, 'b', 3.0, 20);
SELECT siddhi.flush();
SELECT * FROM st_drain(ARRAY['st_distinct', 'st_topprice']);
INSERT INTO st_ticks VALUES (3, 'a', 7.0, 30);
SELECT siddhi.flush();
SELECT * FROM st_drain(ARRAY['st_distinct', 'st_topprice']);
INSERT INTO st_ticks VALUES (4, 'a', 5.0, 40);
SELECT siddhi.flush();
SELECT * FROM st_drain(ARRAY['st_distinct', 'st_topprice']);
INSERT INTO st_ticks VALUES (5, 'b', 9.0, 50);
SELECT siddhi.flush();
SELECT * FROM st_drain(ARRAY['st_distinct', 'st_topprice']);
INSERT INTO st_ticks VALUES (6, 'a', 2.0, 60);
SELECT siddhi.flush();
SELECT * FROM st_drain(ARRAY['st_distinct', 'st_topprice']);
SELECT event FROM siddhi.poll('st_overs', 100, 0) ORDER BY seq;
SELECT event FROM siddhi.poll('st_overw', 100, 0) ORDER BY seq;
SELECT siddhi.undeploy('st_over');

-- rate limiters per events, with and without group by
SELECT siddhi.deploy('st_rate_events', $$
  define stream StTick (sym string, qty int);
  @info(name = 'all3') from StTick select sym, qty
  output every 3 events insert into StAll3;
  @info(name = 'first2') from StTick select sym, qty
  output first every 2 events insert into StFirst2;
  @info(name = 'last2') from StTick select sym, qty
  output last every 2 events insert into StLast2;
  @info(name = 'firstgrp') from StTick select sym, count() as n group by sym
  output first every 2 events insert into StFirstGrp;
  @info(name = 'lastgrp') from StTick select sym, sum(qty) as total group by sym
  output last every 3 events insert into StLastGrp;
$$);
SELECT siddhi.subscribe(s) FROM unnest(ARRAY['stall3', 'stfirst2', 'stlast2',
  'stfirstgrp', 'stlastgrp']) AS s;
INSERT INTO sttick VALUES ('a', 1);
SELECT siddhi.flush();
INSERT INTO sttick VALUES ('b', 2);
SELECT siddhi.flush();
INSERT INTO sttick VALUES ('a', 3);
SELECT siddhi.flush();
INSERT INTO sttick VALUES ('b', 4);
SELECT siddhi.flush();
INSERT INTO sttick VALUES ('a', 5);
SELECT siddhi.flush();
INSERT INTO sttick VALUES ('c', 6);
SELECT siddhi.flush();
INSERT INTO sttick VALUES ('c', 7);
SELECT siddhi.flush();
SELECT s, string_agg(event::text, ' ' ORDER BY seq) AS rows
  FROM unnest(ARRAY['stall3', 'stfirst2', 'stlast2', 'stfirstgrp', 'stlastgrp']) AS s,
       siddhi.poll(s, 100, 0)
 GROUP BY s ORDER BY s;
SELECT siddhi.undeploy('st_rate_events');

-- rate limiters per time and snapshots, in playback: periods start at the
-- first event (1000) and end at 2000, 3000, ...
SELECT siddhi.deploy('st_rate_time', $$
  @app:playback
  define stream StTimed (sym string, qty int);
  @info(name = 'allt') from StTimed select sym
  output all every 1 sec insert into StAllT;
  @info(name = 'firstt') from StTimed select sym
  output first every 1 sec insert into StFirstT;
  @info(name = 'firstgrpt') from StTimed select sym, count() as n group by sym
  output first every 1 sec insert into StFirstGrpT;
  @info(name = 'lastt') from StTimed select sym
  output last every 1 sec insert into StLastT;
  @info(name = 'lastgrpt') from StTimed select sym, sum(qty) as total
  group by sym output last every 1 sec insert into StLastGrpT;
  @info(name = 'latest') from StTimed select sym, qty
  output snapshot every 1 sec insert into StLatest;
  @info(name = 'latestgrp') from StTimed select sym, sum(qty) as total
  group by sym output snapshot every 1 sec insert into StLatestGrp;
  @info(name = 'inwindow') from StTimed#window.length(2) select sym, qty
  output snapshot every 1 sec insert into StInWindow;
  @info(name = 'pergroup') from StTimed#window.length(3)
  select sym, sum(qty) as total group by sym
  output snapshot every 1 sec insert into StPerGroup;
$$);
SELECT siddhi.subscribe(s) FROM unnest(ARRAY['stallt', 'stfirstt', 'stfirstgrpt',
  'stlastt', 'stlastgrpt', 'stlatest', 'stlatestgrp', 'stinwindow', 'stpergroup']) AS s;
-- after each step, what each stream received (row@its time); a period's
-- rows leave when a later clock value (an event, advance_clock) ends it
SET siddhi.event_time = 1000;
INSERT INTO sttimed VALUES ('a', 1);
SELECT siddhi.flush();
SELECT * FROM st_drain(ARRAY['stallt', 'stfirstt', 'stfirstgrpt', 'stlastt', 'stlastgrpt', 'stlatest', 'stlatestgrp', 'stinwindow', 'stpergroup']);
SET siddhi.event_time = 1400;
INSERT INTO sttimed VALUES ('b', 2);
SELECT siddhi.flush();
SELECT * FROM st_drain(ARRAY['stallt', 'stfirstt', 'stfirstgrpt', 'stlastt', 'stlastgrpt', 'stlatest', 'stlatestgrp', 'stinwindow', 'stpergroup']);
SET siddhi.event_time = 1700;
INSERT INTO sttimed VALUES ('a', 3);
SELECT siddhi.flush();
SELECT * FROM st_drain(ARRAY['stallt', 'stfirstt', 'stfirstgrpt', 'stlastt', 'stlastgrpt', 'stlatest', 'stlatestgrp', 'stinwindow', 'stpergroup']);
SET siddhi.event_time = 2100;
INSERT INTO sttimed VALUES ('a', 4);
SELECT siddhi.flush();
SELECT * FROM st_drain(ARRAY['stallt', 'stfirstt', 'stfirstgrpt', 'stlastt', 'stlastgrpt', 'stlatest', 'stlatestgrp', 'stinwindow', 'stpergroup']);
SET siddhi.event_time = 2300;
INSERT INTO sttimed VALUES ('c', 5);
SELECT siddhi.flush();
SELECT * FROM st_drain(ARRAY['stallt', 'stfirstt', 'stfirstgrpt', 'stlastt', 'stlastgrpt', 'stlatest', 'stlatestgrp', 'stinwindow', 'stpergroup']);
SET siddhi.event_time = 3600;
INSERT INTO sttimed VALUES ('b', 6);
SELECT siddhi.flush();
SELECT * FROM st_drain(ARRAY['stallt', 'stfirstt', 'stfirstgrpt', 'stlastt', 'stlastgrpt', 'stlatest', 'stlatestgrp', 'stinwindow', 'stpergroup']);
RESET siddhi.event_time;
SELECT siddhi.advance_clock(5000);
SELECT siddhi.flush();
SELECT * FROM st_drain(ARRAY['stallt', 'stfirstt', 'stfirstgrpt', 'stlastt', 'stlastgrpt', 'stlatest', 'stlatestgrp', 'stinwindow', 'stpergroup']);
SELECT siddhi.undeploy('st_rate_time');

DROP FUNCTION st_drain(text[]);
ALTER SYSTEM RESET siddhi.state_roundtrip;
SELECT pg_reload_conf();
