-- Sequences (,): each state takes the very next event, in both dialects.
SELECT siddhi.deploy('seq', $$
  @app:playback
  @eventTime('ts') define stream STicks (ts long, sym string, px double);
  @eventTime('ts') define stream SFills (ts long, sym string, qty int);
  define table SRuns (start double, firstup double, peak double, drop double);
  define table SPairs (sym string, px double, qty int);
  define table SDips (start double, dips long, back double);
  define table SOnce (a double, b double);

  -- a rising run (+), closed by a drop below its peak
  @info(name = 'runs')
  from every e1=STicks, e2=STicks[px > e1.px]+, e3=STicks[px < e2[last].px]
  select e1.px as start, e2[0].px as firstup, e2[last].px as peak, e3.px as drop
  insert into SRuns;

  -- across two streams: a tick immediately followed by a fill of its symbol
  @info(name = 'pairs')
  from every e1=STicks, e2=SFills[sym == e1.sym]
  select e1.sym, e1.px, e2.qty insert into SPairs;

  -- * and ?: zero or more dips, then a tick back above 100
  @info(name = 'dips')
  from every e1=STicks[px > 100.0], e2=STicks[px < 100.0]*, e3=STicks[px > 100.0]
  select e1.px as start, count() as dips, e3.px as back
  insert into SDips;

  -- without every: only the first contiguous pair, if the first event fits
  @info(name = 'once')
  from e1=STicks, e2=STicks[px > e1.px] within 1 sec
  select e1.px as a, e2.px as b insert into SOnce;
$$);
INSERT INTO sticks VALUES (1000, 'K', 10), (1100, 'K', 11), (1200, 'K', 12), (1300, 'K', 9);
INSERT INTO sfills VALUES (1400, 'K', 5);
INSERT INTO sticks VALUES (1500, 'K', 101), (1600, 'K', 99), (1700, 'K', 98), (1800, 'K', 102);
INSERT INTO sticks VALUES (1900, 'K', 103);
INSERT INTO sfills VALUES (2000, 'K', 7), (2100, 'K', 8);
SELECT siddhi.flush();
SELECT * FROM sruns;
-- the fill at 1400 follows the tick at 1300; the one at 2100 follows a fill
SELECT * FROM spairs;
SELECT * FROM sdips;
SELECT * FROM sonce;

-- the SQL dialect: FROM SEQUENCE ( .. )
SELECT siddhi.deploy('seq_sql', $$
  @app:playback
  CREATE STREAM Temp (ts BIGINT, room TEXT, deg FLOAT8) WITH (event_time = 'ts');
  INSERT INTO Warming
  SELECT a.room, a.deg AS from_deg, b[last].deg AS to_deg
  FROM SEQUENCE ( every a=Temp, b=Temp[deg > a.deg]+, c=Temp[deg <= b[last].deg]
                  WITHIN 10 seconds );
$$);
SELECT siddhi.subscribe('warming');
INSERT INTO temp VALUES (1000, 'lab', 20), (2000, 'lab', 21), (3000, 'lab', 22),
  (4000, 'lab', 23), (5000, 'lab', 22.5), (6000, 'lab', 30);
SELECT siddhi.flush();
SELECT extract(epoch FROM event_time) * 1000 AS ms, event
  FROM siddhi.poll('warming', 10, 0) ORDER BY seq;

-- errors
SELECT siddhi.deploy('seq_bad1', $$
  define stream Y1 (a int);
  from e1=Y1, e2=Y1 -> e3=Y1 select e1.a insert into P1;
$$);
SELECT siddhi.deploy('seq_bad2', $$
  CREATE STREAM Y2 (a INT);
  INSERT INTO P2 SELECT e1.a FROM SEQUENCE (e1=Y2 -> e2=Y2);
$$);
-- WHERE filters a sequence's matches too (here: pairs that rise)
SELECT siddhi.deploy('seq_where', $$
  CREATE STREAM Y3 (a INT);
  INSERT INTO P3 SELECT e1.a AS a1, e2.a AS a2
  FROM SEQUENCE (every e1=Y3, e2=Y3) WHERE e2.a > e1.a;
$$);
SELECT siddhi.subscribe('p3');
INSERT INTO y3 VALUES (1), (5), (2), (7);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('p3', 100, 0) ORDER BY seq;
SELECT siddhi.deploy('seq_bad4', $$
  define stream Y4 (a int);
  from every (e1=Y4, e2=Y4) select e1.a insert into P4;
$$);
SELECT siddhi.deploy('seq_bad5', $$
  define stream Y5 (a int);
  from e1=Y5, every e2=Y5 select e1.a insert into P5;
$$);
SELECT siddhi.undeploy(name) FROM siddhi.apps WHERE name LIKE 'seq%' ORDER BY name;
