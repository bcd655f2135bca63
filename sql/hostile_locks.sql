-- Hostile: app code that takes a session-level advisory lock in the
-- engine does not keep it past the batch (the engine would otherwise hold
-- it until it exits, blocking everyone who waits for it).
CREATE ROLE lk_mallory LOGIN;
CREATE SCHEMA lk AUTHORIZATION lk_mallory;
SET ROLE lk_mallory;
CREATE FUNCTION lk.grab2(x int) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_catalog.pg_advisory_lock(4243);
    PERFORM pg_catalog.pg_advisory_lock_shared(4244);
    RETURN x;
END $$;
SET search_path = lk;
SELECT siddhi.deploy('lk_app', $$
  define stream LkIn (x int);
  define table LkOut (y int);
  from LkIn select grab2(x) as y insert into LkOut;
$$);
RESET ROLE;
RESET search_path;
SELECT public.wait_app('lk_app');
INSERT INTO lk.lkin VALUES (1);
SELECT siddhi.flush();
SELECT * FROM lk.lkout;
-- the engine holds none of them now
SELECT count(*) AS engine_advisory_locks FROM pg_locks l
  JOIN pg_stat_activity a ON a.pid = l.pid
 WHERE l.locktype = 'advisory' AND a.application_name = 'siddhi engine';
SELECT pg_try_advisory_lock(4243) AS free_4243,
       pg_try_advisory_lock(4244) AS free_4244;
SELECT pg_advisory_unlock_all();
SET ROLE lk_mallory;
SELECT siddhi.undeploy('lk_app', drop_tables => true);
RESET ROLE;
DROP SCHEMA lk CASCADE;
DROP ROLE lk_mallory;
