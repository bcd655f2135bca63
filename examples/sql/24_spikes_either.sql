-- The roadmap's M9 pattern blocks 7 and 8 (docs/sql-dialect.md, Patterns):
--   block 7, every normal price followed by a spike above it, and
--   block 8, either of two sub-patterns: (A -> B) OR (C -> D).
-- Adapted, and why:
--   * block 7 compares with normalPrice.price: the roadmap writes
--     `price > normalPrice * 1.1`, a stream used as a number; and it
--     selects spike.symbol, as both streams have a symbol (SQL refuses an
--     ambiguous column).
--   * block 8 selects coalesce(accountLocked.userId, unauthorizedAccess.userId):
--     the OR compiles into one query per alternative, both inserting into
--     Alerts, and in each the other alternative's states read NULL; a bare
--     userId would be ambiguous within each alternative.
CREATE EXTENSION IF NOT EXISTS siddhi;
-- a schema of its own: earlier examples made other StockStreams and Alerts
CREATE SCHEMA ex24;
SET search_path = ex24;

SELECT siddhi.deploy('spikes_either', $$
  @app:playback
  CREATE STREAM normalPrice (ts BIGINT, symbol TEXT, price DOUBLE PRECISION) WITH (event_time = 'ts');
  CREATE STREAM spike (ts BIGINT, symbol TEXT, price DOUBLE PRECISION, spike_price DOUBLE PRECISION) WITH (event_time = 'ts');
  CREATE STREAM loginFailed (ts BIGINT, userId INT) WITH (event_time = 'ts');
  CREATE STREAM accountLocked (ts BIGINT, userId INT) WITH (event_time = 'ts');
  CREATE STREAM suspiciousIP (ts BIGINT, userId INT) WITH (event_time = 'ts');
  CREATE STREAM unauthorizedAccess (ts BIGINT, userId INT) WITH (event_time = 'ts');
  CREATE TABLE Spikes (symbol TEXT, spike_price DOUBLE PRECISION);
  CREATE TABLE Alerts (userId INT, via TEXT);

  -- block 7
  INSERT INTO Spikes
  SELECT spike.symbol, spike_price
  FROM PATTERN (
      every (
          normalPrice -> spike[price > normalPrice.price * 1.1]
      )
  );

  -- block 8
  @info(name = 'either')
  INSERT INTO Alerts
  SELECT coalesce(accountLocked.userId, unauthorizedAccess.userId) AS userId,
         CASE WHEN accountLocked.userId IS NOT NULL THEN 'locked' ELSE 'access' END AS via
  FROM PATTERN (
      (loginFailed<3:> -> accountLocked)
      OR
      (suspiciousIP -> unauthorizedAccess)
  );
$$);
-- block 8 is two queries, either and either_2
SELECT siddhi.flush(); -- the worker has started the app
SELECT query FROM siddhi.queries WHERE app = 'spikes_either' ORDER BY query;

INSERT INTO normalprice VALUES (1000, 'ACME', 100);
INSERT INTO spike VALUES (2000, 'ACME', 105, 105), (3000, 'ACME', 120, 120);
INSERT INTO normalprice VALUES (4000, 'ACME', 200);
INSERT INTO spike VALUES (5000, 'ACME', 230, 230);
INSERT INTO suspiciousip VALUES (6000, 5);
INSERT INTO loginfailed VALUES (7000, 7), (8000, 7), (9000, 7);
INSERT INTO unauthorizedaccess VALUES (10000, 5);
INSERT INTO accountlocked VALUES (11000, 7);
SELECT siddhi.flush();
-- 105 is not 10% above 100; 120 is; 230 is above 200 * 1.1
SELECT * FROM spikes ORDER BY spike_price;
SELECT * FROM alerts ORDER BY userid;
-- free the names for the next example
SELECT siddhi.undeploy('spikes_either', drop_tables => true);
