-- EXPLAIN of continuous queries: siddhi.explain() of a deployed app (each
-- operator kind, both dialects, text and json, live counters, hints,
-- errors) and siddhi.explain_text() / EXPLAIN SELECT .. of an app's text,
-- which deploys nothing.

-- filter, window, group by, having, order by / limit, rate limit, output
-- to a stream with a sink, to a table through its primary key, a delete
-- that reads the whole table (SiddhiQL)
SELECT * FROM siddhi.deploy('ex_basic', $$
  @app:playback
  define stream ExTrades (symbol string, price double, volume long);
  @sink(type = 'log', prefix = 'ex')
  define stream ExBig (symbol string, total double, n long);
  @PrimaryKey('symbol')
  define table ExLast (symbol string, price double);
  @info(name = 'big')
  from ExTrades[volume > 100 and symbol != 'X']#window.length(5)
  select symbol, sum(price) as total, count() as n
  group by symbol having total > 10
  order by total desc limit 3
  output last every 2 events
  insert into ExBig;
  @info(name = 'last')
  from ExTrades select symbol, price update or insert into ExLast
    on ExLast.symbol == symbol;
  @info(name = 'forget')
  from ExTrades[price < 0] select symbol delete ExLast on ExLast.price == price;
  @info(name = 'forever')
  from ExTrades select symbol, max(price) as top group by symbol
  insert into ExTop;
$$);
SELECT * FROM siddhi.explain('ex_basic');
-- one query, as JSON: valid, with the tree under "Plan"
SELECT * FROM siddhi.explain('ex_basic', 'big', format => 'json');
SELECT p->>'Query Name' AS query, p->'Plan'->>'Node Type' AS top,
       p->'Plan'->'Plans'->0->>'Node Type' AS below,
       json_array_length(p->'Hint') AS hints
  FROM json_array_elements(
         (SELECT * FROM siddhi.explain('ex_basic', format => 'JSON'))::json) p;

-- the live counters: deterministic after a flush
INSERT INTO extrades VALUES ('A', 6, 200), ('A', 7, 300), ('B', 1, 50),
  ('A', -1, 500);
SELECT siddhi.flush();
SELECT regexp_replace(p, '(Time per Event|State Bytes): .*', '\1: (varies)')
    AS "QUERY PLAN" FROM siddhi.explain('ex_basic', 'big', "analyze" => true) p;
SELECT regexp_replace(p, '(Time per Event|State Bytes): .*', '\1: (varies)')
    AS "QUERY PLAN" FROM siddhi.explain('ex_basic', 'forget', true) p;

-- windows: their parameters and what bounds their memory
SELECT * FROM siddhi.deploy('ex_windows', $$
  define stream ExW (k string, v int, ts long);
  @info(name = 'w_time') from ExW#window.time(90 sec) select k insert into ExWo;
  @info(name = 'w_tl') from ExW#window.timeLength(1 min, 10) select k insert into ExWo;
  @info(name = 'w_ext') from ExW#window.externalTimeBatch(ts, 1 hour) select k insert into ExWo;
  @info(name = 'w_sort') from ExW#window.sort(3, v, 'desc') select k insert into ExWo;
  @info(name = 'w_session') from ExW#window.session(5 sec, k) select k insert into ExWo;
  @info(name = 'w_unique') from ExW#window.unique:ever(k) select k insert into ExWo;
  @info(name = 'w_expr') from ExW#window.expression('count() <= 2') select k insert into ExWo;
  @info(name = 'w_cron') from ExW#window.cron('*/5 * * * * ?') select k insert into ExWo;
  @info(name = 'w_freq') from ExW#window.frequent(2, k) select k insert into ExWo;
  @info(name = 'w_batch') from ExW#window.batch() select k insert into ExWo;
$$);
SELECT * FROM siddhi.explain('ex_windows');

-- joins: two windowed streams; a table through its index and one without;
-- a named window
SELECT * FROM siddhi.deploy('ex_joins', $$
  define stream ExOrders (cust int, amount double);
  define stream ExPays (cust int, paid double);
  @PrimaryKey('id')
  define table ExCust (id int, name string);
  define table ExNotes (cust int, note string);
  define window ExRecent (cust int, amount double) time(1 min) output all events;
  @info(name = 'pair')
  from ExOrders[amount > 0]#window.length(10) as o
    left outer join ExPays#window.time(1 min) as p on o.cust == p.cust
  select o.cust, o.amount, p.paid insert into ExPaired;
  @info(name = 'by_index')
  from ExOrders as o join ExCust as c on c.id == o.cust
  select c.name, o.amount insert into ExNamed;
  @info(name = 'by_scan')
  from ExOrders as o join ExNotes as n on n.cust == o.cust
  select n.note, o.amount insert into ExNoted;
  @info(name = 'fill')
  from ExOrders insert into ExRecent;
  @info(name = 'recent')
  from ExRecent[amount > 100] select cust, sum(amount) as total
  group by cust insert all events into ExRecentTotals;
  @info(name = 'known')
  from ExOrders[cust == ExCust.id in ExCust] select cust insert into ExKnown;
$$);
SELECT * FROM siddhi.explain('ex_joins');
INSERT INTO excust VALUES (1, 'ann');
INSERT INTO exnotes VALUES (1, 'vip');
INSERT INTO exorders VALUES (1, 10), (2, 20);
SELECT siddhi.flush();
SELECT regexp_replace(p, '(Time per Event|State Bytes): .*', '\1: (varies)')
    AS "QUERY PLAN" FROM siddhi.explain('ex_joins', 'by_scan', "analyze" => true) p;

