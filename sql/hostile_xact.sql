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

-- The engine inserting into a stream itself (a function a query calls, a
-- trigger on a table it writes) cannot wait for room in the ring: only
-- its own batch's commit makes room, and it reads the chunks it took
-- where they lie in the ring until then.  No room is an error of that
-- query's event; the engine goes on, and nothing it was reading is
-- overwritten.  (It waited forever here before, or gave the room of the
-- chunks it was reading away, and crashed on them.)
SELECT count(*) FROM siddhi.deploy('hx_sink', $$
  CREATE STREAM HxSk (s TEXT);
  CREATE TABLE HxSkT (n INT);
  INSERT INTO HxSkT SELECT length(s) AS n FROM HxSk;
$$);
CREATE FUNCTION hx_push_many(n bigint) RETURNS bigint LANGUAGE plpgsql AS $f$
BEGIN
    -- 12 MB in one statement: more than the whole ring (8 MB)
    INSERT INTO public.hxsk SELECT repeat('w', 1000) FROM generate_series(1, 12000);
    RETURN n;
END $f$;
SELECT count(*) FROM siddhi.deploy('hx_many', $$
  CREATE STREAM HxMany (n BIGINT);
  CREATE TABLE HxManyT (n BIGINT);
  INSERT INTO HxManyT SELECT hx_push_many(n) AS n FROM HxMany;
$$);
INSERT INTO hxmany VALUES (1);
SELECT siddhi.flush(60000);
SELECT query, events_in, errors, last_error FROM siddhi.queries WHERE app = 'hx_many';
SELECT count(*) AS rows_of_the_failed_insert FROM hxskt;
-- 3,500 events of 1 kB each push a 16 kB row while the ring fills: each
-- event either pushed its row and wrote its own, or failed whole
CREATE FUNCTION hx_push_one(n bigint) RETURNS bigint LANGUAGE plpgsql AS $f$
BEGIN
    IF n <= 400 THEN
        INSERT INTO public.hxsk VALUES (repeat('w', 16000));
    END IF;
    RETURN n;
END $f$;
SELECT count(*) FROM siddhi.deploy('hx_one', $$
  CREATE STREAM HxOne (s TEXT, n BIGINT);
  CREATE TABLE HxOneT (s TEXT, n BIGINT);
  INSERT INTO HxOneT SELECT s, hx_push_one(n) AS n FROM HxOne;
$$);
INSERT INTO hxone SELECT 'r' || i || repeat('x', 950), i FROM generate_series(1, 3500) i;
SELECT siddhi.flush(60000);
SELECT siddhi.flush(60000);
SELECT (SELECT count(*) FROM hxonet) + errors AS events_accounted,
       (SELECT count(*) FROM hxskt) = (SELECT count(*) FROM hxonet WHERE n <= 400)
         AS pushed_rows_match
  FROM siddhi.queries WHERE app = 'hx_one';
SELECT siddhi.undeploy(a, drop_tables => true)
  FROM unnest(ARRAY['hx_one', 'hx_many', 'hx_sink']) a;
DROP FUNCTION hx_push_one(bigint);
DROP FUNCTION hx_push_many(bigint);

-- an event whose JSON cannot be made for a subscriber (1.3 GB of text
-- from 120 kB of numerics) is counted as overflowed for it; the engine
-- goes on (it failed the batch before: restarted, read it again three
-- times, and then dropped the whole batch with other sessions' events)
SELECT count(*) FROM siddhi.deploy('hx_json', $$
  CREATE STREAM HxNum (a NUMERIC[]);
  CREATE TABLE HxNumT (n INT);
  INSERT INTO HxNumT SELECT cardinality(a) AS n FROM HxNum;
$$);
SELECT siddhi.subscribe('hxnum');
INSERT INTO hxnum VALUES (array_fill(1e131071::numeric, ARRAY[10000]));
INSERT INTO hxnum VALUES (ARRAY[1.5]);
SELECT siddhi.flush(60000);
SELECT n FROM hxnumt ORDER BY n;
SELECT event FROM siddhi.poll('hxnum', 10, 0);
SELECT stream, delivered, overflowed FROM siddhi.subscriptions();
SELECT siddhi.undeploy('hx_json', drop_tables => true);

-- the engine inserting into a synchronous_commit stream does not wait
-- for itself (it stalled for siddhi.synchronous_commit_timeout, 10 s, at
-- each such batch, holding every app of the database)
SELECT count(*) FROM siddhi.deploy('hx_sync', $$
  CREATE STREAM HxSy (s TEXT) WITH (synchronous_commit = on);
  CREATE TABLE HxSyT (s TEXT);
  INSERT INTO HxSyT SELECT s FROM HxSy;
$$);
CREATE FUNCTION hx_push_sync(s text) RETURNS text LANGUAGE plpgsql AS $f$
BEGIN INSERT INTO public.hxsy VALUES (s || ' again'); RETURN s; END $f$;
SELECT count(*) FROM siddhi.deploy('hx_sync2', $$
  CREATE STREAM HxSy2 (s TEXT);
  CREATE TABLE HxSy2T (s TEXT);
  INSERT INTO HxSy2T SELECT hx_push_sync(s) AS s FROM HxSy2;
$$);
SET statement_timeout = '8s';
INSERT INTO hxsy2 VALUES ('one');
SELECT siddhi.flush(7000);
INSERT INTO hxsy2 VALUES ('two');
SELECT siddhi.flush(7000);
SELECT siddhi.flush(7000);
RESET statement_timeout;
SELECT s FROM hxsyt ORDER BY s;
SELECT siddhi.undeploy(a, drop_tables => true) FROM unnest(ARRAY['hx_sync2', 'hx_sync']) a;
DROP FUNCTION hx_push_sync(text);
