-- Streaming SQL: AND between sub-patterns, (P1) AND (P2) (issue 17): both
-- have matched, in either order, once; WITHIN bounds the whole match.  Each
-- side is a generated query into an inner stream, and the query matches
-- the two orders over those (conformance: pattern_and_subpatterns*).
-- All in playback: each ts is the event time.

-- the second side first: one match, through the second order
SELECT siddhi.deploy('pat3_both', $$
  @app:playback
  CREATE STREAM A (ts BIGINT, id INT, v INT) WITH (event_time = 'ts');
  CREATE STREAM B (ts BIGINT, id INT, v INT) WITH (event_time = 'ts');
  CREATE STREAM C (ts BIGINT, id INT, v INT) WITH (event_time = 'ts');
  CREATE STREAM D (ts BIGINT, id INT, v INT) WITH (event_time = 'ts');
  @info(name = 'both')
  INSERT INTO Both3
  SELECT a.id AS aid, b.v AS bv, c.id AS cid, d.v AS dv,
         siddhi.event_timestamp() AS at
  FROM PATTERN ((a=A -> b=B[id = a.id]) AND (c=C -> d=D[id = c.id])
                WITHIN 5 seconds);
$$);
SELECT siddhi.flush(); -- the worker has started the app
SELECT query, events_in, events_out FROM siddhi.queries WHERE app = 'pat3_both' ORDER BY query;
SELECT siddhi.subscribe('both3');
INSERT INTO c VALUES (1000, 1, 10);
INSERT INTO a VALUES (1050, 2, 20);
INSERT INTO d VALUES (1100, 1, 11);
INSERT INTO b VALUES (1300, 2, 21);
-- both have matched: nothing more comes of later matches
INSERT INTO c VALUES (2000, 3, 30);
INSERT INTO d VALUES (2100, 3, 31);
INSERT INTO a VALUES (2200, 4, 40);
INSERT INTO b VALUES (2300, 4, 41);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('both3', 10, 0) ORDER BY seq;
SELECT query, events_in, events_out FROM siddhi.queries WHERE app = 'pat3_both' ORDER BY query;
SELECT siddhi.undeploy('pat3_both');

-- the first side first, its sub-pattern with every and a count: its first
-- match expires (B 6 s after A), the next ones are found; the first of
-- them pairs with the other side's match; attributes of both sides, a
-- counted state's f[0] and f[last], and WHERE over both
SELECT siddhi.deploy('pat3_first', $$
  @app:playback
  CREATE STREAM A (ts BIGINT, id INT, v INT) WITH (event_time = 'ts');
  CREATE STREAM B (ts BIGINT, id INT, v INT) WITH (event_time = 'ts');
  CREATE STREAM C (ts BIGINT, id INT, v INT) WITH (event_time = 'ts');
  INSERT INTO First3
  SELECT a.id AS aid, b.v AS bv, f[0].v AS f0, f[last].v AS flast,
         a.v + f[0].v AS total
  FROM PATTERN (every (a=A -> b=B[id = a.id]) AND (f=C<2:3>)
                WITHIN 5 seconds)
  WHERE a.id > 0;
$$);
SELECT siddhi.subscribe('first3');
INSERT INTO a VALUES (1000, 1, 10);
INSERT INTO b VALUES (7000, 1, 11);
INSERT INTO a VALUES (8000, 2, 20), (8200, 3, 30);
INSERT INTO b VALUES (8100, 2, 21), (8300, 3, 31);
INSERT INTO c VALUES (9000, 7, 70), (9100, 7, 71), (9200, 7, 72);
INSERT INTO a VALUES (9300, 5, 50);
INSERT INTO b VALUES (9400, 5, 51);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('first3', 10, 0) ORDER BY seq;
SELECT siddhi.undeploy('pat3_first');