-- patterns and sequences: states, links, every, within, counts, and/or,
-- absence; a pattern without within and its partial matches
SELECT * FROM siddhi.deploy('ex_patterns', $$
  @app:playback
  define stream ExTemp (room int, t double);
  define stream ExDoor (room int, open bool);
  @info(name = 'rise')
  from every e1=ExTemp -> e2=ExTemp[room == e1.room and t > e1.t]<2:>
    within 10 min
  select e1.room, e1.t as first, e2[last].t as last insert into ExRise;
  @info(name = 'either')
  from every (e1=ExTemp[t > 30] and e2=ExDoor[open]) -> not ExDoor[room == e1.room] for 1 min
  select e1.room insert into ExHot;
  @info(name = 'unbounded', max.partial.matches = '50')
  from every e1=ExDoor[open] -> e2=ExDoor[room == e1.room and not open]
  select e1.room insert into ExClosed;
  @info(name = 'seq')
  from every e1=ExTemp, e2=ExTemp[t > e1.t]+, e3=ExTemp[t < e2[last].t]
  select e1.t as a, e3.t as c insert into ExPeak;
$$);
SELECT * FROM siddhi.explain('ex_patterns');
SET siddhi.event_time = 1000;
INSERT INTO exdoor VALUES (1, true), (2, true), (3, true);
RESET siddhi.event_time;
SELECT siddhi.flush();
SELECT regexp_replace(p, '(Time per Event|State Bytes): .*', '\1: (varies)')
    AS "QUERY PLAN" FROM siddhi.explain('ex_patterns', 'unbounded', "analyze" => true) p;

-- partitions: a value key and ranges, with and without @purge
SELECT * FROM siddhi.deploy('ex_parts', $$
  define stream ExReadings (dev string, v double);
  @purge(enable = 'true', interval = '10 sec', idle.period = '1 hour')
  partition with (dev of ExReadings)
  begin
    @info(name = 'per_dev')
    from ExReadings#window.length(3) select dev, avg(v) as a insert into ExDevAvg;
  end;
  partition with (v < 10 as 'low' or v >= 10 as 'high' of ExReadings)
  begin
    @info(name = 'per_band')
    from ExReadings select dev, count() as n insert into ExBand;
  end;
$$);
SELECT * FROM siddhi.explain('ex_parts');

-- a source, a trigger, deduplication, a snapshot rate limiter, a stream
-- joined with an aggregation, and the aggregation itself
SELECT * FROM siddhi.deploy('ex_more', $$
  @app:playback
  @source(type = 'inMemory', topic = 'ex_ticks')
  define stream ExTicks (sym string, price double, ts long);
  define stream ExAsk (sym string);
  define trigger ExEvery at every 5 sec;
  define aggregation ExAgg from ExTicks select sym, sum(price) as total
    group by sym aggregate by ts every sec ... min;
  @info(name = 'dedup')
  from ExTicks#unique:deduplicate(sym, 500)[price > 1] select sym insert into ExFirst;
  @info(name = 'tick')
  from ExEvery select triggered_time insert into ExTicked;
  @info(name = 'snap')
  from ExTicks#window.time(1 min) select sym, price
  output snapshot every 10 sec insert into ExSnap;
  @info(name = 'ask')
  from ExAsk as a join ExAgg as g on a.sym == g.sym
  within 1496200000000L, 1596535449000L per "sec"
  select a.sym, g.total insert into ExAnswer;
$$);
SELECT * FROM siddhi.explain('ex_more');

