-- GROUP BY in the SQL dialect: a position (GROUP BY 1) stands for the
-- select item's expression, as in PostgreSQL, and so does the alias of a
-- select item that no input column's name shadows.  (ORDER BY positions:
-- sql_topn.)

-- by position: one group per sym, as GROUP BY sym
SELECT siddhi.deploy('gb_pos', $$
  CREATE STREAM gb_in (sym TEXT, x INT);
  @info(name = 'bypos') INSERT INTO gb_bypos
  SELECT sym, SUM(x) AS s FROM gb_in WINDOW lengthBatch(4) GROUP BY 1;
  @info(name = 'byname') INSERT INTO gb_byname
  SELECT sym, SUM(x) AS s FROM gb_in WINDOW lengthBatch(4) GROUP BY sym;
  -- the position of an expression groups by the expression
  @info(name = 'byexpr') INSERT INTO gb_byexpr
  SELECT SUM(x) AS s, x % 2 AS odd FROM gb_in WINDOW lengthBatch(4) GROUP BY 2;
$$);
SELECT siddhi.subscribe(s) FROM unnest(ARRAY['gb_bypos', 'gb_byname', 'gb_byexpr']) s;
INSERT INTO gb_in VALUES ('a', 1), ('b', 2), ('a', 3), ('b', 5);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('gb_bypos', 100, 0) ORDER BY seq;
SELECT event FROM siddhi.poll('gb_byname', 100, 0) ORDER BY seq;
SELECT event FROM siddhi.poll('gb_byexpr', 100, 0) ORDER BY seq;
SELECT siddhi.undeploy('gb_pos');

-- a join's and an aggregation's GROUP BY take positions too
SELECT siddhi.deploy('gb_join', $$
  CREATE STREAM gb_l (k TEXT, v INT);
  CREATE STREAM gb_r (k TEXT, w INT);
  INSERT INTO gb_joined
  SELECT l.k, SUM(r.w) AS total FROM gb_l AS l WINDOW length(5)
    JOIN gb_r AS r WINDOW length(5) ON l.k = r.k GROUP BY 1;
  CREATE STREAM gb_pay (k TEXT, amount INT, ts BIGINT);
  CREATE AGGREGATION gb_payagg WITH (by = 'ts', granularity = 'second', purge = 'false')
  AS SELECT k, SUM(amount) AS total FROM gb_pay GROUP BY 1;
$$);
SELECT siddhi.subscribe('gb_joined');
INSERT INTO gb_l VALUES ('a', 1), ('b', 1);
INSERT INTO gb_r VALUES ('a', 10), ('b', 20), ('a', 30);
INSERT INTO gb_pay VALUES ('a', 5, 1000), ('b', 7, 1200), ('a', 20, 1500);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('gb_joined', 100, 0) ORDER BY seq;
SELECT k, total FROM gb_payagg WHERE agg_granularity = 'sec' ORDER BY k;
SELECT siddhi.undeploy('gb_join', drop_tables => true);

-- by alias: u is upper(sym); price is the input column, not the alias
SELECT siddhi.deploy('gb_alias', $$
  CREATE STREAM gb_ain (sym TEXT, price INT);
  @info(name = 'byalias') INSERT INTO gb_byalias
  SELECT upper(sym) AS u, SUM(price) AS s FROM gb_ain WINDOW lengthBatch(4) GROUP BY u;
  @info(name = 'shadowed') INSERT INTO gb_shadowed
  SELECT sym AS price, COUNT(*) AS n FROM gb_ain WINDOW lengthBatch(4) GROUP BY price;
  CREATE STREAM gb_apay (k TEXT, amount INT, ts BIGINT);
  CREATE AGGREGATION gb_apayagg WITH (by = 'ts', granularity = 'second', purge = 'false')
  AS SELECT lower(k) AS lk, SUM(amount) AS total FROM gb_apay GROUP BY lk;
$$);
SELECT siddhi.subscribe(s) FROM unnest(ARRAY['gb_byalias', 'gb_shadowed']) s;
INSERT INTO gb_ain VALUES ('a', 1), ('A', 1), ('b', 5), ('a', 2);
INSERT INTO gb_apay VALUES ('A', 5, 1000), ('a', 7, 1200), ('b', 20, 1500);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('gb_byalias', 100, 0) ORDER BY seq;
SELECT event FROM siddhi.poll('gb_shadowed', 100, 0) ORDER BY seq;
SELECT lk, total FROM gb_apayagg WHERE agg_granularity = 'sec' ORDER BY lk;
SELECT siddhi.undeploy('gb_alias', drop_tables => true);

-- errors, as PostgreSQL gives them, at their positions
SELECT siddhi.deploy('gb_bad', $$
  CREATE STREAM gb_bad (sym TEXT, x INT);
  SELECT SUM(x) AS s, sym FROM gb_bad GROUP BY s;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('gb_bad', $$
  CREATE STREAM gb_bad (sym TEXT, x INT);
  SELECT sym AS k, x AS k, COUNT(*) AS n FROM gb_bad GROUP BY k;
$$);
\echo :LAST_ERROR_SQLSTATE
-- SiddhiQL groups by input attributes only, as Siddhi does
SELECT siddhi.deploy('gb_bad', $$
  define stream gb_bad (sym string, x int);
  from gb_bad select str:upper(sym) as u, sum(x) as s group by u insert into gb_badout;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('gb_bad', $$
  CREATE STREAM gb_bad (sym TEXT, x INT);
  SELECT sym, SUM(x) AS s FROM gb_bad GROUP BY 3;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('gb_bad', $$
  CREATE STREAM gb_bad (sym TEXT, x INT);
  SELECT sym, SUM(x) AS s FROM gb_bad GROUP BY 0;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('gb_bad', $$
  CREATE STREAM gb_bad (sym TEXT, x INT);
  SELECT sym, SUM(x) AS s FROM gb_bad GROUP BY 'sym';
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('gb_bad', $$
  CREATE STREAM gb_bad (sym TEXT, x INT);
  SELECT sym, SUM(x) AS s FROM gb_bad GROUP BY 2;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('gb_bad', $$
  CREATE STREAM gb_bad (sym TEXT, x INT);
  SELECT * FROM gb_bad GROUP BY 1;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM siddhi.apps WHERE name LIKE 'gb%';
