-- Streaming SQL patterns that are SQL's own forms (issue 17): NOT A -> B
-- without FOR, X AFTER Y, (P1) OR (P2) between sub-patterns, and the
-- roadmap's pattern examples. All in playback: each ts is the event time.

-- NOT login -> p=purchase: Siddhi's `not login and p=purchase`, a purchase
-- with no login before it; WHERE filters the match over the last state
SELECT siddhi.parse($$SELECT p.userId FROM PATTERN (NOT login -> p=purchase WITHIN 5 minutes);$$);
SELECT siddhi.deploy('pat2_nologin', $$
  @app:playback
  CREATE STREAM Login (ts BIGINT, userId INT) WITH (event_time = 'ts');
  CREATE STREAM Purchase (ts BIGINT, userId INT, amount INT) WITH (event_time = 'ts');
  INSERT INTO NoLogin
  SELECT p.userId, p.amount
  FROM PATTERN ( every (NOT Login -> p=Purchase) WITHIN 5 minutes )
  WHERE p.amount > 1000;
  INSERT INTO AfterLogin
  SELECT a.userId, p.amount
  FROM PATTERN ( every a=Login -> NOT Login[userId <> a.userId] -> p=Purchase[userId = a.userId] );
$$);
SELECT siddhi.subscribe('nologin');
SELECT siddhi.subscribe('afterlogin');
INSERT INTO purchase VALUES (1000, 1, 5000), (2000, 1, 20);
INSERT INTO login VALUES (3000, 2);
INSERT INTO purchase VALUES (4000, 2, 3000);
INSERT INTO login VALUES (5000, 3);
INSERT INTO purchase VALUES (6000, 3, 10);
INSERT INTO login VALUES (7000, 4), (8000, 5);
INSERT INTO purchase VALUES (9000, 4, 70);
SELECT siddhi.flush();
-- every re-arms after each purchase: 5000 (no login yet) is out, 20 is
-- filtered by WHERE, 3000 came after a login
SELECT event FROM siddhi.poll('nologin', 10, 0) ORDER BY seq;
-- a login, then the same user's purchase with no other user's login
-- between: users 2 and 3; user 4's purchase came after user 5's login
SELECT event FROM siddhi.poll('afterlogin', 10, 0) ORDER BY seq;

-- errors: NOT without FOR needs one state after it
SELECT siddhi.parse($$SELECT a.x FROM PATTERN (NOT s1 -> s2<2:3>);$$);
SELECT siddhi.parse($$SELECT a.x FROM PATTERN (NOT s1 -> every s2);$$);
SELECT siddhi.parse($$SELECT a.x FROM PATTERN (a=s0 -> NOT s1);$$);

-- X AFTER Y is Y -> X: the roadmap's silent devices
SELECT siddhi.deploy('pat2_after', $$
  @app:playback
  CREATE STREAM Device (ts BIGINT, deviceId INT) WITH (event_time = 'ts');
  CREATE STREAM Heartbeat (ts BIGINT, deviceId INT) WITH (event_time = 'ts');
  INSERT INTO Silent
  SELECT d.deviceId
  FROM PATTERN (
      NOT Heartbeat[deviceId == d.deviceId]
      FOR 5 minutes
      AFTER every Device AS d
  );
$$);
SELECT siddhi.subscribe('silent');
INSERT INTO device VALUES (1000, 1), (2000, 2);
INSERT INTO heartbeat VALUES (60000, 1);
SELECT siddhi.advance_clock(400000);
SELECT siddhi.flush();
SELECT extract(epoch FROM event_time) * 1000 AS ms, event
  FROM siddhi.poll('silent', 10, 0) ORDER BY seq;
SELECT siddhi.parse($$SELECT a.x FROM PATTERN ((a=s1 -> b=s2) OR (c=s3) AFTER d=s4);$$);

-- (P1) OR (P2): one query per alternative into the same stream; the
-- other alternative's states read NULL
SELECT siddhi.parse($$SELECT f[0].userId, u.userId AS u FROM PATTERN ((f=loginFailed<3:> -> accountLocked) OR (suspiciousIP -> u=unauthorizedAccess));$$);
SELECT siddhi.deploy('pat2_either', $$
  @app:playback
  CREATE STREAM LoginFailed (ts BIGINT, userId INT) WITH (event_time = 'ts');
  CREATE STREAM AccountLocked (ts BIGINT, userId INT) WITH (event_time = 'ts');
  CREATE STREAM SuspiciousIP (ts BIGINT, userId INT) WITH (event_time = 'ts');
  CREATE STREAM UnauthorizedAccess (ts BIGINT, userId INT) WITH (event_time = 'ts');
  @info(name = 'either')
  INSERT INTO Alerts
  SELECT coalesce(AccountLocked.userId, u.userId) AS userId,
         f[0].ts AS first_fail, u.ts AS access
  FROM PATTERN (
      every (f=LoginFailed<3:> -> AccountLocked[userId = f[0].userId])
      OR
      every (SuspiciousIP -> u=UnauthorizedAccess[userId = SuspiciousIP.userId])
      WITHIN 1 minute
  );
$$);
SELECT siddhi.flush(); -- the worker has started the app
SELECT query, events_in, events_out FROM siddhi.queries WHERE app = 'pat2_either' ORDER BY query;
SELECT siddhi.subscribe('alerts');
INSERT INTO suspiciousip VALUES (1000, 5);
INSERT INTO loginfailed VALUES (1100, 7), (1200, 7), (1300, 7);
INSERT INTO unauthorizedaccess VALUES (1400, 5);
INSERT INTO accountlocked VALUES (1500, 7);
INSERT INTO suspiciousip VALUES (2000, 6);
INSERT INTO unauthorizedaccess VALUES (90000, 6);
SELECT siddhi.flush();
-- user 6's access came after the minute
SELECT extract(epoch FROM event_time) * 1000 AS ms, event
  FROM siddhi.poll('alerts', 10, 0) ORDER BY seq;

