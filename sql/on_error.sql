-- @OnError(action = ..) for records a source cannot map
-- (src/connectors/source_error.c).  The malformed records are passThrough
-- bytes of another row type: stream Wrong (name string) publishes to the
-- topic its source reads as (id int, v string); the good ones come from
-- Right, interleaved with them in one transaction, so that the bad ones
-- and the good ones share the source's batch.

-- LOG (the default): logged, counted; the good records of the batch go on
SELECT siddhi.deploy('oe_log', $$
  @sink(type = 'inMemory', topic = 'oe_log') define stream RightL (id int, v string);
  @sink(type = 'inMemory', topic = 'oe_log') define stream WrongL (name string);
  @OnError(action = 'LOG')
  @source(type = 'inMemory', topic = 'oe_log') define stream InL (id int, v string);
  define table OutL (id int, v string);
  from InL select id, v insert into OutL;
$$);
SELECT wait_app('oe_log');
BEGIN;
INSERT INTO rightl VALUES (1, 'a');
INSERT INTO wrongl VALUES ('bad 1');
INSERT INTO rightl VALUES (2, 'b');
INSERT INTO wrongl VALUES ('bad 2');
INSERT INTO rightl VALUES (3, 'c');
COMMIT;
SELECT wait_for('SELECT count(*) FROM outl', 3);
SELECT * FROM outl ORDER BY id;
SELECT source, on_error, records_in, events_out, errors, last_error
  FROM siddhi.sources WHERE app = 'oe_log';
-- a batch of good records only takes the fast path
INSERT INTO rightl SELECT g, 'x' FROM generate_series(4, 1003) g;
SELECT wait_for('SELECT count(*) FROM outl', 1003);
SELECT count(*), count(DISTINCT id) FROM outl;
SELECT records_in, events_out, errors FROM siddhi.sources WHERE app = 'oe_log';

