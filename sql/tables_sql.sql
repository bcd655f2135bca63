-- The streaming SQL spellings of table operations: DELETE .. USING,
-- UPDATE .. FROM, INSERT .. ON CONFLICT DO UPDATE and EXISTS / IN
-- subqueries, the same operations as SiddhiQL's delete, update, update or
-- insert into and `cond in T` (tables.sql), run the same way.
SELECT siddhi.deploy('tsql_ops', $$
  CREATE STREAM TsTrades (symbol TEXT, price FLOAT8, volume BIGINT);
  CREATE STREAM TsDeletes (symbol TEXT);
  CREATE STREAM TsUpdates (symbol TEXT, price FLOAT8);
  CREATE STREAM TsUpserts (sym TEXT, p FLOAT8, v BIGINT);
  CREATE TABLE TsStock (symbol TEXT PRIMARY KEY, price FLOAT8, volume BIGINT);
  INSERT INTO TsStock SELECT * FROM TsTrades;
  DELETE FROM TsStock USING TsDeletes AS d WHERE TsStock.symbol = d.symbol;
  UPDATE TsStock AS t SET price = u.price * 2 FROM TsUpdates AS u
    WHERE t.symbol = u.symbol AND u.price > 0;
  INSERT INTO TsStock SELECT sym, p, v FROM TsUpserts
    ON CONFLICT (symbol) DO UPDATE
    SET price = EXCLUDED.price, volume = volume + EXCLUDED.volume;
$$);
INSERT INTO tstrades VALUES ('A', 10, 100), ('B', 20, 200), ('C', 30, 300);
SELECT siddhi.flush();
INSERT INTO tsdeletes VALUES ('B');
-- A doubled; Z matches nothing; a price of 0 fails the WHERE
INSERT INTO tsupdates VALUES ('A', 11), ('Z', 99), ('C', 0);
SELECT siddhi.flush();
SELECT * FROM tsstock ORDER BY symbol;
-- upsert: C exists (price replaced, volume added), D does not (inserted,
-- then updated by the next event of the same batch)
INSERT INTO tsupserts VALUES ('C', 31, 1), ('D', 40, 400), ('D', 41, 1);
SELECT siddhi.flush();
SELECT * FROM tsstock ORDER BY symbol;

-- membership: EXISTS, NOT EXISTS, IN (SELECT ..), with windows after it
SELECT siddhi.deploy('tsql_member', $$
  CREATE STREAM TsOrders (symbol TEXT, qty INT);
  CREATE TABLE TsStock (symbol TEXT PRIMARY KEY, price FLOAT8, volume BIGINT);
  INSERT INTO TsKnown SELECT symbol, qty FROM TsOrders AS o
    WHERE EXISTS (SELECT 1 FROM TsStock AS s WHERE s.symbol = o.symbol);
  INSERT INTO TsUnknown SELECT symbol, qty FROM TsOrders
    WHERE NOT EXISTS (SELECT 1 FROM TsStock WHERE TsStock.symbol = TsOrders.symbol)
      AND qty > 0;
  INSERT INTO TsCheap SELECT symbol, qty FROM TsOrders
    WHERE symbol IN (SELECT symbol FROM TsStock WHERE price < 50);
$$);
SELECT siddhi.subscribe(s) FROM unnest(ARRAY['tsknown', 'tsunknown', 'tscheap']) s;
INSERT INTO tsorders VALUES ('A', 1), ('C', 2), ('Q', 3), ('Q', 0), ('D', 4);
SELECT siddhi.flush();
SELECT s AS stream, p.event
  FROM unnest(ARRAY['tsknown', 'tsunknown', 'tscheap'])
       WITH ORDINALITY AS u(s, o),
       LATERAL siddhi.poll(s, 100, 0) p
 ORDER BY o, p.seq;
SELECT siddhi.undeploy('tsql_member');
SELECT siddhi.undeploy('tsql_ops');

-- the same app in both dialects deploys to the same plan
SELECT siddhi.deploy('tsql_upd_siddhiql', $$
  define stream TsU2 (symbol string, price double);
  define table TsStock (symbol string, price double, volume long);
  from TsU2 update TsStock set TsStock.price = price on TsStock.symbol == symbol;
$$);
SELECT siddhi.undeploy('tsql_upd_siddhiql');

-- errors
SELECT siddhi.deploy('tsql_bad', $$
  CREATE STREAM TsB (symbol TEXT);
  DELETE FROM TsStock USING TsB;
$$);
SELECT siddhi.deploy('tsql_bad', $$
  CREATE STREAM TsB (symbol TEXT);
  DELETE FROM TsStock WHERE symbol = 'A';
$$);
SELECT siddhi.deploy('tsql_bad', $$
  CREATE STREAM TsB (symbol TEXT);
  UPDATE TsStock SET price = 1 FROM TsB WHERE TsStock.symbol = TsB.symbol
    RETURNING price;
$$);
SELECT siddhi.deploy('tsql_bad', $$
  CREATE STREAM TsB (symbol TEXT, price FLOAT8, volume BIGINT);
  INSERT INTO TsStock SELECT * FROM TsB ON CONFLICT (symbol) DO NOTHING;
$$);
SELECT siddhi.deploy('tsql_bad', $$
  CREATE STREAM TsB (symbol TEXT, price FLOAT8, volume BIGINT);
  INSERT INTO TsStock SELECT * FROM TsB ON CONFLICT ON CONSTRAINT tsstock_pkey
    DO UPDATE SET price = 1;
$$);
SELECT siddhi.deploy('tsql_bad', $$
  CREATE STREAM TsB (symbol TEXT, price FLOAT8, volume BIGINT);
  CREATE TABLE TsStock (symbol TEXT PRIMARY KEY, price FLOAT8, volume BIGINT);
  INSERT INTO TsStock SELECT * FROM TsB ON CONFLICT (symbol)
    DO UPDATE SET price = EXCLUDED.nope;
$$);
SELECT siddhi.deploy('tsql_bad', $$
  CREATE STREAM TsB (symbol TEXT, price FLOAT8);
  CREATE TABLE TsStock (symbol TEXT PRIMARY KEY, price FLOAT8, volume BIGINT);
  INSERT INTO TsStock SELECT * FROM TsB ON CONFLICT (symbol)
    DO UPDATE SET price = EXCLUDED.price;
$$);
SELECT siddhi.deploy('tsql_bad', $$
  CREATE STREAM TsB (symbol TEXT);
  INSERT INTO TsOut SELECT symbol FROM TsB
    WHERE symbol IN (SELECT symbol FROM TsStock GROUP BY symbol);
$$);
SELECT siddhi.deploy('tsql_bad', $$
  CREATE STREAM TsB (symbol TEXT);
  INSERT INTO TsOut SELECT symbol FROM TsB
    WHERE symbol = ANY (SELECT symbol FROM TsStock) OR symbol > ALL (SELECT symbol FROM TsStock);
$$);
SELECT siddhi.deploy('tsql_bad', $$
  CREATE STREAM TsB (symbol TEXT);
  UPDATE TsB SET symbol = 'x' FROM TsB AS b WHERE TsB.symbol = b.symbol;
$$);
-- an app that starts with DELETE is streaming SQL (its stream exists)
CREATE TABLE ts_plain (symbol text);
SELECT siddhi.deploy('tsql_bad', $$
  DELETE FROM TsStock USING ts_plain WHERE TsStock.symbol = ts_plain.symbol;
$$);
DROP TABLE ts_plain;
SELECT count(*) FROM siddhi.apps WHERE name = 'tsql_bad';
DROP TABLE tsstock;
