-- Hostile input to the parsers and the analyser, from an ordinary role:
-- no crash, no blow-up, every error clean and with a SQLSTATE.
CREATE ROLE siddhi_hp LOGIN;
CREATE SCHEMA hp AUTHORIZATION siddhi_hp;
SET ROLE siddhi_hp;
SET search_path = hp, public;
SET statement_timeout = '10s';
\set VERBOSITY default

-- What a call answers: accepted, or its SQLSTATE and message; and whether
-- it took less than 5 seconds (the inputs below once took minutes and
-- gigabytes, past statement_timeout).
CREATE FUNCTION hp.try(what text, src text, OUT state text, OUT message text,
                       OUT fast boolean)
LANGUAGE plpgsql AS $f$
DECLARE
    t0 timestamptz := clock_timestamp();
BEGIN
    state := '00000';
    BEGIN
        IF what = 'parse' THEN
            PERFORM siddhi.parse(src);
        ELSE
            PERFORM siddhi.deploy('hp_try', src);
            PERFORM siddhi.undeploy('hp_try', drop_tables => true);
        END IF;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE,
                                message = MESSAGE_TEXT;
    END;
    fast := clock_timestamp() - t0 < interval '5 seconds';
END $f$;

-- item 14: an aggregation over a PARTITION BY query was a NULL
-- dereference in create_aggregation (SIGSEGV, the cluster restarted)
SELECT siddhi.parse('CREATE AGGREGATION A AS SELECT x FROM Q7 PARTITION BY sym;');
SELECT siddhi.deploy('hp_agg', 'CREATE AGGREGATION A AS SELECT x FROM Q7 PARTITION BY sym;');
SELECT siddhi.parse($$CREATE STREAM Q7 (sym TEXT, x INT);
CREATE AGGREGATION A WITH (granularity = 'second') AS
  SELECT sym, sum(x) AS t FROM Q7 WINDOW length(2) GROUP BY sym PARTITION BY sym;$$);
SELECT siddhi.parse('CREATE AGGREGATION A AS SELECT x FROM PATTERN (a=Q7 -> b=Q7) PARTITION BY sym;');
SELECT siddhi.deploy('hp_agg', 'CREATE AGGREGATION A AS SELECT x FROM PATTERN (a=Q7 -> b=Q7) PARTITION BY sym;');

-- item 15: deep expressions answer fast, with a result or a clean error
SELECT 'plus', what, state, left(message, 40) AS message, fast FROM unnest(ARRAY['parse', 'deploy']) what,
  hp.try(what, 'define stream S (a int); from S select '
               || repeat('a + ', 10000) || 'a as x insert into O;');
SELECT 'plus sql', what, state, left(message, 40) AS message, fast FROM unnest(ARRAY['parse', 'deploy']) what,
  hp.try(what, 'CREATE STREAM S (a INT); INSERT INTO O SELECT '
               || repeat('a + ', 10000) || 'a AS x FROM S;');
SELECT 'not', what, state, left(message, 40) AS message, fast FROM unnest(ARRAY['parse', 'deploy']) what,
  hp.try(what, 'define stream S (a bool); from S select '
               || repeat('not ', 10000) || 'a as x insert into O;');
SELECT 'not sql', what, state, left(message, 40) AS message, fast FROM unnest(ARRAY['parse', 'deploy']) what,
  hp.try(what, 'CREATE STREAM S (a BOOLEAN); INSERT INTO O SELECT a FROM S WHERE '
               || repeat('NOT ', 10000) || 'a;');
SELECT 'parens', what, state, left(message, 40) AS message, fast FROM unnest(ARRAY['parse', 'deploy']) what,
  hp.try(what, 'define stream S (a int); from S select '
               || repeat('(', 10000) || 'a' || repeat(')', 10000)
               || ' as x insert into O;');
SELECT 'parens sql', what, state, left(message, 40) AS message, fast FROM unnest(ARRAY['parse', 'deploy']) what,
  hp.try(what, 'CREATE STREAM S (a INT); INSERT INTO O SELECT '
               || repeat('(', 10000) || 'a' || repeat(')', 10000) || ' AS x FROM S;');
SELECT 'filter', what, state, left(message, 40) AS message, fast FROM unnest(ARRAY['parse', 'deploy']) what,
  hp.try(what, 'define stream S (a int); from S['
               || repeat('a > 1 and ', 5000) || 'true] select a insert into O;');
SELECT 'in table', what, state, left(message, 40) AS message, fast FROM unnest(ARRAY['parse', 'deploy']) what,
  hp.try(what, 'define stream S (a int); define table T (a int); from S['
               || repeat('a > 1 and ', 3000) || '(T.a == a) in T] select a insert into O;');
