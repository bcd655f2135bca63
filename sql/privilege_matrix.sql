-- Who may do what to an app: each function and view, for the app's owner,
-- a member of the owner's role, another user, a superuser, and members of
-- pg_read_all_stats and pg_monitor.  Every outcome is exact.
CREATE ROLE pm_owner LOGIN;
CREATE ROLE pm_member LOGIN IN ROLE pm_owner;
CREATE ROLE pm_other LOGIN;
CREATE ROLE pm_stats LOGIN IN ROLE pg_read_all_stats;
CREATE ROLE pm_mon LOGIN IN ROLE pg_monitor;
CREATE SCHEMA pm AUTHORIZATION pm_owner;
GRANT USAGE ON SCHEMA pm TO pm_other, pm_stats, pm_mon;

-- Run stmt as role r ('superuser': the session's own); 'ok', with the
-- value the statement returns, or the error's SQLSTATE and message.
CREATE FUNCTION pm_try(r text, stmt text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v text;
BEGIN
    IF r <> 'superuser' THEN
        EXECUTE format('SET ROLE %I', r);
    END IF;
    EXECUTE stmt INTO v;
    RESET ROLE;
    RETURN 'ok' || coalesce(nullif(': ' || v, ': '), '');
EXCEPTION WHEN OTHERS THEN
    RESET ROLE;
    RETURN 'ERROR ' || SQLSTATE || ': ' || SQLERRM;
END $$;
CREATE VIEW pm_roles (o, r) AS
    VALUES (1, 'pm_owner'), (2, 'pm_member'), (3, 'pm_other'), (4, 'superuser');
CREATE VIEW pm_readers (o, r) AS
    SELECT * FROM pm_roles UNION ALL VALUES (5, 'pm_stats'), (6, 'pm_mon');
GRANT SELECT ON pm_roles, pm_readers TO PUBLIC;

-- the owner's app: playback, so that only events and advance_clock move
-- its clock; a query whose error quotes an event's value
-- (apps deploy into pm, the first schema of the path)
SET search_path = pm, public;
SET ROLE pm_owner;
SELECT siddhi.deploy('pm_app', $$
  @app:playback
  @eventTime('ts')
  define stream PmIn (ts long, k string, v int);
  define table PmOut (k string, v int);
  define table PmBatch (n long);
  define table PmNum (n int);
  from PmIn select k, v insert into PmOut;
  from PmIn select k, v insert into PmEcho;
  from PmIn#window.timeBatch(1 sec) select count() as n insert into PmBatch;
  @info(name = 'parse')
  from PmIn[v < 0] select cast(k, 'double') as n insert into PmNum;
  define aggregation PmAgg from PmIn select k, sum(v) as total
    group by k aggregate by ts every sec;
$$);
-- apps to undeploy and replace, one for each role
SELECT siddhi.deploy('pm_u_' || r, 'define stream PmU_' || r || ' (a int);')
  FROM pm_roles ORDER BY o;
SELECT siddhi.deploy('pm_r_' || r, 'define stream PmR_' || r || ' (a int);')
  FROM pm_roles ORDER BY o;
RESET ROLE;
SELECT public.wait_app('pm_app');
INSERT INTO pm.pmin VALUES (1000, 'a', 1), (1000, '123-45-6789', -1);
SELECT siddhi.flush();

-- deploy replace => true, undeploy
SELECT r, pm_try(r, format($$SELECT siddhi.deploy('pm_r_%s',
         'define stream PmR2_%s (a int);', replace => true)$$, r, r))
  FROM pm_roles ORDER BY o;
SELECT r, pm_try(r, format($$SELECT siddhi.undeploy('pm_u_%s')$$, r))
  FROM pm_roles ORDER BY o;
-- a replaced app belongs to whoever replaced it
SELECT name, CASE WHEN owner::text LIKE 'pm\_%' THEN owner::text
                  ELSE 'superuser' END AS owner
  FROM siddhi.app WHERE name LIKE 'pm\_%' ORDER BY name;

-- subscribe and poll need SELECT on the stream
SELECT r, pm_try(r, $$SELECT siddhi.subscribe('pm.pmecho')$$)
  FROM pm_readers ORDER BY o;
-- one event for each reader (a session has one queue per stream)
INSERT INTO pm.pmin VALUES (1000, 'b', 2), (1000, 'c', 3), (1000, 'd', 4);
SELECT siddhi.flush();
SELECT r, pm_try(r, $$SELECT count(*) FROM siddhi.poll('pm.pmecho', 1)$$)
  FROM pm_readers ORDER BY o;
-- unsubscribe only ends this session's watch: no privilege needed
SELECT r, pm_try(r, $$SELECT siddhi.unsubscribe('pm.pmecho')$$)
  FROM pm_roles WHERE r IN ('pm_other', 'pm_owner') ORDER BY o;

-- on-demand queries and siddhi.aggregation() need SELECT on what they read
SELECT r, pm_try(r, $$SELECT count(*) FROM siddhi.query('pm_app',
         'from PmOut select k, v')$$)
  FROM pm_readers ORDER BY o;
SELECT r, pm_try(r, $$SELECT count(*) FROM siddhi.aggregation('pmagg',
         0, 9223372036854775807, 'sec')$$)
  FROM pm_readers ORDER BY o;

-- advance_clock moves only the clocks of apps the caller may manage
SELECT pm_try('pm_other', $$SELECT siddhi.advance_clock(5000)$$);
SELECT siddhi.flush();
SELECT count(*) AS batches FROM pm.pmbatch;
SELECT r, pm_try(r, $$SELECT siddhi.advance_clock(5000, 'pm_app')$$)
  FROM pm_roles WHERE r <> 'pm_member' ORDER BY o;
SELECT pm_try('pm_member', $$SELECT siddhi.advance_clock(5000, 'pm_app')$$);
SELECT siddhi.flush();
SELECT count(*) AS batches FROM pm.pmbatch;
SELECT pm_try('pm_owner', $$SELECT siddhi.advance_clock(7000)$$);
SELECT siddhi.flush();
SELECT count(*) AS batches FROM pm.pmbatch;
SELECT pm_try('pm_other', $$SELECT siddhi.advance_clock(5000, 'no_such_app')$$);

-- flush: anyone
SELECT r, pm_try(r, $$SELECT siddhi.flush()$$) FROM pm_readers ORDER BY o;

-- the views and statistics: other users' apps, sources and errors only to
-- the owner's role, superusers, pg_read_all_stats and pg_monitor
SELECT r, pm_try(r, $$SELECT count(source) FROM siddhi.apps
                       WHERE name = 'pm_app'$$) AS apps,
       pm_try(r, $$SELECT string_agg(query || ': ' || coalesce(last_error, '-'), ', ' ORDER BY query)
                     FROM siddhi.queries WHERE app = 'pm_app'
                      AND query IN ('parse', 'query1')$$) AS queries
  FROM pm_readers ORDER BY o;
SELECT r, pm_try(r, $$SELECT count(*) FROM siddhi.query_stats()
                       WHERE app = 'pm_app'$$) AS query_stats,
       pm_try(r, $$SELECT count(*) FROM siddhi.engine_stats()$$) AS engine_stats
  FROM pm_readers ORDER BY o;
-- the catalog shows names and owners to all, the source to none
SELECT r, pm_try(r, $$SELECT owner::text FROM siddhi.app
                       WHERE name = 'pm_app'$$) AS owner,
       pm_try(r, $$SELECT count(source) FROM siddhi.app
                     WHERE name LIKE 'pm\_%'$$) AS source
  FROM pm_readers ORDER BY o;
-- a leaky function in a caller's WHERE sees no other user's row
CREATE FUNCTION public.pm_leak(t text) RETURNS bool LANGUAGE plpgsql COST 0.0000001
AS $$ BEGIN RAISE NOTICE 'saw %', t; RETURN true; END $$;
SELECT pm_try('pm_other', $$SELECT count(*) FROM siddhi.apps
                              WHERE pm_leak(source)$$);
SELECT pm_try('pm_other', $$SELECT count(*) FROM siddhi.queries
                              WHERE pm_leak(last_error)$$);

-- internal functions are not for users
SELECT pm_try('pm_other', $$SELECT siddhi._check_preload()$$);

-- clean up
SELECT siddhi.undeploy(name, drop_tables => true)
  FROM siddhi.app WHERE name LIKE 'pm\_%' ORDER BY name;
DROP FUNCTION pm_try(text, text);
DROP FUNCTION public.pm_leak(text);
DROP VIEW pm_readers;
DROP VIEW pm_roles;
RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA pm CASCADE;
RESET client_min_messages;
DROP ROLE pm_owner, pm_member, pm_other, pm_stats, pm_mon;
