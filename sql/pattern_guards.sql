-- A pattern state's condition whose first arms compare two events'
-- attributes for equality (e2.k == e1.k) is tested on the events before
-- the combined row is filled (src/runtime/pattern/pattern_match.c,
-- PatEqGuard).  What the condition means is unchanged: a false equality
-- skips the arms after it, as PostgreSQL's AND does; a null one does not,
-- so an arm after it that fails is an error of the query, counted.
SELECT count(*) FROM siddhi.deploy('pg', $$
  CREATE STREAM PgIn (k TEXT, v INT, c TEXT);
  @info(name = 'eq')
  INSERT INTO PgEq
  SELECT e1.k, e1.v AS v1, e2.v AS v2
  FROM PATTERN (every e1=PgIn[v > 100] -> e2=PgIn[k = e1.k AND CAST(c AS INT) > 0]);
$$);
SELECT siddhi.subscribe('pgeq');
-- b differs from a: its cast of 'x' is never tried; a's is, an error
INSERT INTO pgin VALUES ('a', 200, '1'), ('b', 5, 'x'), ('a', 5, 'x'), ('a', 6, '1');
-- a null key: the equality is null, the arm after it runs (and fails)
INSERT INTO pgin VALUES (NULL, 300, '1'), ('c', 5, 'x'), ('c', 7, '1');
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('pgeq', 100, 0) ORDER BY seq;
SELECT query, events_in, events_out, errors FROM siddhi.queries
 WHERE app = 'pg' ORDER BY query;
SELECT siddhi.undeploy('pg');
-- two guards (text, then long through the type's own equality function),
-- a count state read by its first and last events, and a sequence
SELECT count(*) FROM siddhi.deploy('pg2', $$
  define stream PgIn2 (k string, v int, n long);
  @info(name = 'counted')
  from every e1=PgIn2[v > 100] -> e2=PgIn2[k == e1.k and n == e1.n]<2>
       -> e3=PgIn2[k == e2[1].k and n == e2[0].n]
  select e1.v as v1, e2[0].v as f, e2[1].v as s, e3.v as v3 insert into PgCount;
  @info(name = 'seq')
  from every e1=PgIn2[v > 100], e2=PgIn2[k == e1.k]
  select e1.v as v1, e2.v as v2 insert into PgSeq;
  -- the first equality hashed (PatStateProg.hash_guard): each waiting
  -- match keeps its value's hash; a long, written the other way round
  @info(name = 'ints')
  from every e1=PgIn2[v > 100] -> e2=PgIn2[e1.n == n and v < e1.v]
  select e1.v as v1, e2.v as v2 insert into PgInts;
$$);
SELECT siddhi.subscribe(s) FROM unnest(ARRAY['pgcount', 'pgseq', 'pgints']) s;
INSERT INTO pgin2 VALUES ('d', 400, 3), ('d', 1, 4), ('e', 2, 3), ('d', 3, 3),
  ('d', 4, 3), ('d', 9, 9), ('d', 5, 3), ('f', 500, 1), ('f', 6, 1);
-- a waiting match whose key is null keeps no hash: the condition decides
INSERT INTO pgin2 VALUES (NULL, 600, NULL), ('g', 700, 7), (NULL, 1, NULL),
  ('g', 8, 7);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('pgcount', 100, 0) ORDER BY seq;
SELECT event FROM siddhi.poll('pgseq', 100, 0) ORDER BY seq;
SELECT event FROM siddhi.poll('pgints', 100, 0) ORDER BY seq;
SELECT siddhi.undeploy('pg2');
