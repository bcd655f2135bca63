-- Subexpressions the queries of an app share (issue 16, common
-- subexpressions across queries): a subexpression that several places of
-- the queries on one stream compute from the event (the filter before the
-- window, the select of a query that neither holds nor aggregates events)
-- is computed once per event.  Functions that count their calls show it:
-- IMMUTABLE, so that they may be shared, though they bump sequences.
CREATE SEQUENCE se_calls_f;
CREATE SEQUENCE se_calls_up;
CREATE SEQUENCE se_calls_g;
CREATE FUNCTION se_f(p double precision) RETURNS double precision
  LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  PERFORM nextval('public.se_calls_f');
  RETURN p * 3;
END
$$;
CREATE FUNCTION se_up(s text) RETURNS text
  LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  PERFORM nextval('public.se_calls_up');
  RETURN upper(s);
END
$$;
CREATE FUNCTION se_g(v bigint) RETURNS bigint
  LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  PERFORM nextval('public.se_calls_g');
  RETURN 100 / v;
END
$$;
CREATE FUNCTION se_h(v bigint) RETURNS bigint
  LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN RETURN 10 / v; END $$;
CREATE FUNCTION pg_temp.calls(seq regclass) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  EXECUTE format('SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM %s', seq)
    INTO n;
  RETURN n;
END
$$;

-- a and b share se_f(price) (a's filter and select, b's select); c holds
-- events in a window, so its select computes its own.  d, e and f share
-- se_up(sym), as text; d's output comes back into Se (through Back), so
-- an event of Se is delivered while another is (the kept value must stay
-- each event's).
SELECT count(*) FROM siddhi.deploy('se', $$
  define stream Se (sym string, price double, vol long);
  define stream Back (sym string, price double, vol long);
  define table T (sym string);
  define table O1 (sym string, v double);
  define table O2 (sym string, v double);
  define table O3 (sym string, v double);
  define table O4 (u string, price double);
  define table O5 (u string);
  @info(name = 'a') from Se[se_f(price) > 10 and not (T.sym == sym in T)]
  select sym, se_f(price) as v insert into O1;
  @info(name = 'b') from Se select sym, se_f(price) * 2 as v insert into O2;
  @info(name = 'c') from Se#window.length(3)
  select sym, se_f(price) as v insert into O3;
  @info(name = 'd') from Se[price < 3]
  select se_up(sym) as sym, price + 1000 as price, vol insert into Back;
  @info(name = 'back') from Back insert into Se;
  @info(name = 'e') from Se select se_up(sym) as u, price insert into O4;
  @info(name = 'f') from Se select se_up(sym) as u insert into O5;
$$);
INSERT INTO t VALUES ('s5');
SELECT siddhi.flush();

-- 10 events, prices 1 .. 10, and one without a price; events 1 and 2
-- come back as S1 and S2, priced 1001 and 1002: 13 deliveries
INSERT INTO se SELECT 's' || i, i, i FROM generate_series(1, 10) i;
INSERT INTO se VALUES ('n', NULL, 0);
SELECT siddhi.flush();
-- se_f: once per delivery for a and b, once for c: 26 (without sharing,
-- 47).  se_up: once per delivery for d, e and f (13), and once more for
-- events 1 and 2: d computes it first, and e again once their loops came
-- back, as the value kept is the looped event's by then: 15 (without
-- sharing, 28).
SELECT pg_temp.calls('se_calls_f') AS f_calls,
       pg_temp.calls('se_calls_up') AS up_calls;
-- every row is its own event's: the kept values never leak across events
SELECT (SELECT count(*) FROM o1) AS o1,
       (SELECT count(*) FROM o1
         WHERE v <> 3 * (substr(sym, 2)::int % 1000 +
                         CASE WHEN sym LIKE 'S%' THEN 1000 ELSE 0 END)) AS o1_wrong,
       (SELECT count(*) FROM o2) AS o2,
       (SELECT count(*) FROM o2 WHERE v IS DISTINCT FROM
          6 * (SELECT price FROM o4 WHERE o4.u = upper(o2.sym) AND
                 (o2.sym LIKE 'S%') = (o4.price > 1000))) AS o2_wrong,
       (SELECT count(*) FROM o3) AS o3;
SELECT u, price FROM o4 ORDER BY price NULLS FIRST, u;
SELECT u, count(*) FROM o5 GROUP BY u ORDER BY u;

-- EXPLAIN names the shared expressions of each query
SELECT * FROM siddhi.explain('se', 'a') WHERE "QUERY PLAN" ~ 'Shared';
SELECT * FROM siddhi.explain('se', 'c') WHERE "QUERY PLAN" ~ 'Shared';
SELECT * FROM siddhi.explain('se', 'f') WHERE "QUERY PLAN" ~ 'Shared';

-- A shared expression is read where it was written: in a CASE branch not
-- taken it is not computed (se_g runs for vol > 5 only, once per event),
-- and an error in it (vol 0: division by zero) fails that event for each
-- query that reads it, as it would unshared, and nothing else.  (k adds
-- a row of each even volume under 3.)
SELECT count(*) FROM siddhi.deploy('se2', $$
  define stream Se2 (sym string, vol long);
  define table O6 (sym string, c long);
  define table O7 (sym string, c long);
  define table O8 (sym string, r long);
  @info(name = 'g') from Se2
  select sym, ifThenElse(vol > 5, se_g(vol), -1L) as c insert into O6;
  @info(name = 'h') from Se2
  select sym, ifThenElse(vol > 5, se_g(vol) + 1, 0L) as c insert into O7;
  @info(name = 'i') from Se2[vol < 3] select sym, se_h(vol) as r insert into O8;
  @info(name = 'j') from Se2[vol < 3 and se_h(vol) > 6] select sym, vol as r insert into O8;
  @info(name = 'k') from Se2[vol < 3 and vol % 2 == 0] select sym, vol % 2 as r insert into O8;
$$);
INSERT INTO se2 SELECT 'v' || i, i FROM generate_series(0, 9) i;
SELECT siddhi.flush();
SELECT pg_temp.calls('se_calls_g') AS g_calls;
SELECT o6.sym, o6.c, o7.c FROM o6 JOIN o7 USING (sym) ORDER BY sym;
SELECT * FROM o8 ORDER BY sym, r;
SELECT query, errors FROM siddhi.queries WHERE app = 'se2' ORDER BY query;
SELECT * FROM siddhi.explain('se2', 'j') WHERE "QUERY PLAN" ~ 'Shared';
-- arithmetic on values passed by value costs less to compute than to read
-- as a shared expression: vol % 2 is computed where it is written
SELECT * FROM siddhi.explain('se2', 'k') WHERE "QUERY PLAN" ~ 'Shared';

