-- The unique extension's windows, frequent and lossyFrequent, and the
-- #unique:deduplicate stream function; playback, so the clock follows the
-- events and siddhi.advance_clock().
SELECT siddhi.deploy('uniq', $$
  @app:playback
  define stream Visits (usr string, page string, n int);
  @info(name = 'ever') from Visits#window.unique:ever(usr)
  select usr, n insert all events into UEver;
  @info(name = 'first') from Visits#window.unique:first(usr, page)
  select usr, page, n insert all events into UFirst;
  @info(name = 'length') from Visits#window.unique:length(usr, 2)
  select usr, n insert all events into ULength;
  @info(name = 'lbatch') from Visits#window.unique:lengthBatch(usr, 2)
  select usr, n insert all events into ULBatch;
  @info(name = 'flbatch') from Visits#window.unique:firstLengthBatch(usr, 2)
  select usr, n insert all events into UFLBatch;
  @info(name = 'time') from Visits#window.unique:time(usr, 1 sec)
  select usr, n insert all events into UTime;
  @info(name = 'tbatch') from Visits#window.unique:timeBatch(usr, 1 sec)
  select usr, sum(n) as total insert into UTBatch;
  @info(name = 'ftbatch') from Visits#window.unique:firstTimeBatch(usr, 1 sec, 0)
  select usr, n insert all events into UFTBatch;
  @info(name = 'tlbatch') from Visits#window.unique:timeLengthBatch(usr, 1 sec, 2)
  select usr, n insert all events into UTLBatch;
  @info(name = 'dedup') from Visits#unique:deduplicate(usr, 500)[n > 1]
  select usr, n insert into UDedup;
$$);
SELECT siddhi.subscribe(s) FROM unnest(ARRAY['uever', 'ufirst', 'ulength',
  'ulbatch', 'uflbatch', 'utime', 'utbatch', 'uftbatch', 'utlbatch', 'udedup']) s;
SET siddhi.event_time = 1000;
INSERT INTO visits VALUES ('ann', 'home', 1);
SET siddhi.event_time = 1200;
INSERT INTO visits VALUES ('bob', 'home', 2);
SET siddhi.event_time = 1400;
INSERT INTO visits VALUES ('ann', 'cart', 3);
SET siddhi.event_time = 1600;
INSERT INTO visits VALUES ('cyd', 'home', 4);
SET siddhi.event_time = 1800;
INSERT INTO visits VALUES ('bob', 'home', 5);
SET siddhi.event_time = 2300;
INSERT INTO visits VALUES ('ann', 'home', 6);
RESET siddhi.event_time;
SELECT siddhi.advance_clock(4000);
SELECT siddhi.flush();
CREATE FUNCTION pg_temp.show(s text) RETURNS TABLE (ms bigint, expired boolean, event jsonb)
  LANGUAGE sql AS $f$
    SELECT (extract(epoch FROM event_time) * 1000)::bigint, expired, event
      FROM siddhi.poll(s, 100, 0) ORDER BY seq
  $f$;
-- a repeated key expires the event it replaces
SELECT * FROM pg_temp.show('uever');
-- (usr, page) pairs: only the first of each goes through, nothing expires
SELECT * FROM pg_temp.show('ufirst');
-- two keys at most; bob, pushed out at 1600, is new again at 1800
SELECT * FROM pg_temp.show('ulength');
-- batches of two keys, stamped with the flush; the latest (first) event of each
SELECT * FROM pg_temp.show('ulbatch');
SELECT * FROM pg_temp.show('uflbatch');
-- a second after arrival, or when the key comes again
SELECT * FROM pg_temp.show('utime');
-- one row per flush, stamped with the clock: the 2000 flush runs at 2300
SELECT * FROM pg_temp.show('utbatch');
SELECT * FROM pg_temp.show('uftbatch');
-- two keys flush at once; the rest of that second is dropped
SELECT * FROM pg_temp.show('utlbatch');
-- ann at 1400 is a duplicate of 1000; bob at 1800 is not (600 ms later)
SELECT * FROM pg_temp.show('udedup');

-- externalTimeBatch with a timeout, frequent over whole events, lossyFrequent
SELECT siddhi.deploy('uniq_more', $$
  @app:playback
  define stream Taps (usr string, at long);
  @info(name = 'ext') from Taps#window.unique:externalTimeBatch(usr, at, 1 sec, 0, 2 sec)
  select usr, at insert all events into UExt;
  @info(name = 'freq') from Taps#window.frequent(1)
  select usr, at insert all events into UFreq;
  @info(name = 'lossy') from Taps#window.lossyFrequent(0.5, 0.25, usr)
  select usr, count() as c group by usr insert into ULossy;
$$);
SELECT siddhi.subscribe(s) FROM unnest(ARRAY['uext', 'ufreq', 'ulossy']) s;
SET siddhi.event_time = 1000;
INSERT INTO taps VALUES ('ann', 100);
SET siddhi.event_time = 1100;
INSERT INTO taps VALUES ('ann', 100);
SET siddhi.event_time = 1200;
INSERT INTO taps VALUES ('bob', 500);
RESET siddhi.event_time;
-- no tap for two seconds: the batch goes out early
SELECT siddhi.advance_clock(3300);
SET siddhi.event_time = 3400;
INSERT INTO taps VALUES ('cyd', 900);
RESET siddhi.event_time;
-- and again, with cyd added to it
SELECT siddhi.advance_clock(5500);
SET siddhi.event_time = 5600;
INSERT INTO taps VALUES ('ann', 1200);
RESET siddhi.event_time;
SELECT siddhi.flush();
SELECT * FROM pg_temp.show('uext');
-- frequent(1): (ann, 100) twice, so bob only takes its counter down
SELECT * FROM pg_temp.show('ufreq');
SELECT * FROM pg_temp.show('ulossy');

