-- Roadmap block 18 ("Create queryable table", "On-demand query via API")
-- and the query of block 21 ("REST API for on-demand queries").
-- The CREATE TABLE runs as written: it is an ordinary heap table with its
-- primary key.  What was adapted, and why:
--  * the roadmap shows no way rows get into the table: a stream of
--    purchases keeps it up to date here (INSERT .. ON CONFLICT, Siddhi's
--    update or insert into);
--  * there is no HTTP API of our own: GET /query/table/CustomerProfiles
--    ?filter=tier=='GOLD'&limit=100 is the on-demand query
--    siddhi.query(app, 'from CustomerProfiles on tier == "GOLD" select *
--    limit 100'), or plain SQL over the table; over HTTP, PostgREST serves
--    the same table (docs/rest.md);
--  * block 21's POST /api/query with
--    "SELECT * FROM LastHourTrades.find(symbol == 'AAPL') LIMIT 10" is the
--    same call on a named window (siddhi.query(app, 'from LastHourTrades on
--    symbol == "AAPL" select * limit 10')), shown on a window of the app;
--    its WebSocket stream of results is siddhi.subscribe() and
--    siddhi.poll() (example 07).
CREATE EXTENSION IF NOT EXISTS siddhi;
CREATE SCHEMA roadmap18;
SET search_path = roadmap18;

SELECT siddhi.deploy('customer_profiles', $$
-- Create queryable table
CREATE TABLE CustomerProfiles (
    customerId STRING PRIMARY KEY,
    name STRING,
    tier STRING,
    totalSpent DOUBLE
);

-- what keeps it up to date (not in the roadmap)
CREATE STREAM Purchases (customerId STRING, name STRING, amount DOUBLE);
INSERT INTO CustomerProfiles
SELECT customerId, name,
       CASE WHEN amount >= 1000 THEN 'GOLD' ELSE 'SILVER' END AS tier,
       amount AS totalSpent
FROM Purchases
ON CONFLICT (customerId) DO UPDATE
SET name = EXCLUDED.name,
    totalSpent = totalSpent + EXCLUDED.totalSpent,
    tier = CASE WHEN totalSpent + EXCLUDED.totalSpent >= 1000
                THEN 'GOLD' ELSE 'SILVER' END;

-- block 21's window: the trades of the last hour
CREATE STREAM TradeStream (symbol STRING, price DOUBLE, volume LONG);
CREATE WINDOW LastHourTrades (symbol STRING, price DOUBLE, volume LONG)
    SLIDING(1 hour);
INSERT INTO LastHourTrades SELECT * FROM TradeStream;
$$);
\d customerprofiles

INSERT INTO purchases VALUES ('c1', 'Ann', 700), ('c2', 'Bob', 120),
  ('c3', 'Chen', 2500), ('c1', 'Ann', 450), ('c4', 'Dee', 999);
INSERT INTO tradestream VALUES ('AAPL', 190, 100), ('MSFT', 410, 50),
  ('AAPL', 191, 300);
SELECT siddhi.flush();

-- GET /query/table/CustomerProfiles?filter=tier=='GOLD'&limit=100
-- (order by added: without it the rows come in the table's own order)
SELECT event FROM siddhi.query('customer_profiles',
  'from CustomerProfiles on tier == "GOLD" select * order by customerId limit 100');
-- the same in plain SQL: the table is a table
SELECT * FROM customerprofiles WHERE tier = 'GOLD' ORDER BY customerid LIMIT 100;

-- block 21: SELECT * FROM LastHourTrades.find(symbol == 'AAPL') LIMIT 10
SELECT event FROM siddhi.query('customer_profiles',
  'from LastHourTrades on symbol == "AAPL" select * limit 10');
SELECT siddhi.undeploy('customer_profiles');
RESET search_path;
