-- Refused at deploy: what would deploy as "running" and then do nothing,
-- or fail later.  Each refusal names what it refuses, at its position.
CREATE ROLE siddhi_rf_owner LOGIN;
CREATE ROLE siddhi_rf_other LOGIN;
CREATE SCHEMA rf AUTHORIZATION siddhi_rf_owner;
GRANT USAGE ON SCHEMA rf TO siddhi_rf_other;
SET ROLE siddhi_rf_owner;
SET search_path = rf, public;
\set VERBOSITY default

-- connectors: an owner outside siddhi_connector may not deploy a network
-- connector (42501); unknown connector types (0A000), @store, @map
-- outside a @source or @sink, and WITH (connector) left over are refused
SELECT siddhi.deploy('rf_conn', $$@source(type = 'kafka', topic.list = 't', group.id = 'g',
  bootstrap.servers = '127.0.0.1:1', @map(type = 'json')) define stream K (a int);$$);
SELECT siddhi.deploy('rf_conn', $$define stream S (a int);
@sink(type = 'mongodb') define stream O (a int);
from S select a insert into O;$$);
SELECT siddhi.deploy('rf_conn', $$@store(type = 'rdbms') define table T (a int);$$);
SELECT siddhi.deploy('rf_conn', $$define stream S (a int);
@info(name = 'q', @map(type = 'json')) from S select a insert into O;$$);
SELECT siddhi.deploy('rf_conn', $$@source(type = 'mqtt') CREATE STREAM s (a int);$$);
SELECT siddhi.deploy('rf_conn', $$CREATE STREAM s (a int) WITH (connector = 'kafka', topic = 'x');$$);
SELECT siddhi.deploy('rf_conn', $$CREATE STREAM s (a int) WITH (type = 'mqtt');$$);
-- CREATE SOURCE is a stream with a @source (sql_connectors), refused as one
SELECT siddhi.deploy('rf_conn', $$CREATE SOURCE src (a int) WITH (type = 'mqtt');$$);

-- unknown annotations, unknown elements of known ones
SELECT siddhi.deploy('rf_ann', $$@app:stats('true') define stream S (a int);$$);
SELECT siddhi.deploy('rf_ann', $$@app:playback(idle.time = '1 sec') define stream S (a int);$$);
SELECT siddhi.deploy('rf_ann', $$define stream S (a int);
@info(nmae = 'q') from S select a insert into O;$$);
SELECT siddhi.deploy('rf_ann', $$define stream S (a int);
@asink(buffer.size = '1024') from S select a insert into O;$$);
-- Siddhi's tuning annotations change nothing here, and are accepted
SELECT siddhi.deploy('rf_tune', $$@app:statistics(reporter = 'console', interval = '60')
@Async(buffer.size = '256', workers = '2') define stream S (a int);
@async(buffer.size = '1024') @info(name = 'q') from S select a insert into O;$$);
SELECT siddhi.undeploy('rf_tune');
SELECT siddhi.deploy('rf_ann', $$@OnError(action = 'RETRY') define stream S (a int);$$);
SELECT siddhi.deploy('rf_ann', $$@eventTime(attr = 'ts') define stream S (ts long, a int);$$);
SELECT siddhi.deploy('rf_ann', $$@PrimaryKey('a') define stream S (a int);$$);
SELECT siddhi.deploy('rf_ann', $$@info(name = 'x') CREATE STREAM s (a int);$$);

-- unknown WITH options, named, for every WITH of the SQL dialect
SELECT siddhi.deploy('rf_with', $$CREATE STREAM s (a int) WITH (foo = 'bar');$$);
SELECT siddhi.deploy('rf_with', $$CREATE STREAM s (ts bigint, a int) WITH (event_time = 'ts', basic.auth = 'x');$$);
SELECT siddhi.deploy('rf_with', $$CREATE TABLE t (a int) WITH (queryable = true);$$);
SELECT siddhi.deploy('rf_with', $$CREATE WINDOW w (a int) TUMBLING(1 hour) WITH (persist = true);$$);
SELECT siddhi.deploy('rf_with', $$CREATE STREAM s (a int);
CREATE AGGREGATION ag WITH (by = 'a', bucket = 'x') AS SELECT sum(a) AS t FROM s GROUP BY a;$$);

