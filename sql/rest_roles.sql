-- The SQL side of docs/rest.md (reading results over HTTP with
-- PostgREST): the schema, roles, grants and wrapper function it sets up,
-- and, as the web role, the statements PostgREST's requests come down to.
-- PostgREST itself is not run (no package on Debian 12; see docs/rest.md).
CREATE SCHEMA rest_api;
SET search_path = rest_api;
SELECT siddhi.deploy('rest_profiles', $$
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
SELECT siddhi.deploy('rest_dashboard', $$
  CREATE STREAM Views (page STRING, ms LONG, ts LONG);
  CREATE AGGREGATION PageStats
  WITH (by = 'ts', granularity = 'minute', purge = 'false') AS
  SELECT page, COUNT(*) AS views, AVG(ms) AS avg_ms FROM Views GROUP BY page;
$$);
RESET search_path;

CREATE ROLE rest_anon NOLOGIN;
CREATE ROLE rest_authenticator LOGIN NOINHERIT;
GRANT rest_anon TO rest_authenticator;
GRANT USAGE ON SCHEMA rest_api TO rest_anon;
GRANT SELECT ON rest_api.customerprofiles, rest_api.pagestats TO rest_anon;
CREATE FUNCTION rest_api.query(app text, query text)
RETURNS TABLE (event jsonb)
LANGUAGE sql VOLATILE SECURITY INVOKER
AS $$ SELECT q.event FROM siddhi.query(app, query) AS q $$;
REVOKE ALL ON FUNCTION rest_api.query(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rest_api.query(text, text) TO rest_anon;

INSERT INTO rest_api.purchases VALUES ('c1', 'Ann', 700), ('c2', 'Bob', 120),
  ('c3', 'Chen', 2500), ('c1', 'Ann', 450);
-- 2024-01-01 10:00 and 10:01 UTC
INSERT INTO rest_api.views VALUES ('/home', 120, 1704103200000),
  ('/home', 80, 1704103210000), ('/cart', 300, 1704103215000),
  ('/home', 100, 1704103265000);
SELECT siddhi.flush();

-- PostgREST switches to the request's role, as here
SET ROLE rest_authenticator;
SET ROLE rest_anon;
-- GET /customerprofiles?tier=eq.GOLD&limit=100
SELECT json_agg(t) FROM (SELECT * FROM rest_api.customerprofiles
  WHERE tier = 'GOLD' ORDER BY customerid LIMIT 100) t;
-- GET /pagestats?agg_granularity=eq.min&order=agg_timestamp,page
SELECT json_agg(t) FROM (SELECT * FROM rest_api.pagestats
  WHERE agg_granularity = 'min' ORDER BY agg_timestamp, page) t;
-- POST /rpc/query
SELECT json_agg(t) FROM rest_api.query('rest_profiles',
  'from CustomerProfiles on tier == "GOLD" select customerId, totalSpent order by customerId limit 100') t;
-- what the web role was not granted: the stream, the per-granularity
-- tables, changes through the on-demand query (a stream has no rows to
-- read, granted or not)
SELECT * FROM rest_api.purchases;
SELECT * FROM rest_api.pagestats_min;
SELECT * FROM rest_api.query('rest_profiles', 'delete CustomerProfiles on tier == "SILVER"');
RESET ROLE;
SELECT count(*) FROM rest_api.customerprofiles;

SELECT siddhi.undeploy('rest_profiles', drop_tables => true);
SELECT siddhi.undeploy('rest_dashboard', drop_tables => true);
DROP FUNCTION rest_api.query(text, text);
REVOKE ALL ON SCHEMA rest_api FROM rest_anon;
DROP SCHEMA rest_api CASCADE;
DROP ROLE rest_authenticator;
DROP ROLE rest_anon;
