-- An app acts with its owner's rights.
CREATE ROLE siddhi_alice LOGIN;
CREATE ROLE siddhi_bob LOGIN;
CREATE SCHEMA alice AUTHORIZATION siddhi_alice;
CREATE TABLE secret (id int, v text);
SET ROLE siddhi_alice;
SET search_path = alice, public;
-- alice may deploy on what she owns
SELECT siddhi.deploy('alice_app', $$
  define stream AliceIn (id int, v string);
  define table AliceOut (id int, v string);
  from AliceIn select id, v insert into AliceOut;
$$);
-- but not write a table she may not write
SELECT siddhi.deploy('alice_bad', $$
  define stream AliceIn2 (id int, v string);
  define table Secret (id int, v string);
  from AliceIn2 select id, v insert into Secret;
$$);
RESET ROLE;
SELECT wait_app('alice_app');
SELECT owner FROM siddhi.apps WHERE name = 'alice_app';
SET ROLE siddhi_alice;
SET search_path = alice, public;
INSERT INTO aliceout VALUES (0, 'direct');
INSERT INTO alicein VALUES (1, 'via app');
SELECT wait_for('SELECT count(*) FROM aliceout', 2);
SELECT * FROM aliceout ORDER BY id;
RESET ROLE;
-- bob may not feed alice's stream, nor remove her app
GRANT USAGE ON SCHEMA alice TO siddhi_bob;
SET ROLE siddhi_bob;
INSERT INTO alice.alicein VALUES (2, 'bob');
SELECT siddhi.undeploy('alice_app');
SELECT siddhi.deploy('alice_app', 'define stream X (a int);', replace => true);
RESET ROLE;
-- until she grants it
SET ROLE siddhi_alice;
GRANT INSERT ON alice.alicein TO siddhi_bob;
SET ROLE siddhi_bob;
INSERT INTO alice.alicein VALUES (3, 'bob, granted');
RESET ROLE;
SELECT wait_for('SELECT count(*) FROM alice.aliceout', 3);
SELECT * FROM alice.aliceout ORDER BY id;
-- privileges are checked as the app writes: once alice may no longer
-- insert into her table, neither may her app
SET ROLE siddhi_alice;
REVOKE INSERT ON alice.aliceout FROM siddhi_alice;
INSERT INTO alice.alicein VALUES (4, 'after revoke');
SELECT siddhi.flush();
SELECT count(*) FROM alice.aliceout;
-- (the engine sees the REVOKE and reloads the app, whose analysis now
-- fails: it stops with the reason)
SELECT wait_for($$SELECT count(*) FROM siddhi.apps
                  WHERE name = 'alice_app' AND state = 'failed'$$, 1);
SELECT state, error FROM siddhi.apps WHERE name = 'alice_app';
RESET ROLE;
-- the catalog is read-only to users
SET ROLE siddhi_bob;
DELETE FROM siddhi.app;
RESET ROLE;
SET ROLE siddhi_alice;
SELECT siddhi.undeploy('alice_app', drop_tables => true);
RESET ROLE;
DROP SCHEMA alice;
DROP TABLE secret;
DROP ROLE siddhi_alice;
DROP ROLE siddhi_bob;
