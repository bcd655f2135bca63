-- docs/rest.md, the database side PostgREST relies on, as PostgREST runs
-- it: the roles and grants the page prescribes (a results table and an
-- aggregation view readable by the anonymous role, and nothing else), and
-- the statements PostgREST 12 sends for GET /table?select=..&order=..: a
-- read-only transaction, the request GUCs and the role set locally with
-- set_config(.., true) (SET LOCAL ROLE), then its prepared read statement.
-- PostgREST itself is not run (no package on Debian 12; see docs/rest.md);
-- rest_roles.sql has the on-demand wrapper.
CREATE SCHEMA rest2_api;
SET search_path = rest2_api;
SELECT siddhi.deploy('rest2_profiles', $$
  CREATE TABLE CustomerProfiles (customerId STRING PRIMARY KEY, name STRING,
                                 tier STRING, totalSpent DOUBLE);
  CREATE STREAM Purchases (customerId STRING, name STRING, amount DOUBLE);
  INSERT INTO CustomerProfiles
  SELECT customerId, name,
         CASE WHEN amount >= 1000 THEN 'GOLD' ELSE 'SILVER' END AS tier,
         amount AS totalSpent
  FROM Purchases
  ON CONFLICT (customerId) DO UPDATE
  SET totalSpent = totalSpent + EXCLUDED.totalSpent,
      tier = CASE WHEN totalSpent + EXCLUDED.totalSpent >= 1000
                  THEN 'GOLD' ELSE 'SILVER' END;
$$);
SELECT siddhi.deploy('rest2_dashboard', $$
  CREATE STREAM Views (page STRING, ms LONG, ts LONG);
  CREATE AGGREGATION PageStats
  WITH (by = 'ts', granularity = 'minute', purge = 'false') AS
  SELECT page, COUNT(*) AS views, AVG(ms) AS avg_ms FROM Views GROUP BY page;
$$);
RESET search_path;

-- section 2 of docs/rest.md
CREATE ROLE rest2_anon NOLOGIN;
CREATE ROLE rest2_authenticator LOGIN NOINHERIT;
GRANT rest2_anon TO rest2_authenticator;
GRANT USAGE ON SCHEMA rest2_api TO rest2_anon;
GRANT SELECT ON rest2_api.customerprofiles, rest2_api.pagestats TO rest2_anon;

INSERT INTO rest2_api.purchases VALUES ('c1', 'Ann', 700), ('c2', 'Bob', 120),
  ('c3', 'Chen', 2500), ('c1', 'Ann', 450);
-- 2024-01-01 10:00 and 10:01 UTC
INSERT INTO rest2_api.views VALUES ('/home', 120, 1704103200000),
  ('/home', 80, 1704103210000), ('/cart', 300, 1704103215000),
  ('/home', 100, 1704103265000);
SELECT siddhi.flush();

