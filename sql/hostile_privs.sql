-- Hostile: an app may read only what its owner may SELECT and change only
-- what its owner may INSERT, UPDATE or DELETE, in every kind of query, at
-- deploy (as the deploying user) and at every load (as the owner).
CREATE ROLE hp_alice LOGIN;
CREATE ROLE hp_bob LOGIN;
CREATE ROLE hp_carol LOGIN;
CREATE SCHEMA hp_a AUTHORIZATION hp_alice;
CREATE SCHEMA hp_b AUTHORIZATION hp_bob;
GRANT USAGE ON SCHEMA hp_a TO hp_bob, hp_carol;
GRANT USAGE ON SCHEMA hp_b TO hp_carol;

-- alice's private stream and table, fed by her app
SET ROLE hp_alice;
SET search_path = hp_a;
SELECT siddhi.deploy('hp_alice_app', $$
  define stream HpIn (k string, v int);
  define table HpSecret (k string, v int);
  from HpIn select k, v insert into HpSecret;
$$);
RESET ROLE;
SELECT public.wait_app('hp_alice_app');

-- bob, on alice's relations he holds no privilege on
SET ROLE hp_bob;
SET search_path = hp_b, hp_a;
-- the issue's case: an aggregation over her stream
SELECT siddhi.deploy('hp_agg', $$
  define stream HpIn (k string, v int);
  define aggregation HpAgg from HpIn select k, sum(v) as total
    group by k aggregate every sec ... min;
$$);
-- the same in the SQL dialect
SELECT siddhi.deploy('hp_agg_sql', $$
  CREATE STREAM HpIn (k text, v int);
  CREATE AGGREGATION HpAggSql AS SELECT k, sum(v) AS total FROM HpIn GROUP BY k;
$$);
-- a pattern, a sequence, a partition over her stream
SELECT siddhi.deploy('hp_pattern', $$
  define stream HpIn (k string, v int);
  define stream HpMine (k string);
  from e1=HpMine -> e2=HpIn[k == e1.k] select e2.v as v insert into HpOut1;
$$);
SELECT siddhi.deploy('hp_sequence', $$
  define stream HpIn (k string, v int);
  define stream HpMine (k string);
  from e1=HpMine, e2=HpIn select e2.v as v insert into HpOut2;
$$);
SELECT siddhi.deploy('hp_partition', $$
  define stream HpIn (k string, v int);
  partition with (k of HpIn) begin
    from HpIn select k, v insert into HpOut3;
  end;
$$);
-- a join's other side: her stream, her table
SELECT siddhi.deploy('hp_join_stream', $$
  define stream HpIn (k string, v int);
  define stream HpMine (k string);
  from HpMine#window.length(1) as m join HpIn#window.length(1) as i
    on m.k == i.k select i.v as v insert into HpOut4;
$$);
SELECT siddhi.deploy('hp_join_table', $$
  define stream HpMine (k string);
  from HpMine as m join HpSecret as s on m.k == s.k
    select s.v as v insert into HpOut5;
$$);
-- `in T` over her table, in both dialects
SELECT siddhi.deploy('hp_in', $$
  define stream HpMine (k string);
  define table HpSecret (k string, v int);
  from HpMine[k == HpSecret.k in HpSecret] select k insert into HpOut6;
$$);
SELECT siddhi.deploy('hp_exists_sql', $$
  CREATE STREAM HpMine2 (k text);
  CREATE TABLE HpSecret (k text, v int);
  INSERT INTO HpOut7 SELECT k FROM HpMine2
   WHERE EXISTS (SELECT 1 FROM HpSecret AS s WHERE s.k = HpMine2.k);
$$);
-- writing: into her stream, her table
SELECT siddhi.deploy('hp_write_stream', $$
  define stream HpMine (k string);
  define stream HpIn (k string, v int);
  from HpMine select k, 1 as v insert into HpIn;
$$);
SELECT siddhi.deploy('hp_write_table', $$
  define stream HpMine (k string);
  define table HpSecret (k string, v int);
  from HpMine select k, 1 as v insert into HpSecret;
$$);
RESET ROLE;

-- with SELECT on her table only, bob may read it but not change it
GRANT SELECT ON hp_a.hpsecret TO hp_bob;
SET ROLE hp_bob;
SET search_path = hp_b, hp_a;
SELECT siddhi.deploy('hp_delete', $$
  define stream HpMine (k string);
  define table HpSecret (k string, v int);
  from HpMine delete HpSecret on HpSecret.k == k;
$$);
SELECT siddhi.deploy('hp_update', $$
  define stream HpMine (k string);
  define table HpSecret (k string, v int);
  from HpMine select k, 2 as v update HpSecret set HpSecret.v = v on HpSecret.k == k;
$$);
SELECT siddhi.deploy('hp_upsert', $$
  define stream HpMine (k string);
  define table HpSecret (k string, v int);
  from HpMine select k, 3 as v update or insert into HpSecret on HpSecret.k == k;
$$);
RESET ROLE;
-- UPDATE without INSERT is not enough for update or insert
GRANT UPDATE ON hp_a.hpsecret TO hp_bob;
SET ROLE hp_bob;
SET search_path = hp_b, hp_a;
SELECT siddhi.deploy('hp_upsert', $$
  define stream HpMine (k string);
  define table HpSecret (k string, v int);
  from HpMine select k, 3 as v update or insert into HpSecret on HpSecret.k == k;
$$);
RESET ROLE;
REVOKE SELECT, UPDATE ON hp_a.hpsecret FROM hp_bob;