-- streaming SQL: the roadmap's query, a join with a table, a pattern,
-- PARTITION BY, window functions, ORDER BY / LIMIT over a window's
-- contents, a bare SELECT (its rows go to a stream of the app)
SELECT * FROM siddhi.deploy('ex_sql', $$
  CREATE STREAM ExStock (symbol TEXT, price DOUBLE PRECISION, volume BIGINT);
  CREATE TABLE ExCompany (symbol TEXT PRIMARY KEY, name TEXT);
  @info(name = 'roadmap')
  INSERT INTO ExPerMinute
  SELECT symbol, AVG(price) AS avg_price, COUNT(*) AS count
  FROM ExStock WINDOW TUMBLING(1 minute)
  WHERE volume > 100000
  GROUP BY symbol;
  @info(name = 'named')
  INSERT INTO ExWithName
  SELECT s.symbol, c.name FROM ExStock AS s JOIN ExCompany AS c ON c.symbol = s.symbol;
  @info(name = 'jump')
  INSERT INTO ExJump
  SELECT a.symbol, b.price FROM PATTERN (every a=ExStock -> b=ExStock[symbol = a.symbol AND price > a.price * 1.1] WITHIN 5 minutes);
  @info(name = 'per_symbol')
  INSERT INTO ExRunning
  SELECT symbol, sum(volume) AS v FROM ExStock WINDOW length(10) GROUP BY symbol PARTITION BY symbol;
  @info(name = 'ranked')
  INSERT INTO ExRanked
  SELECT symbol, price, rank() OVER (PARTITION BY symbol ORDER BY price DESC) AS r
  FROM ExStock WINDOW length(5);
  @info(name = 'top')
  INSERT INTO ExTop3
  SELECT symbol, price FROM ExStock WINDOW length(10) ORDER BY price DESC LIMIT 3;
  SELECT symbol FROM ExStock WHERE price > 1000;
  CREATE STREAM ExGone (symbol TEXT);
  @info(name = 'gone')
  DELETE FROM ExCompany USING ExGone AS g WHERE ExCompany.symbol = g.symbol;
  @info(name = 'rename')
  INSERT INTO ExCompany SELECT symbol, 'renamed' AS name FROM ExStock WHERE volume = 0
    ON CONFLICT (symbol) DO UPDATE SET name = EXCLUDED.name;
$$);
SELECT * FROM siddhi.explain('ex_sql');

-- EXPLAIN SELECT .. in streaming SQL: the tree of siddhi.parse marks it,
-- siddhi.explain_text shows its plan without deploying anything, and
-- siddhi.deploy refuses it (with what to write instead)
SELECT siddhi.parse($$
CREATE STREAM ExPlanned (symbol TEXT, price DOUBLE PRECISION);
EXPLAIN SELECT symbol, AVG(price) AS a FROM ExPlanned WINDOW TUMBLING(1 minute) GROUP BY symbol;
$$);
SELECT * FROM siddhi.explain_text($$
CREATE STREAM ExPlanned (symbol TEXT, price DOUBLE PRECISION, volume BIGINT);
INSERT INTO ExNotShown SELECT symbol FROM ExPlanned;
EXPLAIN SELECT
    symbol,
    AVG(price) as avg_price,
    COUNT(*) as count
FROM ExPlanned
WINDOW TUMBLING(1 minute)
WHERE volume > 100000
GROUP BY symbol;
$$);
SELECT to_regclass('explanned') AS not_created,
       (SELECT count(*) FROM siddhi.apps WHERE name = 'explain') AS apps;
-- without EXPLAIN every query of the text, SiddhiQL too; one query; json
SELECT * FROM siddhi.explain_text($$
  define stream ExS (a int);
  @info(name = 'one') from ExS[a > 1] select a insert into ExO1;
  @info(name = 'two') from ExS#window.lengthBatch(4) select sum(a) as s insert into ExO2;
$$, 'two');
-- EXPLAIN of a table change: the change's plan only
SELECT * FROM siddhi.explain_text($$
CREATE STREAM ExGone2 (symbol TEXT);
CREATE TABLE ExKeep (symbol TEXT PRIMARY KEY);
INSERT INTO ExKeep SELECT symbol FROM ExGone2;
EXPLAIN DELETE FROM ExKeep USING ExGone2 AS g WHERE ExKeep.symbol = g.symbol;
$$);
SELECT json_array_length(siddhi.explain_text(
  'define stream ExS (a int); from ExS select a insert into ExO1; from ExS select a insert into ExO2;',
  format => 'json')::json) AS queries;
SELECT * FROM siddhi.deploy('ex_refused', $$
CREATE STREAM ExPlanned (symbol TEXT);
EXPLAIN SELECT symbol FROM ExPlanned;
$$);
SELECT siddhi.parse('CREATE STREAM s (a int); EXPLAIN CREATE STREAM t (a int);');

-- errors, each with its SQLSTATE
\set VERBOSITY sqlstate
SELECT * FROM siddhi.explain('ex_nosuch');
SELECT * FROM siddhi.explain('ex_basic', 'nosuch');
SELECT * FROM siddhi.explain('ex_basic', format => 'yaml');
SELECT * FROM siddhi.explain(NULL);
SELECT * FROM siddhi.explain_text('define stream ExS (a int); from ExS select nosuch insert into ExO;');
\set VERBOSITY default
SELECT * FROM siddhi.explain('ex_nosuch');
SELECT * FROM siddhi.explain('define stream S (a int); from S select a insert into O;');
SELECT * FROM siddhi.explain('ex_basic', 'nosuch');
SELECT * FROM siddhi.explain('ex_basic', format => 'yaml');
-- only members of the owner role (and pg_read_all_stats) see a plan
CREATE ROLE ex_stranger;
SET ROLE ex_stranger;
SELECT * FROM siddhi.explain('ex_basic');
RESET ROLE;
DROP ROLE ex_stranger;

SELECT siddhi.undeploy(name, drop_tables => true)
  FROM unnest(ARRAY['ex_basic', 'ex_windows', 'ex_joins', 'ex_patterns',
                    'ex_parts', 'ex_more', 'ex_sql']) name;
