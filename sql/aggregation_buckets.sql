-- Incremental aggregations hold each group's latest bucket per
-- granularity in memory within a batch and write the buckets a batch
-- changed at its end; beyond siddhi.aggregation_max_buckets, closed
-- buckets are written (or dropped past retention) during the batch.
-- Whatever the path, each bucket ends up with every event once.
SELECT siddhi.deploy('agg_bk', $$
  define stream BkTrades (symbol string, price double, volume long, ts long);
  @purge(enable = 'false')
  define aggregation BkAgg from BkTrades
  select symbol, sum(volume) as total, count() as n, min(price) as lo,
         max(price) as hi, avg(price) as ap, price as lastprice
  group by symbol
  aggregate by ts every sec ... hour;
  -- the upserts one row at a time (a sketch per bucket)
  @purge(enable = 'false')
  define aggregation BkDc from BkTrades
  select symbol, distinctCount(price) as dp, count() as n
  group by symbol
  aggregate by ts every sec ... min;
$$);
-- a bucket across batches: second 10 of minute 0 gets events in three
-- batches; the stored row merges them
INSERT INTO bktrades VALUES ('A', 10, 1, 10000), ('B', 20, 2, 10500);
SELECT siddhi.flush();
INSERT INTO bktrades VALUES ('A', 12, 3, 10900), ('A', 8, 4, 11000);
SELECT siddhi.flush();
INSERT INTO bktrades VALUES ('A', 11, 5, 10100);
SELECT siddhi.flush();
SELECT agg_granularity, agg_timestamp, symbol, total, n, lo, hi, ap, lastprice
  FROM bkagg ORDER BY 1, 3, 2;
-- out of order within one batch: a later bucket, then an event of an
-- earlier one of the same group (and of the same bucket again)
INSERT INTO bktrades VALUES ('C', 1, 1, 3600000), ('C', 2, 2, 3660000),
  ('C', 3, 4, 3601000), ('C', 4, 8, 3600500), ('C', 5, 16, 3661000),
  ('C', 6, 32, 3600000);
SELECT siddhi.flush();
SELECT agg_granularity, agg_timestamp, total, n, lo, hi, lastprice
  FROM bkagg WHERE symbol = 'C' ORDER BY 1, 2;
-- siddhi.aggregation with on_values: one group's buckets (Siddhi's
-- on symbol == 'A'); a JSON null matches no text group here; an unknown
-- column and a value that is not an object are refused
SELECT * FROM siddhi.aggregation('bkagg', 0, 4000000, 'sec', '{"symbol": "A"}');
SELECT * FROM siddhi.aggregation('BkAgg', 0, 4000000, 'min', '{"symbol": "C", "n": 4}');
SELECT count(*) FROM siddhi.aggregation('bkagg', 0, 4000000, 'sec', '{"symbol": null}');
SELECT * FROM siddhi.aggregation('bkagg', 0, 4000000, 'sec', '{"sym": "A"}');
SELECT * FROM siddhi.aggregation('bkagg', 0, 4000000, 'sec', '["A"]');
-- a batch larger than the limit: 3 groups, one event a second for 500
-- seconds, then events of the first seconds again (late, of buckets the
-- batch already wrote); every bucket holds each event once
ALTER SYSTEM SET siddhi.aggregation_max_buckets = 100;
SELECT pg_reload_conf();
SELECT pg_sleep(1);
INSERT INTO bktrades
  SELECT 'G' || (i % 3), i % 7, 1, 7200000 + i * 1000 FROM generate_series(0, 1499) i;
INSERT INTO bktrades
  SELECT 'G' || (i % 3), 100, 10, 7200000 + i * 1000 FROM generate_series(0, 5) i;
SELECT siddhi.flush();
ALTER SYSTEM RESET siddhi.aggregation_max_buckets;
SELECT pg_reload_conf();
SELECT agg_granularity, count(*) AS buckets, sum(n) AS events, sum(total) AS volume
  FROM bkagg WHERE symbol LIKE 'G%' GROUP BY 1 ORDER BY 1;
SELECT agg_timestamp, symbol, total, n, hi FROM bkagg
 WHERE agg_granularity = 'sec' AND symbol LIKE 'G%' AND agg_timestamp < 7206000
 ORDER BY 1;
SELECT agg_granularity, agg_timestamp, symbol, total, n, lo, hi FROM bkagg
 WHERE agg_granularity IN ('min', 'hour') AND symbol = 'G0' ORDER BY 1, 2;
-- the sketches too: each min bucket's distinct prices, as computed here
SELECT count(*) AS differing FROM (
  SELECT agg_timestamp, symbol, dp, n FROM bkdc
   WHERE agg_granularity = 'min' AND symbol LIKE 'G%'
  EXCEPT
  SELECT ts / 60000 * 60000, symbol, count(DISTINCT price), count(*)
    FROM (SELECT 'G' || (i % 3) AS symbol, (i % 7)::float8 AS price, 7200000 + i * 1000 AS ts
            FROM generate_series(0, 1499) i
          UNION ALL
          SELECT 'G' || (i % 3), 100, 7200000 + i * 1000 FROM generate_series(0, 5) i) e
   GROUP BY 1, 2) d;
SELECT count(*) FROM bkdc WHERE agg_granularity = 'min' AND symbol LIKE 'G%';
-- the same events in one batch under the default limit give the same rows
SELECT siddhi.deploy('agg_bk2', $$
  define stream BkTrades2 (symbol string, price double, volume long, ts long);
  @purge(enable = 'false')
  define aggregation BkAgg2 from BkTrades2
  select symbol, sum(volume) as total, count() as n, min(price) as lo,
         max(price) as hi, avg(price) as ap
  group by symbol
  aggregate by ts every sec ... hour;
$$);
INSERT INTO bktrades2
  SELECT 'G' || (i % 3), i % 7, 1, 7200000 + i * 1000 FROM generate_series(0, 1499) i;
INSERT INTO bktrades2
  SELECT 'G' || (i % 3), 100, 10, 7200000 + i * 1000 FROM generate_series(0, 5) i;
SELECT siddhi.flush();
SELECT count(*) AS differing FROM (
  (SELECT agg_granularity, agg_timestamp, symbol, total, n, lo, hi, ap FROM bkagg
    WHERE symbol LIKE 'G%'
   EXCEPT SELECT agg_granularity, agg_timestamp, symbol, total, n, lo, hi, ap FROM bkagg2)
  UNION ALL
  (SELECT agg_granularity, agg_timestamp, symbol, total, n, lo, hi, ap FROM bkagg2
   EXCEPT SELECT agg_granularity, agg_timestamp, symbol, total, n, lo, hi, ap FROM bkagg
    WHERE symbol LIKE 'G%')) d;
SELECT siddhi.undeploy('agg_bk', drop_tables => true);
SELECT siddhi.undeploy('agg_bk2', drop_tables => true);