-- AND between sub-patterns compiles into queries (see sql_patterns3); errors:
-- OR without parentheses, nested OR
SELECT siddhi.parse($$SELECT a.x FROM PATTERN ((a=s1 -> b=s2) AND (c=s3 -> d=s4));$$);
SELECT siddhi.parse($$SELECT a.x FROM PATTERN ((a=s1 -> b=s2) OR c=s3 -> d=s4);$$);
SELECT siddhi.parse($$SELECT a.x FROM PATTERN (x=s0 -> (a=s1 -> b=s2) OR (c=s3 -> d=s4));$$);
SELECT siddhi.parse($$SELECT a.x FROM PATTERN (every ((a=s1 -> b=s2) OR (c=s3 -> d=s4)));$$);
SELECT siddhi.parse($$SELECT a.x FROM SEQUENCE ((a=s1, b=s2) OR (c=s3, d=s4));$$);
-- only a query is read once per alternative
SELECT siddhi.parse($$UPDATE T SET x = a.x FROM PATTERN ((a=A -> b=B) OR (c=A -> d=B)) WHERE T.k = 1;$$);

-- SiddhiQL stays Siddhi's: and/or join two single states only
SELECT siddhi.parse($$define stream A (x int); define stream B (x int);
from (e1=A -> e2=B) or (e3=B -> e4=A) select e1.x insert into O;$$);
SELECT siddhi.parse($$define stream A (x int); define stream B (x int);
from every (e1=A -> e2=B and e3=B or e4=A) select e1.x insert into O;$$);

-- a condition cannot read another alternative's state
SELECT siddhi.deploy('pat2_bad', $$
  CREATE STREAM S1 (x INT); CREATE STREAM S2 (x INT);
  INSERT INTO O SELECT a.x, c.x AS y FROM PATTERN ((a=S1 -> b=S2[x = c.x]) OR (c=S1 -> d=S2));
$$);
-- WHERE reads another alternative's state as NULL too: a.x IS NULL keeps
-- the matches of (c -> d), a.x > 10 filters those of (a -> b)
SELECT siddhi.deploy('pat2_where', $$
  @app:playback
  CREATE STREAM S1 (ts BIGINT, x INT) WITH (event_time = 'ts');
  CREATE STREAM S2 (ts BIGINT, x INT) WITH (event_time = 'ts');
  INSERT INTO Pairs SELECT a.x AS ax, c.x AS cx
  FROM PATTERN ((every a=S1 -> b=S2) OR (every c=S2 -> d=S1))
  WHERE a.x IS NULL OR a.x > 10;
$$);
SELECT siddhi.subscribe('pairs');
INSERT INTO s1 VALUES (1000, 5);
INSERT INTO s2 VALUES (2000, 6);
INSERT INTO s1 VALUES (3000, 50);
INSERT INTO s2 VALUES (4000, 7);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('pairs', 10, 0) ORDER BY seq;

-- the roadmap's blocks as written: a bare column two states have, and a
-- stream used as a number, are refused as PostgreSQL refuses them
SELECT siddhi.deploy('pat2_roadmap', $$
  CREATE STREAM failedLogin (ts BIGINT, userId INT);
  CREATE STREAM successLogin (ts BIGINT, userId INT);
  INSERT INTO O6 SELECT userId
  FROM PATTERN ( failedLogin<3:5> -> successLogin WITHIN 10 minutes );
$$);
SELECT siddhi.deploy('pat2_roadmap', $$
  CREATE STREAM normalPrice (symbol TEXT, price FLOAT8);
  CREATE STREAM spike (symbol TEXT, price FLOAT8, spike_price FLOAT8);
  INSERT INTO O7 SELECT spike.symbol, spike_price
  FROM PATTERN ( every ( normalPrice -> spike[price > normalPrice * 1.1] ) );
$$);

-- a first state `A and B` matches in either order, as in Siddhi
SELECT siddhi.deploy('pat2_and', $$
  @app:playback
  CREATE STREAM Cards (ts BIGINT, id TEXT, amt FLOAT8) WITH (event_time = 'ts');
  CREATE STREAM Geo (ts BIGINT, id TEXT, city TEXT) WITH (event_time = 'ts');
  CREATE STREAM Flags (ts BIGINT, id TEXT) WITH (event_time = 'ts');
  INSERT INTO Suspicious
  SELECT c.id, c.amt, g.city, f.id AS flag
  FROM PATTERN ( every c=Cards[amt > 100] AND g=Geo -> f=Flags );
$$);
SELECT siddhi.subscribe('suspicious');
INSERT INTO geo VALUES (1000, 'c1', 'Oslo');
INSERT INTO cards VALUES (1100, 'c1', 150);
INSERT INTO geo VALUES (1200, 'c2', 'Rome');
INSERT INTO cards VALUES (1300, 'c2', 250);
INSERT INTO flags VALUES (1400, 'f1');
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('suspicious', 10, 0) ORDER BY seq;

SELECT siddhi.undeploy(app) FROM unnest(ARRAY['pat2_nologin', 'pat2_after', 'pat2_either', 'pat2_where', 'pat2_and']) app;