-- STREAM: into the fault stream !S (S's attributes null, _error)
SELECT siddhi.deploy('oe_stream', $$
  @sink(type = 'inMemory', topic = 'oe_stream') define stream RightS (id int, v string);
  @sink(type = 'inMemory', topic = 'oe_stream') define stream WrongS (name string);
  @OnError(action = 'STREAM')
  @source(type = 'inMemory', topic = 'oe_stream') define stream InS (id int, v string);
  define table OutS (id int, v string);
  define table FaultS (id int, v string, err string);
  from InS select id, v insert into OutS;
  from !InS select id, v, _error as err insert into FaultS;
$$);
SELECT wait_app('oe_stream');
BEGIN;
INSERT INTO rights VALUES (1, 'a');
INSERT INTO wrongs VALUES ('bad');
INSERT INTO rights VALUES (2, 'b');
COMMIT;
SELECT wait_for('SELECT count(*) FROM faults', 1);
SELECT wait_for('SELECT count(*) FROM outs', 2);
SELECT * FROM outs ORDER BY id;
SELECT * FROM faults;
SELECT source, on_error, records_in, events_out, errors
  FROM siddhi.sources WHERE app = 'oe_stream';
-- !S exists only for @OnError(action = 'STREAM')
SELECT siddhi.deploy('oe_nofault', $$
  define stream NoFault (id int);
  define table T (id int);
  from !NoFault select id insert into T;
$$);

-- a join reads !S on either side (it used to read S itself on the right),
-- and a pattern's state
SELECT count(*) FROM siddhi.deploy('oe_join', $$
  @sink(type = 'inMemory', topic = 'oe_join') define stream FRight (id int, v string);
  @sink(type = 'inMemory', topic = 'oe_join') define stream FWrong (name string);
  @OnError(action = 'STREAM')
  @source(type = 'inMemory', topic = 'oe_join') define stream FIn (id int, v string);
  define stream FProbe (k int);
  define table FJ (k int, id int, err string);
  define table FJ2 (k int, id int, err string);
  define table FJ3 (k int, id int, err string);
  from FProbe join !FIn#window.length(10)
  select FProbe.k, FIn.id, FIn._error as err insert into FJ;
  from !FIn#window.length(10) as f join FProbe#window.length(1) as p
  select p.k, f.id, f._error as err insert into FJ2;
  from every e1=!FIn -> e2=FProbe
  select e2.k, e1.id, e1._error as err insert into FJ3;
$$);
SELECT wait_app('oe_join');
BEGIN;
INSERT INTO fwrong VALUES ('bad');
INSERT INTO fright VALUES (1, 'ok');
COMMIT;
SELECT wait_for($q$SELECT events_in FROM siddhi.queries WHERE app = 'oe_join' AND query = 'query2'$q$, 1);
INSERT INTO fprobe VALUES (7);
SELECT wait_for('SELECT count(*) FROM fj', 1);
SELECT wait_for('SELECT count(*) FROM fj2', 1);
SELECT wait_for('SELECT count(*) FROM fj3', 1);
-- only the record that failed, with its error: not FIn's good event
SELECT k, id, err IS NOT NULL AS has_error FROM fj;
SELECT k, id, err IS NOT NULL AS has_error FROM fj2;
SELECT k, id, err IS NOT NULL AS has_error FROM fj3;
SELECT siddhi.undeploy('oe_join');

-- STORE: into siddhi.errors, replayable
SELECT siddhi.deploy('oe_store', $$
  @sink(type = 'inMemory', topic = 'oe_store') define stream RightT (id int, v string);
  @sink(type = 'inMemory', topic = 'oe_store') define stream WrongT (name string);
  @OnError(action = 'STORE')
  @source(type = 'inMemory', topic = 'oe_store') define stream InT (id int, v string);
  define table OutT (id int, v string);
  from InT select id, v insert into OutT;
$$);
SELECT wait_app('oe_store');
BEGIN;
INSERT INTO rightt VALUES (1, 'a');
INSERT INTO wrongt VALUES ('bad 1');
INSERT INTO rightt VALUES (2, 'b');
INSERT INTO wrongt VALUES ('bad 2');
COMMIT;
SELECT wait_for('SELECT count(*) FROM siddhi.errors WHERE app = ''oe_store''', 2);
SELECT wait_for('SELECT count(*) FROM outt', 2);
SELECT * FROM outt ORDER BY id;
SELECT app, stream, source, length(payload) > 0 AS has_payload, error,
       occurred_at IS NOT NULL AS dated
  FROM siddhi.errors ORDER BY id;
SELECT records_in, events_out, errors FROM siddhi.sources WHERE app = 'oe_store';
-- replayed as they are, they fail again and stay
SELECT siddhi.replay_errors('oe_store');
SELECT wait_for('SELECT count(*) FROM siddhi.errors WHERE NOT replay', 2);
SELECT count(*) FROM siddhi.errors WHERE app = 'oe_store';
-- once the stream takes their row type, a replay maps them: they go to
-- the stream and leave siddhi.errors (one of them first, by id)
SELECT siddhi.deploy('oe_store', $$
  @OnError(action = 'STORE')
  @source(type = 'inMemory', topic = 'oe_store') define stream InT (name string);
  define table OutT2 (name string);
  from InT select name insert into OutT2;
$$, replace => true);
SELECT wait_app('oe_store');
SELECT siddhi.replay_errors('oe_store', ARRAY[(SELECT min(id) FROM siddhi.errors)]);
SELECT wait_for('SELECT count(*) FROM outt2', 1);
SELECT * FROM outt2;
SELECT count(*) FROM siddhi.errors;
SELECT siddhi.replay_errors('oe_store');
SELECT wait_for('SELECT count(*) FROM outt2', 2);
SELECT * FROM outt2 ORDER BY name;
SELECT count(*) FROM siddhi.errors;
SELECT siddhi.replay_errors('oe_store');

-- who sees stored errors and may replay them: the owner's role
SELECT siddhi.undeploy('oe_stream', drop_tables => true);
CREATE ROLE siddhi_oe_erin LOGIN;
CREATE ROLE siddhi_oe_fred LOGIN;
CREATE SCHEMA erin AUTHORIZATION siddhi_oe_erin;
SET ROLE siddhi_oe_erin;
SET search_path = erin, public;
SELECT siddhi.deploy('erin_store', $$
  @sink(type = 'inMemory', topic = 'erin') define stream ErinWrong (name string);
  @OnError(action = 'STORE')
  @source(type = 'inMemory', topic = 'erin') define stream ErinIn (id int);
  define table ErinOut (id int);
  from ErinIn select id insert into ErinOut;
$$);
SELECT wait_app('erin_store');
INSERT INTO erinwrong VALUES ('bad');
SELECT wait_for('SELECT count(*) FROM siddhi.errors', 1);
SELECT app, stream, error FROM siddhi.errors;
RESET ROLE;
SET ROLE siddhi_oe_fred;
SELECT count(*) FROM siddhi.errors;
SELECT siddhi.replay_errors('erin_store');
DELETE FROM siddhi.errors;
UPDATE siddhi.errors SET error = 'x';
INSERT INTO siddhi.errors (app, stream, source, error) VALUES ('erin_store', 'x', 'y', 'z');
RESET ROLE;
SET ROLE siddhi_oe_erin;
SELECT count(*) FROM siddhi.errors;
DELETE FROM siddhi.errors;
SELECT siddhi.undeploy('erin_store', drop_tables => true);
RESET ROLE;
DROP SCHEMA erin;
DROP ROLE siddhi_oe_erin;
DROP ROLE siddhi_oe_fred;

-- DROP: counted only
SELECT siddhi.deploy('oe_drop', $$
  @sink(type = 'inMemory', topic = 'oe_drop') define stream RightD (id int, v string);
  @sink(type = 'inMemory', topic = 'oe_drop') define stream WrongD (name string);
  @OnError(action = 'DROP')
  @source(type = 'inMemory', topic = 'oe_drop') define stream InD (id int, v string);
  define table OutD (id int, v string);
  from InD select id, v insert into OutD;
$$);
SELECT wait_app('oe_drop');
BEGIN;
INSERT INTO wrongd VALUES ('bad 1');
INSERT INTO rightd VALUES (1, 'a');
INSERT INTO wrongd VALUES ('bad 2');
COMMIT;
SELECT wait_for('SELECT count(*) FROM outd', 1);
SELECT * FROM outd;
SELECT records_in, events_out, errors, on_error FROM siddhi.sources
 WHERE app = 'oe_drop';
SELECT count(*) FROM siddhi.errors;

SELECT siddhi.undeploy('oe_drop', drop_tables => true);
SELECT siddhi.undeploy('oe_store', drop_tables => true);
SELECT siddhi.undeploy('oe_log', drop_tables => true);
DELETE FROM siddhi.source_offsets;
