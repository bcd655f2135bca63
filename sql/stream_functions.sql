-- Siddhi's built-in stream functions: #pol2Cart(theta, rho [, z]) adds x
-- and y (and z) to each event; #log(..) logs each event that reaches it
-- and lets it pass, in its place among the filters.  In playback.
SELECT count(*) FROM siddhi.deploy('sfn', $$
  @app:playback
  @eventTime('ts') define stream SfIn (ts long, sym string, theta double, rho double, v int);
  define table SfCart (sym string, x double, y double);
  define table SfAll (ts long, sym string, theta double, rho double, v int, x double, y double, z double);
  define table SfWin (sym string, sx double);
  define table SfLogged (sym string, v int);
  -- x and y, read by a filter after the function and by the select
  from SfIn#pol2Cart(theta, rho)[x > 0] select sym, x, SfIn.y insert into SfCart;
  -- select * lists them (and z, the third argument)
  from SfIn#pol2Cart(theta, rho, v) select * insert into SfAll;
  -- a window's aggregate of x
  from SfIn#pol2Cart(theta, rho)#window.length(2) select sym, sum(x) as sx insert into SfWin;
  -- logs between filters; the event goes on
  @info(name = 'logged')
  from SfIn[v > 1]#log('big')#log('WARN', 'w', false)#log(false)#log()[v < 5]
  select sym, v insert into SfLogged;
$$);
INSERT INTO sfin VALUES (1000, 'a', 0, 2, 1), (1001, 'b', 90, 2, 2),
                        (1002, 'c', 180, 3, 3), (1003, 'd', 60, 1, 7);
SELECT siddhi.flush();
SELECT sym, round(x::numeric, 6) AS x, round(y::numeric, 6) AS y FROM sfcart ORDER BY sym;
SELECT ts, sym, round(x::numeric, 6) AS x, round(y::numeric, 6) AS y, z FROM sfall ORDER BY ts;
SELECT sym, round(sx::numeric, 6) AS sx FROM sfwin ORDER BY sym;
SELECT * FROM sflogged ORDER BY sym;
SELECT query, events_in, events_out, errors FROM siddhi.queries WHERE app = 'sfn' ORDER BY query;
-- the log is a conjunct of the filter, after v > 1
SELECT siddhi.explain('sfn', 'logged');
SELECT siddhi.undeploy('sfn');

-- #log on both sides of a join
SELECT count(*) FROM siddhi.deploy('sfn_join', $$
  define stream SfL (k int, v int);
  define stream SfR (k int, w int);
  define table SfJ (k int, v int, w int);
  from SfL#log('left')#window.length(2) join SfR[w > 0]#log('right', false)#window.length(2)
    on SfL.k == SfR.k
  select SfL.k, SfL.v, SfR.w insert into SfJ;
$$);
INSERT INTO sfl VALUES (1, 10);
INSERT INTO sfr VALUES (1, 5), (1, -1);
SELECT siddhi.flush();
SELECT * FROM sfj;
SELECT query, events_in, errors FROM siddhi.queries WHERE app = 'sfn_join';
SELECT siddhi.undeploy('sfn_join');
-- pol2Cart's names would not reach the join's select from the right side
SELECT siddhi.deploy('sfn_bad8', $$
  define stream SfL2 (k int, v int);
  define stream SfR2 (k int, theta double, rho double);
  from SfL2 join SfR2#pol2Cart(theta, rho)#window.length(1) on SfL2.k == SfR2.k
  select SfL2.k insert into SfBad;
$$);
-- a join's table with a column x as well: an unqualified x is ambiguous,
-- as two ranges' x are; qualified, each side's is its own
SELECT siddhi.deploy('sfn_bad9', $$
  define stream SfP (k int, theta double, rho double);
  @PrimaryKey('x')
  define table SfPT (x double, label string);
  from SfP#pol2Cart(theta, rho) join SfPT on SfPT.x == x
  select k, SfPT.label as label insert into SfBad;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('sfn_pjoin', $$
  define stream SfP (k int, theta double, rho double);
  @PrimaryKey('x')
  define table SfPT (x double, label string);
  from SfP#pol2Cart(theta, rho) as p join SfPT on SfPT.x == p.x
  select k, p.y as y, SfPT.label as label insert into SfPJ;
  define table SfPJT (k int, y double, label string);
  from SfPJ insert into SfPJT;
$$);
INSERT INTO sfpt VALUES (1, 'one'), (0, 'zero');
INSERT INTO sfp VALUES (1, 0, 1), (2, 0, 0), (3, 90, 2);
SELECT siddhi.flush();
SELECT k, round(y::numeric, 6) AS y, label FROM sfpjt ORDER BY k;
SELECT siddhi.undeploy('sfn_pjoin', drop_tables => true);

-- the lines it writes (called here directly, as the engine calls it)
SET client_min_messages = log;
SELECT siddhi.log_event('INFO', 'seen', true, ROW(1, 'a'), 'app1');
SELECT siddhi.log_event('INFO', NULL, true, ROW(2, 'b'), 'app1');
SELECT siddhi.log_event('WARN', 'no event', false, ROW(3, 'c'), 'app1');
SELECT siddhi.log_event('INFO', NULL, false, ROW(4, 'd'), 'app1');
SELECT siddhi.log_event('OFF', 'never', true, ROW(5, 'e'), 'app1');
SELECT siddhi.log_event('LOUD', 'x', true, ROW(6, 'f'), 'app1');
RESET client_min_messages;

-- refused at deploy
SELECT siddhi.deploy('sfn_bad1', $$
  define stream SfB (x double, theta double, rho double);
  from SfB#pol2Cart(theta, rho) select x insert into SfBad;
$$);
SELECT siddhi.deploy('sfn_bad2', $$
  define stream SfB (s string, theta double, rho double);
  from SfB#pol2Cart(s, rho) select x insert into SfBad;
$$);
SELECT siddhi.deploy('sfn_bad3', $$
  define stream SfB (s string, theta double, rho double);
  from SfB#pol2Cart(theta) select x insert into SfBad;
$$);
SELECT siddhi.deploy('sfn_bad4', $$
  define stream SfB (s string, n int);
  from SfB#log(n) select s insert into SfBad;
$$);
SELECT siddhi.deploy('sfn_bad5', $$
  define stream SfB (s string, n int);
  from SfB#log('LOUD', 'm') select s insert into SfBad;
$$);
SELECT siddhi.deploy('sfn_bad6', $$
  define stream SfB (s string, n int);
  from SfB#log(true, 'm') select s insert into SfBad;
$$);
-- x is not a name before the function
SELECT siddhi.deploy('sfn_bad7', $$
  define stream SfB (theta double, rho double);
  from SfB[x > 0]#pol2Cart(theta, rho) select theta insert into SfBad;
$$);
SELECT count(*) FROM siddhi.apps WHERE name LIKE 'sfn%';
