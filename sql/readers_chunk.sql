-- A chunk of a stream with several readers goes to them in one step
-- (readers_step_chunk): each event to each reader in turn, in Siddhi's
-- order, an error skipping that event for that reader only, and each
-- app's code in a frame of its own: what one app's code sets is not seen
-- by another app's, of the same owner or another.
CREATE ROLE rc_alice LOGIN;
CREATE ROLE rc_bob LOGIN;
CREATE SCHEMA rc_a AUTHORIZATION rc_alice;
GRANT USAGE, CREATE ON SCHEMA rc_a TO rc_bob;

SET ROLE rc_alice;
SET search_path = rc_a;
-- fails past v = 47: PostgreSQL's + through a SQL function
CREATE FUNCTION add_or_fail(a int, b int) RETURNS int
  LANGUAGE sql IMMUTABLE AS 'SELECT a + b';
-- app code that changes settings for the rest of the session, if it can
CREATE FUNCTION rc_setter(x int) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_catalog.set_config('work_mem', '77kB', false);
  RETURN x;
END $$;
CREATE FUNCTION rc_seen(x int) RETURNS text LANGUAGE sql
AS $$ SELECT pg_catalog.current_setting('work_mem') || ' ' || current_user $$;
SELECT siddhi.deploy('rc_app', $$
  define stream RcIn (id int, v int);
  define table RcAll (id int, v int);
  define table RcFail (id int, x int);
  define table RcSum (id int, s long);
  define table RcMixed (tag string, id int, n long);
  define table RcEvenT (id int);
  define table RcAliceSeen (id int, seen string);
  define table RcAll2 (id int, v int);
  define stream Mixed (tag string, id int);
  define stream RcEven (id int);
  @info(name = 'all') from RcIn select id, v insert into RcAll;
  @info(name = 'fail') from RcIn select id, add_or_fail(v, 2147483600) as x
    insert into RcFail;
  @info(name = 'sum') from RcIn#window.length(3) select id, sum(v) as s
    insert into RcSum;
  @info(name = 'ma') from RcIn select 'a' as tag, id insert into Mixed;
  @info(name = 'mb') from RcIn[v != 3] select 'b' as tag, id insert into Mixed;
  @info(name = 'order') from Mixed select tag, id, count() as n
    insert into RcMixed;
  @info(name = 'even') from RcIn[v % 2 == 0] select id insert into RcEven;
  @info(name = 'event') from RcEven select id insert into RcEvenT;
  @info(name = 'setter') from RcIn[rc_setter(id) > 0] select id, v
    insert into RcAll2;
  @info(name = 'seen') from RcIn select id, rc_seen(id) as seen
    insert into RcAliceSeen;
$$);
GRANT SELECT ON rc_a.rcin TO rc_bob;
-- another app of hers on the same stream: her other app's setting is not
-- its own
SELECT count(*) FROM siddhi.deploy('rc_app2', $$
  define stream RcIn (id int, v int);
  define table RcAlice2Seen (id int, seen string);
  @info(name = 'seen2') from RcIn select id, rc_seen(id) as seen
    insert into RcAlice2Seen;
$$);
RESET search_path;
RESET ROLE;

-- another owner reading the same stream
SET ROLE rc_bob;
SET search_path = rc_a;
CREATE FUNCTION bob_seen(x int) RETURNS text LANGUAGE sql
AS $$ SELECT pg_catalog.current_setting('work_mem') || ' ' || current_user $$;
SELECT siddhi.deploy('rc_bob_app', $$
  define stream RcIn (id int, v int);
  define table RcBobSeen (id int, seen string);
  @info(name = 'bob') from RcIn select id, bob_seen(id) as seen
    insert into RcBobSeen;
$$);
RESET search_path;
RESET ROLE;
SELECT wait_app('rc_app'), wait_app('rc_app2'), wait_app('rc_bob_app');
SHOW work_mem;

-- one chunk: six events, all readers
INSERT INTO rc_a.rcin VALUES (1, 1), (2, 2), (3, 3), (4, 48), (5, 5), (6, 50);
SELECT siddhi.flush();

SELECT * FROM rc_a.rcall ORDER BY id;
-- 4 and 6 fail in 'fail' alone
SELECT * FROM rc_a.rcfail ORDER BY id;
SELECT * FROM rc_a.rcsum ORDER BY id;
-- event by event, each reader in turn: a1 b1 a2 b2 a3 a4 b4 ...
SELECT * FROM rc_a.rcmixed ORDER BY n;
SELECT * FROM rc_a.rcevent ORDER BY id;
SELECT count(*) AS setter_rows FROM rc_a.rcall2;
-- alice's setting lasts at most her frame; bob's code never sees it
SELECT * FROM rc_a.rcbobseen ORDER BY id;
-- in her app that sets it, the setting lasts the chunk's frame (the
-- setter reads each event before 'seen' does)
SELECT seen, count(*) FROM rc_a.rcaliceseen GROUP BY seen;
SELECT * FROM rc_a.rcalice2seen ORDER BY id;
SELECT query, events_in, errors, last_error IS NOT NULL AS has_error
  FROM siddhi.queries WHERE app IN ('rc_app', 'rc_app2', 'rc_bob_app')
  ORDER BY app, query;

