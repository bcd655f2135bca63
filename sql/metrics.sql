-- Metrics (issue 16): the views, who sees them, and siddhi.metrics()
-- in the Prometheus text format.  Counts are exact; times are shown only
-- as "> 0" or masked.
SELECT siddhi.deploy('met_app', $$
  define stream MetTicks (sym string, price double, vol long);
  @info(name = 'met_filter')
  from MetTicks[price > 10] select sym, price insert into MetOut;
  @info(name = 'met_window')
  from MetTicks#window.length(5) select sym, sum(price) as total
  group by sym insert into MetAgg;
  @info(name = 'met_pattern')
  from every e1 = MetTicks[price > 50] -> e2 = MetTicks[price < e1.price]
  within 1 min
  select e1.sym as a, e2.sym as b insert into MetPat;
  partition with (sym of MetTicks)
  begin
    @info(name = 'met_part')
    from MetTicks select sym, count() as n insert into MetPartOut;
  end;
$$);
SELECT wait_app('met_app');

-- before any event: every query has a row, nothing counted yet
SELECT query, events_in, events_out, timed_events
  FROM siddhi.query_metrics WHERE app = 'met_app' ORDER BY query;

-- 100 events, in one transaction: one batch
INSERT INTO metticks SELECT 's' || (i % 3), i, i FROM generate_series(1, 100) i;
SELECT siddhi.flush();

-- per query: events in and out, the state at the end of the batch (the
-- length window holds 5 events in 3 groups; the pattern 51 partial
-- matches, one per price over 50; the partition 3 keys), and the events
-- timed: the first, then one in 256 (event 1 only: 257 is past the 100)
SELECT query, events_in, events_out, errors, events_held, groups,
       partial_matches, keys, state_bytes > 0 AS has_bytes, timed_events,
       timed_seconds > 0 AS timed
  FROM siddhi.query_metrics WHERE app = 'met_app' ORDER BY query;

-- per stream: what the engine read of it
SELECT stream, relation, events, bytes > 100 * 24 AS bytes,
       ring_wait_seconds
  FROM siddhi.stream_metrics WHERE stream = 'public.metticks';

-- per app: one batch fed it; its commit took some time; event time lags
-- the clock by what the batch took (events get the arrival time)
SELECT app, batches, batch_commit_seconds > 0 AS commit_timed,
       event_time_lag_seconds >= 0 AS lag_known
  FROM siddhi.app_metrics WHERE app = 'met_app';

-- the database: the engine runs; the ring is the configured 8 MB, all
-- consumed; no open transaction held
SELECT database = current_database() AS here, running, events >= 100,
       batches >= 1, ring_size_bytes, ring_used_bytes, ring_fill,
       pending_bytes
  FROM siddhi.database_metrics WHERE database = current_database();

-- histogram buckets as rows: 23 per query (22 bounds and +Inf),
-- cumulative, the +Inf one counting every timed event
SELECT query, count(*) AS buckets, max(le) AS last_le,
       bool_and(count <= max_count) AS cumulative,
       max(count) = (SELECT timed_events FROM siddhi.query_metrics q
                      WHERE q.app = 'met_app' AND q.query = b.query) AS all
  FROM (SELECT *, max(count) OVER (PARTITION BY query) AS max_count
          FROM siddhi.histogram_buckets
         WHERE metric = 'query_event_seconds' AND app = 'met_app') b
 GROUP BY query ORDER BY query;
SELECT metric, count(*) AS buckets, max(count) AS batches
  FROM siddhi.histogram_buckets
 WHERE metric = 'app_batch_commit_seconds' AND app = 'met_app'
 GROUP BY metric;
-- a percentile from the rows: the smallest bound holding 99 % of them
SELECT query, (SELECT min(le) FROM siddhi.histogram_buckets h
                WHERE h.metric = 'query_event_seconds' AND h.app = 'met_app'
                  AND h.query = q.query
                  AND h.count >= 0.99 * q.timed_events) > 0 AS p99_found
  FROM siddhi.query_metrics q WHERE app = 'met_app' ORDER BY query;

-- siddhi.metrics(): the families, each with HELP and TYPE once
SELECT line FROM regexp_split_to_table(siddhi.metrics(), E'\n') AS line
 WHERE line LIKE '# TYPE %';
