-- Roadmap block 10 ("PostgreSQL CDC source"): changes of an ordinary
-- table of this database flow into streams; queries follow customers
-- moving between tiers and count the changes, without touching the
-- application that writes the table.  What was adapted, and why:
--  * the source reads the database it is deployed in, so the roadmap's
--    host, database, username and password have no meaning (they are
--    refused as unknown options): no connection is made, the engine
--    decodes the WAL itself;
--  * changes arrive as rows, not as JSON: no MAP (type = 'json');
--  * CREATE SOURCE lists the columns it wants (op, columns, before_
--    columns of the old row); CREATE STREAM .. FROM TABLE takes them all
--    from the table.
-- The table needs REPLICA IDENTITY FULL for the old rows (before_), and
-- the server wal_level = logical.
CREATE EXTENSION IF NOT EXISTS siddhi;
CREATE SCHEMA roadmap10cdc;
SET search_path = roadmap10cdc;

CREATE TABLE customer_profiles (
    customer_id text PRIMARY KEY,
    name text,
    tier text,
    total_spent double precision
);
ALTER TABLE customer_profiles REPLICA IDENTITY FULL;

SELECT siddhi.deploy('customer_updates', $$
-- PostgreSQL CDC source
CREATE SOURCE CustomerUpdates (op TEXT, customer_id TEXT, tier TEXT,
                               before_tier TEXT)
WITH (type = 'postgresql', mode = 'CDC', table = 'customer_profiles');

-- every change, every column (and before_<column>)
CREATE STREAM ProfileChanges FROM TABLE customer_profiles
WITH (operations = 'insert,update,delete');

CREATE TABLE TierMoves (customer_id TEXT, from_tier TEXT, to_tier TEXT);
INSERT INTO TierMoves
SELECT customer_id, before_tier, tier
FROM CustomerUpdates
WHERE op = 'update' AND tier <> before_tier;

CREATE TABLE Spent (customer_id TEXT, spent DOUBLE PRECISION);
INSERT INTO Spent
SELECT customer_id, total_spent - coalesce(before_total_spent, 0.0) AS spent
FROM ProfileChanges
WHERE op <> 'delete';
$$);

-- the sources start once their replication slots are consistent
DO $$
BEGIN
  FOR i IN 1..300 LOOP
    EXIT WHEN (SELECT count(*) FROM siddhi.sources
                WHERE app = 'customer_updates' AND state = 'running') = 2;
    PERFORM pg_sleep(0.1);
  END LOOP;
END
$$;
SELECT stream, type, state FROM siddhi.sources
 WHERE app = 'customer_updates' ORDER BY stream;

-- the application goes on as before
INSERT INTO customer_profiles VALUES
    ('c1', 'Ada', 'SILVER', 120.0), ('c2', 'Bo', 'BRONZE', 40.0);
UPDATE customer_profiles SET tier = 'GOLD', total_spent = 980.0
 WHERE customer_id = 'c1';
UPDATE customer_profiles SET total_spent = 55.0 WHERE customer_id = 'c2';
DELETE FROM customer_profiles WHERE customer_id = 'c2';

DO $$
BEGIN
  FOR i IN 1..300 LOOP
    EXIT WHEN (SELECT count(*) FROM spent) >= 4
          AND (SELECT count(*) FROM tiermoves) >= 1;
    PERFORM pg_sleep(0.1);
  END LOOP;
END
$$;
SELECT * FROM tiermoves;
SELECT customer_id, sum(spent) AS spent FROM spent
 GROUP BY customer_id ORDER BY customer_id;

SELECT siddhi.undeploy('customer_updates', drop_tables => true);
DROP SCHEMA roadmap10cdc CASCADE;
