-- Transactions and siddhi.flush(): flush waits for what committed before
-- the call, never for a transaction still open (here the caller's own);
-- a transaction's events arrive whole, without its rolled-back savepoints.
CREATE ROLE siddhi_hx LOGIN;
CREATE SCHEMA hx AUTHORIZATION siddhi_hx;
SET ROLE siddhi_hx;
SET search_path = hx;
SELECT siddhi.deploy('hx_app', $$
  define stream HxIn (n int, pad string);
  define table HxSeen (n int);
  from HxIn select n insert into HxSeen;
$$);
RESET ROLE;
SELECT public.wait_app('hx_app');
SET ROLE siddhi_hx;
SET search_path = hx;
SHOW siddhi.pending_memory;
INSERT INTO hxin SELECT i, 'a' FROM generate_series(1, 10) i;
BEGIN;
-- more than one chunk: these reach the engine before the commit
INSERT INTO hxin SELECT i, repeat('x', 100) FROM generate_series(11, 20010) i;
-- true at once: the committed rows are processed, ours are not waited for
SELECT siddhi.flush(5000);
SELECT count(*) FROM hxseen;
SAVEPOINT s;
INSERT INTO hxin SELECT -i, 'undone' FROM generate_series(1, 1000) i;
ROLLBACK TO s;
INSERT INTO hxin VALUES (20011, 'last');
COMMIT;
SELECT siddhi.flush(20000);
SELECT count(*), min(n), max(n), count(DISTINCT n) FROM hxseen;
-- a rolled-back transaction never arrives, and does not hold flush back
BEGIN;
INSERT INTO hxin SELECT i, repeat('y', 100) FROM generate_series(30001, 50000) i;
ROLLBACK;
SELECT siddhi.flush(5000);
SELECT count(*) FROM hxseen WHERE n > 30000;
SELECT siddhi.undeploy('hx_app', drop_tables => true);
RESET ROLE;
RESET search_path;
DROP SCHEMA hx;
DROP ROLE siddhi_hx;

-- an event too large for the session's chunk buffer fails alone: the
-- buffer keeps its real size, so a later, smaller row that is still
-- larger than the buffer as it was makes it grow instead of writing past
-- its end (a backend crash)
SELECT count(*) FROM siddhi.deploy('hx_big', $$
  define stream HxBig (s string);
  define table HxBigT (s string);
  from HxBig select s insert into HxBigT;
$$);
INSERT INTO hxbig VALUES ('small');
INSERT INTO hxbig VALUES (repeat('x', 1073741771));
INSERT INTO hxbig VALUES (repeat('y', 4000000));
SELECT siddhi.flush();
SELECT length(s) AS len FROM hxbigt ORDER BY len;
SELECT siddhi.undeploy('hx_big', drop_tables => true);
