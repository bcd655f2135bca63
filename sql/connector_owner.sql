-- A source's mapper converts values with the types' input functions, and a
-- domain's CHECK calls whatever function its owner wrote: that is user
-- code, run as the app's owner (restricted), never as the engine's
-- superuser.  The domain below accepts a value only when checked as its
-- owner, so the events arrive only if the decode runs as the owner.
CREATE ROLE siddhi_co_owner LOGIN;
CREATE SCHEMA co AUTHORIZATION siddhi_co_owner;
SET ROLE siddhi_co_owner;
SET search_path = co;
CREATE FUNCTION co.as_owner(t text) RETURNS boolean LANGUAGE sql
  AS $$ SELECT current_user = 'siddhi_co_owner' $$;
CREATE DOMAIN co.owned_text AS text CHECK (co.as_owner(VALUE));
SELECT siddhi.deploy('co_app', $$
  CREATE STREAM co_in (t TEXT);
  CREATE SINK co_out (t TEXT) WITH (type = 'inMemory', topic = 'co') MAP (type = 'json');
  INSERT INTO co_out SELECT t FROM co_in;
  CREATE SOURCE co_back (t co.owned_text) WITH (type = 'inMemory', topic = 'co', on_error = 'store') MAP (type = 'json');
  CREATE TABLE co_got (t TEXT);
  INSERT INTO co_got SELECT t FROM co_back;
$$);
INSERT INTO co_in VALUES ('a'), ('b');
SELECT siddhi.flush();
DO $$
BEGIN
  FOR i IN 1..200 LOOP
    EXIT WHEN (SELECT count(*) FROM co.co_got) +
              (SELECT count(*) FROM siddhi.errors WHERE app = 'co_app') >= 2;
    PERFORM pg_sleep(0.05);
  END LOOP;
END
$$;
SELECT * FROM co_got ORDER BY t;
SELECT error FROM siddhi.errors WHERE app = 'co_app';
SELECT siddhi.undeploy('co_app');
RESET ROLE;
RESET search_path;
DROP SCHEMA co CASCADE;
DROP ROLE siddhi_co_owner;
