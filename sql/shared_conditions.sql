-- Conditions the queries of an app share (issue 16, common
-- subexpressions across queries): a conjunct of a query's filter that
-- another query of the app on the same stream has too is evaluated once
-- per event, by the first query that reaches it, and the others take its
-- value.  A function that counts its calls shows it: IMMUTABLE, so that
-- it may be shared (its value depends on the event alone), though it
-- bumps a sequence.
CREATE SEQUENCE sc_calls;
CREATE FUNCTION sc_check(p double precision) RETURNS boolean
  LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  PERFORM nextval('public.sc_calls');
  RETURN p > 50;
END
$$;
CREATE FUNCTION sc_peek(p double precision) RETURNS boolean
  LANGUAGE plpgsql STABLE AS $$ BEGIN RETURN p IS NOT NULL; END $$;
CREATE FUNCTION pg_temp.calls() RETURNS bigint LANGUAGE sql AS
  $$ SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM sc_calls $$;

SELECT count(*) FROM siddhi.deploy('sc', $$
  define stream Sc (sym string, price double, vol long);
  define table O1 (sym string, price double);
  define table O2 (sym string, price double);
  define table O3 (n long);
  @info(name = 'a') from Sc[sc_check(price) and vol > 10]
  select sym, price insert into O1;
  @info(name = 'b') from Sc[sc_check(price)]#window.length(5)
  select sym, price insert into O2;
  @info(name = 'c') from Sc[vol > 0 and sc_check(price)]
  select count() as n insert into O3;
  @info(name = 'd') from Sc[vol > 1000 and price > 0] select sym, price insert into O1;
  @info(name = 'e') from Sc[price > 0 and vol > 1000] select sym, price insert into O2;
$$);

-- 100 events, prices 1 .. 100, volumes 0 .. 19: the three queries' common
-- conjunct runs once per event (query c reaches it only when vol > 0, and
-- takes the value a computed)
INSERT INTO sc SELECT 's' || i, i, i % 20 FROM generate_series(1, 100) i;
SELECT siddhi.flush();
SELECT pg_temp.calls() AS calls;
-- and the queries' outputs are what each filter says
SELECT (SELECT count(*) FROM o1) AS o1,
       (SELECT count(*) FROM o1 WHERE NOT (price > 50)) AS o1_wrong,
       (SELECT count(*) FROM o2) AS o2,
       (SELECT max(n) FROM o3) AS o3;
SELECT count(*) FILTER (WHERE price > 50 AND i % 20 > 10) AS a_expected,
       count(*) FILTER (WHERE price > 50 AND i % 20 > 0) AS c_expected
  FROM (SELECT i, i::float8 AS price FROM generate_series(1, 100) i) x;

-- EXPLAIN names the shared conjuncts (price > 0 and vol > 1000 are shared
-- by d and e in any order: each conjunct is its own)
SELECT * FROM siddhi.explain('sc', 'c') WHERE "QUERY PLAN" ~ 'Filter|Condition';
SELECT * FROM siddhi.explain('sc', 'e') WHERE "QUERY PLAN" ~ 'Shared';

-- another app with the same conjunct shares nothing with this one (each
-- app evaluates it for its own queries), and neither a volatile conjunct
-- nor a stable one (it may read a table an earlier query of the event
-- wrote) is ever shared: each query evaluates it
SELECT count(*) FROM siddhi.deploy('sc2', $$
  define stream Sc (sym string, price double, vol long);
  define table O4 (sym string);
  @info(name = 'f') from Sc[sc_check(price) and random() < 2.0 and sc_peek(price)]
  select sym insert into O4;
  @info(name = 'g') from Sc[random() < 2.0 and sc_peek(price)] select sym insert into O4;
$$);
SELECT setval('sc_calls', 1, false);
INSERT INTO sc SELECT 't' || i, i, 1 FROM generate_series(1, 10) i;
SELECT siddhi.flush();
-- 10 events: 10 calls for app sc, 10 for app sc2
SELECT pg_temp.calls() AS calls;
SELECT count(*) FROM siddhi.explain('sc2') WHERE "QUERY PLAN" ~ 'Shared';

SELECT siddhi.undeploy('sc2', drop_tables => true);
SELECT siddhi.undeploy('sc', drop_tables => true);
DROP FUNCTION sc_check(double precision);
DROP FUNCTION sc_peek(double precision);
DROP SEQUENCE sc_calls;