-- a second chunk after the failures: everything goes on
INSERT INTO rc_a.rcin VALUES (7, 7), (8, 8);
SELECT siddhi.flush();
SELECT count(*) FROM rc_a.rcall;
SELECT * FROM rc_a.rcfail WHERE id > 6 ORDER BY id;
SELECT * FROM rc_a.rcmixed WHERE id > 6 ORDER BY n;
SELECT count(*) FROM rc_a.rcbobseen;
SHOW work_mem;

-- a table operation and an aggregation among a stream's readers: each
-- event's upsert fails alone (a check), the aggregation skips the event
-- that overflows its sum alone
SET ROLE rc_alice;
SET search_path = rc_a;
SELECT count(*) FROM siddhi.deploy('rc_agg', $$
  define stream RcT (k string, v long, ts long);
  define table RcTAll (k string, v long);
  @PrimaryKey('k')
  define table RcOps (k string, v long);
  @info(name = 'tall') from RcT select k, v insert into RcTAll;
  @info(name = 'ops') from RcT select k, v
    update or insert into RcOps on RcOps.k == k;
  @purge(enable = 'false')
  define aggregation RcTAgg from RcT
  select k, sum(v) as total, count() as n group by k
  aggregate by ts every sec ... min;
$$);
ALTER TABLE rcops ADD CHECK (v <> 5);
RESET search_path;
RESET ROLE;
SELECT wait_app('rc_agg');
INSERT INTO rc_a.rct VALUES ('a', 1, 1000), ('a', 5, 1000),
  ('b', 9223372036854775807, 1000), ('b', 1, 1000), ('a', 2, 2000);
SELECT siddhi.flush();
SELECT * FROM rc_a.rctall ORDER BY k, v;
SELECT * FROM rc_a.rcops ORDER BY k;
SELECT agg_granularity, agg_timestamp, k, total, n FROM rc_a.rctagg
  ORDER BY 1, 3, 2;
SELECT query, events_in, errors FROM siddhi.queries WHERE app = 'rc_agg'
  ORDER BY query;
SET ROLE rc_alice;
SELECT siddhi.undeploy('rc_agg', drop_tables => true);
RESET ROLE;

-- a source's events (its mapped values, not ring rows) take the same
-- step: one reader fails on one of them alone, a window holds them
SET search_path = rc_a;
SELECT count(*) FROM siddhi.deploy('rc_src', $$
  define stream RcRaw (id int, v int);
  @sink(type = 'inMemory', topic = 'rc_topic')
  define stream RcPub (id int, v int);
  @source(type = 'inMemory', topic = 'rc_topic')
  define stream RcSrc (id int, v int);
  define table RcSrcAll (id int, v int);
  define table RcSrcFail (id int, x int);
  define table RcSrcSum (id int, s long);
  from RcRaw select id, v insert into RcPub;
  @info(name = 'sall') from RcSrc select id, v insert into RcSrcAll;
  @info(name = 'sfail') from RcSrc select id, add_or_fail(v, 2147483600) as x
    insert into RcSrcFail;
  @info(name = 'ssum') from RcSrc#window.length(2) select id, sum(v) as s
    insert into RcSrcSum;
$$);
RESET search_path;
SELECT wait_app('rc_src');
INSERT INTO rc_a.rcraw VALUES (1, 1), (2, 48), (3, 3), (4, 4);
SELECT wait_for('SELECT count(*) FROM rc_a.rcsrcsum', 4);
SELECT * FROM rc_a.rcsrcall ORDER BY id;
SELECT * FROM rc_a.rcsrcfail ORDER BY id;
SELECT * FROM rc_a.rcsrcsum ORDER BY id;
SELECT query, events_in, errors FROM siddhi.queries WHERE app = 'rc_src'
  AND query LIKE 's%' ORDER BY query;
SELECT siddhi.undeploy('rc_src', drop_tables => true);

SET ROLE rc_bob;
SELECT siddhi.undeploy('rc_bob_app', drop_tables => true);
RESET ROLE;
SET ROLE rc_alice;
SELECT siddhi.undeploy('rc_app2', drop_tables => true);
SELECT siddhi.undeploy('rc_app', drop_tables => true);
RESET ROLE;
DROP SCHEMA rc_a CASCADE;
DROP ROLE rc_alice;
DROP ROLE rc_bob;
