-- DDL on what an app uses (issue 11, item 4).  An app records pg_depend
-- entries (through its view siddhi_app.<app>), so DROP, ALTER .. TYPE and
-- DROP COLUMN of its relations, functions and types are refused without
-- CASCADE exactly as for a view; with CASCADE, or after a RENAME or a
-- REVOKE, the engine stops or reloads the app with a clear error, and
-- events that keep coming cause no crash.
CREATE ROLE siddhi_ddl_a LOGIN;
CREATE ROLE siddhi_ddl_b LOGIN;
CREATE SCHEMA siddhi_ddl_a AUTHORIZATION siddhi_ddl_a;
CREATE SCHEMA siddhi_ddl_b AUTHORIZATION siddhi_ddl_b;
GRANT USAGE ON SCHEMA siddhi_ddl_b TO siddhi_ddl_a;
-- a table of another role, read by a join
SET ROLE siddhi_ddl_b;
CREATE TABLE siddhi_ddl_b.ddllabels (a int, label text);
INSERT INTO siddhi_ddl_b.ddllabels VALUES (1, 'one'), (2, 'two'), (4, 'four');
GRANT SELECT ON siddhi_ddl_b.ddllabels TO siddhi_ddl_a;
SET ROLE siddhi_ddl_a;
SET search_path = siddhi_ddl_a, siddhi_ddl_b;
CREATE FUNCTION twice(int) RETURNS int LANGUAGE sql IMMUTABLE
  AS 'SELECT $1 * 2';
CREATE TYPE mood AS ENUM ('calm', 'angry');
-- (each role's schema is named after it: "$user" on the engine's
-- search_path finds the functions the SiddhiQL apps call unqualified)
-- every kind of relation: input stream, output stream, output table,
-- table read by a join, named window, aggregation; a function (an SQL
-- one, which the planner inlines) and a type in expressions
SELECT siddhi.deploy('ddl_app', $$
  define stream DdlIn (a int, b string);
  define stream DdlMid (a int, b string);
  define table DdlOut (a int, b string);
  define table DdlLabels (a int, label string);
  define table DdlJoined (a int, label string);
  define window DdlWin (a int, b string) length(3);
  from DdlIn select twice(a) as a, b insert into DdlMid;
  from DdlMid select a, b insert into DdlOut;
  from DdlIn select a, b insert into DdlWin;
  from DdlIn join DdlLabels on DdlIn.a == DdlLabels.a
  select DdlIn.a, DdlLabels.label insert into DdlJoined;
  define aggregation DdlAgg from DdlIn select b, sum(a) as total
  group by b aggregate every sec ... min;
$$);
SELECT siddhi.deploy('ddl_sql', $$
  CREATE STREAM DdlMoods (a INT, m TEXT);
  CREATE TABLE DdlMoodOut (a INT, m TEXT);
  INSERT INTO DdlMoodOut SELECT a, (m::siddhi_ddl_a.mood)::text AS m FROM DdlMoods;
$$);
RESET ROLE;
RESET search_path;
SELECT wait_app('ddl_app'), wait_app('ddl_sql');
SELECT pid AS engine_pid FROM pg_stat_activity
 WHERE application_name = 'siddhi engine' AND datname = current_database()
\gset
SELECT c.relname FROM pg_class c
 WHERE c.relnamespace = 'siddhi_app'::regnamespace AND c.relname LIKE 'ddl%'
 ORDER BY 1;
SET ROLE siddhi_ddl_a;
SET search_path = siddhi_ddl_a, siddhi_ddl_b;
INSERT INTO ddlin VALUES (1, 'x');
INSERT INTO ddlmoods VALUES (1, 'calm');
SELECT siddhi.flush();
SELECT * FROM ddlout;
SELECT * FROM ddljoined;
SELECT * FROM ddlmoodout;

