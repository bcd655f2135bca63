-- A group key's memory (bench/RESULTS.md, "memory per group key"): an
-- aggregator's state holds only its kind's fields, a group is one piece
-- with its key's arrays, and the groups past the first few come from a
-- slab of exactly their size (where the general allocator rounded each up
-- to a power of two).  Before these, this query's state took 459 bytes
-- per key (its memory contexts' blocks); now 244.
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
