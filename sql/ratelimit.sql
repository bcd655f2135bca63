-- Output rate limiting, in playback time: the app clock follows the events
-- and siddhi.advance_clock(), so periods end deterministically.
SELECT siddhi.deploy('rl_events', $$
  @app:playback
  define stream RlTicks (sym string, qty int);
  @info(name = 'all3') from RlTicks select sym, qty
  output every 3 events insert into RlAll3;
  @info(name = 'first2') from RlTicks select sym, qty
  output first every 2 events insert into RlFirst2;
  @info(name = 'last2') from RlTicks select sym, qty
  output last every 2 events insert into RlLast2;
  @info(name = 'firstgrp') from RlTicks select sym, count() as n group by sym
  output first every 2 events insert into RlFirstGrp;
  @info(name = 'lastgrp') from RlTicks select sym, sum(qty) as total group by sym
  output last every 3 events insert into RlLastGrp;
  @info(name = 'moves') from RlTicks#window.length(1) select sym
  output last every 3 events insert all events into RlMoves;
$$);
SELECT siddhi.subscribe(s) FROM unnest(ARRAY['rlall3', 'rlfirst2', 'rllast2',
  'rlfirstgrp', 'rllastgrp', 'rlmoves']) AS s;
SET siddhi.event_time = 1000;
INSERT INTO rlticks VALUES ('a', 1), ('b', 2), ('a', 3), ('b', 4), ('a', 5), ('c', 6), ('c', 7);
RESET siddhi.event_time;
SELECT siddhi.flush();
-- all: released in threes (the 7th waits)
SELECT event FROM siddhi.poll('rlall3', 100, 0) ORDER BY seq;
-- first: the 1st of every 2
SELECT event FROM siddhi.poll('rlfirst2', 100, 0) ORDER BY seq;
-- last: every 2nd
SELECT event FROM siddhi.poll('rllast2', 100, 0) ORDER BY seq;
-- first with group by: counted per group
SELECT event FROM siddhi.poll('rlfirstgrp', 100, 0) ORDER BY seq;
-- last with group by: every 3rd row lets out each group's latest
SELECT event FROM siddhi.poll('rllastgrp', 100, 0) ORDER BY seq;
-- expired rows count too, and keep their kind
SELECT expired, event FROM siddhi.poll('rlmoves', 100, 0) ORDER BY seq;

SELECT siddhi.deploy('rl_time', $$
  @app:playback
  define stream RlTimed (sym string, qty int);
  @info(name = 'allt') from RlTimed select sym
  output all every 1 sec insert into RlAllT;
  @info(name = 'firstt') from RlTimed select sym
  output first every 1 sec insert into RlFirstT;
  @info(name = 'lastt') from RlTimed select sym
  output last every 1 sec insert into RlLastT;
  @info(name = 'lastgrpt') from RlTimed select sym, sum(qty) as total
  group by sym output last every 2 sec insert into RlLastGrpT;
  @info(name = 'batch') from RlTimed#window.timeBatch(1 sec)
  select count() as n output last every 2 sec insert into RlBatchT;
$$);
SELECT siddhi.subscribe(s) FROM unnest(ARRAY['rlallt', 'rlfirstt', 'rllastt',
  'rllastgrpt', 'rlbatcht']) AS s;
-- periods start at the first event: they end at 2000, 3000, ... (2 s: 3000, 5000)
SET siddhi.event_time = 1000;
INSERT INTO rltimed VALUES ('a', 1);
SET siddhi.event_time = 1400;
INSERT INTO rltimed VALUES ('b', 2);
SET siddhi.event_time = 1999;
INSERT INTO rltimed VALUES ('c', 3);
SET siddhi.event_time = 2000;
INSERT INTO rltimed VALUES ('d', 4);
SET siddhi.event_time = 2500;
INSERT INTO rltimed VALUES ('a', 5);
RESET siddhi.event_time;
SELECT siddhi.flush();
SELECT (extract(epoch FROM event_time) * 1000)::bigint AS ms, event
  FROM siddhi.poll('rlallt', 100, 0) ORDER BY seq;
