-- A group key's memory (bench/RESULTS.md, "memory per group key"): an
-- aggregator's state holds only its kind's fields, a group is one piece
-- with its key's arrays, and the groups past the first few come from a
-- slab of exactly their size (where the general allocator rounded each up
-- to a power of two).  Before these, this query's state took 459 bytes
-- per key (its memory contexts' blocks); now 226.
SELECT siddhi.deploy('gm', $$
  define stream GmFeed (sym string, price double, vol long);
  define table GmOut (sym string, total double, n long);
  @info(name = 'per_sym')
  from GmFeed select sym, sum(price) as total, count() as n
  group by sym insert into GmOut;
$$);
INSERT INTO gmfeed SELECT 'k' || i, i, i FROM generate_series(1, 20000) i;
SELECT siddhi.flush();
SELECT groups, state_bytes / groups < 300 AS under_300_bytes_per_group
  FROM siddhi.query_metrics WHERE app = 'gm' AND query = 'per_sym';
SELECT count(*) AS rows, sum(n) AS n, sum(total) AS total FROM gmout;
SELECT siddhi.undeploy('gm');

-- null arguments in a sliding window: min/max retire the null event's
-- turn as it leaves; stdDev and minForever skip the nulls
SELECT siddhi.deploy('gm2', $$
  define stream GmNulls (price double, seq long);
  define table GmMoving (seq long, lo double, hi double, sd double,
                         everlo double, n long);
  from GmNulls#window.length(3)
  select seq, min(price) as lo, max(price) as hi, stdDev(price) as sd,
         minForever(price) as everlo, count() as n
  insert into GmMoving;
$$);
INSERT INTO gmnulls VALUES (5, 1), (NULL, 2), (3, 3), (NULL, 4), (7, 5),
  (NULL, 6);
SELECT siddhi.flush();
SELECT seq, lo, hi, sd, everlo, n FROM gmmoving ORDER BY seq;
SELECT siddhi.undeploy('gm2');

-- text keys are hashed and compared as their bytes; a compressed one
-- (read from a table's row) is the same key as its plain value
SELECT siddhi.deploy('gm3', $$
  define stream GmProbe (id long, k string);
  define table GmLong (k string);
  define table GmCounts (id long, k string, n long);
  from GmProbe#window.length(10) join GmLong on GmProbe.k == GmLong.k
  select GmProbe.id as id, GmLong.k as k, count() as n
  group by GmLong.k insert into GmCounts;
$$);
INSERT INTO gmlong VALUES (repeat('x', 5000)), (repeat('y', 5000));
SELECT pg_column_compression(k) IS NOT NULL AS compressed FROM gmlong;
INSERT INTO gmprobe VALUES (1, repeat('x', 5000)), (2, repeat('x', 5000)),
  (3, repeat('y', 5000)), (4, repeat('x', 5000));
SELECT siddhi.flush();
SELECT id, left(k, 3) AS k, length(k) AS len, n FROM gmcounts ORDER BY id;
SELECT siddhi.undeploy('gm3');
