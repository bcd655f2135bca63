-- An app is owned by its owner role as a PostgreSQL object is: its
-- placeholder view siddhi_app.<app> is the role's (pg_shdepend), so DROP
-- ROLE refuses while the role owns apps, REASSIGN OWNED BY gives them to
-- another role and DROP OWNED BY removes them (src/worker/app_owner.c).
CREATE ROLE ao_alice LOGIN;
CREATE ROLE ao_bob LOGIN;
CREATE ROLE ao_mallory LOGIN;
CREATE SCHEMA ao AUTHORIZATION ao_alice;
GRANT USAGE, CREATE ON SCHEMA ao TO ao_bob;
SET ROLE ao_alice;
SET search_path = ao;
SELECT count(*) FROM siddhi.deploy('ao_app', $$
  define stream AoIn (x int);
  define table AoOut (x int);
  from AoIn select x insert into AoOut;
$$);
RESET ROLE;
RESET search_path;
SELECT wait_app('ao_app');
SELECT pg_get_userbyid(relowner) AS view_owner FROM pg_class
 WHERE oid = 'siddhi_app.ao_app'::regclass;

-- DROP ROLE refuses, naming the apps
DROP ROLE ao_alice;
\echo :LAST_ERROR_SQLSTATE

-- a role that may not act for her can neither give nor drop them
SET ROLE ao_mallory;
REASSIGN OWNED BY ao_alice TO ao_mallory;
DROP OWNED BY ao_alice;
RESET ROLE;
RESET search_path;

-- REASSIGN OWNED BY: the app is bob's now, and runs as bob
REASSIGN OWNED BY ao_alice TO ao_bob;
SELECT wait_for($$SELECT count(*) FROM siddhi.apps
                  WHERE name = 'ao_app' AND state = 'running'$$, 1);
SELECT name, owner, state FROM siddhi.apps WHERE name = 'ao_app';
SELECT pg_get_userbyid(relowner) AS view_owner FROM pg_class
 WHERE oid = 'siddhi_app.ao_app'::regclass;
INSERT INTO ao.aoin VALUES (1);
SELECT siddhi.flush();
SELECT * FROM ao.aoout;
-- alice owns nothing any more
DROP ROLE ao_alice;

-- an app whose view a CASCADE dropped (failed) still holds its owner
CREATE TABLE ao.ao_ext (x int);
GRANT SELECT, INSERT ON ao.ao_ext TO ao_bob;
ALTER TABLE ao.ao_ext OWNER TO CURRENT_USER;
SET ROLE ao_bob;
SET search_path = ao;
SELECT count(*) FROM siddhi.deploy('ao_app2', $$
  define stream AoIn2 (x int);
  define table ao_ext (x int);
  from AoIn2 select x insert into ao_ext;
$$);
RESET ROLE;
RESET search_path;
SELECT wait_app('ao_app2');
DROP TABLE ao.ao_ext CASCADE;
SELECT wait_for($$SELECT count(*) FROM siddhi.apps
                  WHERE name = 'ao_app2' AND state = 'failed'$$, 1);
DROP ROLE ao_bob;
\echo :LAST_ERROR_SQLSTATE

-- DROP OWNED BY: bob's apps go with his views, streams and tables
DROP OWNED BY ao_bob;
SELECT count(*) FROM siddhi.apps WHERE name LIKE 'ao_app%';
SELECT count(*) FROM pg_class WHERE relnamespace = 'siddhi_app'::regnamespace
   AND relname LIKE 'ao_app%';
SELECT count(*) FROM pg_class WHERE relname IN ('aoin', 'aoout', 'aoin2');
DROP ROLE ao_bob;
DROP ROLE ao_mallory;

-- the engine never runs an app as a role that does not exist (here a
-- superuser's edit of the catalog stands for one that lost its view)
SELECT count(*) FROM siddhi.deploy('ao_app3', $$
  define stream AoIn3 (x int);
$$);
SELECT wait_app('ao_app3');
UPDATE siddhi.app SET owner = '4000000000'::oid::regrole, deployed_at = now()
 WHERE name = 'ao_app3';
SELECT wait_for($$SELECT count(*) FROM siddhi.apps
                  WHERE name = 'ao_app3' AND state = 'failed'$$, 1);
SELECT state, error FROM siddhi.apps WHERE name = 'ao_app3';
SELECT siddhi.undeploy('ao_app3', drop_tables => true);