-- a period that ends with no event arriving still lets its rows go
SELECT siddhi.advance_clock(3000);
SELECT siddhi.flush();
SELECT (extract(epoch FROM event_time) * 1000)::bigint AS ms, event
  FROM siddhi.poll('rlallt', 100, 0) ORDER BY seq;
SELECT siddhi.advance_clock(6000);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('rlfirstt', 100, 0) ORDER BY seq;
SELECT event FROM siddhi.poll('rllastt', 100, 0) ORDER BY seq;
SELECT event FROM siddhi.poll('rllastgrpt', 100, 0) ORDER BY seq;
-- the batch flushed at 3000 is seen before the period ending at 3000
SELECT (extract(epoch FROM event_time) * 1000)::bigint AS ms, event
  FROM siddhi.poll('rlbatcht', 100, 0) ORDER BY seq;

SELECT siddhi.deploy('rl_snapshot', $$
  @app:playback
  define stream RlSnap (sym string, qty int);
  @info(name = 'latest') from RlSnap select sym, qty
  output snapshot every 1 sec insert into RlLatest;
  @info(name = 'inwindow') from RlSnap#window.length(2) select sym, qty
  output snapshot every 1 sec insert into RlInWindow;
  @info(name = 'pergroup') from RlSnap#window.length(3)
  select sym, sum(qty) as total group by sym
  output snapshot every 1 sec insert into RlPerGroup;
  @info(name = 'totals') from RlSnap#window.length(2)
  select sum(qty) as total, count() as n
  output snapshot every 1 sec insert into RlTotals;
$$);
SELECT siddhi.subscribe(s) FROM unnest(ARRAY['rllatest', 'rlinwindow',
  'rlpergroup', 'rltotals']) AS s;
SET siddhi.event_time = 1000;
INSERT INTO rlsnap VALUES ('k', 1), ('o', 2), ('k', 3);
RESET siddhi.event_time;
SELECT siddhi.advance_clock(2000);
SET siddhi.event_time = 2500;
INSERT INTO rlsnap VALUES ('p', 4);
RESET siddhi.event_time;
-- two periods end at once: the snapshot repeats for each
SELECT siddhi.advance_clock(4000);
SELECT siddhi.flush();
SELECT (extract(epoch FROM event_time) * 1000)::bigint AS ms, event
  FROM siddhi.poll('rllatest', 100, 0) ORDER BY seq;
SELECT (extract(epoch FROM event_time) * 1000)::bigint AS ms, event
  FROM siddhi.poll('rlinwindow', 100, 0) ORDER BY seq;
SELECT (extract(epoch FROM event_time) * 1000)::bigint AS ms, event
  FROM siddhi.poll('rlpergroup', 100, 0) ORDER BY seq;
SELECT (extract(epoch FROM event_time) * 1000)::bigint AS ms, event
  FROM siddhi.poll('rltotals', 100, 0) ORDER BY seq;
SELECT siddhi.undeploy(a) FROM unnest(ARRAY['rl_events', 'rl_time', 'rl_snapshot']) AS a;

-- errors
\set VERBOSITY default
SELECT siddhi.deploy('rl_bad1', $$
  define stream Rb1 (a int);
  from Rb1 select a output every 0 events insert into Rb1Out;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('rl_bad2', $$
  define stream Rb2 (a int);
  from Rb2 select a output last every 0 sec insert into Rb2Out;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('rl_bad3', $$
  define stream Rb3 (a int);
  from Rb3#window.length(2) select a output snapshot every 1 sec
  insert expired events into Rb3Out;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('rl_bad4', $$
  define stream Rb4 (a int);
  from Rb4 select a output first every 2 insert into Rb4Out;
$$);
\echo :LAST_ERROR_SQLSTATE