-- refused without CASCADE, naming the app's view
ALTER FOREIGN TABLE ddlin ALTER COLUMN a TYPE bigint;
ALTER FOREIGN TABLE ddlin ALTER COLUMN b TYPE varchar(1);
ALTER FOREIGN TABLE ddlin DROP COLUMN b;
DROP FOREIGN TABLE ddlin;
ALTER FOREIGN TABLE ddlmid ALTER COLUMN a TYPE text;
DROP FOREIGN TABLE ddlmid;
ALTER TABLE ddlout ALTER COLUMN a TYPE text;
ALTER TABLE ddlout DROP COLUMN b;
DROP TABLE ddlout;
ALTER TABLE ddlwin ALTER COLUMN a TYPE bigint;
DROP TABLE ddlwin;
-- (the aggregation's own view depends on its tables too: which of the two
-- a message names first varies)
\set VERBOSITY terse
DROP TABLE ddlagg_sec;
ALTER TABLE ddlagg_min ALTER COLUMN total TYPE numeric;
\set VERBOSITY default
DROP FUNCTION twice(int);
DROP TYPE mood;
SET ROLE siddhi_ddl_b;
ALTER TABLE siddhi_ddl_b.ddllabels ALTER COLUMN label TYPE varchar(3);
DROP TABLE siddhi_ddl_b.ddllabels;
SET ROLE siddhi_ddl_a;
-- and the apps run on
INSERT INTO ddlin VALUES (2, 'y');
INSERT INTO ddlmoods VALUES (2, 'angry');
SELECT siddhi.flush();
SELECT * FROM ddlout ORDER BY a;
SELECT * FROM ddljoined ORDER BY a;
SELECT * FROM ddlmoodout ORDER BY a;
RESET ROLE;
RESET search_path;
SELECT name, state, error FROM siddhi.apps WHERE name LIKE 'ddl%' ORDER BY 1;

-- a revoked privilege takes effect at once: the join app cannot read
-- the other role's table any more and stops with the reason
SET ROLE siddhi_ddl_b;
REVOKE SELECT ON siddhi_ddl_b.ddllabels FROM siddhi_ddl_a;
SET ROLE siddhi_ddl_a;
INSERT INTO ddlin VALUES (4, 'w');
SELECT siddhi.flush();
RESET ROLE;
RESET search_path;
SELECT wait_for($$SELECT count(*) FROM siddhi.apps
                  WHERE name = 'ddl_app' AND state = 'failed'$$, 1);
SELECT name, state, error FROM siddhi.apps WHERE name = 'ddl_app';
SELECT count(*) FROM siddhi_ddl_a.ddljoined;

-- CASCADE: the app is stopped and says why; later events cause no harm
SET ROLE siddhi_ddl_a;
SET search_path = siddhi_ddl_a, siddhi_ddl_b;
CREATE FUNCTION thrice(int) RETURNS int LANGUAGE plpgsql IMMUTABLE
  AS 'BEGIN RETURN $1 * 3; END';
SELECT siddhi.deploy('ddl_c1', $$
  define stream C1In (a int, b string);
  define table C1Out (a int, b string);
  from C1In select a, b insert into C1Out;
$$);
SELECT siddhi.deploy('ddl_c2', $$
  define stream C2In (a int, b string);
  define table C2Out (a int);
  from C2In select thrice(a) as a insert into C2Out;
$$);
SELECT siddhi.deploy('ddl_c3', $$
  define stream C3In (a int, b string);
  define table C3Out (a int, b string);
  from C3In select a, b insert into C3Out;
$$);
SELECT siddhi.deploy('ddl_r1', $$
  define stream R1In (a int, b string);
  define table R1Out (a int, b string);
  from R1In select a, b insert into R1Out;
$$);
SELECT siddhi.deploy('ddl_c4', $$
  define stream C4In (a int, b string);
  define table C4Out (a int, b string);
  from C4In select a, b insert into C4Out;
$$);
RESET ROLE;
RESET search_path;
SELECT wait_app('ddl_c1'), wait_app('ddl_c2'), wait_app('ddl_c3'),
       wait_app('ddl_r1'), wait_app('ddl_c4');
