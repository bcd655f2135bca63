-- Epochs (issue 15): the epoch's length.  A batch fed only by ordinary
-- streams saves the state it changed once siddhi.state_interval passed
-- since the last save, or once siddhi.state_interval_events events went
-- by, whichever comes first.
CREATE FUNCTION pg_temp.saved_at() RETURNS timestamptz LANGUAGE sql AS
  $$ SELECT saved_at FROM siddhi.query_states WHERE app = 'si' AND query = 'w' $$;
CREATE TEMP TABLE seen (step text, at timestamptz);
SELECT count(*) FROM siddhi.deploy('si', $$
  define stream S (v int);
  define table T (total long);
  @info(name = 'w') from S#window.length(100) select sum(v) as total insert into T;
$$);
-- every batch saves: the first event's batch does, and the count starts
ALTER SYSTEM SET siddhi.state_interval = 0;
SELECT pg_reload_conf();
SELECT pg_sleep(0.3);
INSERT INTO s VALUES (1);
SELECT siddhi.flush();
INSERT INTO seen SELECT 'first', pg_temp.saved_at();
-- an hour, or 5 events
ALTER SYSTEM SET siddhi.state_interval = '1h';
ALTER SYSTEM SET siddhi.state_interval_events = 5;
SELECT pg_reload_conf();
SELECT pg_sleep(0.3);
-- 3 events: not saved
INSERT INTO s VALUES (2), (3), (4);
SELECT siddhi.flush();
INSERT INTO seen SELECT 'after 3', pg_temp.saved_at();
-- 3 more (6 since the save): saved
INSERT INTO s VALUES (5), (6), (7);
SELECT siddhi.flush();
INSERT INTO seen SELECT 'after 6', pg_temp.saved_at();
-- 4 more: not saved again
INSERT INTO s VALUES (8), (9), (10), (11);
SELECT siddhi.flush();
INSERT INTO seen SELECT 'after 4 more', pg_temp.saved_at();
SELECT step, at IS NOT NULL AS saved,
       at IS DISTINCT FROM lag(at) OVER (ORDER BY ctid) AS saved_again
  FROM seen ORDER BY ctid;
-- what was saved is the window after 7 events (the last 4 came after the
-- save); a redeploy, the same text, restores the window as the replaced
-- app held it at the end (the engine hands it over), not the last save
SELECT count(*) FROM siddhi.deploy('si', $$
  define stream S (v int);
  define table T (total long);
  @info(name = 'w') from S#window.length(100) select sum(v) as total insert into T;
$$, replace => true);
INSERT INTO s VALUES (100);
SELECT siddhi.flush();
-- 1 + .. + 11 + 100, not 1 + .. + 7 + 100
SELECT max(total) FROM t;
-- so does an app reloaded because something it uses changed (here, a
-- function it calls was replaced): 4 events came after its last save
SELECT siddhi.undeploy('si', drop_tables => true);
CREATE FUNCTION ident(v int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT v';
SELECT count(*) FROM siddhi.deploy('si', $$
  define stream S (v int);
  define table T (total long);
  @info(name = 'w') from S#window.length(100) select sum(ident(v)) as total insert into T;
$$);
INSERT INTO s VALUES (1), (2), (3), (4), (5), (6), (7);
SELECT siddhi.flush();
INSERT INTO s VALUES (8), (9), (10), (11);
SELECT siddhi.flush();
CREATE OR REPLACE FUNCTION ident(v int) RETURNS int LANGUAGE sql IMMUTABLE
  AS 'SELECT v + 0';
INSERT INTO s VALUES (100);
SELECT siddhi.flush();
-- 1 + .. + 11 + 100 again
SELECT max(total) FROM t;
ALTER SYSTEM RESET siddhi.state_interval;
ALTER SYSTEM RESET siddhi.state_interval_events;
SELECT pg_reload_conf();
SELECT siddhi.undeploy('si', drop_tables => true);
DROP FUNCTION ident(int);
