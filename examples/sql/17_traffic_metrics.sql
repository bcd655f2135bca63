-- Roadmap block 23 (M10, incremental aggregations): CREATE AGGREGATION
-- TrafficMetrics with PERCENTILE(responseTime, 95) and retention '90 days',
-- run as written.  The roadmap does not define APIRequestStream: here it
-- carries the request's time in `timestamp` (ms since the epoch), which
-- the aggregation's `by` names.
--
-- The block's first query runs as an on-demand query in streaming SQL
-- (siddhi.query), `FROM TrafficMetrics WITHIN last '7 days' PER 'hour'`,
-- as written: endpoint beside SUM(..) with no GROUP BY, which a query of
-- an aggregation reads as grouped by endpoint.  The second
-- reads `DATE(timestamp)`, a column the aggregation does not have: it
-- runs as plain SQL over the aggregation's view (one row per bucket, with
-- agg_granularity and agg_timestamp, the bucket's start).  The events are placed three to
-- five days ago, so that '7 days' and the 90-day retention both hold them
-- whenever the example runs; times are printed relative to that start.
--
-- PERCENTILE(x, 95) in an aggregation is approximate: each bucket keeps a
-- DDSketch (relative error at most 1 %, a few hundred bytes), and the
-- hour and day buckets are sketches of all their events.
CREATE EXTENSION IF NOT EXISTS siddhi;

SELECT siddhi.deploy('traffic_metrics', $$
  CREATE STREAM APIRequestStream (endpoint TEXT, responseTime DOUBLE PRECISION,
                                  timestamp BIGINT);

  -- Time-series analytics across multiple granularities
  CREATE AGGREGATION TrafficMetrics
  WITH (
      by = 'timestamp',
      granularity = 'second',
      retention = '90 days'
  ) AS
  SELECT
      endpoint,
      COUNT(*) as request_count,
      AVG(responseTime) as avg_response_time,
      PERCENTILE(responseTime, 95) as p95_latency
  FROM APIRequestStream
  GROUP BY endpoint;
$$);

-- 3,000 requests over two days, starting five days ago at midnight UTC;
-- /search has a long tail
CREATE TABLE traffic_start AS
SELECT (extract(epoch FROM date_trunc('day', now() AT TIME ZONE 'UTC')
                           - interval '5 days') * 1000)::bigint AS ms;
CREATE TABLE traffic_requests AS
SELECT (ARRAY['/login', '/search', '/cart'])[1 + i % 3] AS endpoint,
       CASE WHEN i % 3 = 1
            THEN 20 - 40 * ln(((i * 7919) % 1009 + 0.5) / 1009.0)
            ELSE 10 + (i * 37) % 50 END AS responsetime,
       (SELECT ms FROM traffic_start) + i * 57600::bigint AS timestamp
  FROM generate_series(0, 2999) i;
INSERT INTO apirequeststream SELECT * FROM traffic_requests ORDER BY timestamp;
SELECT siddhi.flush();

-- Query hourly metrics for last week (the roadmap's first query)
SELECT event->>'endpoint' AS endpoint,
       (event->>'total_requests')::int AS total_requests,
       round((event->>'avg_latency')::numeric, 2) AS avg_latency
  FROM siddhi.query('traffic_metrics', $q$
    SELECT
        endpoint,
        SUM(request_count) as total_requests,
        AVG(avg_response_time) as avg_latency
    FROM TrafficMetrics
    WITHIN last '7 days'
    PER 'hour'$q$)
 ORDER BY endpoint;

-- Query daily rollup for last quarter (the roadmap's second query), over
-- the view: DATE(timestamp) is the day bucket's start
SELECT (to_timestamp(agg_timestamp / 1000.0) AT TIME ZONE 'UTC')::date
         - (to_timestamp((SELECT ms FROM traffic_start) / 1000.0) AT TIME ZONE 'UTC')::date
         AS day,
       endpoint,
       request_count AS daily_requests
  FROM trafficmetrics
 WHERE agg_granularity = 'day'
   AND agg_timestamp >= (extract(epoch FROM now() - interval '90 days') * 1000)::bigint
 ORDER BY day, daily_requests DESC, endpoint;

-- The p95 of each day's bucket against the exact percentile_cont of the
-- same requests: within the sketch's 1 %
SELECT m.endpoint,
       round(m.p95_latency::numeric, 1) AS p95_latency,
       round(e.exact::numeric, 1) AS exact_p95,
       abs(m.p95_latency - e.exact) <= 0.01 * e.exact AS within_1_percent
  FROM trafficmetrics m
  JOIN (SELECT endpoint, ((timestamp - (SELECT ms FROM traffic_start)) / 86400000) AS day,
               percentile_cont(0.95) WITHIN GROUP (ORDER BY responsetime) AS exact
          FROM traffic_requests GROUP BY 1, 2) e
    ON e.endpoint = m.endpoint
   AND m.agg_timestamp = (SELECT ms FROM traffic_start) + e.day * 86400000
 WHERE m.agg_granularity = 'day' AND e.day = 0
 ORDER BY m.endpoint;

SELECT siddhi.undeploy('traffic_metrics');
