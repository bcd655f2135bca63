-- EXPLAIN ANALYZE: each operator's events in and out, the state a query
-- holds and its sampled time per event (issue 16).  Playback and
-- siddhi.flush() make the counts exact; the time and the bytes vary from
-- run to run and are masked.
CREATE FUNCTION ea_plan(app text, query text, fmt text DEFAULT 'text')
RETURNS SETOF text LANGUAGE sql AS $$
  SELECT regexp_replace(p, '(Time per Event|State Bytes): .*', '\1: (varies)')
    FROM siddhi.explain(app, query, true, fmt) p
$$;
-- the nodes that have counters, from the JSON (depth first)
CREATE FUNCTION ea_nodes(app text, query text)
RETURNS TABLE (node text, events_in int8, events_out int8, expired_out int8)
LANGUAGE sql AS $$
  SELECT n->>'Node Type', (n->>'Events In')::int8, (n->>'Events Out')::int8,
         (n->>'Expired Events Out')::int8
    FROM siddhi.explain(app, query, true, 'json') j,
         jsonb_path_query(j::jsonb, 'strict $[*].Plan.**') n
   WHERE jsonb_typeof(n) = 'object' AND n ? 'Node Type'
     AND (n ? 'Events In' OR n ? 'Events Out')
$$;

-- filter, length window, group by, having, rate limiter
SELECT * FROM siddhi.deploy('ea_app', $$
  @app:playback
  @eventTime('ts')
  define stream EaIn (sym string, price double, vol long, ts long);
  @info(name = 'agg')
  from EaIn[vol > 100]#window.length(2)
  select sym, sum(price) as total
  group by sym having total > 10
  insert into EaOut;
  @info(name = 'limited')
  from EaIn#window.time(1 sec)
  select sym, count() as n
  group by sym
  output last every 2 events
  insert into EaLast;
  @info(name = 'plain')
  from EaIn[price > 5] select sym insert into EaPlain;
$$);

-- before any event: every counter is 0
SELECT siddhi.flush();
SELECT * FROM ea_nodes('ea_app', 'agg');

INSERT INTO eain VALUES
  ('A', 6, 200, 1000), ('A', 7, 300, 1100), ('B', 1, 50, 1200),
  ('B', 20, 500, 1300);
SELECT siddhi.flush();

-- filter in 4 out 3; window in 3, out 3 current and 1 expired (A 6 when
-- B 20 arrives); the selector takes the 4 and makes 2 rows past having
-- (A at 13, B at 20; A at 7 once 6 expired is under 10)
SELECT * FROM ea_plan('ea_app', 'agg');
SELECT * FROM ea_nodes('ea_app', 'agg');
-- the time window holds 4 events of 2 groups; the limiter takes the 4
-- rows of the selector and lets the last of each 2 go: 2
SELECT * FROM ea_plan('ea_app', 'limited');
SELECT * FROM ea_nodes('ea_app', 'limited');
-- JSON: numbers, state and the sampled time on the query
SELECT j::jsonb->0->'State Events' AS held, j::jsonb->0->'State Groups' AS groups,
       (j::jsonb->0->>'State Bytes')::int8 > 0 AS has_bytes,
       j::jsonb->0->'Sampled Events' AS sampled,
       j::jsonb->0->>'Time per Event' ~ '^p50 <= .*, p99 <= .* \(one event in 256 is timed\)$' AS timed
  FROM siddhi.explain('ea_app', 'limited', true, 'json') j;
-- a stateless query: no window, no state lines but the time
SELECT * FROM ea_plan('ea_app', 'plain');

-- without analyze, no counters
SELECT count(*) FILTER (WHERE p ~ 'Events (In|Out)|State|Time per') AS counters
  FROM siddhi.explain('ea_app', 'agg') p;

-- the time window lets its events go as the clock passes: expired out
SELECT siddhi.advance_clock(5000, 'ea_app');
SELECT siddhi.flush();
SELECT * FROM ea_nodes('ea_app', 'limited');

SELECT siddhi.undeploy('ea_app', drop_tables => true);
DROP FUNCTION ea_plan(text, text, text);
DROP FUNCTION ea_nodes(text, text);
