-- define trigger: a stream of one long, triggered_time, fed at the app's
-- start, every t, or at cron times.  In playback the app clock drives
-- them (siddhi.advance_clock), so this test needs no sleeps.
SELECT siddhi.deploy('ticks', $$
  @app:playback
  define trigger Tick at every 5 sec;
  define trigger Boot at 'start';
  define trigger EveryTen at '*/10 * * * * ?';
  define table Ticks (kind string, at long);
  from Tick select 'every' as kind, triggered_time as at insert into Ticks;
  from Boot select 'start' as kind, triggered_time as at insert into Ticks;
  from EveryTen select 'cron' as kind, triggered_time as at
  insert into Ticks;
$$);
\d tick
SELECT siddhi.advance_clock(1000000);
SELECT siddhi.advance_clock(1012000);
SELECT siddhi.advance_clock(1021000);
SELECT siddhi.flush();
SELECT * FROM ticks ORDER BY at, kind;

-- errors
SELECT siddhi.deploy('badtrigger', $$
  define trigger T at 'not a cron';
$$);
SELECT siddhi.undeploy('ticks');
