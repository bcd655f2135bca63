-- Who runs what: the extension's own SQL never runs a user's operator,
-- app code runs as its owner (restricted, its settings rolled back after
-- each step), and no trigger on a table the engine writes runs as
-- superuser.  A hostile role tries every route; exec_log records who ran
-- each piece of her code and whether that role was a superuser.
CREATE ROLE siddhi_mallory LOGIN;
CREATE ROLE siddhi_victim LOGIN;
CREATE SCHEMA mallory AUTHORIZATION siddhi_mallory;
CREATE SCHEMA victim AUTHORIZATION siddhi_victim;
CREATE TABLE exec_log (who name, su boolean, what text);
GRANT INSERT ON exec_log TO PUBLIC;

SET ROLE siddhi_mallory;
-- the payload: note who runs it; as a superuser, make mallory one
CREATE FUNCTION mallory.trap(what text) RETURNS void LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    su boolean;
BEGIN
    SELECT rolsuper INTO su FROM pg_roles WHERE rolname = current_user;
    INSERT INTO public.exec_log VALUES (current_user, su, what);
    IF su THEN
        EXECUTE 'ALTER ROLE siddhi_mallory SUPERUSER';
    END IF;
END $$;
-- operators shadowing pg_catalog's, in the schema first on her path
CREATE FUNCTION mallory.text_eq(a text, b text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN PERFORM mallory.trap('text = text'); RETURN a OPERATOR(pg_catalog.=) b; END $$;
CREATE OPERATOR mallory.= (LEFTARG = text, RIGHTARG = text, FUNCTION = mallory.text_eq);
CREATE FUNCTION mallory.text_ne(a text, b text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN PERFORM mallory.trap('text <> text'); RETURN a OPERATOR(pg_catalog.<>) b; END $$;
CREATE OPERATOR mallory.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = mallory.text_ne);
CREATE FUNCTION mallory.name_eq(a name, b name) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN PERFORM mallory.trap('name = name'); RETURN a OPERATOR(pg_catalog.=) b; END $$;
CREATE OPERATOR mallory.= (LEFTARG = name, RIGHTARG = name, FUNCTION = mallory.name_eq);
CREATE FUNCTION mallory.name_text_eq(a name, b text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN PERFORM mallory.trap('name = text'); RETURN a OPERATOR(pg_catalog.=) b; END $$;
CREATE OPERATOR mallory.= (LEFTARG = name, RIGHTARG = text, FUNCTION = mallory.name_text_eq);
CREATE FUNCTION mallory.oid_eq(a oid, b oid) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN PERFORM mallory.trap('oid = oid'); RETURN a OPERATOR(pg_catalog.=) b; END $$;
CREATE OPERATOR mallory.= (LEFTARG = oid, RIGHTARG = oid, FUNCTION = mallory.oid_eq);
CREATE FUNCTION mallory.ts_eq(a timestamptz, b timestamptz) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN PERFORM mallory.trap('timestamptz = timestamptz'); RETURN a OPERATOR(pg_catalog.=) b; END $$;
CREATE OPERATOR mallory.= (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = mallory.ts_eq);
-- app code that changes the worker's settings for good, if it can
CREATE FUNCTION mallory.evil(x int) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_catalog.set_config('search_path', 'mallory, pg_catalog', false);
    PERFORM pg_catalog.set_config('work_mem', '77kB', false);
    RETURN x;
END $$;
-- a trigger for every table the engine writes
CREATE FUNCTION mallory.spy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM mallory.trap(TG_TABLE_NAME || ' ' || lower(TG_WHEN) || ' ' ||
                         lower(TG_LEVEL) || ' ' || lower(TG_OP));
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
RESET ROLE;

-- 1. every siddhi function she can call, with her operators first on the
-- path (ahead of pg_catalog, which otherwise comes first)
SET ROLE siddhi_mallory;
SET search_path = mallory, pg_catalog, public;
SELECT siddhi.deploy('mal_app', $$
  define stream MalIn (x int);
  define table MalOut (x int);
  define window MalWin (x int) length(2);
  from MalIn select x insert into MalOut;
  from MalIn select x insert into MalWin;
$$);
SELECT siddhi.deploy('mal_app', $$
  define stream MalIn (x int);
  define table MalOut (x int);
  define window MalWin (x int) length(2);
  from MalIn select x insert into MalOut;
  from MalIn select x insert into MalWin;
$$, replace => true);
SELECT siddhi.deploy('mal_app', 'define stream MalIn (x int);');
SELECT siddhi.subscribe('malin');
SELECT siddhi.subscribe('malwin');
SELECT count(*) FROM siddhi.subscriptions();
SELECT count(*) FROM siddhi.poll('malin', 10, 0);
SELECT siddhi.unsubscribe('malin');
SELECT siddhi.unsubscribe('malwin');
SELECT count(*) FROM siddhi.query('mal_app', 'from MalOut select x');
SELECT count(*) FROM siddhi.query('mal_app', 'from MalWin select x');
SELECT count(*) FROM siddhi.query('no_such_app', 'from MalOut select x');
SELECT siddhi.flush();
SELECT count(*) FROM siddhi.parse('define stream S (a int);');
SELECT count(*) FROM siddhi.apps WHERE name OPERATOR(pg_catalog.=) 'mal_app';
SELECT siddhi.undeploy('mal_app', drop_tables => true);
SELECT siddhi.undeploy('mal_app');
RESET search_path;
RESET ROLE;
SELECT count(*) AS as_superuser FROM exec_log WHERE su;
SELECT rolsuper FROM pg_roles WHERE rolname = 'siddhi_mallory';

-- 2. set_config from app code lasts one step: the worker's later catalog
-- statements and another user's app are unaffected
SET ROLE siddhi_victim;
SET search_path = victim, public;
CREATE FUNCTION victim.show_path(x int) RETURNS text LANGUAGE sql
AS $$ SELECT pg_catalog.current_setting('search_path') || ' / ' ||
             pg_catalog.current_setting('work_mem') || ' / ' || current_user $$;
SELECT siddhi.deploy('victim_app', $$
  CREATE STREAM VicIn (x INT);
  CREATE TABLE VicOut (x INT, seen TEXT);
  INSERT INTO VicOut SELECT x, victim.show_path(x) AS seen FROM VicIn;
$$);
RESET search_path;
RESET ROLE;
SET ROLE siddhi_mallory;
SET search_path = mallory, pg_catalog, public;
SELECT siddhi.deploy('evil_app', $$
  CREATE STREAM EvilIn (x INT);
  CREATE TABLE EvilOut (x INT);
  INSERT INTO EvilOut SELECT mallory.evil(x) AS x FROM EvilIn;
$$);
-- the same in a step that writes a table at once: the engine commits a
-- subtransaction in the middle of the step, which must not keep it either
SELECT siddhi.deploy('evil_upsert', $$
  CREATE STREAM EvilIn2 (x INT);
  CREATE TABLE EvilT (x INT PRIMARY KEY);
  INSERT INTO EvilT SELECT mallory.evil(x) AS x FROM EvilIn2
    ON CONFLICT (x) DO UPDATE SET x = EXCLUDED.x;
$$);
RESET search_path;
RESET ROLE;
SELECT wait_app('victim_app'), wait_app('evil_app'), wait_app('evil_upsert');
INSERT INTO mallory.evilin VALUES (1);
SELECT siddhi.flush();
INSERT INTO victim.vicin VALUES (1);
SELECT siddhi.flush();
INSERT INTO mallory.evilin2 VALUES (1);
SELECT siddhi.flush();
INSERT INTO victim.vicin VALUES (3);
SELECT siddhi.flush();
SELECT * FROM victim.vicout ORDER BY x;
SELECT * FROM mallory.evilt;
-- the worker's next catalog statements (a deploy, a state change)
SET ROLE siddhi_victim;
SET search_path = victim;
SELECT siddhi.deploy('victim_app2', 'define stream VicIn2 (x int);');
RESET search_path;
RESET ROLE;
SELECT wait_app('victim_app2');
SET ROLE siddhi_victim;
SELECT siddhi.undeploy('victim_app2');
RESET ROLE;
SET ROLE siddhi_mallory;
SELECT siddhi.undeploy('evil_app', drop_tables => true);
SELECT siddhi.undeploy('evil_upsert', drop_tables => true);
RESET ROLE;
INSERT INTO victim.vicin VALUES (2);
SELECT siddhi.flush();
SELECT * FROM victim.vicout ORDER BY x;
SELECT count(*) AS as_superuser FROM exec_log WHERE su;
SELECT rolsuper FROM pg_roles WHERE rolname = 'siddhi_mallory';

-- 3. triggers on every table the engine writes run as the app's owner
SET ROLE siddhi_mallory;
SET search_path = mallory, pg_catalog, public;
SELECT siddhi.deploy('trig_app', $$
  define stream TrIn (k string, x int, ts long);
  define window TrWin (k string, x int) length(2);
  define table TrOut (k string, x int);
  from TrIn select k, x insert into TrWin;
  from TrIn select k, x insert into TrOut;
  @purge(enable = 'false')
  define aggregation TrAgg
  from TrIn select k, sum(x) as total group by k aggregate by ts every sec;
$$);
RESET search_path;
CREATE TRIGGER spy_row AFTER INSERT OR UPDATE OR DELETE ON mallory.trwin
    FOR EACH ROW EXECUTE FUNCTION mallory.spy();
CREATE TRIGGER spy_stmt AFTER INSERT OR UPDATE OR DELETE ON mallory.trwin
    FOR EACH STATEMENT EXECUTE FUNCTION mallory.spy();
CREATE TRIGGER spy_row_before BEFORE INSERT ON mallory.trout
    FOR EACH ROW EXECUTE FUNCTION mallory.spy();
CREATE TRIGGER spy_row AFTER INSERT ON mallory.trout
    FOR EACH ROW EXECUTE FUNCTION mallory.spy();
CREATE TRIGGER spy_stmt AFTER INSERT ON mallory.trout
    FOR EACH STATEMENT EXECUTE FUNCTION mallory.spy();
CREATE CONSTRAINT TRIGGER spy_deferred AFTER INSERT ON mallory.trout
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION mallory.spy();
CREATE TRIGGER spy_row AFTER INSERT OR UPDATE ON mallory.tragg_sec
    FOR EACH ROW EXECUTE FUNCTION mallory.spy();
CREATE TRIGGER spy_stmt AFTER INSERT OR UPDATE ON mallory.tragg_sec
    FOR EACH STATEMENT EXECUTE FUNCTION mallory.spy();
RESET ROLE;
SELECT wait_app('trig_app');
DELETE FROM exec_log;
INSERT INTO mallory.trin VALUES ('a', 1, 1000), ('b', 2, 2000);
SELECT siddhi.flush();
-- she may not write the window's table (catalog/readonly.c); a new engine
-- empties it as it loads the app (the mirror's DELETE), as her triggers
-- see, and rebuilds it from the restored window after its first batch (a
-- second DELETE statement, of no row)
SET ROLE siddhi_mallory;
UPDATE mallory.trwin SET x = x + 100 WHERE k = 'a';
RESET ROLE;
SELECT pid AS trig_engine FROM pg_stat_activity
 WHERE application_name = 'siddhi engine' AND datname = current_database() \gset
SELECT pg_terminate_backend(:trig_engine, 10000);
INSERT INTO mallory.trin VALUES ('c', 3, 3000);
SELECT wait_for('SELECT count(*) FROM mallory.trout', 3);
SELECT siddhi.flush();
INSERT INTO mallory.trin VALUES ('d', 4, 4000);
SELECT siddhi.flush();
-- (the rebuild's DELETE statements: one or two, as the restarted engine's
-- first batch comes before or with 'c'; 1 stands for any)
SELECT who, su, what,
       CASE WHEN what = 'trwin after statement delete' THEN 1
            ELSE count(*) END AS count
  FROM exec_log
 WHERE what NOT LIKE '%update' GROUP BY 1, 2, 3 ORDER BY 3, 1;
SELECT rolsuper FROM pg_roles WHERE rolname = 'siddhi_mallory';
SELECT k, total FROM mallory.tragg_sec ORDER BY k;
SET ROLE siddhi_mallory;
SELECT siddhi.undeploy('trig_app', drop_tables => true);
RESET ROLE;

-- 4. app code runs restricted, as REFRESH MATERIALIZED VIEW does:
-- it may not make temporary objects (nor SET ROLE, DISCARD, ..)
SET ROLE siddhi_mallory;
CREATE FUNCTION mallory.escape(x int) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
    CREATE TEMP TABLE mallory_tmp (a int);
    RETURN x;
END $$;
SET search_path = mallory, pg_catalog, public;
SELECT siddhi.deploy('esc_app', $$
  CREATE STREAM EscIn (x INT);
  CREATE TABLE EscOut (x INT);
  INSERT INTO EscOut SELECT mallory.escape(x) AS x FROM EscIn;
$$);
RESET search_path;
RESET ROLE;
SELECT wait_app('esc_app');
INSERT INTO mallory.escin VALUES (1);
SELECT siddhi.flush();
SELECT count(*) FROM mallory.escout;
SELECT errors, last_error FROM siddhi.queries WHERE app = 'esc_app';
SET ROLE siddhi_mallory;
SELECT siddhi.undeploy('esc_app', drop_tables => true);
RESET ROLE;

-- 5. an app is analysed at every load under its deployer's search_path:
-- after the engine restarts, its unqualified names resolve as at deploy
SET ROLE siddhi_victim;
SET search_path = victim;
CREATE FUNCTION victim.poison(x int) RETURNS int LANGUAGE sql
AS 'SELECT x OPERATOR(pg_catalog.*) 10';
SELECT siddhi.deploy('path_app', $$
  define stream PathIn (x int);
  define table PathOut (y int);
  from PathIn select poison(x) as y insert into PathOut;
$$);
RESET search_path;
RESET ROLE;
SELECT wait_app('path_app');
SELECT search_path FROM siddhi.app WHERE name = 'path_app';
SELECT pid AS old_engine FROM pg_stat_activity
 WHERE application_name = 'siddhi engine' AND datname = current_database() \gset
SELECT pg_terminate_backend(:old_engine, 10000);
-- the event brings a new engine, which loads the apps again
INSERT INTO victim.pathin VALUES (4);
SELECT wait_for('SELECT count(*) FROM victim.pathout', 1);
SELECT count(*) AS new_engine FROM pg_stat_activity
 WHERE application_name = 'siddhi engine' AND datname = current_database()
   AND pid <> :old_engine;
SELECT state, error FROM siddhi.apps WHERE name = 'path_app';
SELECT * FROM victim.pathout;

SET ROLE siddhi_victim;
SELECT siddhi.undeploy('path_app', drop_tables => true);
SELECT siddhi.undeploy('victim_app', drop_tables => true);
RESET ROLE;
DROP SCHEMA mallory CASCADE;
DROP SCHEMA victim CASCADE;
DROP TABLE exec_log;
DROP ROLE siddhi_mallory;
DROP ROLE siddhi_victim;
