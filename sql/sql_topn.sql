-- Streaming SQL's ORDER BY / LIMIT / OFFSET and SELECT DISTINCT (issue 17):
-- over what the window holds now, not per output chunk as in SiddhiQL.
-- Playback: the clock follows siddhi.event_time and siddhi.advance_clock().
SELECT siddhi.deploy('topn', $$
  @app:playback
  CREATE STREAM TnTicks (symbol TEXT, price DOUBLE);
  -- roadmap block 14: the top 3 over the whole stream so far
  @info(name = 'top') INSERT INTO TopEver
  SELECT symbol, price FROM TnTicks ORDER BY price DESC LIMIT 3;
  -- the top 2 of the last 4 events, after the best one
  @info(name = 'slide') INSERT INTO TopSlide
  SELECT symbol, price FROM TnTicks WINDOW length(4)
  ORDER BY price DESC LIMIT 2 OFFSET 1;
  -- the cheapest 2 of each batch of 5
  @info(name = 'batch') INSERT INTO LowBatch
  SELECT symbol, price FROM TnTicks WINDOW lengthBatch(5) ORDER BY price LIMIT 2;
  -- the first two rows ever, in arrival order
  @info(name = 'first') INSERT INTO FirstTwo
  SELECT symbol, price FROM TnTicks LIMIT 2;
$$);
SELECT siddhi.subscribe(s) FROM unnest(ARRAY['topever', 'topslide',
  'lowbatch', 'firsttwo']) s;
SET siddhi.event_time = 1000;
INSERT INTO tnticks VALUES ('A', 10);
SET siddhi.event_time = 1100;
INSERT INTO tnticks VALUES ('B', 12);
SET siddhi.event_time = 1200;
INSERT INTO tnticks VALUES ('C', 9);
SET siddhi.event_time = 1300;
INSERT INTO tnticks VALUES ('D', 15);
SET siddhi.event_time = 1400;
INSERT INTO tnticks VALUES ('E', 11);
SET siddhi.event_time = 1500;
INSERT INTO tnticks VALUES ('F', 8);
SET siddhi.event_time = 1600;
INSERT INTO tnticks VALUES ('G', 20);
SET siddhi.event_time = 1700;
INSERT INTO tnticks VALUES ('H', 7);
SET siddhi.event_time = 1800;
INSERT INTO tnticks VALUES ('I', 13);
SET siddhi.event_time = 1900;
INSERT INTO tnticks VALUES ('J', 14);
SET siddhi.event_time = 2000;
INSERT INTO tnticks VALUES ('K', 6);
SET siddhi.event_time = 2100;
INSERT INTO tnticks VALUES ('L', 21);
SET siddhi.event_time = 2200;
INSERT INTO tnticks VALUES ('M', 5);
SET siddhi.event_time = 2300;
INSERT INTO tnticks VALUES ('N', 16);
SET siddhi.event_time = 2400;
INSERT INTO tnticks VALUES ('O', 12.5);
RESET siddhi.event_time;
SELECT siddhi.advance_clock(5000);
SELECT siddhi.flush();
-- one line per output chunk: its time and its rows, in order
CREATE FUNCTION pg_temp.chunks(s text) RETURNS TABLE (ms bigint, n int, rows text)
  LANGUAGE sql AS $f$
    SELECT (extract(epoch FROM event_time) * 1000)::bigint, count(*)::int,
           string_agg(format('%s=%s%s', event->>'symbol',
                             coalesce(event->>'price', event->>'total'),
                             CASE WHEN expired THEN '(x)' ELSE '' END),
                      ' ' ORDER BY seq)
      FROM siddhi.poll(s, 1000, 0) GROUP BY event_time ORDER BY 1
  $f$;
