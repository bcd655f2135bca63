-- The engine's writes show in the statistics PostgreSQL keeps of a table
-- (pg_stat_user_tables, which autovacuum reads) once it is idle, not only
-- at its next batch: statistics go at most once a second, and an idle
-- engine sends what its last batches left pending (src/worker/engine.c,
-- idle_stats).  Three batches in quick succession, then nothing.
SELECT count(*) FROM siddhi.deploy('tstats', $$
  define stream TsIn (v long);
  define table TsOut (v long);
  from TsIn select v insert into TsOut;
$$);
INSERT INTO tsin SELECT g FROM generate_series(1, 10) g;
SELECT siddhi.flush();
INSERT INTO tsin SELECT g FROM generate_series(11, 20) g;
SELECT siddhi.flush();
INSERT INTO tsin SELECT g FROM generate_series(21, 30) g;
SELECT siddhi.flush();
DO $$
BEGIN
  FOR i IN 1 .. 100 LOOP
    PERFORM pg_stat_clear_snapshot();
    EXIT WHEN (SELECT n_tup_ins FROM pg_stat_user_tables
                WHERE relname = 'tsout') >= 30;
    PERFORM pg_sleep(0.1);
  END LOOP;
END $$;
SELECT n_tup_ins, n_live_tup FROM pg_stat_user_tables WHERE relname = 'tsout';
SELECT siddhi.undeploy('tstats', drop_tables => true);
