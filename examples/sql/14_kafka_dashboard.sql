-- Kafka into an incremental aggregation, read by plain SQL: page views
-- arrive as CSV lines on topic "views"; the app keeps per-minute and
-- per-hour counts per page, which a dashboard reads with SELECT (purging
-- is off: these views are from 2024, and the default retention would drop
-- them at once).  Replace :'kafka' with your broker's address.
CREATE EXTENSION IF NOT EXISTS siddhi;
\getenv kafka SIDDHI_KAFKA_BOOTSTRAP

SELECT siddhi.deploy('dashboard', format($app$
  @source(type = 'kafka', topic.list = 'views', group.id = 'dashboard',
          bootstrap.servers = '%1$s',
          optional.configuration = 'auto.offset.reset:earliest',
          @map(type = 'csv'))
  define stream Views (page string, ms long, ts long);

  @purge(enable = 'false')
  define aggregation PageStats
  from Views
  select page, count() as views, avg(ms) as avg_ms
  group by page
  aggregate by ts every min ... hour;
$app$, :'kafka'));

-- 2024-01-01 10:00 UTC onwards, three pages, two minutes
\! printf '%s\n' '/home,120,1704103200000' '/home,80,1704103210000' '/cart,300,1704103215000' '/home,100,1704103265000' '/pay,900,1704103270000' '/cart,200,1704103275000' | kcat -P -b "$SIDDHI_KAFKA_BOOTSTRAP" -t views

-- wait until the six views are in
DO $$
BEGIN
  FOR i IN 1..1200 LOOP
    EXIT WHEN (SELECT coalesce(sum(views), 0) FROM pagestats_min) >= 6;
    PERFORM pg_sleep(0.1);
  END LOOP;
END
$$;

-- the dashboard: plain SQL over the aggregation's tables
SELECT to_timestamp(agg_timestamp / 1000) AT TIME ZONE 'UTC' AS minute, page, views
  FROM pagestats_min ORDER BY 1, 2;
SELECT page, views, round(avg_ms_sum / avg_ms_count) AS avg_ms
  FROM pagestats_hour ORDER BY page;
SELECT siddhi.undeploy('dashboard');