-- 15 events in: a new top 3 each time one enters it, never a row outside it
SELECT * FROM pg_temp.chunks('topever');
-- rows 2 and 3 of the last 4 events by price, each time they change
SELECT * FROM pg_temp.chunks('topslide');
-- at each batch end, the batch's two cheapest
SELECT * FROM pg_temp.chunks('lowbatch');
-- the first two rows, once
SELECT * FROM pg_temp.chunks('firsttwo');
SELECT siddhi.undeploy('topn');

-- a time window: an expiry is a step of its own, and changes the top rows
SELECT siddhi.deploy('topn_time', $$
  @app:playback
  CREATE STREAM TnTicks (symbol TEXT, price DOUBLE);
  @info(name = 'time') INSERT INTO TimeSorted
  SELECT symbol, price FROM TnTicks WINDOW SLIDING(1 sec) ORDER BY price DESC;
$$);
SELECT siddhi.subscribe('timesorted');
SET siddhi.event_time = 1000;
INSERT INTO tnticks VALUES ('A', 10);
SET siddhi.event_time = 1500;
INSERT INTO tnticks VALUES ('B', 12);
SET siddhi.event_time = 1800;
INSERT INTO tnticks VALUES ('C', 9);
RESET siddhi.event_time;
SELECT siddhi.advance_clock(2200);
SET siddhi.event_time = 2300;
INSERT INTO tnticks VALUES ('D', 15);
RESET siddhi.event_time;
SELECT siddhi.advance_clock(2600);
SELECT siddhi.advance_clock(5000);
SELECT siddhi.flush();
-- A leaves at 2200, B at 2600; at 5000 nothing is left, and nothing goes out
SELECT * FROM pg_temp.chunks('timesorted');
SELECT siddhi.undeploy('topn_time');

-- GROUP BY: ORDER BY and LIMIT over the groups' current values; a group
-- leaves when its last event does, or when its row fails HAVING
SELECT siddhi.deploy('topn_groups', $$
  @app:playback
  CREATE STREAM TnTrades (symbol TEXT, price DOUBLE);
  @info(name = 'groups') INSERT INTO TopTotals
  SELECT symbol, SUM(price) AS total FROM TnTrades WINDOW length(4)
  GROUP BY symbol HAVING SUM(price) < 100 ORDER BY total DESC LIMIT 2;
$$);
SELECT siddhi.subscribe('toptotals');
SET siddhi.event_time = 1000;
INSERT INTO tntrades VALUES ('A', 10);
SET siddhi.event_time = 1100;
INSERT INTO tntrades VALUES ('B', 30);
SET siddhi.event_time = 1200;
INSERT INTO tntrades VALUES ('A', 25);
SET siddhi.event_time = 1300;
INSERT INTO tntrades VALUES ('B', 75);
SET siddhi.event_time = 1400;
INSERT INTO tntrades VALUES ('C', 1);
SET siddhi.event_time = 1500;
INSERT INTO tntrades VALUES ('B', 90);
SET siddhi.event_time = 1600;
INSERT INTO tntrades VALUES ('D', 2);
SET siddhi.event_time = 1700;
INSERT INTO tntrades VALUES ('D', 3);
RESET siddhi.event_time;
SELECT siddhi.flush();
-- B leaves at 1300 (105 fails HAVING) and comes back at 1700, when its
-- first trade leaves the window; A leaves with its last trade at 1600
SELECT * FROM pg_temp.chunks('toptotals');
SELECT siddhi.undeploy('topn_groups');

