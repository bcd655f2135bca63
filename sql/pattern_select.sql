-- select * of a pattern, and a pattern query without select, as Siddhi
-- expands them: each state's attributes in state order; names that clash
-- are refused.  In playback.
SELECT count(*) FROM siddhi.deploy('psa', $$
  @app:playback
  @eventTime('ts') define stream PsA (ts long, sym string, price double);
  @eventTime('tb') define stream PsB (tb long, who string, qty int);
  define table PsOut (ts long, sym string, price double, tb long, who string, qty int);
  from every e1=PsA -> e2=PsB[qty > 1] select * insert into PsOut;
  -- no select: the same
  from every e1=PsA -> e2=PsB insert into PsOut2;
  -- the side of an or that did not come is null
  from every e1=PsA or e2=PsB select * insert into PsOut3;
$$);
SELECT siddhi.subscribe('psout2'), siddhi.subscribe('psout3');
INSERT INTO psa VALUES (1000, 'a', 1.5);
INSERT INTO psb VALUES (1100, 'x', 1), (1200, 'y', 2);
SELECT siddhi.flush();
SELECT * FROM psout;
SELECT event FROM siddhi.poll('psout2', 10, 0) ORDER BY seq;
SELECT event FROM siddhi.poll('psout3', 10, 0) ORDER BY seq;
SELECT siddhi.undeploy('psa');

-- the SQL dialect
SELECT count(*) FROM siddhi.deploy('psa_sql', $$
  @app:playback
  CREATE STREAM SqA (ts BIGINT, id INT) WITH (event_time = 'ts');
  CREATE STREAM SqB (tb BIGINT, v INT) WITH (event_time = 'tb');
  INSERT INTO SqOut SELECT * FROM PATTERN (a=SqA -> b=SqB[v > a.id]);
$$);
SELECT siddhi.subscribe('sqout');
INSERT INTO sqa VALUES (1000, 5);
INSERT INTO sqb VALUES (1100, 3), (1200, 9);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('sqout', 10, 0) ORDER BY seq;
SELECT siddhi.undeploy('psa_sql');

-- two states of one stream: their attributes clash
SELECT siddhi.deploy('psa_bad', $$
  define stream PsA2 (ts long, sym string);
  from every e1=PsA2 -> e2=PsA2 select * insert into PsBad;
$$);
