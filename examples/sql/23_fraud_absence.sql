-- The roadmap's M9 pattern blocks 5 and 6 (docs/sql-dialect.md, Patterns):
--   block 5, a purchase with no login before it, and
--   block 6, three to five failed logins followed by a successful one.
-- Adapted, and why:
--   * block 5 names its purchase `p` (p=purchase): the roadmap's select
--     reads p.userId, but nothing in its pattern is called p.
--   * `NOT login -> p=purchase` without FOR means what Siddhi's
--     `not login and p=purchase` means: a purchase with no login before
--     it (since the pattern started; `every` re-arms it after each match).
--     WITHIN bounds a match, it does not make it "no login in the last
--     5 minutes".
--   * block 6 selects successLogin.userId: both streams have a userId,
--     and SQL refuses an ambiguous column as PostgreSQL does.
CREATE EXTENSION IF NOT EXISTS siddhi;

SELECT siddhi.deploy('fraud_absence', $$
  @app:playback
  CREATE STREAM login (ts BIGINT, userId INT) WITH (event_time = 'ts');
  CREATE STREAM purchase (ts BIGINT, userId INT, amount INT) WITH (event_time = 'ts');
  CREATE STREAM failedLogin (ts BIGINT, userId INT) WITH (event_time = 'ts');
  CREATE STREAM successLogin (ts BIGINT, userId INT) WITH (event_time = 'ts');
  CREATE TABLE NoLogin (userId INT, amount INT);
  CREATE TABLE BruteForce (userId INT, attempts INT);

  -- block 5
  INSERT INTO NoLogin
  SELECT p.userId, p.amount
  FROM PATTERN (
      NOT login -> p=purchase
      WITHIN 5 minutes
  )
  WHERE p.amount > 1000;

  -- the same, checked at every purchase
  INSERT INTO NoLogin
  SELECT p.userId, p.amount
  FROM PATTERN ( every (NOT login -> p=purchase) WITHIN 5 minutes )
  WHERE p.amount > 1000;

  -- block 6
  INSERT INTO BruteForce
  SELECT successLogin.userId, 0 AS attempts
  FROM PATTERN (
      failedLogin<3:5> -> successLogin
      WITHIN 10 minutes
  );
$$);

-- a 20 purchase (too small), a 5000 one, then a login and a 3000 purchase
INSERT INTO purchase VALUES (1000, 1, 20), (2000, 2, 5000);
INSERT INTO login VALUES (3000, 3);
INSERT INTO purchase VALUES (4000, 3, 3000);
-- four failures, then a success, within 10 minutes
INSERT INTO failedlogin VALUES (10000, 9), (20000, 9), (30000, 9), (40000, 9);
INSERT INTO successlogin VALUES (50000, 9);
SELECT siddhi.flush();
-- block 5 without every took the first purchase (20, filtered out by
-- WHERE) and stopped; with every, the 5000 purchase had no login before it
SELECT * FROM nologin ORDER BY userid;
SELECT * FROM bruteforce;
-- free the names for the next example
SELECT siddhi.undeploy('fraud_absence', drop_tables => true);