-- SELECT DISTINCT: a row goes out when no equal row is in the window
SELECT siddhi.deploy('distinct', $$
  @app:playback
  CREATE STREAM TnTicks (symbol TEXT, price DOUBLE);
  CREATE STREAM TnActivity (userId TEXT, action TEXT);
  @info(name = 'dlen') INSERT INTO DistinctSyms
  SELECT DISTINCT symbol FROM TnTicks WINDOW length(3);
  @info(name = 'dtime') INSERT INTO DistinctRecent
  SELECT DISTINCT symbol FROM TnTicks WINDOW SLIDING(1 sec);
  -- a batch window: each batch's distinct rows
  @info(name = 'dbatch') INSERT INTO DistinctBatch
  SELECT DISTINCT symbol FROM TnTicks WINDOW lengthBatch(3);
  -- roadmap block 4 (its UserActivityStream): a user's action goes out when it changes
  @info(name = 'dunique') INSERT INTO UserActions
  SELECT DISTINCT userId, action FROM TnActivity WINDOW UNIQUE(userId);
  -- DISTINCT with ORDER BY / LIMIT: each distinct row counted once
  @info(name = 'dtop') INSERT INTO TopDistinct
  SELECT DISTINCT symbol, price FROM TnTicks ORDER BY price DESC LIMIT 2;
$$);
SELECT siddhi.subscribe(s) FROM unnest(ARRAY['distinctsyms',
  'distinctrecent', 'distinctbatch', 'useractions', 'topdistinct']) s;
SET siddhi.event_time = 1000;
INSERT INTO tnticks VALUES ('A', 1);
SET siddhi.event_time = 1100;
INSERT INTO tnticks VALUES ('A', 2);
SET siddhi.event_time = 1200;
INSERT INTO tnticks VALUES ('B', 2);
SET siddhi.event_time = 1300;
INSERT INTO tnticks VALUES ('A', 2);
SET siddhi.event_time = 1400;
INSERT INTO tnticks VALUES ('C', 3);
SET siddhi.event_time = 1500;
INSERT INTO tnticks VALUES ('C', 3);
SET siddhi.event_time = 1600;
INSERT INTO tnticks VALUES ('D', 1);
SET siddhi.event_time = 3000;
INSERT INTO tnticks VALUES ('A', 3);
SET siddhi.event_time = 3100;
INSERT INTO tnactivity VALUES ('u1', 'login'), ('u2', 'login');
SET siddhi.event_time = 3200;
INSERT INTO tnactivity VALUES ('u1', 'login');
SET siddhi.event_time = 3300;
INSERT INTO tnactivity VALUES ('u1', 'buy');
SET siddhi.event_time = 3400;
INSERT INTO tnactivity VALUES ('u2', 'login');
SET siddhi.event_time = 3500;
INSERT INTO tnactivity VALUES ('u1', 'login');
RESET siddhi.event_time;
SELECT siddhi.flush();
-- A at 1300 is not new (the window of 3 still holds one), A at 3000 is
SELECT * FROM pg_temp.chunks('distinctsyms');
-- within a second each symbol once; A again at 3000, after its expiry
SELECT * FROM pg_temp.chunks('distinctrecent');
-- batches A A B | A C C: A and B, then A and C (A is in both batches)
SELECT * FROM pg_temp.chunks('distinctbatch');
SELECT (extract(epoch FROM event_time) * 1000)::bigint AS ms, event
  FROM siddhi.poll('useractions', 100, 0) ORDER BY seq;
SELECT * FROM pg_temp.chunks('topdistinct');
SELECT siddhi.undeploy('distinct');