-- the SQL dialect: UNIQUE(key) is unique:ever, FREQUENT(n) is frequent
SELECT siddhi.deploy('uniq_sql', $$
  CREATE STREAM BuyerOrders (userId TEXT, amount INT);
  INSERT INTO LatestOrders SELECT userId, amount FROM BuyerOrders WINDOW UNIQUE(userId);
  INSERT INTO TopBuyers SELECT userId, count() AS c FROM BuyerOrders WINDOW FREQUENT(2, userId)
    GROUP BY userId;
$$);
SELECT siddhi.subscribe('latestorders');
SELECT siddhi.subscribe('topbuyers');
INSERT INTO buyerorders VALUES ('u1', 10), ('u2', 20), ('u1', 30), ('u3', 40), ('u1', 50);
SELECT siddhi.flush();
SELECT expired, event FROM siddhi.poll('latestorders', 100, 0) ORDER BY seq;
SELECT expired, event FROM siddhi.poll('topbuyers', 100, 0) ORDER BY seq;

-- errors: SQLSTATE, message and where (line, column of the app)
CREATE FUNCTION pg_temp.try_deploy(name text, app text)
  RETURNS TABLE (sqlstate text, message text, at text) LANGUAGE plpgsql AS $f$
DECLARE
  ctx text;
BEGIN
  PERFORM siddhi.deploy(name, app);
  RETURN QUERY SELECT 'ok', NULL::text, NULL::text;
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS ctx = PG_EXCEPTION_CONTEXT;
  RETURN QUERY SELECT SQLSTATE, SQLERRM, split_part(ctx, E'\n', 1);
END
$f$;
\x on
SELECT * FROM pg_temp.try_deploy('uniq_bad1', $$
  define stream B1 (a int);
  from B1#window.unique:length(a, 0) select a insert into B1Out;
$$);
SELECT * FROM pg_temp.try_deploy('uniq_bad2', $$
  define stream B2 (a int);
  from B2#window.unique:time(a) select a insert into B2Out;
$$);
SELECT * FROM pg_temp.try_deploy('uniq_bad3', $$
  define stream B3 (a int, t long);
  from B3#window.unique:externalTimeBatch(a, t, 1 sec, t) select a insert into B3Out;
$$);
SELECT * FROM pg_temp.try_deploy('uniq_bad4', $$
  define stream B4 (a int);
  from B4#window.lossyFrequent(1.5) select a insert into B4Out;
$$);
SELECT * FROM pg_temp.try_deploy('uniq_bad5', $$
  define stream B5 (a int);
  from B5#unique:deduplicate(a) select a insert into B5Out;
$$);
SELECT * FROM pg_temp.try_deploy('uniq_bad6', $$
  define stream B6 (a int);
  from B6#window.length(2)#unique:deduplicate(a, 1 sec) select a insert into B6Out;
$$);
SELECT * FROM pg_temp.try_deploy('uniq_bad7', $$
  define stream B7 (a int);
  from B7#unique:deduplicate(a, a) select a insert into B7Out;
$$);
SELECT * FROM pg_temp.try_deploy('uniq_bad8', $$
  define stream B8 (a int, t long);
  from B8#window.unique:externalTimeBatch(a, t, 1 sec, 0, 1 sec, true) select a insert into B8Out;
$$);
\x off

SELECT siddhi.undeploy(n) FROM unnest(ARRAY['uniq', 'uniq_more', 'uniq_sql']) n;

-- unique:ever keeps keys for ever: they are bounded by siddhi.max_groups,
-- and the event of a key beyond it is skipped and counted as an error
ALTER SYSTEM SET siddhi.max_groups = 2;
SELECT pg_reload_conf();
SELECT pg_sleep(0.5);
SELECT siddhi.deploy('uniq_bounded', $$
  define stream UbLogins (who string);
  define table UbSeen (who string);
  @info(name = 'seen') from UbLogins#window.unique:ever(who)
  select who insert into UbSeen;
$$);
INSERT INTO ublogins VALUES ('ann'), ('bob'), ('ann'), ('cat');
SELECT siddhi.flush();
SELECT who, count(*) FROM ubseen GROUP BY who ORDER BY who;
SELECT errors, last_error FROM siddhi.queries WHERE app = 'uniq_bounded';
ALTER SYSTEM RESET siddhi.max_groups;
SELECT pg_reload_conf();
SELECT siddhi.undeploy('uniq_bounded', drop_tables => true);
