-- Deploying grows about linearly with the app's expressions: make fuzz's
-- growth check measures it and fails on anything worse; this runs the
-- shapes it found quadratic, for their results.  A SiddhiQL sum: its
-- operators are SQL functions of schema siddhi, and the planner inlining
-- them one level at a time re-simplified every level below (2,000 terms
-- took 4 s and 950 MB, 4,000 did not end); analyze_arith.c turns them
-- into PostgreSQL's operators in one walk.  (1,000 terms here: like
-- PostgreSQL's own expressions, a sum thousands deep passes
-- max_stack_depth, sooner in a build with AddressSanitizer.)  A filter
-- of 4,000 conjuncts: the shared conditions compared each conjunct with
-- every other.
SET statement_timeout = '60s';
SELECT format('define stream Gs (a int, f float, d double, l long); '
              'define table Go (x double); from Gs select %s as x insert into Go;',
              string_agg(v, ' + ' ORDER BY i)) AS app
  FROM (SELECT i, (ARRAY['a', 'f', 'd', 'l'])[1 + i % 4] AS v
          FROM generate_series(0, 999) i) s \gset
SELECT count(*) FROM siddhi.deploy('growth_sum', :'app');
SELECT format('define stream Gc (a int); define table Gt (a int); '
              'from Gc[%s] select a insert into Gt; '
              'from Gc[%s] select a insert into Gt;',
              string_agg(format('a > %s', i), ' and ' ORDER BY i),
              string_agg(format('a > %s', i), ' and ' ORDER BY i DESC)) AS app
  FROM generate_series(-4000, -1) i \gset
SELECT count(*) FROM siddhi.deploy('growth_and', :'app');
RESET statement_timeout;
-- and they compute what they say: 250 * (1 + 0.5 + 0.25 + 2); each of the
-- two filters passes a = 1, their 4,000 shared conditions once an event
INSERT INTO gs VALUES (1, 0.5, 0.25, 2);
INSERT INTO gc VALUES (1), (-5);
SELECT siddhi.flush();
SELECT x FROM go;
SELECT a, count(*) FROM gt GROUP BY a;
SELECT count(*) AS shared FROM siddhi.explain('growth_and', 'query1')
 WHERE "QUERY PLAN" ~ 'Shared Condition';
SELECT siddhi.undeploy('growth_sum', drop_tables => true);
SELECT siddhi.undeploy('growth_and', drop_tables => true);