-- a named window: the query's contents are what the window holds
SELECT siddhi.deploy('topn_named', $$
  @app:playback
  CREATE STREAM TnQuotes (symbol TEXT, price DOUBLE);
  CREATE WINDOW TnLast3 (symbol TEXT, price DOUBLE) WINDOW length(3);
  INSERT INTO TnLast3 SELECT symbol, price FROM TnQuotes;
  @info(name = 'named') INSERT INTO NamedDistinct
  SELECT DISTINCT symbol FROM TnLast3;
  @info(name = 'namedtop') INSERT INTO NamedTop
  SELECT symbol, price FROM TnLast3 ORDER BY price LIMIT 1;
$$);
SELECT siddhi.subscribe(s) FROM unnest(ARRAY['nameddistinct', 'namedtop']) s;
SET siddhi.event_time = 1000;
INSERT INTO tnquotes VALUES ('A', 5);
SET siddhi.event_time = 1100;
INSERT INTO tnquotes VALUES ('B', 6);
SET siddhi.event_time = 1200;
INSERT INTO tnquotes VALUES ('A', 7);
SET siddhi.event_time = 1300;
INSERT INTO tnquotes VALUES ('C', 8);
SET siddhi.event_time = 1400;
INSERT INTO tnquotes VALUES ('B', 9);
SET siddhi.event_time = 1500;
INSERT INTO tnquotes VALUES ('A', 4);
RESET siddhi.event_time;
SELECT siddhi.flush();
-- B at 1400 and A at 1500 are not new: each replaces an equal row
SELECT * FROM pg_temp.chunks('nameddistinct');
-- the cheapest of the last 3: A=5 until it leaves at 1300, then B=6 ...
-- (LIMIT over a named window: its contents, not the first rows kept)
SELECT * FROM pg_temp.chunks('namedtop');
SELECT siddhi.undeploy('topn_named');

-- HAVING and ORDER BY name the input's columns, qualified by the input's
-- alias or stream name or not, as in PostgreSQL: the query sorts and
-- filters its output rows, so such a column reads the select item that
-- outputs it.  An output column's name comes first (as ORDER BY reads it).
SELECT siddhi.deploy('topn_names', $$
  @app:playback
  CREATE STREAM TnNames (symbol TEXT, price DOUBLE);
  CREATE STREAM TnQty (symbol TEXT, qty INT);
  @info(name = 'alias') INSERT INTO NmAlias
  SELECT symbol, price FROM TnNames s WINDOW LENGTH(5)
  ORDER BY s.price DESC LIMIT 2;
  @info(name = 'stream') INSERT INTO NmStream
  SELECT symbol, price FROM TnNames WINDOW LENGTH(5)
  ORDER BY TnNames.price DESC LIMIT 2;
  -- ORDER BY NULL sorts nothing, as in PostgreSQL
  @info(name = 'constant') INSERT INTO NmConstant
  SELECT symbol, price FROM TnNames WINDOW LENGTH(5)
  ORDER BY NULL, price DESC LIMIT 2;
  @info(name = 'position') INSERT INTO NmPosition
  SELECT symbol, price FROM TnNames WINDOW LENGTH(5) ORDER BY 2 DESC, 1 LIMIT 2;
  @info(name = 'renamed') INSERT INTO NmRenamed
  SELECT symbol AS sym, price AS p FROM TnNames WINDOW LENGTH(5)
  ORDER BY price, tnnames.symbol LIMIT 2;
  @info(name = 'outfirst') INSERT INTO NmOutFirst
  SELECT symbol, -price AS price FROM TnNames WINDOW LENGTH(5)
  ORDER BY price LIMIT 1;
  @info(name = 'having') INSERT INTO NmHaving
  SELECT s.symbol, MAX(s.price) AS m FROM TnNames AS s WINDOW TUMBLING(1 sec)
  GROUP BY s.symbol HAVING s.symbol <> 'X';
  @info(name = 'having2') INSERT INTO NmHaving2
  SELECT symbol AS sym, COUNT(*) AS n FROM TnNames WINDOW TUMBLING(1 sec)
  GROUP BY symbol HAVING symbol <> 'X' AND COUNT(*) > 1;
  @info(name = 'joinhaving') INSERT INTO NmJoin
  SELECT s.symbol AS sym, SUM(t.qty) AS q FROM TnNames AS s WINDOW length(5)
  JOIN TnQty AS t WINDOW length(5) ON s.symbol = t.symbol
  GROUP BY s.symbol HAVING s.symbol <> 'X';
$$);
SELECT siddhi.subscribe(s) FROM unnest(ARRAY['nmalias', 'nmstream',
  'nmconstant', 'nmposition', 'nmrenamed', 'nmoutfirst', 'nmhaving', 'nmhaving2', 'nmjoin']) s;
