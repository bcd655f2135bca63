-- Joins: stream with stream (inner, outer, unidirectional), with a named
-- window and with a table, in both dialects.  Each arrival probes the
-- other side's window as it is then; what leaves a window joins too.
SELECT siddhi.deploy('jn_kinds', $$
  define stream JnQuotes (sym string, bid double);
  define stream JnFills (sym string, qty int);
  from JnQuotes#window.length(2) as q join JnFills#window.length(2) as f
    on q.sym == f.sym
  select q.sym as sym, q.bid as bid, f.qty as qty insert into JnInner;
  from JnQuotes#window.length(2) as q left outer join JnFills#window.length(2) as f
    on q.sym == f.sym
  select q.sym as sym, q.bid as bid, f.qty as qty insert into JnLeft;
  from JnQuotes#window.length(2) as q right outer join JnFills#window.length(2) as f
    on q.sym == f.sym
  select f.sym as sym, q.bid as bid, f.qty as qty insert into JnRight;
  from JnQuotes#window.length(2) as q full outer join JnFills#window.length(2) as f
    on q.sym == f.sym
  select q.sym as qsym, f.sym as fsym, f.qty as qty insert into JnFull;
  from JnQuotes#window.length(2) unidirectional join JnFills#window.length(5)
    on JnQuotes.sym == JnFills.sym
  select JnQuotes.sym as sym, JnFills.qty as qty insert into JnUniLeft;
  from JnQuotes#window.length(5) as q join JnFills#window.length(1) as f unidirectional
    on q.sym == f.sym and f.qty > 1
  select f.sym as sym, q.bid as bid insert into JnUniRight;
$$);
SELECT siddhi.subscribe(s)
  FROM unnest(ARRAY['jninner', 'jnleft', 'jnright', 'jnfull', 'jnunileft',
                    'jnuniright']) s;
INSERT INTO jnfills VALUES ('A', 5);
INSERT INTO jnquotes VALUES ('A', 10);
INSERT INTO jnfills VALUES ('A', 6);
INSERT INTO jnquotes VALUES ('B', 20);
INSERT INTO jnfills VALUES ('C', 1);
INSERT INTO jnquotes VALUES ('A', 11);
SELECT siddhi.flush();
SELECT s AS stream, p.event
  FROM unnest(ARRAY['jninner', 'jnleft', 'jnright', 'jnfull', 'jnunileft',
                    'jnuniright']) WITH ORDINALITY AS u(s, o),
       LATERAL siddhi.poll(s, 100, 0) p
 ORDER BY o, p.seq;

-- the same in streaming SQL
SELECT siddhi.deploy('jn_sql', $$
  CREATE STREAM JsQuotes (sym TEXT, bid FLOAT8);
  CREATE STREAM JsFills (sym TEXT, qty INT);
  INSERT INTO JsInner SELECT q.sym, q.bid, f.qty
    FROM JsQuotes WINDOW length(2) AS q JOIN JsFills WINDOW length(2) AS f
      ON q.sym = f.sym;
  INSERT INTO JsLeft SELECT q.sym, f.qty
    FROM JsQuotes WINDOW length(2) AS q LEFT OUTER JOIN JsFills WINDOW length(2) AS f
      ON q.sym = f.sym;
  INSERT INTO JsRight SELECT f.sym, q.bid
    FROM JsQuotes WINDOW length(2) AS q RIGHT JOIN JsFills WINDOW length(2) AS f
      ON q.sym = f.sym;
  INSERT INTO JsFull SELECT q.sym AS qsym, f.sym AS fsym
    FROM JsQuotes WINDOW length(2) AS q FULL JOIN JsFills WINDOW length(2) AS f
      ON q.sym = f.sym;
  INSERT INTO JsUni SELECT q.sym, f.qty
    FROM JsQuotes WINDOW length(2) AS q UNIDIRECTIONAL, JsFills WINDOW length(5) AS f
    WHERE q.sym = f.sym AND f.qty > 1;
$$);
SELECT siddhi.subscribe(s)
  FROM unnest(ARRAY['jsinner', 'jsleft', 'jsright', 'jsfull', 'jsuni']) s;
