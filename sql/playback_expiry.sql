-- In playback, a time window's expiries at an arrival that its query
-- alone reads happen in the query's step of that arrival, first thing,
-- rather than in a step of their own before it, when nothing could tell
-- the difference (src/runtime/timers.c, query_expiry_in_step): the
-- query outputs current events only, its selector's rows depend on the
-- rows alone, and nothing after it in the app has something due.  The outputs are those of the step of their
-- own: aggregates with expiries at most arrivals, having, groups that
-- empty, and an app whose other queries' expiries (all events out) go
-- into the same stream, one before it and one after.
SELECT count(*) FROM siddhi.deploy('pbx', $$
  @app:playback
  @eventTime('ts')
  define stream PbxIn (k string, v int, ts long);
  from PbxIn#window.time(1 sec)
  select k, sum(v) as s, count() as n
  group by k having n < 3
  insert into PbxOut;
$$);
SELECT count(*) FROM siddhi.deploy('pbx2', $$
  @app:playback
  @eventTime('ts')
  define stream PbxA (v int, ts long);
  @eventTime('ts')
  define stream PbxB (v int, ts long);
  from PbxA#window.time(500 milliseconds)
  select 'a' as q, v, count() as n insert all events into PbxBoth;
  from PbxB#window.time(1 sec)
  select 'b' as q, v, sum(v) as n insert into PbxBoth;
  -- after b: b's expiries wait for b's step only while this one has
  -- nothing due (timers.c, rest_idle)
  @eventTime('ts')
  define stream PbxC (v int, ts long);
  from PbxC#window.time(300 milliseconds)
  select 'c' as q, v, count() as n insert all events into PbxBoth;
$$);
SELECT siddhi.subscribe(s) FROM unnest(ARRAY['pbxout', 'pbxboth']) s;
INSERT INTO pbxin VALUES ('x', 1, 1000), ('y', 2, 1200), ('x', 3, 1500),
  ('x', 4, 1900), ('y', 5, 2100), ('x', 6, 2600), ('z', 7, 4000),
  ('x', 8, 4100), ('x', 9, 4200), ('x', 10, 4300);
INSERT INTO pbxa VALUES (1, 1000), (2, 1100);
INSERT INTO pbxb VALUES (10, 1200), (20, 1700), (30, 2300);
INSERT INTO pbxa VALUES (3, 2400);
INSERT INTO pbxb VALUES (40, 2500), (50, 3600);
INSERT INTO pbxc VALUES (100, 3700), (200, 3800);
INSERT INTO pbxb VALUES (60, 3900), (70, 4700);
INSERT INTO pbxc VALUES (300, 4800);
INSERT INTO pbxb VALUES (80, 4850);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('pbxout', 100, 0) ORDER BY seq;
SELECT event FROM siddhi.poll('pbxboth', 100, 0) ORDER BY seq;
SELECT query, events_in, events_out, errors FROM siddhi.queries
 WHERE app IN ('pbx', 'pbx2') ORDER BY app, query;
SELECT siddhi.undeploy('pbx');
SELECT siddhi.undeploy('pbx2');