-- what the anonymous role may read in the exposed schema: the results
-- table and the aggregation view, nothing else (not the streams, not the
-- aggregation's tables)
SELECT c.relname, c.relkind
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'rest2_api'
   AND has_table_privilege('rest2_anon', c.oid, 'SELECT')
 ORDER BY 1;
SELECT count(*) AS other_relations
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'rest2_api' AND c.relkind IN ('r', 'v', 'f', 'p')
   AND NOT has_table_privilege('rest2_anon', c.oid, 'SELECT');
SELECT has_table_privilege('rest2_anon', 'rest2_api.customerprofiles', 'INSERT, UPDATE, DELETE') AS anon_writes;

-- PostgREST logs in as the authenticator
SET SESSION AUTHORIZATION rest2_authenticator;
-- GET /customerprofiles?select=customerid,totalspent&tier=eq.GOLD&order=totalspent.desc
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
SELECT set_config('search_path', '"rest2_api", "public"', true),
       set_config('role', 'rest2_anon', true),
       set_config('request.jwt.claims', '{"role":"rest2_anon"}', true),
       set_config('request.method', 'GET', true),
       set_config('request.path', '/customerprofiles', true),
       set_config('request.headers', '{"accept":"*/*"}', true),
       set_config('request.cookies', '{}', true);
SELECT current_user, session_user;
-- its read statement, prepared (by the request's role) the first time the
-- connection runs it
PREPARE pgrst_profiles(text) AS
WITH pgrst_source AS ( SELECT "rest2_api"."customerprofiles"."customerid", "rest2_api"."customerprofiles"."totalspent" FROM "rest2_api"."customerprofiles" WHERE "rest2_api"."customerprofiles"."tier" = $1 ORDER BY "rest2_api"."customerprofiles"."totalspent" DESC ) SELECT null::bigint AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total, coalesce(json_agg(_postgrest_t), '[]') AS body, nullif(current_setting('response.headers', true), '') AS response_headers, nullif(current_setting('response.status', true), '') AS response_status, '' AS response_inserted FROM ( SELECT * FROM pgrst_source ) _postgrest_t;
EXECUTE pgrst_profiles('GOLD');
COMMIT;
-- the role was local to the request
SELECT current_user;

-- GET /pagestats?select=agg_timestamp,page,views,avg_ms&agg_granularity=eq.min&order=agg_timestamp,page&limit=10
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
SELECT set_config('search_path', '"rest2_api", "public"', true),
       set_config('role', 'rest2_anon', true),
       set_config('request.jwt.claims', '{"role":"rest2_anon"}', true),
       set_config('request.method', 'GET', true),
       set_config('request.path', '/pagestats', true),
       set_config('request.headers', '{"accept":"*/*"}', true),
       set_config('request.cookies', '{}', true);
PREPARE pgrst_pagestats(text, bigint, bigint) AS
WITH pgrst_source AS ( SELECT "rest2_api"."pagestats"."agg_timestamp", "rest2_api"."pagestats"."page", "rest2_api"."pagestats"."views", "rest2_api"."pagestats"."avg_ms" FROM "rest2_api"."pagestats" WHERE "rest2_api"."pagestats"."agg_granularity" = $1 ORDER BY "rest2_api"."pagestats"."agg_timestamp" ASC , "rest2_api"."pagestats"."page" ASC LIMIT $2 OFFSET $3 ) SELECT null::bigint AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total, coalesce(json_agg(_postgrest_t), '[]') AS body, nullif(current_setting('response.headers', true), '') AS response_headers, nullif(current_setting('response.status', true), '') AS response_status, '' AS response_inserted FROM ( SELECT * FROM pgrst_source ) _postgrest_t;

EXECUTE pgrst_pagestats('min', 10, 0);
COMMIT;

-- GET /pagestats_min: not granted, PostgREST answers with the error
-- PostgreSQL gives (42501); GET /purchases: a stream, not granted either,
-- holds no rows to read
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
SELECT set_config('role', 'rest2_anon', true);
SELECT coalesce(json_agg(_postgrest_t), '[]') AS body
  FROM (SELECT "rest2_api"."pagestats_min".* FROM "rest2_api"."pagestats_min") _postgrest_t;
ROLLBACK;
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
SELECT set_config('role', 'rest2_anon', true);
SELECT coalesce(json_agg(_postgrest_t), '[]') AS body
  FROM (SELECT "rest2_api"."purchases".* FROM "rest2_api"."purchases") _postgrest_t;
ROLLBACK;
-- a request for a role the authenticator was not granted (a JWT naming
-- the app owner) cannot switch to it
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
SELECT set_config('role', 'postgres', true);
ROLLBACK;
-- the request's transaction is read only
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
SELECT set_config('role', 'rest2_anon', true);
DELETE FROM rest2_api.customerprofiles;
ROLLBACK;
DEALLOCATE pgrst_profiles;
DEALLOCATE pgrst_pagestats;
RESET SESSION AUTHORIZATION;

SELECT siddhi.undeploy('rest2_profiles', drop_tables => true);
SELECT siddhi.undeploy('rest2_dashboard', drop_tables => true);
REVOKE ALL ON SCHEMA rest2_api FROM rest2_anon;
DROP SCHEMA rest2_api CASCADE;
DROP ROLE rest2_authenticator;
DROP ROLE rest2_anon;