INSERT INTO jsfills VALUES ('A', 5);
INSERT INTO jsquotes VALUES ('A', 10);
INSERT INTO jsfills VALUES ('A', 1);
INSERT INTO jsquotes VALUES ('B', 20);
INSERT INTO jsfills VALUES ('C', 3);
SELECT siddhi.flush();
SELECT s AS stream, p.event
  FROM unnest(ARRAY['jsinner', 'jsleft', 'jsright', 'jsfull', 'jsuni'])
       WITH ORDINALITY AS u(s, o),
       LATERAL siddhi.poll(s, 100, 0) p
 ORDER BY o, p.seq;

-- expired events: what leaves either window (by length, or by time in
-- playback) probes the other side and goes out expired; an aggregation
-- over the join takes them back
SELECT siddhi.deploy('jn_expired', $$
  @app:playback
  define stream JeQuotes (sym string, bid double);
  define stream JeFills (sym string, qty int);
  from JeQuotes#window.length(2) as q join JeFills#window.time(1 sec) as f
    on q.sym == f.sym
  select q.sym as sym, q.bid as bid, f.qty as qty
  insert all events into JeAll;
  from JeQuotes#window.time(1 sec) as q join JeFills#window.time(1 sec) as f
    on q.sym == f.sym
  select q.sym as sym, sum(f.qty) as total
  group by q.sym
  insert into JeTotals;
$$);
SELECT siddhi.subscribe('jeall'), siddhi.subscribe('jetotals');
SET siddhi.event_time = 1000;
INSERT INTO jequotes VALUES ('A', 10);
SET siddhi.event_time = 1100;
INSERT INTO jefills VALUES ('A', 5);
SET siddhi.event_time = 1200;
INSERT INTO jequotes VALUES ('A', 11);
SET siddhi.event_time = 1300;
INSERT INTO jequotes VALUES ('B', 20);
SET siddhi.event_time = 1400;
INSERT INTO jefills VALUES ('A', 6);
RESET siddhi.event_time;
SELECT siddhi.advance_clock(3000);
SELECT siddhi.flush();
SELECT (extract(epoch FROM event_time) * 1000)::bigint AS ms, expired, event
  FROM siddhi.poll('jeall', 100, 0) ORDER BY seq;
SELECT (extract(epoch FROM event_time) * 1000)::bigint AS ms, event
  FROM siddhi.poll('jetotals', 100, 0) ORDER BY seq;

-- a named window on one side: its arrivals trigger too, and its contents
-- are what stream arrivals probe
SELECT siddhi.deploy('jn_named', $$
  define stream JwPrices (sym string, price double);
  define stream JwOrders (sym string, qty int);
  define window JwRecent (sym string, price double) length(2);
  from JwPrices insert into JwRecent;
  from JwOrders#window.length(1) as o join JwRecent as r on o.sym == r.sym
  select o.sym as sym, o.qty as qty, r.price as price insert into JwMatched;
$$);
SELECT siddhi.subscribe('jwmatched');
INSERT INTO jwprices VALUES ('A', 10);
INSERT INTO jworders VALUES ('A', 3);
INSERT INTO jwprices VALUES ('B', 20), ('A', 11);
INSERT INTO jworders VALUES ('A', 2);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('jwmatched', 100, 0) ORDER BY seq;