-- the series of this app, the numbers of time masked
SELECT CASE WHEN line ~ '(_seconds|_seconds_sum|_bytes)\{'
            THEN regexp_replace(line, ' [^ ]+$', ' <n>')
            ELSE line END AS line
  FROM regexp_split_to_table(siddhi.metrics(), E'\n') AS line
 WHERE line LIKE '%app="met_app"%' AND line NOT LIKE '%_bucket{%';
-- the buckets of one histogram in order, cumulative, +Inf last and equal
-- to _count
WITH l AS (
  SELECT line, n FROM regexp_split_to_table(siddhi.metrics(), E'\n')
                      WITH ORDINALITY AS t(line, n)
   WHERE line LIKE 'siddhi_query_event_seconds_%query="met_filter"%'),
b AS (
  SELECT n, substring(line FROM 'le="([^"]+)"') AS le,
         substring(line FROM ' ([0-9]+)$')::bigint AS c
    FROM l WHERE line LIKE '%_bucket{%')
SELECT string_agg(le, ' ' ORDER BY n) AS bounds,
       bool_and(c >= coalesce(prev, 0)) AS cumulative,
       (SELECT c FROM b ORDER BY n DESC LIMIT 1) =
       (SELECT substring(line FROM ' ([0-9]+)$')::bigint FROM l
         WHERE line LIKE '%_count{%') AS inf_is_count
  FROM (SELECT *, lag(c) OVER (ORDER BY n) AS prev FROM b) x;

-- who sees what: a role that is not a member of the app owner's role sees
-- none of its rows, nor its series; pg_monitor sees them all
CREATE ROLE met_bob;
SET ROLE met_bob;
SELECT count(*) FROM siddhi.query_metrics WHERE app = 'met_app';
SELECT count(*) FROM siddhi.app_metrics WHERE app = 'met_app';
SELECT count(*) FROM siddhi.stream_metrics WHERE stream = 'public.metticks';
SELECT count(*) FROM siddhi.histogram_buckets WHERE app = 'met_app';
SELECT position('met_app' IN siddhi.metrics()) AS in_text;
-- the database's own row has no event data: everyone sees it
SELECT count(*) FROM siddhi.database_metrics
 WHERE database = current_database();
RESET ROLE;
GRANT pg_monitor TO met_bob;
SET ROLE met_bob;
SELECT count(*) FROM siddhi.query_metrics WHERE app = 'met_app';
SELECT count(*) FROM siddhi.app_metrics WHERE app = 'met_app';
SELECT count(*) FROM siddhi.stream_metrics WHERE stream = 'public.metticks';
SELECT count(*) FROM siddhi.histogram_buckets WHERE app = 'met_app';
SELECT position('met_app' IN siddhi.metrics()) > 0 AS in_text;
RESET ROLE;
DROP ROLE met_bob;

-- the grants: the views to PUBLIC and pg_monitor, the text function too
SELECT c.relname, has_table_privilege('pg_monitor', c.oid, 'SELECT') AS monitor,
       has_table_privilege('public', c.oid, 'SELECT') AS public
  FROM pg_class c
 WHERE c.relnamespace = 'siddhi'::regnamespace
   AND c.relname IN ('query_metrics', 'stream_metrics', 'app_metrics',
                     'database_metrics', 'histogram_buckets')
 ORDER BY relname;
SELECT has_function_privilege('pg_monitor', 'siddhi.metrics()', 'EXECUTE');

-- undeploying frees the app's entries
SELECT siddhi.undeploy('met_app', drop_tables => true);
SELECT wait_for($$SELECT (count(*) = 0)::int FROM siddhi.query_metrics
                  WHERE app = 'met_app'$$, 1) AS freed;
SELECT count(*) FROM siddhi.app_metrics WHERE app = 'met_app';
-- and its stream, dropped with it, leaves the stream metrics
SELECT wait_for($$SELECT (count(*) = 0)::int FROM siddhi.stream_metrics
                  WHERE stream = 'public.metticks'$$, 1) AS stream_freed;
-- the endpoint is off by default
SHOW siddhi.metrics_address;