-- column privileges count: SELECT (k) does not let a filter read v
GRANT SELECT (k) ON hp_a.hpsecret TO hp_bob;
SET ROLE hp_bob;
SET search_path = hp_b, hp_a;
SELECT siddhi.deploy('hp_in_cols', $$
  define stream HpMine (k string);
  define table HpSecret (k string, v int);
  from HpMine[k == HpSecret.k and HpSecret.v > 0 in HpSecret] select k insert into HpOut8;
$$);
SELECT siddhi.deploy('hp_in_cols', $$
  define stream HpMine (k string);
  define table HpSecret (k string, v int);
  from HpMine[k == HpSecret.k in HpSecret] select k insert into HpOut8;
$$);
RESET ROLE;
SELECT public.wait_app('hp_in_cols');
SET ROLE hp_bob;
SELECT siddhi.undeploy('hp_in_cols', drop_tables => true);
RESET ROLE;
REVOKE SELECT (k) ON hp_a.hpsecret FROM hp_bob;

-- functions too: EXECUTE is checked at deploy, not only when events come
SET ROLE hp_alice;
CREATE FUNCTION hp_a.hp_secret_fn(int) RETURNS int LANGUAGE sql AS 'SELECT $1';
REVOKE EXECUTE ON FUNCTION hp_a.hp_secret_fn(int) FROM PUBLIC;
SET ROLE hp_bob;
SET search_path = hp_b, hp_a;
SELECT siddhi.deploy('hp_fn', $$
  define stream HpMine (k string);
  from HpMine select k, hp_secret_fn(1) as x insert into HpOut9;
$$);
SELECT siddhi.deploy('hp_fn_filter', $$
  define stream HpMine (k string);
  from HpMine[hp_secret_fn(1) > 0] select k insert into HpOut9;
$$);
RESET ROLE;

-- while the app runs: a privilege revoked stops its reads at the next
-- batch, in queries and aggregations alike
SET ROLE hp_alice;
GRANT SELECT ON hp_a.hpin TO hp_bob;
SET ROLE hp_bob;
SET search_path = hp_b, hp_a;
SELECT siddhi.deploy('hp_run', $$
  define stream HpIn (k string, v int);
  define table HpSeen (k string, v int);
  from HpIn select k, v insert into HpSeen;
  define aggregation HpRunAgg from HpIn select k, sum(v) as total
    group by k aggregate every sec ... min;
$$);
RESET ROLE;
SELECT public.wait_app('hp_run');
INSERT INTO hp_a.hpin VALUES ('r', 1);
SELECT siddhi.flush();
SET ROLE hp_alice;
REVOKE SELECT ON hp_a.hpin FROM hp_bob;
INSERT INTO hp_a.hpin VALUES ('r', 2), ('r', 3);
RESET ROLE;
SELECT siddhi.flush();
SELECT * FROM hp_b.hpseen;
SELECT k, total FROM hp_b.hprunagg_sec;
SELECT events_in, errors, last_error FROM siddhi.queries WHERE app = 'hp_run';
-- the revoke is an invalidation: the engine analyses the app again as its
-- owner, who may not read the stream any more, and stops it (failed)
SELECT state, error FROM siddhi.apps WHERE name = 'hp_run';
SET ROLE hp_bob;
SELECT siddhi.undeploy('hp_run', drop_tables => true);
RESET ROLE;

-- at load: granted at deploy, revoked since, the app fails when the engine
-- loads it again (here after a restart of the engine), as its owner
SET ROLE hp_alice;
GRANT SELECT ON hp_a.hpin TO hp_bob;
SET ROLE hp_bob;
SET search_path = hp_b, hp_a;
SELECT siddhi.deploy('hp_agg', $$
  define stream HpIn (k string, v int);
  define aggregation HpAgg from HpIn select k, sum(v) as total
    group by k aggregate every sec ... min;
$$);
RESET ROLE;
SELECT public.wait_app('hp_agg');
INSERT INTO hp_a.hpin VALUES ('x', 1);
SELECT siddhi.flush();
SET ROLE hp_bob;
SELECT agg->>'k' AS k, agg->>'total' AS total
  FROM siddhi.aggregation('hpagg', 0, 9223372036854775807, 'sec');
-- carol may not read bob's aggregation through siddhi.aggregation()
SET ROLE hp_carol;
SET search_path = hp_b;
SELECT * FROM siddhi.aggregation('hpagg', 0, 9223372036854775807, 'sec');
SET ROLE hp_alice;
REVOKE SELECT ON hp_a.hpin FROM hp_bob;
RESET ROLE;
SELECT pg_terminate_backend(pid) FROM siddhi.engine_stats()
 WHERE database = (SELECT oid FROM pg_database WHERE datname = current_database());
