-- Roadmap block 20: the current state of an aggregation, and its history
-- over a range, read on demand in streaming SQL.
-- Adapted: the roadmap never defines hourly_metrics, so it is created here
-- (an aggregation by hour of a metrics stream); the two SELECTs run through
-- siddhi.query(app, text), the on-demand entry point (inside an app a bare
-- SELECT is a continuous query); agg_timestamp is dropped from the output
-- (event - 'agg_timestamp') because the buckets are relative to now() and
-- would change every run.
CREATE EXTENSION IF NOT EXISTS siddhi;

SELECT siddhi.deploy('metrics', $$
  CREATE STREAM MetricStream (region STRING, latency DOUBLE, requests LONG, ts LONG);
  CREATE AGGREGATION hourly_metrics
  WITH (by = 'ts', granularity = 'hour') AS
  SELECT region, AVG(latency) AS avg_latency, SUM(requests) AS requests,
         COUNT(*) AS samples
  FROM MetricStream
  GROUP BY region;
$$);

-- samples 10 days, 3 hours, 2 hours, 1 hour ago and now, in two regions
INSERT INTO metricstream
SELECT r, l, n, (extract(epoch FROM now() - h * interval '1 hour') * 1000)::bigint
  FROM (VALUES ('US-WEST', 120.0, 10, 240), ('US-WEST', 80.0, 30, 3),
               ('US-WEST', 90.0, 20, 2), ('EU', 45.0, 5, 1),
               ('US-WEST', 110.0, 40, 0), ('EU', 55.0, 15, 0)) AS v(r, l, n, h);
SELECT siddhi.flush();

-- Query current aggregation state: the latest bucket of each group
SELECT event - 'agg_timestamp' AS event FROM siddhi.query('metrics', $q$
SELECT * FROM hourly_metrics.current()
WHERE region == 'US-WEST';
$q$);

-- Query historical aggregations: range(from, to) is WITHIN from, to (the
-- hourly buckets, the finest granularity, unless PER says otherwise)
SELECT event - 'agg_timestamp' AS event FROM siddhi.query('metrics', $q$
SELECT * FROM hourly_metrics.range(
    from: now() - 7 days,
    to: now()
);
$q$);

-- the same history per day, summed per region in plain SQL
SELECT event FROM siddhi.query('metrics', $q$
SELECT region, SUM(requests) AS requests, SUM(samples) AS samples
FROM hourly_metrics.range(from: now() - 7 days, to: now()) PER 'day'
GROUP BY region ORDER BY region
$q$);

SELECT siddhi.undeploy('metrics', drop_tables => true);