-- enrichment from a table that exists already: the lookup on its primary
-- key is an index scan, the one on an unindexed column reads the table;
-- siddhi.queries counts both kinds of lookup
CREATE TABLE jn_customers (id int PRIMARY KEY, name text, tier text);
INSERT INTO jn_customers VALUES (1, 'ann', 'gold'), (2, 'bob', 'silver');
SELECT siddhi.deploy('jn_enrich', $$
  define stream JnOrders (cust int, amount double);
  define stream JnOrdersByName (who string, amount double);
  from JnOrders as o join jn_customers as c on c.id == o.cust
  select o.cust as cust, c.name as name, c.tier as tier, o.amount as amount
  insert into JnEnriched;
  from JnOrders as o left outer join jn_customers as c on c.id == o.cust + 0
  select o.cust as cust, c.name as name
  insert into JnEnrichedAll;
  from jn_customers as c join JnOrdersByName as o on c.name == o.who
  select o.who as who, c.tier as tier
  insert into JnByName;
$$);
SELECT siddhi.subscribe(s)
  FROM unnest(ARRAY['jnenriched', 'jnenrichedall', 'jnbyname']) s;
INSERT INTO jnorders VALUES (1, 9.5), (3, 1);
SELECT siddhi.flush();
-- the table is read as it is when the event arrives
UPDATE jn_customers SET tier = 'platinum' WHERE id = 1;
INSERT INTO jn_customers VALUES (3, 'cy', 'bronze');
INSERT INTO jnorders VALUES (1, 2), (3, 4);
INSERT INTO jnordersbyname VALUES ('bob', 1), ('zed', 2);
SELECT siddhi.flush();
SELECT s AS stream, p.event
  FROM unnest(ARRAY['jnenriched', 'jnenrichedall', 'jnbyname'])
       WITH ORDINALITY AS u(s, o),
       LATERAL siddhi.poll(s, 100, 0) p
 ORDER BY o, p.seq;
SELECT query, events_in, events_out, index_lookups, scan_lookups
  FROM siddhi.queries WHERE app = 'jn_enrich' ORDER BY query;

-- a table defined in the app, filled by the app: a lookup sees the rows
-- written by earlier events of the same batch
SELECT siddhi.deploy('jn_deftable', $$
  define stream JtPrices (sym string, price double);
  define stream JtOrders (sym string, qty int);
  @PrimaryKey('sym')
  define table JtLatest (sym string, price double);
  from JtPrices update or insert into JtLatest
    set JtLatest.price = price on JtLatest.sym == sym;
  from JtOrders join JtLatest on JtLatest.sym == JtOrders.sym
  select JtOrders.sym as sym, JtOrders.qty * JtLatest.price as amount
  insert into JtValued;
$$);
SELECT siddhi.subscribe('jtvalued');
BEGIN;
INSERT INTO jtorders VALUES ('A', 1);
INSERT INTO jtprices VALUES ('A', 10);
INSERT INTO jtorders VALUES ('A', 2);
INSERT INTO jtprices VALUES ('A', 12);
INSERT INTO jtorders VALUES ('A', 3);
COMMIT;
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('jtvalued', 100, 0) ORDER BY seq;

-- streaming SQL: enrichment from the existing table, a windowless side
SELECT siddhi.deploy('jn_sql_enrich', $$
  CREATE STREAM JqOrders (cust INT, amount FLOAT8);
  INSERT INTO JqEnriched SELECT o.cust, c.tier, o.amount
    FROM JqOrders AS o LEFT JOIN jn_customers AS c ON c.id = o.cust;
$$);
SELECT siddhi.subscribe('jqenriched');
INSERT INTO jqorders VALUES (2, 1.5), (9, 2.5);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('jqenriched', 100, 0) ORDER BY seq;
SELECT query, index_lookups, scan_lookups
  FROM siddhi.queries WHERE app = 'jn_sql_enrich';