SET ROLE siddhi_ddl_a;
SET search_path = siddhi_ddl_a, siddhi_ddl_b;
DROP TABLE c1out CASCADE;
DROP FUNCTION thrice(int) CASCADE;
ALTER FOREIGN TABLE c3in DROP COLUMN b CASCADE;
DROP TYPE mood CASCADE;
ALTER TABLE r1out RENAME TO r1out_old;
-- a column added to an output table: the app no longer matches it, is
-- reloaded and fails with the analyser's reason (as it would at its next
-- start), rather than run on with a row type it was not built for
ALTER TABLE c4out ADD COLUMN note text;
INSERT INTO c1in VALUES (1, 'x');
INSERT INTO c2in VALUES (1, 'x');
INSERT INTO c3in VALUES (1);
INSERT INTO r1in VALUES (1, 'x');
INSERT INTO c4in VALUES (1, 'x');
INSERT INTO ddlmoods VALUES (3, 'calm');
SELECT siddhi.flush();
RESET ROLE;
RESET search_path;
SELECT wait_for($$SELECT count(*) FROM siddhi.apps
                  WHERE name IN ('ddl_c1', 'ddl_c2', 'ddl_c3', 'ddl_r1',
                                 'ddl_c4', 'ddl_sql')
                    AND state = 'failed'$$, 6);
SELECT name, state, error FROM siddhi.apps WHERE name LIKE 'ddl_%'
 ORDER BY 1;
SELECT count(*) FROM siddhi_ddl_a.c2out;
SELECT count(*) FROM siddhi_ddl_a.c3out;
SELECT count(*) FROM siddhi_ddl_a.r1out_old;
SELECT count(*) FROM siddhi_ddl_a.ddlmoodout;
SELECT count(*) FROM siddhi_ddl_a.c4out;
-- the engine is the same process as before: nothing crashed
SELECT pid = :engine_pid AS same_engine FROM pg_stat_activity
 WHERE application_name = 'siddhi engine' AND datname = current_database();

-- undeploy removes the view, and a replace builds it again
SET ROLE siddhi_ddl_a;
SELECT siddhi.undeploy('ddl_c1');
SELECT siddhi.deploy('ddl_r1', $$
  define stream R1In (a int, b string);
  define table R1Out_old (a int, b string);
  from R1In select a, b insert into R1Out_old;
$$, replace => true);
RESET ROLE;
RESET search_path;
SELECT wait_app('ddl_r1');
SELECT c.relname FROM pg_class c
 WHERE c.relnamespace = 'siddhi_app'::regnamespace AND c.relname LIKE 'ddl%'
 ORDER BY 1;
SET ROLE siddhi_ddl_a;
DROP TABLE siddhi_ddl_a.r1out_old;
INSERT INTO siddhi_ddl_a.r1in VALUES (2, 'y');
SELECT siddhi.flush();
SELECT * FROM siddhi_ddl_a.r1out_old ORDER BY a;

-- clean up
SELECT siddhi.undeploy(name, drop_tables => true)
  FROM siddhi.apps WHERE name LIKE 'ddl_%' ORDER BY name;
RESET ROLE;
RESET search_path;
SELECT count(*) FROM pg_class
 WHERE relnamespace = 'siddhi_app'::regnamespace AND relname LIKE 'ddl%';
DROP SCHEMA siddhi_ddl_a CASCADE;
DROP SCHEMA siddhi_ddl_b CASCADE;
DROP ROLE siddhi_ddl_a;
DROP ROLE siddhi_ddl_b;

-- a partitioned table that existed before the deploy is refused as an
-- app's table (its rows crashed the engine, and a durable stream's event
-- crashed it again at every restart; its lookups read only the parent)
CREATE TABLE hd_pout (k int, v text) PARTITION BY RANGE (k);
CREATE TABLE hd_pout_1 PARTITION OF hd_pout FOR VALUES FROM (0) TO (1000000);
SELECT siddhi.deploy('hd_part', $$
  @durable define stream HdPIn (k int, v string);
  define table hd_pout (k int, v string);
  from HdPIn select k, v insert into hd_pout;
$$);
DROP TABLE hd_pout;

