-- Roadmap block 22: a multi-duration aggregation, read at any granularity.
-- Adapted: the roadmap never defines SalesStream, so it is created here;
-- the SELECT .. WITHIN .. PER .. runs on demand through siddhi.query(app,
-- text) (inside an app, an aggregation is read by joining a stream with
-- it: shown last); agg_timestamp is dropped from the output (event -
-- 'agg_timestamp') because the sales are relative to now() and the buckets
-- would change every run.
CREATE EXTENSION IF NOT EXISTS siddhi;

SELECT siddhi.deploy('sales', $$
  CREATE STREAM SalesStream (region STRING, amount DOUBLE, timestamp LONG);

  -- Multi-duration aggregation definition
  CREATE AGGREGATION SalesAggregation
  WITH (
      by = 'timestamp',
      granularity = 'second'
  ) AS
  SELECT
      region,
      SUM(amount) as total_sales,
      AVG(amount) as avg_sale,
      COUNT(*) as sale_count
  FROM SalesStream
  GROUP BY region;

  -- the same read inside the app: each report joins the aggregation
  CREATE STREAM SalesReport (region STRING);
  INSERT INTO RegionSales
  SELECT r.region, SUM(a.total_sales) AS total_sales, SUM(a.sale_count) AS sales
  FROM SalesReport AS r JOIN SalesAggregation AS a ON a.region = r.region
  WITHIN last '30 days' PER 'hour'
  GROUP BY r.region;
$$);

-- sales 40 days ago (outside the 30 days) and 3 hours ago, 2 hours ago
-- and 1 hour ago, in two regions
INSERT INTO salesstream
SELECT r, a, (extract(epoch FROM now() - h * interval '1 hour') * 1000)::bigint
  FROM (VALUES ('US-WEST', 500.0, 960), ('US-WEST', 100.0, 3), ('US-WEST', 50.0, 3),
               ('US-EAST', 70.0, 2), ('US-WEST', 25.0, 1)) AS v(r, a, h);
SELECT siddhi.flush();

-- Query at any granularity
SELECT event - 'agg_timestamp' AS event FROM siddhi.query('sales', $q$
SELECT * FROM SalesAggregation
WITHIN last '30 days'
PER 'hour'
WHERE region == 'US-WEST';
$q$);

-- per day, every region, totals over the returned rows
SELECT event FROM siddhi.query('sales', $q$
SELECT region, SUM(total_sales) AS total_sales, SUM(sale_count) AS sales
FROM SalesAggregation WITHIN last '30 days' PER 'day'
GROUP BY region ORDER BY total_sales DESC
$q$);

SELECT siddhi.subscribe('regionsales');
INSERT INTO salesreport VALUES ('US-WEST'), ('US-EAST');
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('regionsales', 10, 0) ORDER BY seq;

SELECT siddhi.undeploy('sales', drop_tables => true);
