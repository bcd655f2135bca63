-- deploy, redeploy, replace, undeploy; failures stay inside one query;
-- events of aborted transactions are never processed.
SELECT siddhi.deploy('life', $$
  define stream LifeIn (k string, v int);
  define table LifeOut (k string, v int);
  from LifeIn select k, v insert into LifeOut;
$$);
SELECT wait_app('life');
SELECT siddhi.deploy('life', 'define stream Other (a int);');
SELECT siddhi.undeploy('nosuchapp');

-- transactions: only committed events count
INSERT INTO lifein VALUES ('committed1', 1);
BEGIN;
INSERT INTO lifein VALUES ('rolled back', 2);
ROLLBACK;
BEGIN;
INSERT INTO lifein VALUES ('committed2', 3);
SAVEPOINT sp;
INSERT INTO lifein VALUES ('savepoint rolled back', 4);
ROLLBACK TO sp;
INSERT INTO lifein VALUES ('committed3', 5);
COMMIT;
BEGIN;
INSERT INTO lifein SELECT 'big rollback', i FROM generate_series(1, 20000) i;
ROLLBACK;
INSERT INTO lifein VALUES ('sentinel', 6);
SELECT wait_for('SELECT count(*) FROM lifeout WHERE k = ''sentinel''', 1);
SELECT * FROM lifeout ORDER BY v;

-- a large committed transaction arrives whole
INSERT INTO lifein SELECT 'bulk', i FROM generate_series(1, 50000) i;
SELECT wait_for('SELECT count(*) FROM lifeout WHERE k = ''bulk''', 50000);
SELECT count(*), sum(v) FROM lifeout WHERE k = 'bulk';

-- replace keeps the table and its rows
SELECT siddhi.deploy('life', $$
  define stream LifeIn (k string, v int);
  define table LifeOut (k string, v int);
  from LifeIn[v > 100] select k, v * 2 as v insert into LifeOut;
$$, replace => true);
SELECT wait_app('life');
INSERT INTO lifein VALUES ('small', 1), ('large', 500);
SELECT wait_for('SELECT count(*) FROM lifeout WHERE k = ''large''', 1);
SELECT * FROM lifeout WHERE k IN ('small', 'large');

-- SiddhiQL's / gives null for a zero divisor (as Siddhi's); PostgreSQL's,
-- through a function, still fails: the error this test needs
CREATE OR REPLACE FUNCTION div_or_fail(a int, b int) RETURNS int
  LANGUAGE sql IMMUTABLE AS 'SELECT a / b';
-- a failing query is counted, logged and skipped; its neighbours go on
SELECT siddhi.deploy('fragile', $$
  define stream Divide (name string, a int, b int);
  define table Quotients (name string, q int);
  define table Seen (name string);
  @info(name = 'divide') from Divide select name, div_or_fail(a, b) as q insert into Quotients;
  @info(name = 'seen') from Divide select name insert into Seen;
$$);
SELECT wait_app('fragile');
INSERT INTO divide VALUES ('ok1', 10, 2), ('zero', 1, 0), ('ok2', 9, 3);
SELECT wait_for('SELECT count(*) FROM seen', 3);
SELECT wait_for('SELECT count(*) FROM quotients', 2);
SELECT * FROM quotients ORDER BY name;
SELECT * FROM seen ORDER BY name;
SELECT query, events_in, events_out, errors, last_error
  FROM siddhi.queries WHERE app = 'fragile' ORDER BY query;

-- a table constraint violation skips that row only
SELECT siddhi.deploy('keys', $$
  define stream KeyIn (id int, v string);
  @PrimaryKey('id')
  define table Keyed (id int, v string);
  from KeyIn select id, v insert into Keyed;
$$);
SELECT wait_app('keys');
INSERT INTO keyin VALUES (1, 'one'), (1, 'duplicate'), (2, 'two');
SELECT wait_for('SELECT count(*) FROM keyed', 2);
INSERT INTO keyin VALUES (3, 'three');
SELECT wait_for('SELECT count(*) FROM keyed', 3);
SELECT * FROM keyed ORDER BY id;
SELECT errors FROM siddhi.queries WHERE app = 'keys';

-- two queries that feed each other loop; the chain is cut and counted
SELECT siddhi.deploy('loop', $$
  define stream Ping (n int);
  define stream Pong (n int);
  @info(name = 'ping') from Ping select n + 1 as n insert into Pong;
  @info(name = 'pong') from Pong select n + 1 as n insert into Ping;
$$);
INSERT INTO ping VALUES (0);
SELECT siddhi.flush();
SELECT query, errors > 0 AS cut, last_error
  FROM siddhi.queries WHERE app = 'loop' AND errors > 0;
SELECT siddhi.undeploy('loop');

-- undeploy drops the streams it created; tables only when asked
SELECT siddhi.undeploy('life');
SELECT to_regclass('lifein') IS NULL AS stream_dropped,
       to_regclass('lifeout') IS NOT NULL AS table_kept;
SELECT siddhi.undeploy('keys', drop_tables => true);
SELECT to_regclass('keyin') IS NULL, to_regclass('keyed') IS NULL;
SELECT name FROM siddhi.apps WHERE name IN ('life', 'keys', 'fragile', 'loop') ORDER BY name;