-- a stream joined with itself (aliases tell the sides apart); a table
-- with a dropped column; a table dropped under a running join is an error
-- of the query, counted, and the engine goes on
SELECT siddhi.deploy('jn_self', $$
  define stream JxS (k string, v int);
  from JxS#window.length(3) as a join JxS#window.length(3) as b
    on a.k == b.k and a.v < b.v
  select a.v as av, b.v as bv insert into JxSelf;
$$);
SELECT siddhi.subscribe('jxself');
INSERT INTO jxs VALUES ('a', 1), ('a', 2), ('b', 3), ('a', 4);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('jxself', 100, 0) ORDER BY seq;
CREATE TABLE jn_dropped (a int, junk text, b text);
CREATE INDEX ON jn_dropped (b);
INSERT INTO jn_dropped VALUES (1, 'j', 'one'), (2, 'j', 'two');
ALTER TABLE jn_dropped DROP COLUMN junk;
SELECT siddhi.deploy('jn_drop', $$
  define stream JxD (n int, s string);
  from JxD as d join jn_dropped as t on t.b == d.s
  select d.n as n, t.a as a, t.b as b insert into JxDOut;
$$);
SELECT siddhi.subscribe('jxdout');
INSERT INTO jxd VALUES (5, 'two'), (6, 'nope'), (7, 'one');
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('jxdout', 100, 0) ORDER BY seq;
-- the table an app joins cannot go without CASCADE; with it, the app
-- stops with the reason
DROP TABLE jn_dropped;
DROP TABLE jn_dropped CASCADE;
INSERT INTO jxd VALUES (8, 'two');
SELECT siddhi.flush();
SELECT state, error FROM siddhi.apps WHERE name = 'jn_drop';

-- an error in the middle of an index lookup (the rest of the on
-- condition divides by zero on one row, through a SQL function: SiddhiQL's
-- own / gives null) fails that event alone: the lookups after it, in the
-- same batch and in the next, find their rows
CREATE OR REPLACE FUNCTION div_or_fail(a int, b int) RETURNS int
  LANGUAGE sql IMMUTABLE AS 'SELECT a / b';
CREATE TABLE jn_div (id int PRIMARY KEY, d int);
INSERT INTO jn_div VALUES (1, 1), (2, 0), (3, 3);
SELECT siddhi.deploy('jn_div', $$
  define stream JzIn (k int);
  from JzIn as i join jn_div as t on t.id == i.k and div_or_fail(6, t.d) > 0
  select i.k as k, t.d as d insert into JzOut;
$$);
SELECT siddhi.subscribe('jzout');
INSERT INTO jzin VALUES (1), (2), (3);
SELECT siddhi.flush();
UPDATE jn_div SET d = 2 WHERE id = 2;
INSERT INTO jzin VALUES (2), (3);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('jzout', 100, 0) ORDER BY seq;
SELECT query, events_in, events_out, index_lookups, errors
  FROM siddhi.queries WHERE app = 'jn_div';

-- select * in a join: the left side's attributes, then the right's
SELECT siddhi.deploy('jn_star', $$
  define stream JsaLeft (a int, b string);
  define stream JsaRight (c int, d string);
  from JsaLeft#window.length(3) join JsaRight#window.length(3) on a == c
  select * insert into JsaOut;
$$);
\d jsaout

