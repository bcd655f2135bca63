-- Durable streams and synchronous commit (issue 15; no roadmap block
-- declares stream durability, the roadmap's "zero data loss" success
-- criterion is what it serves, so nothing was adapted): payments go into
-- a durable stream, whose committed events the engine processes exactly
-- once even through a crash, and with siddhi.synchronous_commit on, each
-- COMMIT returns once the engine has committed its results, so the
-- SELECTs after it read them with no siddhi.flush().
CREATE EXTENSION IF NOT EXISTS siddhi;
CREATE SCHEMA durable40;
SET search_path = durable40;

SELECT siddhi.deploy('payments40', $$
  CREATE STREAM Payments (id BIGINT, account TEXT, amount NUMERIC)
    WITH (durable = true);
  CREATE TABLE Large (id BIGINT, account TEXT, amount NUMERIC);
  INSERT INTO Large SELECT id, account, amount FROM Payments
   WHERE amount >= 1000;
$$);
SELECT c.relname, f.ftoptions FROM pg_foreign_table f
  JOIN pg_class c ON c.oid = f.ftrelid
 WHERE c.relname = 'payments' AND c.relnamespace = 'durable40'::regnamespace;

SET siddhi.synchronous_commit = on;
INSERT INTO payments VALUES (1, 'acme', 250), (2, 'acme', 4000);
SELECT * FROM large ORDER BY id;

BEGIN;
INSERT INTO payments VALUES (3, 'globex', 1200);
COPY payments FROM STDIN (FORMAT csv);
4,initech,15
5,initech,99000
\.
COMMIT;
SELECT * FROM large ORDER BY id;

-- nothing waits in the staging table once processed
SELECT transactions, pieces FROM siddhi.durable_backlog;
RESET siddhi.synchronous_commit;
SELECT siddhi.undeploy('payments40', drop_tables => true);
RESET search_path;
DROP SCHEMA durable40;