SET siddhi.event_time = 1000;
INSERT INTO tnnames VALUES ('A', 10);
SET siddhi.event_time = 1100;
INSERT INTO tnnames VALUES ('X', 50);
SET siddhi.event_time = 1200;
INSERT INTO tnnames VALUES ('B', 30);
SET siddhi.event_time = 1300;
INSERT INTO tnnames VALUES ('A', 20);
SET siddhi.event_time = 1400;
INSERT INTO tnnames VALUES ('X', 5);
SET siddhi.event_time = 1500;
INSERT INTO tnqty VALUES ('X', 7), ('A', 3);
RESET siddhi.event_time;
SELECT siddhi.advance_clock(2500);
SELECT siddhi.flush();
-- one line per output chunk: its time and its events, in order
CREATE FUNCTION pg_temp.events(s text) RETURNS TABLE (ms bigint, events text)
  LANGUAGE sql AS $f$
    SELECT (extract(epoch FROM event_time) * 1000)::bigint,
           string_agg(event::text, ' ' ORDER BY seq)
      FROM siddhi.poll(s, 1000, 0) GROUP BY event_time ORDER BY 1
  $f$;
-- the 2 highest prices of the last 5, when they change: the same by alias
-- and by stream name
SELECT * FROM pg_temp.events('nmalias');
SELECT * FROM pg_temp.events('nmstream');
SELECT * FROM pg_temp.events('nmconstant');
-- and by position (ORDER BY 2 is the second output column, as in SQL)
SELECT * FROM pg_temp.events('nmposition');
-- price is output as p, symbol as sym: the 2 lowest prices
SELECT * FROM pg_temp.events('nmrenamed');
-- price is the output's -price: the highest price
SELECT * FROM pg_temp.events('nmoutfirst');
-- the batch closing at 2000: a row for A and one for B (stamped with
-- their last events), none for X
SELECT * FROM pg_temp.events('nmhaving');
SELECT * FROM pg_temp.events('nmhaving2');
-- the join's rows for A (X's fail HAVING)
SELECT * FROM pg_temp.events('nmjoin');
SELECT siddhi.undeploy('topn_names');
-- an input column no select item outputs as it is: refused, as PostgreSQL
-- refuses an ORDER BY column outside SELECT DISTINCT's list
SELECT siddhi.deploy('topn_names_bad1', $$
  CREATE STREAM TnNames (symbol TEXT, price DOUBLE);
  SELECT symbol FROM TnNames WINDOW LENGTH(5) ORDER BY price DESC LIMIT 2;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('topn_names_bad2', $$
  CREATE STREAM TnNames (symbol TEXT, price DOUBLE);
  SELECT symbol, price * 2 AS price FROM TnNames s WINDOW LENGTH(5)
  ORDER BY s.price LIMIT 2;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('topn_names_bad3', $$
  CREATE STREAM TnNames (symbol TEXT, price DOUBLE);
  SELECT COUNT(*) AS n FROM TnNames WINDOW TUMBLING(1 sec) GROUP BY symbol
  HAVING symbol <> 'X';
$$);
\echo :LAST_ERROR_SQLSTATE
-- a position outside the select list, a constant that is no position
SELECT siddhi.deploy('topn_names_bad6', $$
  CREATE STREAM TnNames (symbol TEXT, price DOUBLE);
  SELECT symbol, price FROM TnNames WINDOW LENGTH(5) ORDER BY 3 LIMIT 2;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('topn_names_bad7', $$
  CREATE STREAM TnNames (symbol TEXT, price DOUBLE);
  SELECT symbol, price FROM TnNames WINDOW LENGTH(5) ORDER BY 'price' LIMIT 2;
$$);
\echo :LAST_ERROR_SQLSTATE
-- a whole row (s.*): the output row holds only the selected columns
SELECT siddhi.deploy('topn_names_bad8', $$
  CREATE STREAM TnNames (symbol TEXT, price DOUBLE);
  SELECT symbol, price FROM TnNames AS s WINDOW LENGTH(5) ORDER BY s.* LIMIT 2;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('topn_names_bad9', $$
  CREATE STREAM TnNames (symbol TEXT, price DOUBLE);
  SELECT symbol, COUNT(*) AS n FROM TnNames WINDOW TUMBLING(1 sec)
  GROUP BY symbol HAVING TnNames.* IS NOT NULL;
$$);
\echo :LAST_ERROR_SQLSTATE
-- .. and a name that is no range of FROM, PostgreSQL's error for it
SELECT siddhi.deploy('topn_names_bad10', $$
  CREATE STREAM TnNames (symbol TEXT, price DOUBLE);
  SELECT symbol, price FROM TnNames AS s WINDOW LENGTH(5) ORDER BY t.* LIMIT 2;
$$);
\echo :LAST_ERROR_SQLSTATE
-- a name neither the output nor the input has
SELECT siddhi.deploy('topn_names_bad4', $$
  CREATE STREAM TnNames (symbol TEXT, price DOUBLE);
  SELECT symbol FROM TnNames s WINDOW LENGTH(5) ORDER BY s.volume LIMIT 2;
$$);
\echo :LAST_ERROR_SQLSTATE
-- SiddhiQL's having and order by name output attributes only, as in Siddhi
SELECT siddhi.deploy('topn_names_bad5', $$
  define stream TnNames (symbol string, price double);
  from TnNames#window.length(5) select symbol as sym having symbol != 'X'
  insert into NmSiddhi;
$$);
\echo :LAST_ERROR_SQLSTATE

-- refused, with the position and what to write instead
SELECT siddhi.deploy('topn_bad1', $$
  CREATE STREAM TnS (a INT);
  INSERT INTO TnO SELECT DISTINCT a FROM TnS;
$$);
SELECT siddhi.deploy('topn_bad2', $$
  CREATE STREAM TnS (a INT);
  INSERT INTO TnO SELECT a FROM TnS ORDER BY a;
$$);
SELECT siddhi.deploy('topn_bad3', $$
  CREATE STREAM TnS (a INT, b INT);
  INSERT INTO TnO SELECT DISTINCT a, SUM(b) AS s FROM TnS WINDOW length(3) GROUP BY a;
$$);
SELECT siddhi.deploy('topn_bad4', $$
  CREATE STREAM TnS (a INT);
  INSERT INTO TnO SELECT DISTINCT ON (a) a FROM TnS WINDOW length(3);
$$);
SELECT siddhi.deploy('topn_bad5', $$
  CREATE STREAM TnS (a INT);
  CREATE STREAM TnT (a INT);
  INSERT INTO TnO SELECT s.a FROM TnS AS s WINDOW length(2) JOIN TnT AS t WINDOW length(2)
    ON s.a = t.a ORDER BY a LIMIT 1;
$$);
-- the same with the column qualified: still the join's refusal
SELECT siddhi.deploy('topn_bad5b', $$
  CREATE STREAM TnS (symbol TEXT, price DOUBLE);
  CREATE STREAM TnT (symbol TEXT, qty INT);
  SELECT s.symbol, t.qty FROM TnS s WINDOW LENGTH(5) JOIN TnT t WINDOW LENGTH(5)
    ON s.symbol = t.symbol ORDER BY t.qty LIMIT 3;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('topn_bad6', $$
  CREATE STREAM TnS (k TEXT, a INT);
  INSERT INTO TnO SELECT k, a FROM TnS WINDOW length(3) PARTITION BY k
    ORDER BY a LIMIT 1;
$$);
SELECT name FROM siddhi.apps WHERE name LIKE 'topn%' OR name = 'distinct';
