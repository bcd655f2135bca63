-- Conditions over nulls: SiddhiQL as Siddhi has them, the streaming SQL
-- dialect as SQL has them.  In SiddhiQL a condition is never null: a
-- comparison with a null operand is false, != with one is true (even
-- null != null), not of a null is true, and/or take a null as false, and
-- a condition selected as a value is false rather than null.  SQL keeps
-- its three-valued logic on the same events.
SELECT siddhi.deploy('nulls_ql', $$
  define stream NQ (id string, a int, b int);
  define table NqNotGt (id string);
  define table NqNe (id string);
  define table NqFlags (id string, flag bool, ne bool, ngt bool, ab bool,
                        eqf bool);
  from NQ[not (a > 2)] select id insert into NqNotGt;
  from NQ[a != b] select id insert into NqNe;
  from NQ
  select id, a > 2 as flag, a != b as ne, not (a > 2) as ngt,
         (a > 2 and b > 0) as ab, (a > 2) == false as eqf
  insert into NqFlags;
  -- not over membership, aggregators under not and in a selected condition
  define table NqKeys (k int);
  define table NqNotIn (id string);
  define table NqAgg (big bool, small bool, c long);
  from NQ[not (NqKeys.k == a in NqKeys)] select id insert into NqNotIn;
  from NQ#window.lengthBatch(5)
  select sum(a) > 5 as big, not (max(b) > 2) as small, count() as c
  having not (count() > 5)
  insert into NqAgg;
$$);
INSERT INTO nqkeys VALUES (3), (5);
SELECT siddhi.deploy('nulls_sql', $$
  CREATE STREAM NS (id TEXT, a INT, b INT);
  CREATE TABLE NsNotGt (id TEXT);
  CREATE TABLE NsNe (id TEXT);
  CREATE TABLE NsFlags (id TEXT, flag BOOLEAN, ne BOOLEAN, ngt BOOLEAN,
                        ab BOOLEAN, eqf BOOLEAN);
  INSERT INTO NsNotGt SELECT id FROM NS WHERE NOT (a > 2);
  INSERT INTO NsNe SELECT id FROM NS WHERE a != b;
  INSERT INTO NsFlags
  SELECT id, a > 2 AS flag, a != b AS ne, NOT (a > 2) AS ngt,
         (a > 2 AND b > 0) AS ab, (a > 2) = false AS eqf
  FROM NS;
$$);
SELECT wait_app('nulls_ql');
SELECT wait_app('nulls_sql');
INSERT INTO nq VALUES ('p', 3, 3), ('q', NULL, 1), ('r', 1, NULL),
  ('s', NULL, NULL), ('t', 5, 1);
INSERT INTO ns SELECT * FROM (VALUES ('p', 3, 3), ('q', NULL, 1),
  ('r', 1, NULL), ('s', NULL, NULL), ('t', 5, 1)) v;
SELECT wait_for('SELECT count(*) FROM nqflags', 5);
SELECT wait_for('SELECT count(*) FROM nsflags', 5);
SELECT siddhi.flush();

-- not (a > 2): SiddhiQL q, r, s; SQL r only (NOT NULL is NULL)
SELECT 'ql' AS dialect, string_agg(id, ' ' ORDER BY id) FROM nqnotgt
UNION ALL
SELECT 'sql', string_agg(id, ' ' ORDER BY id) FROM nsnotgt;
-- a != b: SiddhiQL q, r, s, t; SQL t only
SELECT 'ql' AS dialect, string_agg(id, ' ' ORDER BY id) FROM nqne
UNION ALL
SELECT 'sql', string_agg(id, ' ' ORDER BY id) FROM nsne;
-- not (k == a in NqKeys): no key matches a null, so q, r, s
SELECT string_agg(id, ' ' ORDER BY id) FROM nqnotin;
SELECT * FROM nqagg;
-- as values: false or true in SiddhiQL, null in SQL
SELECT * FROM nqflags ORDER BY id;
SELECT * FROM nsflags ORDER BY id;

-- The plain shapes stay plain: a == 5 is still a dispatch key, != and
-- not are the only conditions that change, a condition selected gets
-- IS TRUE (and one never null, like is null, nothing)
SELECT line FROM siddhi.explain_text($$
  define stream NE (a int, b int);
  @info(name = 'eq') from NE[a == 5] select a insert into O1;
  @info(name = 'rng') from NE[a > 7 and b != 2] select a insert into O1;
  @info(name = 'nt') from NE[not (a > 2) and not (b is null)] select a insert into O1;
  @info(name = 'sel') from NE select a > 2 as f, a is null as n, not (a == b) as m insert into O2;
$$) AS e(line)
 WHERE line ~ '^Query |Dispatch|Condition|Output:|Select';

SELECT siddhi.undeploy('nulls_ql', drop_tables => true);
SELECT siddhi.undeploy('nulls_sql', drop_tables => true);