SELECT public.wait_for($$SELECT count(*) FROM siddhi.apps
                   WHERE name = 'hp_agg' AND state = 'failed'$$, 1);
SELECT state, error FROM siddhi.apps WHERE name = 'hp_agg';
-- her events no longer reach his aggregation
INSERT INTO hp_a.hpin VALUES ('x', 2);
SELECT siddhi.flush();
SELECT k, total FROM hp_b.hpagg_sec;

-- none of bob's refused apps exists
SELECT name FROM siddhi.app WHERE name LIKE 'hp\_%' ORDER BY name;

SET ROLE hp_bob;
SELECT siddhi.undeploy('hp_agg', drop_tables => true);
SET ROLE hp_alice;
SELECT siddhi.undeploy('hp_alice_app', drop_tables => true);
RESET ROLE;
-- a function the app calls changes from SECURITY DEFINER to INVOKER: the
-- app reloads and runs it with its owner's privileges, which read nothing
-- (it kept the definer's and went on reading bob's secret)
SET ROLE hp_bob;
CREATE TABLE hp_b.hp_vault (k int, s text);
INSERT INTO hp_b.hp_vault VALUES (1, 'TOPSECRET');
CREATE FUNCTION hp_b.hp_peek(k int) RETURNS text LANGUAGE sql STABLE
SECURITY DEFINER SET search_path = pg_catalog AS
$f$ SELECT s FROM hp_b.hp_vault WHERE hp_vault.k = $1 $f$;
GRANT USAGE ON SCHEMA hp_b TO hp_alice;
GRANT EXECUTE ON FUNCTION hp_b.hp_peek(int) TO hp_alice;
SET ROLE hp_alice;
SET search_path = hp_a;
SELECT count(*) FROM siddhi.deploy('hp_peek_app', $$
  CREATE STREAM HpPeekIn (k INT);
  CREATE TABLE HpPeekOut (k INT, s TEXT);
  INSERT INTO HpPeekOut SELECT k, hp_b.hp_peek(k) AS s FROM HpPeekIn;
$$);
INSERT INTO hp_a.hppeekin VALUES (1);
SELECT siddhi.flush();
SELECT * FROM hp_a.hppeekout;
SET ROLE hp_bob;
ALTER FUNCTION hp_b.hp_peek(int) SECURITY INVOKER;
SET ROLE hp_alice;
SELECT hp_b.hp_peek(1);
INSERT INTO hp_a.hppeekin VALUES (1);
SELECT siddhi.flush();
SELECT * FROM hp_a.hppeekout;
SELECT errors, last_error FROM siddhi.queries WHERE app = 'hp_peek_app';
SELECT siddhi.undeploy('hp_peek_app', drop_tables => true);
RESET ROLE;
DROP FUNCTION hp_b.hp_peek(int);
DROP TABLE hp_b.hp_vault;
RESET ROLE;

-- the JSON subscribers get is made as the stream's owner, restricted: a
-- type's cast to json is the type owner's code, and the events of an
-- input stream come from sessions, with no query's frame around them (it
-- ran as the engine's superuser, and bob made himself one)
CREATE TABLE public.hp_who (cu text, su bool);
GRANT INSERT ON public.hp_who TO PUBLIC;
SET ROLE hp_bob;
SET search_path = hp_b;
CREATE TYPE hp_b.hp_ety AS ENUM ('a', 'b');
CREATE FUNCTION hp_b.hp_ety_json(e hp_b.hp_ety) RETURNS json
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO public.hp_who VALUES (current_user,
    (SELECT rolsuper FROM pg_roles WHERE rolname = current_user));
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    ALTER ROLE hp_bob SUPERUSER;
  END IF;
  RETURN to_json(e::text);
END $$;
CREATE CAST (hp_b.hp_ety AS json) WITH FUNCTION hp_b.hp_ety_json(hp_b.hp_ety);
SELECT count(*) FROM siddhi.deploy('hp_cast', $$
  CREATE STREAM HpEIn (e hp_ety);
  CREATE STREAM HpEOut (e hp_ety);
  INSERT INTO HpEOut SELECT e FROM HpEIn;
$$);
RESET ROLE;
SELECT public.wait_app('hp_cast');
SET ROLE hp_bob;
SET search_path = hp_b;
SELECT siddhi.subscribe('hpein');
INSERT INTO hpein VALUES ('a');
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('hpein', 10, 5000);
SELECT siddhi.unsubscribe('hpein');
RESET ROLE;
SELECT cu, su FROM public.hp_who;
SELECT rolsuper AS bob_is_superuser FROM pg_roles WHERE rolname = 'hp_bob';
SELECT siddhi.undeploy('hp_cast', drop_tables => true);
DROP TABLE public.hp_who;
RESET search_path;
DROP SCHEMA hp_a CASCADE;
DROP SCHEMA hp_b CASCADE;
DROP ROLE hp_alice;
DROP ROLE hp_bob;
DROP ROLE hp_carol;
