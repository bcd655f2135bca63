-- define trigger: a stream of one long, triggered_time, fed at the app's
-- start, every t, or at cron times.  In playback the app clock drives
-- them (siddhi.advance_clock), so this test needs no sleeps.
SELECT siddhi.deploy('trg_ticks', $$
  @app:playback
  define trigger TrgTick at every 5 sec;
  define trigger TrgBoot at 'start';
  define trigger TrgEveryTen at '*/10 * * * * ?';
  define table TrgTicks (kind string, at long);
  from TrgTick select 'every' as kind, triggered_time as at insert into TrgTicks;
  from TrgBoot select 'start' as kind, triggered_time as at insert into TrgTicks;
  from TrgEveryTen select 'cron' as kind, triggered_time as at
  insert into TrgTicks;
$$);
\d trgtick
SELECT siddhi.advance_clock(1000000);
SELECT siddhi.advance_clock(1012000);
SELECT siddhi.advance_clock(1021000);
SELECT siddhi.flush();
SELECT * FROM trgticks ORDER BY at, kind;

-- the SQL dialect: CREATE TRIGGER name AT START | AT EVERY .. | AT 'cron'
SELECT siddhi.deploy('trg_sql', $$
  @app:playback
  CREATE TRIGGER TrgSqlPulse AT EVERY 2 SECONDS;
  CREATE TRIGGER TrgSqlCron AT '0 * * * * ?';
  INSERT INTO TrgSqlSeen SELECT 'pulse' AS kind, triggered_time AS at FROM TrgSqlPulse;
  INSERT INTO TrgSqlSeen SELECT 'cron' AS kind, triggered_time AS at FROM TrgSqlCron;
$$);
SELECT siddhi.subscribe('trgsqlseen');
SELECT siddhi.advance_clock(59000);
SELECT siddhi.advance_clock(64500);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('trgsqlseen', 100, 0) ORDER BY seq;
SELECT siddhi.undeploy('trg_sql');

-- a first event at time 0, where the playback clock starts, starts the
-- triggers too: the start trigger fires at 0, before that event
SELECT siddhi.deploy('trg_zero', $$
  @app:playback
  define trigger TrgZeroBoot at 'start';
  define stream TrgZeroIn (v int);
  from TrgZeroBoot select -1 as v, triggered_time as at insert into TrgZeroSeen;
  from TrgZeroIn select v, v * 10 as at insert into TrgZeroSeen;
$$);
SELECT siddhi.subscribe('trgzeroseen');
SET siddhi.event_time = 0;
INSERT INTO trgzeroin VALUES (1);
SET siddhi.event_time = 500;
INSERT INTO trgzeroin VALUES (2);
RESET siddhi.event_time;
SELECT siddhi.flush();
SELECT (extract(epoch FROM event_time) * 1000)::bigint AS ts, event
  FROM siddhi.poll('trgzeroseen', 100, 0) ORDER BY seq;
SELECT siddhi.undeploy('trg_zero');

-- errors
SELECT siddhi.deploy('badtrigger_sql', $$
  CREATE TRIGGER TrgBad AT EVERY;
$$);
SELECT siddhi.deploy('badtrigger', $$
  define trigger T at 'not a cron';
$$);
SELECT siddhi.undeploy('trg_ticks');
