-- Epochs: the state of patterns, sequences and partitions survives being
-- written to bytes and read back.  siddhi.state_roundtrip makes the engine
-- do that to every query that can be saved at the end of each batch, and
-- siddhi.flush() after each insert ends a batch, so every partial match
-- below is saved and restored between its events.  The outputs are those
-- of a run without it (Siddhi's semantics, playback time).
ALTER SYSTEM SET siddhi.state_roundtrip = on;
SELECT pg_reload_conf();
SELECT pg_sleep(0.5);

-- the bound drops the oldest partial match by creation order: the order
-- (and the count of those dropped) carries across restores
SELECT siddhi.deploy('pst_bound', $$
  @app:playback
  @eventTime('ts') define stream SbReq (ts long, id int);
  @eventTime('ts') define stream SbRep (ts long, id int);
  define table SbMatched (id int);
  @info(name = 'bounded', max.partial.matches = '3')
  from every e1=SbReq -> e2=SbRep[id == e1.id] select e1.id insert into SbMatched;
$$);
INSERT INTO sbreq VALUES (1, 1);
SELECT siddhi.flush();
INSERT INTO sbreq VALUES (2, 2);
SELECT siddhi.flush();
INSERT INTO sbreq VALUES (3, 3);
SELECT siddhi.flush();
INSERT INTO sbreq VALUES (4, 4);
SELECT siddhi.flush();
INSERT INTO sbreq VALUES (5, 5);
SELECT siddhi.flush();
INSERT INTO sbrep VALUES (6, 1), (7, 4), (8, 5), (9, 3);
SELECT siddhi.flush();
-- 1, 2 and 3 were dropped, oldest first, so 3's reply finds nothing (the
-- start state's arming counts, and is never dropped)
SELECT * FROM sbmatched ORDER BY id;
SELECT partial_matches, partial_matches_dropped FROM siddhi.queries
 WHERE app = 'pst_bound';

-- a count state shared by every partial match, within, and a sequence,
-- each event in a batch of its own
SELECT siddhi.deploy('pst_count', $$
  @app:playback
  @eventTime('ts') define stream ScTemp (ts long, t int);
  @eventTime('ts') define stream ScAlarm (ts long, src string);
  define table ScRuns (first int, second int, last int, n long, src string);
  define table ScSeq (a int, b int, c int);
  @info(name = 'runs')
  from every e1=ScTemp[t > 50]<2:3> -> e2=ScAlarm within 1 sec
  select e1[0].t as first, e1[1].t as second, e1[last].t as last,
         eventTimestamp() as n, e2.src
  insert into ScRuns;
  @info(name = 'rising')
  from every e1=ScTemp, e2=ScTemp[t > e1.t], e3=ScTemp[t > e2.t]
  select e1.t as a, e2.t as b, e3.t as c insert into ScSeq;
$$);
INSERT INTO sctemp VALUES (1000, 60);
SELECT siddhi.flush();
INSERT INTO sctemp VALUES (1100, 70);
SELECT siddhi.flush();
INSERT INTO sctemp VALUES (1200, 80);
SELECT siddhi.flush();
INSERT INTO sctemp VALUES (1300, 40);
SELECT siddhi.flush();
INSERT INTO scalarm VALUES (1400, 'x');
SELECT siddhi.flush();
INSERT INTO sctemp VALUES (2500, 90);
SELECT siddhi.flush();
INSERT INTO sctemp VALUES (2600, 95);
SELECT siddhi.flush();
-- the run begun by 80 (1200) was more than 1 sec old when 90 came (2500,
-- within): at 3100 only the run from 2500 goes out
INSERT INTO scalarm VALUES (3100, 'y');
SELECT siddhi.flush();
SELECT * FROM scruns ORDER BY n, first, second, last;
SELECT * FROM scseq ORDER BY a, b, c;

-- absence: the due time of `not .. for` is saved with the match
SELECT siddhi.deploy('pst_absent', $$
  @app:playback
  @eventTime('ts') define stream SaOrder (ts long, id int);
  @eventTime('ts') define stream SaShip (ts long, id int);
  define table SaLate (id int, at long);
  @info(name = 'late')
  from every e1=SaOrder -> not SaShip[id == e1.id] for 2 sec
  select e1.id, eventTimestamp() as at insert into SaLate;
$$);
INSERT INTO saorder VALUES (1000, 1);
SELECT siddhi.flush();
INSERT INTO saorder VALUES (1500, 2);
SELECT siddhi.flush();
INSERT INTO saship VALUES (2000, 2);
SELECT siddhi.flush();
SELECT siddhi.advance_clock(2900);
SELECT siddhi.flush();
SELECT * FROM salate ORDER BY id;
SELECT siddhi.advance_clock(3100);
SELECT siddhi.flush();
-- order 1 waited from 1000 to 3000 without a shipment; 2 was shipped
SELECT * FROM salate ORDER BY id;

-- a partition: each key's partial matches, the keys' order (an event of a
-- stream the partition does not divide reaches every key, oldest first),
-- and their last use, which @purge reads
SELECT siddhi.deploy('pst_part', $$
  @app:playback
  @eventTime('ts') define stream SpTrade (ts long, k string, v int);
  @eventTime('ts') define stream SpTick (ts long, n int);
  @purge(enable = 'true', interval = '1 sec', idle.period = '2 sec')
  partition with (k of SpTrade)
  begin
    @info(name = 'perKey')
    from every e1=SpTrade -> e2=SpTick[n == e1.v]
    select e1.k, e1.v, e2.ts as at insert into SpOut;
  end;
$$);
SELECT siddhi.subscribe('spout');
INSERT INTO sptrade VALUES (1000, 'c', 5);
SELECT siddhi.flush();
INSERT INTO sptrade VALUES (1100, 'b', 2);
SELECT siddhi.flush();
INSERT INTO sptrade VALUES (1200, 'a', 5);
SELECT siddhi.flush();
-- c and a both wait for 5: they go out in the order the keys were made
INSERT INTO sptick VALUES (1500, 5);
SELECT siddhi.flush();
INSERT INTO sptick VALUES (2500, 9);
SELECT siddhi.flush();
-- at 3200 c and b have been idle for more than 2 sec (since 1000 and 1100):
-- released, and b's match waiting for 2 with them; a stays
INSERT INTO sptrade VALUES (3200, 'a', 3);
SELECT siddhi.flush();
INSERT INTO sptick VALUES (3300, 2), (3400, 3);
SELECT siddhi.flush();
SELECT event->>'k' AS k, event->>'v' AS v, event->>'at' AS at
FROM siddhi.poll('spout', 100, 0) ORDER BY seq;
SELECT query, keys FROM siddhi.query_metrics WHERE app = 'pst_part';

SELECT siddhi.undeploy(a) FROM unnest(ARRAY['pst_bound', 'pst_count',
  'pst_absent', 'pst_part']) a;
ALTER SYSTEM RESET siddhi.state_roundtrip;
SELECT pg_reload_conf();
