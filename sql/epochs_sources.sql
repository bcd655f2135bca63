-- Epochs with sources (save_states in src/worker/engine.c): a batch that
-- consumed a source's records saves the state of the queries at once,
-- whatever siddhi.state_interval says, because the source's positions
-- moved in that batch's transaction.  So does a batch that re-fed records
-- stored in siddhi.errors (siddhi.replay_errors): their rows leave that
-- table in the batch, so a crash before the next save would lose what
-- they did to the state.  With state_interval at an hour, only such
-- batches save.
ALTER SYSTEM SET siddhi.state_interval = '1h';
SELECT pg_reload_conf();
-- a record of another row type: stored
SELECT siddhi.deploy('es_replay', $$
  @sink(type = 'inMemory', topic = 'es_replay') define stream WrongE (name string);
  @OnError(action = 'STORE')
  @source(type = 'inMemory', topic = 'es_replay') define stream InE (id int, v string);
  define table OutE (id int, v string);
  from InE select id, v insert into OutE;
$$);
SELECT wait_app('es_replay');
INSERT INTO wronge VALUES ('stored');
SELECT wait_for('SELECT count(*) FROM siddhi.errors WHERE app = ''es_replay''', 1);
-- the stream takes its row type now; a window counts what arrives
SELECT siddhi.deploy('es_replay', $$
  @sink(type = 'inMemory', topic = 'es_replay') define stream FreshE (name string);
  @OnError(action = 'STORE')
  @source(type = 'inMemory', topic = 'es_replay') define stream InE (name string);
  define table CountE (name string, n long);
  @info(name = 'win')
  from InE#window.length(10) select name, count() as n insert into CountE;
$$, replace => true);
SELECT wait_app('es_replay');
-- a record the source reads: saved in its batch
INSERT INTO freshe VALUES ('fresh');
SELECT wait_for('SELECT count(*) FROM counte', 1);
SELECT wait_for('SELECT count(*) FROM siddhi.query_states WHERE app = ''es_replay'' AND saved', 1);
SELECT saved_at AS t1 FROM siddhi.query_states WHERE app = 'es_replay' AND query = 'win' \gset
-- the stored record, re-fed: its batch saves the window again
SELECT siddhi.replay_errors('es_replay');
SELECT wait_for('SELECT count(*) FROM counte', 2);
SELECT pg_sleep(0.3);
SELECT * FROM counte ORDER BY n;
SELECT count(*) AS stored FROM siddhi.errors WHERE app = 'es_replay';
SELECT saved, saved_at > :'t1' AS saved_again
  FROM siddhi.query_states WHERE app = 'es_replay' AND query = 'win';
SELECT siddhi.undeploy('es_replay', drop_tables => true);
ALTER SYSTEM RESET siddhi.state_interval;
SELECT pg_reload_conf();