-- errors, with their SQLSTATE below
SELECT siddhi.deploy('jn_bad1', $$
  define table JbT1 (x int);
  define table JbT2 (x int);
  define stream JbS (x int);
  from JbT1 join JbT2 on JbT1.x == JbT2.x select JbT1.x as x insert into JbS;
$$);
SELECT siddhi.deploy('jn_bad2', $$
  define stream JbA (x int);
  define stream JbB (x int);
  from JbA#window.length(1) unidirectional join JbB#window.length(1) unidirectional
  on JbA.x == JbB.x select JbA.x as x insert into JbOut;
$$);
SELECT siddhi.deploy('jn_bad3', $$
  INSERT INTO JbOut SELECT a.x FROM JbA WINDOW length(1) AS a UNIDIRECTIONAL
    JOIN JbB WINDOW length(1) AS b UNIDIRECTIONAL ON a.x = b.x;
$$);
SELECT siddhi.deploy('jn_bad4', $$
  define stream JbA (x int);
  define table JbT (x int);
  from JbA join JbT#window.length(2) on JbA.x == JbT.x select JbA.x as x insert into JbOut;
$$);
SELECT siddhi.deploy('jn_bad5', $$
  define stream JbA (x int);
  define table JbT (x int);
  from JbA join JbT unidirectional on JbA.x == JbT.x select JbA.x as x insert into JbOut;
$$);
SELECT siddhi.deploy('jn_bad6', $$
  define stream JbA (x int);
  from JbA#window.length(1) join JbNowhere on JbA.x == JbNowhere.x
  select JbA.x as x insert into JbOut;
$$);
SELECT siddhi.deploy('jn_bad7', $$
  define stream JbA (x int);
  define stream JbB (x int);
  from JbA#window.length(1) join JbB#window.length(1) on x == 1
  select JbA.x as x insert into JbOut;
$$);
SELECT siddhi.deploy('jn_bad8', $$
  define stream JbA (x int);
  define stream JbB (y int);
  from JbA[y > 0]#window.length(1) join JbB#window.length(1) on JbA.x == JbB.y
  select JbA.x as x insert into JbOut;
$$);
SELECT siddhi.deploy('jn_bad9', $$
  define stream JbA (x int);
  define stream JbB (x int);
  from JbA#window.length(1) join JbB#window.length(1) on JbA.x == JbB.x
  select * insert into JbOut;
$$);

CREATE FUNCTION jn_sqlstate(app text) RETURNS text LANGUAGE plpgsql AS $f$
BEGIN
  PERFORM siddhi.deploy('jn_check', app);
  RETURN 'deployed';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE;
END $f$;
SELECT jn_sqlstate('define table JbT1 (x int); define table JbT2 (x int);
  from JbT1 join JbT2 on JbT1.x == JbT2.x select JbT1.x as x insert into JbS;')
  AS two_tables,
  jn_sqlstate('define stream JbA (x int); define stream JbB (x int);
  from JbA unidirectional join JbB unidirectional select JbA.x as x
  insert into JbOut;') AS both_unidirectional,
  jn_sqlstate('define stream JbA (x int); define table JbT (x int);
  from JbA join JbT#window.length(2) select JbA.x as x insert into JbOut;')
  AS table_window,
  jn_sqlstate('define stream JbA (x int);
  from JbA join JbNowhere select JbA.x as x insert into JbOut;') AS undefined;
DROP FUNCTION jn_sqlstate(text);

SELECT siddhi.undeploy(a) FROM unnest(ARRAY['jn_kinds', 'jn_sql', 'jn_expired',
  'jn_named', 'jn_enrich', 'jn_sql_enrich', 'jn_self', 'jn_drop',
  'jn_deftable', 'jn_star']) a;

-- An arrival that matches much (3,000 rows of 300 bytes, past the room a
-- join keeps for its matches' copies between arrivals): every match goes
-- out, and the next arrivals, small and large, still match correctly.
SELECT siddhi.deploy('jn_wide', $$
  define stream JwA (n int, pad string);
  define stream JwB (n int);
  define table JwOut (b int, matched long);
  from JwA#window.length(3000) join JwB#window.length(1) on JwA.n < JwB.n
  select JwB.n as b, count() as matched group by JwB.n insert into JwOut;
$$);
INSERT INTO jwa SELECT i, repeat('x', 300) FROM generate_series(1, 3000) i;
SELECT siddhi.flush();
INSERT INTO jwb VALUES (5000);
SELECT siddhi.flush();
INSERT INTO jwb VALUES (3);
SELECT siddhi.flush();
INSERT INTO jwb VALUES (2001);
SELECT siddhi.flush();
SELECT b, max(matched) AS matched FROM jwout GROUP BY b ORDER BY b;
SELECT siddhi.undeploy('jn_wide');
