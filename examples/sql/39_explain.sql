-- Roadmap M3, "Query plan visualization" and "Optimization Hints": the
-- roadmap's EXPLAIN SELECT block, as written, through
-- siddhi.explain_text(), which shows the plan of an app's text and
-- deploys nothing (siddhi.deploy refuses EXPLAIN: it runs nothing; see
-- example 31).  Adapted: the output is our operator tree, without the
-- roadmap's invented estimates (a continuous query has no row counts to
-- estimate).  Then a deployed app: siddhi.deploy's list of what it
-- created, siddhi.explain of each query, the live counters after some
-- trades, the hints and acting on one, and the JSON form for tools.
CREATE EXTENSION IF NOT EXISTS siddhi;
CREATE SCHEMA explain39;
SET search_path = explain39;

-- the roadmap's block: the plan, and nothing created
SELECT * FROM siddhi.explain_text($$
CREATE STREAM StockStream (symbol STRING, price DOUBLE, volume LONG);
-- Query plan visualization
EXPLAIN SELECT
    symbol,
    AVG(price) as avg_price,
    COUNT(*) as count
FROM StockStream
WINDOW TUMBLING(1 minute)
WHERE volume > 100000
GROUP BY symbol;
$$);
SELECT to_regclass('stockstream') AS stockstream;

-- an app watching trades: deploy lists what it made
SELECT * FROM siddhi.deploy('trade_watch', $$
@app:playback
CREATE STREAM Trades (symbol TEXT, price DOUBLE PRECISION, volume BIGINT);
CREATE TABLE Companies (symbol TEXT PRIMARY KEY, name TEXT);
CREATE TABLE Watchlist (symbol TEXT, note TEXT);
@info(name = 'per_minute')
INSERT INTO PerMinute
SELECT symbol, AVG(price) AS avg_price, COUNT(*) AS trades
FROM Trades WINDOW TUMBLING(1 minute)
WHERE volume > 1000
GROUP BY symbol;
@info(name = 'named')
INSERT INTO Named
SELECT t.symbol, c.name, t.price
FROM Trades AS t JOIN Companies AS c ON c.symbol = t.symbol;
@info(name = 'watched')
INSERT INTO Watched
SELECT t.symbol, w.note, t.price
FROM Trades AS t JOIN Watchlist AS w ON w.symbol = t.symbol;
@info(name = 'spike')
INSERT INTO Spikes
SELECT a.symbol, a.price AS before, b.price AS after
FROM PATTERN (every a=Trades -> b=Trades[symbol = a.symbol AND price > a.price * 1.1]);
$$);

-- the plan of every query, with the hints the plan alone gives
SELECT * FROM siddhi.explain('trade_watch');

-- some trades, then the live counters of two queries
INSERT INTO companies VALUES ('ACME', 'Acme Corp'), ('INIT', 'Initech');
INSERT INTO watchlist VALUES ('ACME', 'earnings on friday');
SET siddhi.event_time = 1000;
INSERT INTO trades VALUES ('ACME', 100, 5000), ('INIT', 20, 200),
  ('ACME', 104, 3000), ('HOOLI', 50, 9000);
SET siddhi.event_time = 2000;
INSERT INTO trades VALUES ('ACME', 115, 4000);
RESET siddhi.event_time;
SELECT siddhi.flush();
-- each operator's events in and out, the state the query holds and its
-- time per event (one event in 256 is timed); the time and the bytes vary
-- from run to run, so this example masks them
SELECT regexp_replace(p, '(Time per Event|State Bytes): .*', '\1: (varies)')
    AS "QUERY PLAN" FROM siddhi.explain('trade_watch', 'spike', "analyze" => true) p;
SELECT regexp_replace(p, '(Time per Event|State Bytes): .*', '\1: (varies)')
    AS "QUERY PLAN" FROM siddhi.explain('trade_watch', 'watched', "analyze" => true) p;

-- acting on a hint: an index on the join's key; once the table is big
-- enough for the planner to prefer it (and analysed), the lookup takes it
CREATE INDEX watchlist_symbol ON watchlist (symbol);
SELECT * FROM siddhi.explain('trade_watch', 'watched');
INSERT INTO watchlist SELECT 'S' || i, 'other' FROM generate_series(1, 5000) i;
ANALYZE watchlist;
SELECT * FROM siddhi.explain('trade_watch', 'watched');

-- for tools: the same plans as JSON, here each query's top operator and
-- its hints
SELECT q->>'Query Name' AS query, q->'Plan'->>'Node Type' AS output,
       q->'Hint' AS hints
  FROM json_array_elements(
         (SELECT * FROM siddhi.explain('trade_watch', format => 'json'))::json) q;

SELECT siddhi.undeploy('trade_watch', drop_tables => true);
RESET search_path;
DROP SCHEMA explain39;