-- WITHIN bounds the whole match, not each side: A at 1000 .. B at 1500,
-- C at 1200 .. D at 6100 is 5.1 s in all although each side took less
-- than 5 s and the sides completed 4.6 s apart; within 6 seconds it goes out
SELECT siddhi.deploy('pat3_span', $$
  @app:playback
  CREATE STREAM A (ts BIGINT, id INT) WITH (event_time = 'ts');
  CREATE STREAM B (ts BIGINT, id INT) WITH (event_time = 'ts');
  CREATE STREAM C (ts BIGINT, id INT) WITH (event_time = 'ts');
  CREATE STREAM D (ts BIGINT, id INT) WITH (event_time = 'ts');
  INSERT INTO Span5 SELECT a.id AS aid, d.id AS did
  FROM PATTERN ((a=A -> b=B) AND (c=C -> d=D) WITHIN 5 seconds);
  INSERT INTO Span6 SELECT a.id AS aid, d.id AS did
  FROM PATTERN ((a=A -> b=B) AND (c=C -> d=D) WITHIN 6 seconds);
$$);
SELECT siddhi.subscribe('span5');
SELECT siddhi.subscribe('span6');
INSERT INTO a VALUES (1000, 1);
INSERT INTO c VALUES (1200, 2);
INSERT INTO b VALUES (1500, 3);
INSERT INTO d VALUES (6100, 4);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('span5', 10, 0) ORDER BY seq;
SELECT event FROM siddhi.poll('span6', 10, 0) ORDER BY seq;
SELECT siddhi.undeploy('pat3_span');

-- refused, each at its position with the form to write
SELECT siddhi.parse($$SELECT a.x FROM PATTERN (every ((a=s1 -> b=s2) AND (c=s3 -> d=s4)));$$);
SELECT siddhi.parse($$SELECT a.x FROM PATTERN ((a=s1 -> b=s2) AND (c=s3 -> d=s4) AND (e=s5));$$);
SELECT siddhi.parse($$SELECT a.x FROM PATTERN ((a=s1 -> b=s2) AND (c=s3 -> d=s4) OR (e=s5));$$);
SELECT siddhi.parse($$SELECT a.x FROM PATTERN ((a=s1 -> b=s2) OR (c=s3 -> d=s4) AND (e=s5));$$);
SELECT siddhi.parse($$SELECT a.x FROM PATTERN ((a=s1 -> b=s2) AND c=s3 -> d=s4);$$);
SELECT siddhi.parse($$SELECT a.x FROM PATTERN ((a=s1 -> b=s2) AND (c=s3 -> d=s4) AFTER e=s5);$$);
SELECT siddhi.parse($$SELECT a.x FROM SEQUENCE ((a=s1, b=s2) AND (c=s3, d=s4));$$);
SELECT siddhi.parse($$SELECT x FROM PATTERN ((a=s1 -> b=s2) AND (c=s3 -> d=s4));$$);
SELECT siddhi.parse($$SELECT a.x FROM PATTERN ((a=s1 -> b=s2) AND (a=s3 -> d=s4));$$);
SELECT siddhi.parse($$SELECT a.x FROM PATTERN ((a=s1 -> b=s2) AND (c=s3 -> d=s4)) PARTITION BY x;$$);
SELECT siddhi.parse($$UPDATE T SET x = a.x FROM PATTERN ((a=A -> b=B) AND (c=A -> d=B)) WHERE T.k = 1;$$);
-- several queries cannot stand for one WITH query or subquery (nor can
-- the alternatives of OR)
SELECT siddhi.parse($$WITH h AS (SELECT a.x FROM PATTERN ((a=s1) AND (b=s2))) SELECT x FROM h;$$);
SELECT siddhi.parse($$SELECT h.x FROM (SELECT a.x FROM PATTERN ((a=s1) OR (b=s2))) AS h;$$);
-- a side's condition cannot read the other side's states
SELECT siddhi.deploy('pat3_bad', $$
  CREATE STREAM S1 (x INT); CREATE STREAM S2 (x INT);
  INSERT INTO O SELECT a.x, c.x AS y FROM PATTERN ((a=S1 -> b=S2[x = c.x]) AND (c=S1 -> d=S2));
$$);
-- outside a pattern's select, the match start is NULL
SELECT siddhi.pattern_match_start();