-- the stack limit, when hit, is an ordinary error (terse: its hint names
-- the server's max_stack_depth, which make asan raises)
\set VERBOSITY terse
SELECT siddhi.parse('define stream S (a int); from S select '
                    || repeat('(', 100000) || 'a' || repeat(')', 100000)
                    || ' as x insert into O;');
\set VERBOSITY default

-- a pattern of 2,000 states deploys (1,000 took 5 s and 760 MB), in both
-- dialects
SELECT 'pattern', what, state, left(message, 40) AS message, fast FROM unnest(ARRAY['parse', 'deploy']) what,
  hp.try(what, 'define stream S (a int); from every '
    || (SELECT string_agg(format('e%s=S[a > %s]', i, i), ' -> ')
        FROM generate_series(1, 2000) i)
    || ' select e1.a insert into O;');
SELECT 'pattern sql', what, state, left(message, 40) AS message, fast FROM unnest(ARRAY['parse', 'deploy']) what,
  hp.try(what, 'CREATE STREAM S (a INT); INSERT INTO O SELECT e1.a FROM PATTERN (every '
    || 'e1=S -> '
    || (SELECT string_agg(format('e%s=S[a > e%s.a]', i, i - 1), ' -> ')
        FROM generate_series(2, 2000) i)
    || ');');

-- item 12: siddhi.parse's output grows linearly with a pattern's length
CREATE FUNCTION hp.pattern_out(n int, sql boolean) RETURNS int
LANGUAGE sql AS $f$
  SELECT length(siddhi.parse(CASE WHEN sql THEN
    'CREATE STREAM S (a INT); INSERT INTO O SELECT e1.a FROM PATTERN ('
    || (SELECT string_agg(format('e%s=S', i), ' -> ')
        FROM generate_series(1, n) i) || ');'
  ELSE
    'define stream S (a int); from '
    || (SELECT string_agg(format('e%s=S', i), ' -> ')
        FROM generate_series(1, n) i) || ' select e1.a insert into O;'
  END))
$f$;
SELECT sql, hp.pattern_out(2000, sql)::float / hp.pattern_out(1000, sql)
         BETWEEN 1.9 AND 2.2 AS linear,
       hp.pattern_out(2000, sql) / 2000 < 600 AS bytes_per_state_bounded
FROM (VALUES (false), (true)) v(sql);

-- item 15: an aggregator's argument is resolved like any other name
SELECT siddhi.deploy('hp_count1', $$
define stream S (a int);
from S select count(no_such_column) as n insert into O;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('hp_count2', $$
define stream S (a int);
from S#window.length(3) select a, count(S.no_such_column) as n group by a insert into O;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('hp_count3', $$
define stream S (k string, a int, ts long);
define aggregation A from S select k, count(no_such_column) as n
  group by k aggregate by ts every sec ... min;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('hp_count4', $$
CREATE STREAM S (k TEXT, a INT);
CREATE AGGREGATION A WITH (granularity = 'second') AS
  SELECT k, count(no_such_column) AS n FROM S GROUP BY k;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('hp_count5', $$
CREATE STREAM S (k TEXT, a INT);
INSERT INTO O SELECT k, count(no_such_column) AS n FROM S GROUP BY k;
$$);
\echo :LAST_ERROR_SQLSTATE
-- count() and count(*) and count(a) still deploy
SELECT siddhi.deploy('hp_count_ok', $$
CREATE STREAM S (k TEXT, a INT);
INSERT INTO O1 SELECT k, count(*) AS n, count(a) AS m FROM S GROUP BY k;
$$);
SELECT siddhi.undeploy('hp_count_ok', drop_tables => true);

-- item 15: an app with nothing in it is refused at deploy
SELECT siddhi.deploy('hp_empty1', '');
SELECT siddhi.deploy('hp_empty2', E'  \n\t  ');
SELECT siddhi.deploy('hp_empty3', '-- nothing here');
SELECT siddhi.deploy('hp_empty4', '/* nothing */ ;; ');
SELECT siddhi.deploy('hp_empty5', '@app:playback');
SELECT siddhi.deploy('hp_empty6', $$@app:name('x') @app:playback -- and a comment$$);
SELECT count(*) AS apps FROM siddhi.apps WHERE name LIKE 'hp_%';

-- item 12: errors carry a SQLSTATE, not XX000 (the function is not
-- PUBLIC's to call: a superuser's direct call is refused with 39P01)
RESET ROLE;
DO $$
BEGIN
    PERFORM siddhi._apps_changed();
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE '%: %', SQLSTATE, SQLERRM;
END $$;
SET ROLE siddhi_hp;
-- an invalid purge interval of a partition is an ordinary error
SELECT siddhi.deploy('hp_purge', $$
define stream S (k string, a int);
@purge(enable='true', interval='5 fortnights', idle.period='1 min')
partition with (k of S) begin from S select a insert into O; end;
$$);
SELECT siddhi.deploy('hp_purge', $$
define stream S (k string, a int);
@purge(enable='true', interval='P1DT2H', idle.period='10 sec')
partition with (k of S) begin from S select a insert into O; end;
$$);
SELECT siddhi.undeploy('hp_purge', drop_tables => true);

RESET statement_timeout;
RESET ROLE;
DROP SCHEMA hp CASCADE;
DROP ROLE siddhi_hp;
