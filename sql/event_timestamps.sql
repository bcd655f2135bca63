-- eventTimestamp(e1): the time of each event of a pattern's match (Siddhi's
-- event reference argument), in the select, in a condition, for a counted
-- state's indexed events, for the side of an or that did not come, in the
-- SQL dialect; eventTimestamp(S) of a plain query's input; each side's of
-- a join; and what is refused.  All in playback: each ts is the event
-- time.
SELECT count(*) FROM siddhi.deploy('pts', $$
  @app:playback
  @eventTime('ts') define stream TOpen (ts long, door string);
  @eventTime('ts') define stream TClose (ts long, door string);
  @eventTime('ts') define stream TTick (ts long, v int);
  define table TCycles (door string, opened long, closed long, took long);
  define table TCounted (f long, l long, l1 long, l3 long, nxt long);
  define table TFast (door string, took long);
  define table TEither (o long, c long);
  define table TPlain (v int, at long, same bool);

  -- each state's own time, and their difference
  from every e1=TOpen -> e2=TClose[door == e1.door]
  select e1.door, eventTimestamp(e1) as opened, eventTimestamp(e2) as closed,
         eventTimestamp(e2) - eventTimestamp(e1) as took
  insert into TCycles;

  -- a counted state's events, by index; past the ones it holds is null
  from e1=TTick<2:3> -> e2=TClose
  select eventTimestamp(e1[0]) as f, eventTimestamp(e1[last]) as l,
         eventTimestamp(e1[last - 1]) as l1, eventTimestamp(e1[last - 3]) as l3,
         eventTimestamp(e2) as nxt
  insert into TCounted;

  -- in a condition: a close within 500 ms of its open
  from every e1=TOpen -> e2=TClose[door == e1.door and eventTimestamp(e2) - eventTimestamp(e1) < 500]
  select e1.door, eventTimestamp(e2) - eventTimestamp(e1) as took
  insert into TFast;

  -- or: the side that did not come has no time
  from every e1=TOpen or e2=TClose
  select eventTimestamp(e1) as o, eventTimestamp(e2) as c
  insert into TEither;

  -- a plain query: its input's event is the event being processed
  from TTick select v, eventTimestamp(TTick) as at,
       eventTimestamp(TTick) == eventTimestamp() as same
  insert into TPlain;
$$);
INSERT INTO topen VALUES (1000, 'd1');
INSERT INTO topen VALUES (1500, 'd2');
INSERT INTO ttick VALUES (1600, 1), (1700, 2), (1800, 3);
INSERT INTO tclose VALUES (1900, 'd2');
INSERT INTO tclose VALUES (2200, 'd1');
SELECT siddhi.flush();
SELECT * FROM tcycles ORDER BY closed;
SELECT * FROM tcounted;
SELECT * FROM tfast;
SELECT * FROM teither ORDER BY coalesce(o, c);
SELECT * FROM tplain ORDER BY at;
SELECT query, errors FROM siddhi.queries WHERE app = 'pts' ORDER BY query;
SELECT siddhi.explain('pts', 'query3');
SELECT siddhi.undeploy('pts');

-- the SQL dialect: siddhi.event_timestamp(a)
SELECT count(*) FROM siddhi.deploy('pts_sql', $$
  @app:playback
  CREATE STREAM SA (ts BIGINT, id INT) WITH (event_time = 'ts');
  CREATE STREAM SB (ts BIGINT, id INT) WITH (event_time = 'ts');
  INSERT INTO SOut
  SELECT a.id, siddhi.event_timestamp(a) AS a_at,
         siddhi.event_timestamp(b) AS b_at,
         siddhi.event_timestamp(b) - siddhi.event_timestamp(a) AS took
  FROM PATTERN (EVERY a=SA -> b=SB[id = a.id]);
$$);
SELECT siddhi.subscribe('sout');
INSERT INTO sa VALUES (1000, 1), (1200, 2);
INSERT INTO sb VALUES (1700, 2), (2500, 1);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('sout', 10, 0) ORDER BY seq;
SELECT siddhi.undeploy('pts_sql');

-- a join: each side's event time (a table's rows have none); in on too
SELECT count(*) FROM siddhi.deploy('jt', $$
  @app:playback
  @eventTime('ts') define stream JtA (ts long, k int, v int);
  @eventTime('ts') define stream JtB (ts long, k int, w int);
  define table JtT (k int, name string);
  define table JtOut (k int, at_a long, at_b long, took long);
  define table JtOut2 (k int, at_a long, at_t long, now long);
  from JtA#window.length(5) as a join JtB#window.length(5) as b on a.k == b.k
  select a.k, eventTimestamp(a) as at_a, eventTimestamp(b) as at_b,
         eventTimestamp(b) - eventTimestamp(a) as took
  insert into JtOut;
  -- Siddhi's FunctionTestCase: a stream full outer joined with a table
  from JtA as f full outer join JtT as t on f.k == t.k
  select f.k, eventTimestamp(f) as at_a, eventTimestamp(t) as at_t,
         eventTimestamp() as now
  insert into JtOut2;
  from JtA#window.length(5) as a left outer join JtB#window.length(5) as b
    on a.k == b.k and eventTimestamp(b) > eventTimestamp(a)
  select a.k, eventTimestamp(a) as at_a, eventTimestamp(b) as at_b
  insert into JtOut3;
$$);
SELECT siddhi.subscribe('jtout3');
INSERT INTO jta VALUES (1000, 1, 10), (1100, 2, 20);
INSERT INTO jtb VALUES (1500, 1, 5), (1600, 2, 6);
INSERT INTO jta VALUES (2000, 1, 11);
SELECT siddhi.flush();
SELECT * FROM jtout ORDER BY at_a, at_b;
SELECT * FROM jtout2 ORDER BY at_a;
SELECT event FROM siddhi.poll('jtout3', 20, 0) ORDER BY seq;
SELECT query, errors FROM siddhi.queries WHERE app = 'jt' ORDER BY query;
SELECT siddhi.explain('jt', 'query1');
SELECT siddhi.undeploy('jt');

-- refused at deploy, at the argument
-- an event that is not counted cannot be indexed
SELECT siddhi.deploy('pts_bad1', $$
  define stream PA (k int, v int);
  define table POut (t long);
  from every e1=PA -> e2=PA select eventTimestamp(e1[0]) as t insert into POut;
$$);
-- not an event of the pattern
SELECT siddhi.deploy('pts_bad2', $$
  define stream PA (k int, v int);
  define table POut (t long);
  from every e1=PA -> e2=PA select eventTimestamp(e3) as t insert into POut;
$$);
-- a join side's whole event, other than as eventTimestamp's argument
SELECT siddhi.deploy('pts_bad3', $$
  define stream JA (k int, v int);
  define stream JB (k int, w int);
  define table JOut (t string);
  from JA#window.length(2) join JB#window.length(2) on JA.k == JB.k
  select cast(JA, 'string') as t insert into JOut;
$$);
-- the SQL dialect's AND of sub-patterns: its sides' events are not the
-- outer query's
SELECT siddhi.deploy('pts_bad4', $$
  CREATE STREAM SC (ts BIGINT, id INT);
  CREATE STREAM SD (ts BIGINT, id INT);
  INSERT INTO SOut2
  SELECT siddhi.event_timestamp(c) AS c_at
  FROM PATTERN ((c=SC -> d=SD) AND (e=SC -> f=SD));
$$);
SELECT count(*) FROM siddhi.apps WHERE name LIKE 'pts%';