-- what the engine cannot evaluate on one event: window functions it does
-- not compute (sql_over.sql has those it does), PostgreSQL's own
-- aggregates, subqueries, set-returning functions
SELECT siddhi.deploy('rf_expr', $$CREATE STREAM s (a int, b text);
INSERT INTO o SELECT a, ntile(2) OVER () AS n FROM s;$$);
SELECT siddhi.deploy('rf_expr', $$CREATE STREAM s (a int, b text);
INSERT INTO o SELECT a, sum(a) OVER (PARTITION BY b ROWS 1 PRECEDING) AS n FROM s;$$);
SELECT siddhi.deploy('rf_expr', $$CREATE STREAM s (a int, b text);
INSERT INTO o SELECT a FROM s WINDOW TUMBLING(1 sec) ORDER BY rank() OVER ();$$);
SELECT siddhi.deploy('rf_expr', $$CREATE STREAM s (a int, b text);
INSERT INTO o SELECT b, sum(a) AS t FROM s WINDOW TUMBLING(1 sec) GROUP BY b HAVING string_agg(b, ',') <> '';$$);
SELECT siddhi.deploy('rf_expr', $$CREATE STREAM s (a int, b text);
INSERT INTO o SELECT (SELECT 1) AS one FROM s;$$);
SELECT siddhi.deploy('rf_expr', $$CREATE STREAM s (a int, b text);
INSERT INTO o SELECT a FROM s WHERE a > (SELECT 1);$$);
SELECT siddhi.deploy('rf_expr', $$CREATE STREAM s (a int, b text);
INSERT INTO o SELECT generate_series(1, a) AS n FROM s;$$);
SELECT siddhi.deploy('rf_expr', $$define stream S (a int, b string);
from S select generate_series(1, a) as n insert into O;$$);
-- and modifiers an aggregator would ignore or cannot take
SELECT siddhi.deploy('rf_expr', $$CREATE STREAM s (a int, b text);
INSERT INTO o SELECT sum(a) FILTER (WHERE b) AS t FROM s WINDOW TUMBLING(1 sec);$$);
SELECT siddhi.deploy('rf_expr', $$CREATE STREAM s (a int, b text);
INSERT INTO o SELECT stddev(DISTINCT a) AS t FROM s WINDOW TUMBLING(1 sec);$$);
SELECT siddhi.deploy('rf_expr', $$CREATE STREAM s (a int, b text);
INSERT INTO o SELECT sum(a ORDER BY b) AS t FROM s WINDOW TUMBLING(1 sec);$$);
-- nothing of the refused apps is left behind
SELECT count(*) FROM siddhi.apps WHERE name LIKE 'rf\_%';
SELECT count(*) FROM pg_class WHERE relnamespace = 'rf'::regnamespace;

-- what the engine reads is still accepted
SELECT siddhi.deploy('rf_ok', $$@app:name('Fine') @app:description('kept as a comment')
@eventTime(attribute = 'ts') define stream RfOkIn (ts long, k string, v int);
@PrimaryKey('k') @Index('v') define table RfOkT (k string, v int);
@info(name = 'q1', max.partial.matches = '10') from RfOkIn select k, v insert into RfOkT;$$);
SELECT siddhi.deploy('rf_ok_sql', $$CREATE STREAM rfoks (ts bigint, a int) WITH (event_time = 'ts');
@info(name = 'q') INSERT INTO rfoko SELECT a FROM rfoks;$$);
RESET ROLE;
SELECT wait_app('rf_ok'), wait_app('rf_ok_sql');
SELECT siddhi.undeploy('rf_ok', true);
SELECT siddhi.undeploy('rf_ok_sql', true);

-- Named-window and aggregation tables are the engine's: read-only to
-- their owner and to everyone else, maintained by the engine.
SET ROLE siddhi_rf_owner;
SET search_path = rf, public;
SELECT siddhi.deploy('rf_tables', $$
  define stream RfIn (k string, v int);
  define window RfWin (k string, v int) length(3);
  from RfIn select k, v insert into RfWin;
  define aggregation RfAgg from RfIn select k, sum(v) as total
    group by k aggregate every sec ... min;
$$);
GRANT ALL ON rfwin, rfagg_sec, rfagg_min TO siddhi_rf_other;
GRANT INSERT ON rfin TO siddhi_rf_other;
RESET ROLE;
SELECT wait_app('rf_tables');
SET ROLE siddhi_rf_owner;
SET search_path = rf, public;
INSERT INTO rfin VALUES ('a', 1), ('b', 2);
SELECT siddhi.flush();
SELECT * FROM rfwin ORDER BY v;
SELECT k, total FROM rfagg_sec ORDER BY k;
-- the owner may not write them
INSERT INTO rfwin VALUES ('x', 9);
UPDATE rfwin SET v = 0;
DELETE FROM rfwin;
TRUNCATE rfwin;
COPY rfwin FROM stdin;
x	9
\.
INSERT INTO rfagg_sec (k, agg_timestamp, total) VALUES ('x', 0, 9);
UPDATE rfagg_min SET total = 0;
DELETE FROM rfagg_min;
TRUNCATE rfagg_sec;
INSERT INTO rfagg VALUES ('x');
-- nor take the guard away: it is an internal trigger of the table
DO $$
DECLARE t text;
BEGIN
  SELECT tgname INTO t FROM pg_trigger
   WHERE tgrelid = 'rfwin'::regclass AND tgisinternal;
  EXECUTE format('DROP TRIGGER %I ON rfwin', t);
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'drop trigger: %', SQLSTATE;
END $$;
DO $$
BEGIN
  ALTER TABLE rfwin DISABLE TRIGGER ALL;
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'disable trigger all: %', SQLSTATE;
END $$;
SET session_replication_role = replica;
-- another role with every privilege on them may not either
SET ROLE siddhi_rf_other;
SET search_path = rf, public;
INSERT INTO rfwin VALUES ('y', 8);
DELETE FROM rfagg_sec;
TRUNCATE rfagg_min;
SELECT count(*) FROM rfwin;
-- while the engine keeps maintaining them
INSERT INTO rfin VALUES ('c', 3), ('d', 4);
RESET ROLE;
SELECT siddhi.flush();
SET ROLE siddhi_rf_owner;
SET search_path = rf, public;
SELECT * FROM rfwin ORDER BY v;
SELECT k, total FROM rfagg_sec ORDER BY k;
SELECT k, total FROM rfagg_min ORDER BY k;
RESET ROLE;
SELECT state, error FROM siddhi.apps WHERE name = 'rf_tables';

