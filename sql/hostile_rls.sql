-- Hostile: row-level security.  The engine writes rows and probes tables
-- without the rewriter, so no policy would apply to what an app reads or
-- writes: an app may not use a table whose policies apply to its owner,
-- at deploy, at load, or once its table's owner turns them on.
CREATE ROLE rl_alice LOGIN;
CREATE ROLE rl_bob LOGIN;
CREATE SCHEMA rl_a AUTHORIZATION rl_alice;
CREATE SCHEMA rl_b AUTHORIZATION rl_bob;
GRANT USAGE ON SCHEMA rl_a TO rl_bob;

-- alice's ledger: bob may read and add only his own rows
SET ROLE rl_alice;
CREATE TABLE rl_a.ledger (who text, amount int);
ALTER TABLE rl_a.ledger ENABLE ROW LEVEL SECURITY;
CREATE POLICY mine ON rl_a.ledger USING (who = current_user)
    WITH CHECK (who = current_user);
GRANT SELECT, INSERT ON rl_a.ledger TO rl_bob;
INSERT INTO rl_a.ledger VALUES ('rl_alice', 100), ('rl_bob', 1);
-- and a table without policies, yet
CREATE TABLE rl_a.board (who text, amount int);
GRANT SELECT, INSERT ON rl_a.board TO rl_bob;

-- bob sees his row only
SET ROLE rl_bob;
SELECT * FROM rl_a.ledger;
SET search_path = rl_b, rl_a;
-- an app that would read every row of the ledger through a join: refused
SELECT siddhi.deploy('rl_peek', $$
  define stream Probe (who string);
  define table Ledger (who string, amount int);
  define table Seen (who string, amount int);
  from Probe join Ledger on Ledger.who != Probe.who
  select Ledger.who, Ledger.amount insert into Seen;
$$);
-- an app that would write rows the policy refuses: refused
SELECT siddhi.deploy('rl_forge', $$
  define stream Forge (who string, amount int);
  define table Ledger (who string, amount int);
  from Forge select who, amount insert into Ledger;
$$);
-- the same in the SQL dialect, through a membership probe
SELECT siddhi.deploy('rl_in', $$
  CREATE STREAM Probe (who text);
  CREATE TABLE Ledger (who text, amount int);
  CREATE STREAM Hits (who text);
  INSERT INTO Hits SELECT who FROM Probe
   WHERE EXISTS (SELECT 1 FROM Ledger WHERE Ledger.who = Probe.who);
$$);
SELECT count(*) AS bob_apps FROM siddhi.apps;

-- a table without policies is fine, until its owner turns them on
SELECT siddhi.deploy('rl_board', $$
  define stream Post (who string, amount int);
  define table Board (who string, amount int);
  from Post select who, amount insert into Board;
$$);
RESET ROLE;
SELECT public.wait_app('rl_board');
INSERT INTO rl_b.post VALUES ('rl_bob', 5);
SELECT siddhi.flush();
SET ROLE rl_alice;
ALTER TABLE rl_a.board ENABLE ROW LEVEL SECURITY;
RESET ROLE;
INSERT INTO rl_b.post VALUES ('rl_alice', 999);
SELECT siddhi.flush();
SELECT * FROM rl_a.board ORDER BY amount;
SELECT state, error FROM siddhi.apps WHERE name = 'rl_board';

-- the table's owner is not subject to her own policies (not FORCEd): her
-- app may use the ledger
SET ROLE rl_alice;
SET search_path = rl_a;
SELECT siddhi.deploy('rl_own', $$
  define stream Pay (who string, amount int);
  define table Ledger (who string, amount int);
  from Pay select who, amount insert into Ledger;
$$);
RESET ROLE;
SELECT public.wait_app('rl_own');
INSERT INTO rl_a.pay VALUES ('rl_carol', 7);
SELECT siddhi.flush();
SELECT * FROM rl_a.ledger ORDER BY amount;

SET ROLE rl_alice;
SELECT siddhi.undeploy('rl_own', drop_tables => false);
SET ROLE rl_bob;
SELECT siddhi.undeploy('rl_board', drop_tables => false);
RESET ROLE;
RESET search_path;
DROP SCHEMA rl_a CASCADE;
DROP SCHEMA rl_b CASCADE;
DROP ROLE rl_alice;
DROP ROLE rl_bob;