-- the index a join's lookup uses is rebuilt (REINDEX CONCURRENTLY gives it
-- a new OID) or dropped: the lookup is planned again and the app runs on
-- with its state (every event failed on the gone index before)
SELECT count(*) FROM siddhi.deploy('hd_idx', $$
  define stream HdIdxAsk (k int);
  @PrimaryKey('k')
  define table HdIdxT (k int, v string);
  from HdIdxAsk as a join HdIdxT as t on t.k == a.k
  select a.k as k, t.v as v insert into HdIdxSeen;
$$);
INSERT INTO hdidxt VALUES (1, 'one'), (2, 'two');
SELECT siddhi.subscribe('hdidxseen');
INSERT INTO hdidxask VALUES (1);
SELECT siddhi.flush();
REINDEX INDEX CONCURRENTLY hdidxt_pkey;
INSERT INTO hdidxask VALUES (2);
SELECT siddhi.flush();
ALTER TABLE hdidxt DROP CONSTRAINT hdidxt_pkey;
INSERT INTO hdidxask VALUES (1);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('hdidxseen', 10, 0) ORDER BY seq;
SELECT errors, state FROM siddhi.queries q JOIN siddhi.apps a ON a.name = q.app
 WHERE q.app = 'hd_idx';
SELECT siddhi.undeploy('hd_idx', drop_tables => true);

-- a constraint added to a domain an app writes is enforced at once: the
-- app reloads (it kept the constraints it compiled at load)
CREATE DOMAIN hd_posint AS int CHECK (VALUE > 0);
CREATE TABLE hd_dout (k hd_posint);
SELECT count(*) FROM siddhi.deploy('hd_dom', $$
  CREATE STREAM HdDomIn (k INT);
  CREATE TABLE hd_dout (k hd_posint);
  INSERT INTO hd_dout SELECT (k - 100)::hd_posint AS k FROM HdDomIn;
$$);
INSERT INTO hddomin VALUES (5000);
SELECT siddhi.flush();
ALTER DOMAIN hd_posint ADD CONSTRAINT hd_lt CHECK (VALUE < 1000) NOT VALID;
INSERT INTO hddomin VALUES (5100), (600);
SELECT siddhi.flush();
SELECT k FROM hd_dout ORDER BY k;
SELECT siddhi.undeploy('hd_dom');
DROP TABLE hd_dout;
DROP DOMAIN hd_posint;

-- tables with dropped columns: the output row keeps every column in its
-- place (the insert crashed the cluster; update or insert into wrote the
-- values shifted, without an error)
CREATE TABLE hd_dt (a int, b text, c bigint, d text, e text);
ALTER TABLE hd_dt DROP COLUMN b;
ALTER TABLE hd_dt DROP COLUMN e;
CREATE TABLE hd_wt (z int, a int, b int, c int, d int);
ALTER TABLE hd_wt DROP COLUMN z;
ALTER TABLE hd_wt DROP COLUMN b;
INSERT INTO hd_wt VALUES (1, 1, 1);
SELECT count(*) FROM siddhi.deploy('hd_dropped', $$
  define stream HdDIn (a int, c long, d string);
  define table HD_DT (a int, c long, d string);
  define table HD_WT (a int, c int, d int);
  from HdDIn select a, c, d insert into HD_DT;
  from HdDIn select a, convert(c, 'int') as c, convert(a + c, 'int') as d
    update or insert into HD_WT on HD_WT.a == a;
$$);
SELECT wait_app('hd_dropped');
INSERT INTO hddin VALUES (1, 10, 'x'), (7, 8, 'y');
SELECT siddhi.flush();
SELECT * FROM hd_dt ORDER BY a;
SELECT * FROM hd_wt ORDER BY a;
SELECT errors FROM siddhi.queries WHERE app = 'hd_dropped' ORDER BY query;
SELECT siddhi.undeploy('hd_dropped', drop_tables => true);
DROP TABLE IF EXISTS hd_dt, hd_wt;