-- siddhi.common_subexpressions = off (read as an app is deployed or
-- loaded) computes each where it is written: 5 events, three places
-- (l's filter and select, m's filter), 15 calls of se_up; EXPLAIN shows
-- nothing shared
ALTER SYSTEM SET siddhi.common_subexpressions = off;
SELECT pg_reload_conf();
SELECT pg_sleep(0.5);
SELECT setval('se_calls_up', 1, false);
SELECT count(*) FROM siddhi.deploy('se3', $$
  define stream Se3 (sym string);
  define table O9 (u string);
  @info(name = 'l') from Se3[se_up(sym) != 'X'] select se_up(sym) as u insert into O9;
  @info(name = 'm') from Se3[se_up(sym) != 'Y'] select sym as u insert into O9;
$$);
INSERT INTO se3 SELECT 'w' || i FROM generate_series(1, 5) i;
SELECT siddhi.flush();
SELECT pg_temp.calls('se_calls_up') AS up_calls, (SELECT count(*) FROM o9) AS o9;
SELECT count(*) FROM siddhi.explain('se3') WHERE "QUERY PLAN" ~ 'Shared';
ALTER SYSTEM RESET siddhi.common_subexpressions;
SELECT pg_reload_conf();
SELECT pg_sleep(0.5);
-- on again: the same app, redeployed, computes it once per event
SELECT setval('se_calls_up', 1, false);
SELECT count(*) FROM siddhi.deploy('se3', $$
  define stream Se3 (sym string);
  define table O9 (u string);
  @info(name = 'l') from Se3[se_up(sym) != 'X'] select se_up(sym) as u insert into O9;
  @info(name = 'm') from Se3[se_up(sym) != 'Y'] select sym as u insert into O9;
$$, replace => true);
INSERT INTO se3 SELECT 'w' || i FROM generate_series(1, 5) i;
SELECT siddhi.flush();
SELECT pg_temp.calls('se_calls_up') AS up_calls, (SELECT count(*) FROM o9) AS o9;
SELECT * FROM siddhi.explain('se3', 'm') WHERE "QUERY PLAN" ~ 'Shared';

-- a stream's only query takes each chunk of events in one step: its own
-- places share too (once per event, not twice)
SELECT setval('se_calls_up', 1, false);
SELECT count(*) FROM siddhi.deploy('se4', $$
  define stream Se4 (sym string);
  define table O10 (u string);
  @info(name = 'n') from Se4[se_up(sym) != 'X'] select se_up(sym) as u insert into O10;
$$);
INSERT INTO se4 SELECT 'w' || i FROM generate_series(1, 5) i;
SELECT siddhi.flush();
SELECT pg_temp.calls('se_calls_up') AS up_calls,
       (SELECT string_agg(u, ',' ORDER BY u) FROM o10) AS o10;

-- streaming SQL: CASE, COALESCE and ARRAY around shared expressions, one
-- shared expression inside another (COALESCE(se_up(sym), ..) in two
-- queries, se_up(sym) in three): 3 events, 3 calls
SELECT setval('se_calls_up', 1, false);
SELECT count(*) FROM siddhi.deploy('se5', $$
  CREATE STREAM Se5 (sym TEXT, vol BIGINT);
  CREATE TABLE O11 (a TEXT, b TEXT);
  INSERT INTO O11 SELECT CASE WHEN vol > 2 THEN se_up(sym) ELSE coalesce(se_up(sym), 'none') END AS a, 'x' AS b FROM Se5;
  INSERT INTO O11 SELECT se_up(sym) AS a, ARRAY[se_up(sym), sym]::text AS b FROM Se5;
  INSERT INTO O11 SELECT coalesce(se_up(sym), 'none') AS a, 'y' AS b FROM Se5 WHERE vol > 1;
$$);
INSERT INTO se5 VALUES ('a', 1), ('b', 3), (NULL, 2);
SELECT siddhi.flush();
SELECT pg_temp.calls('se_calls_up') AS up_calls;
SELECT * FROM o11 ORDER BY 2, 1;
SELECT * FROM siddhi.explain('se5') WHERE "QUERY PLAN" ~ 'Shared|Query';
SELECT siddhi.undeploy('se5', drop_tables => true);

SELECT siddhi.undeploy('se4', drop_tables => true);
SELECT siddhi.undeploy('se3', drop_tables => true);
SELECT siddhi.undeploy('se2', drop_tables => true);
SELECT siddhi.undeploy('se', drop_tables => true);
DROP FUNCTION se_f(double precision);
DROP FUNCTION se_up(text);
DROP FUNCTION se_g(bigint);
DROP FUNCTION se_h(bigint);
DROP SEQUENCE se_calls_f;
DROP SEQUENCE se_calls_up;
DROP SEQUENCE se_calls_g;
