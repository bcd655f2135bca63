-- Incremental aggregations, continued: distinctCount, time zones, joins
-- with an aggregation, siddhi.query().

-- distinctCount: Siddhi's DistinctCountAggregationTestCase data; a
-- bucket's count is that of the union of its values, at every granularity
SELECT siddhi.deploy('agg_dc', $$
  define stream DcStock (symbol string, price float, volume long, ts long);
  @purge(enable = 'false')
  define aggregation DcAgg from DcStock
  select distinctCount(symbol) as distinctcnt, distinctCount(volume) as volumes,
         count() as n, symbol as lastsymbol
  aggregate by ts every sec ... year;
$$);
\d dcagg_day
INSERT INTO dcstock VALUES
  ('WSO2', 50, 90, 1496289950000), ('WSO22', 70, 40, 1496289950000),
  ('WSO23', 60, 200, 1496289952000), ('WSO24', 100, 200, 1496289952000),
  ('IBM', 101, 200, 1496289954000), ('IBM1', 102, 200, 1496289954000),
  ('IBM', 900, 200, 1496289956000), ('IBM1', 500, 200, 1496289956000),
  ('IBM', 400, 200, 1496290016000), ('IBM2', 600, 200, 1496290076000);
SELECT siddhi.flush();
-- the rest in another batch: the stored sketches merge with the new ones
INSERT INTO dcstock VALUES
  ('CISCO', 700, 200, 1496293676000), ('WSO2', 61, 200, 1496297276000),
  ('CISCO', 801, 100, 1496383676000), ('CISCO', 901, 100, 1496470076000),
  ('IBM', 101, 200, 1499062076000), ('IBM', 402, 200, 1501740476000),
  ('WSO2', 63, 200, 1533276476000), ('WSO2', 260, 200, 1564812476000),
  ('CISCO', 26, 200, 1596434876000);
SELECT siddhi.flush();
SELECT agg_timestamp, distinctcnt, volumes, n, lastsymbol FROM dcagg
 WHERE agg_granularity = 'day' ORDER BY agg_timestamp;
SELECT agg_granularity, agg_timestamp, distinctcnt, volumes, n FROM dcagg
 WHERE agg_granularity IN ('hour', 'month', 'year') ORDER BY 1, 2;
SELECT * FROM siddhi.aggregation('dcagg', 1496200000000, 1596535449000, 'days')
 LIMIT 2;
-- the sketch functions: union is idempotent and order-free; counts are
-- exact below 1024 distinct values and estimated above
SELECT siddhi.distinct_count(siddhi.distinct_union(ARRAY[3, 1, 2, 2]::int8[], ARRAY[2, 5]::int8[]));
SELECT siddhi.distinct_union(ARRAY[5, 1]::int8[], NULL), siddhi.distinct_count(NULL);
SELECT siddhi.undeploy('agg_dc', drop_tables => true);
-- many distinct values: 5000 in one hour, 3000 of them again in the next;
-- the day's estimate is within 10 % of the true 5000 (the standard
-- error is about 3 %), and the sketch holds 1024 hashes at most
SELECT siddhi.deploy('agg_dc2', $$
  define stream DcMany (v long, ts long);
  @purge(enable = 'false')
  define aggregation DcManyAgg from DcMany
  select distinctCount(v) as d, count() as n
  aggregate by ts every hour ... day;
$$);
INSERT INTO dcmany SELECT i, 1496275200000 + i FROM generate_series(1, 5000) i;
INSERT INTO dcmany SELECT i, 1496275200000 + 3600000 + i FROM generate_series(1, 3000) i;
INSERT INTO dcmany SELECT i, 1496275200000 + 7200000 + i FROM generate_series(1, 500) i;
SELECT siddhi.flush();
SELECT agg_granularity, agg_timestamp, n, d BETWEEN 4500 AND 5500 AS about_5000,
       d BETWEEN 2700 AND 3300 AS about_3000, CASE WHEN n <= 1000 THEN d END AS exact
  FROM dcmanyagg ORDER BY 1, 2;
SELECT max(cardinality(d_set)) FROM dcmanyagg_hour;
SELECT siddhi.undeploy('agg_dc2', drop_tables => true);