-- replace => true keeps the subscriptions of the streams that remain,
-- and loses no event in between
SET ROLE siddhi_rf_owner;
SET search_path = rf, public;
SELECT siddhi.deploy('rf_watch', $$
  define stream RwIn (a int);
  from RwIn select a insert into RwOut;
$$);
RESET ROLE;
SELECT wait_app('rf_watch');
SET ROLE siddhi_rf_owner;
SET search_path = rf, public;
SELECT siddhi.subscribe('rwout');
INSERT INTO rwin VALUES (1);
-- replaced whether or not the worker has seen event 1 yet: the old app
-- or the new one passes it on
SELECT siddhi.deploy('rf_watch', $$
  define stream RwIn (a int);
  @info(name = 'renamed') from RwIn select a insert into RwOut;
$$, replace => true);
SELECT stream FROM siddhi.subscriptions();
INSERT INTO rwin VALUES (2), (3);
RESET ROLE;
SELECT wait_app('rf_watch');
SELECT siddhi.flush();
SET ROLE siddhi_rf_owner;
SET search_path = rf, public;
SELECT event FROM siddhi.poll('rwout', 10, 5000) ORDER BY seq;
-- a stream the new app declares otherwise is created anew; its watchers
-- follow it
SELECT siddhi.deploy('rf_watch', $$
  define stream RwIn (a int);
  from RwIn select a, a * 10 as b insert into RwOut;
$$, replace => true);
SELECT stream, buffered_bytes FROM siddhi.subscriptions();
RESET ROLE;
SELECT wait_app('rf_watch');
SET ROLE siddhi_rf_owner;
SET search_path = rf, public;
INSERT INTO rwin VALUES (4);
RESET ROLE;
SELECT siddhi.flush();
SET ROLE siddhi_rf_owner;
SET search_path = rf, public;
SELECT event FROM siddhi.poll('rwout', 10, 5000) ORDER BY seq;
-- a replace rolled back to a savepoint moves no watcher
BEGIN;
SAVEPOINT before_replace;
SELECT siddhi.deploy('rf_watch', $$
  define stream RwIn (a int);
  from RwIn select a, a * 10 as b, a * 100 as c insert into RwOut;
$$, replace => true);
ROLLBACK TO before_replace;
COMMIT;
SELECT stream FROM siddhi.subscriptions();
INSERT INTO rwin VALUES (5);
RESET ROLE;
SELECT siddhi.flush();
SET ROLE siddhi_rf_owner;
SET search_path = rf, public;
SELECT event FROM siddhi.poll('rwout', 10, 5000) ORDER BY seq;
-- a stream the new app no longer uses is dropped
SELECT siddhi.deploy('rf_watch', $$
  define stream RwIn2 (a int);
  from RwIn2 select a insert into RwOut2;
$$, replace => true);
SELECT to_regclass('rwin') IS NULL AS rwin_gone, to_regclass('rwout') IS NULL AS rwout_gone;

-- poll: an event time timestamptz cannot show is NULL, not 1969
SELECT siddhi.deploy('rf_time', $$
  @eventTime('ts') define stream RtIn (ts long, a int);
  from RtIn select a insert into RtOut;
$$);
RESET ROLE;
SELECT wait_app('rf_time');
SET ROLE siddhi_rf_owner;
SET search_path = rf, public;
SELECT siddhi.subscribe('rtout');
INSERT INTO rtin VALUES (9223372036854775807, 1), (-9223372036854775808, 2),
  (1700000000000, 3);
RESET ROLE;
SELECT siddhi.flush();
SET ROLE siddhi_rf_owner;
SELECT event_time, event FROM siddhi.poll('rf.rtout', 10, 5000) ORDER BY seq;

RESET ROLE;
RESET search_path;
SELECT siddhi.undeploy('rf_tables', true);
SELECT siddhi.undeploy('rf_watch', true);
SELECT siddhi.undeploy('rf_time', true);
DROP SCHEMA rf CASCADE;
DROP ROLE siddhi_rf_owner;
DROP ROLE siddhi_rf_other;
