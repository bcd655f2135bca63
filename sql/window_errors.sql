-- An error in what a window hands out skips that event for the query and
-- nothing else: the window keeps the event, the aggregates keep what it
-- added before the error, and the next events go on (src/runtime/query.c,
-- window_event).  The arrival a length window hands out last, and a
-- folding batch window's arrival, take the step's own error boundary; an
-- expired event keeps one of its own.  Each INSERT here is one chunk of
-- several rows, the failing ones in the middle.
SELECT siddhi.deploy('we', $$
  CREATE STREAM we_in (k TEXT, v INT, s TEXT);
  @info(name = 'len') INSERT INTO we_len
  SELECT k, SUM(v) AS total, CAST(s AS INT) AS n FROM we_in WINDOW LENGTH(2)
  GROUP BY k;
  @info(name = 'one') INSERT INTO we_one
  SELECT k, SUM(v) AS total, CAST(s AS INT) AS n FROM we_in WINDOW LENGTH(1)
  GROUP BY k;
  @info(name = 'batch') INSERT INTO we_batch
  SELECT k, SUM(v) AS total, MAX(CAST(s AS INT)) AS n FROM we_in
  WINDOW lengthBatch(3) GROUP BY k;
  -- the failing rows fail again when they expire (their argument)
  @info(name = 'expired') INSERT INTO we_exp
  SELECT k, SUM(CAST(s AS INT)) AS n FROM we_in WINDOW LENGTH(1) GROUP BY k;
$$);
SELECT siddhi.subscribe(s) FROM unnest(ARRAY['we_len', 'we_one', 'we_batch', 'we_exp']) s;
INSERT INTO we_in VALUES ('a', 1, '1'), ('a', 2, 'x'), ('a', 4, '3'),
  ('a', 8, 'y'), ('a', 16, '4');
INSERT INTO we_in VALUES ('b', 32, 'z'), ('a', 64, '5'), ('b', 128, '6');
SELECT siddhi.flush();
-- len: the sums of the last two events of a, the failing ones counted
SELECT event FROM siddhi.poll('we_len', 100, 0) ORDER BY seq;
-- one: a group emptied by the expiry of the step that failed is gone,
-- and starts again
SELECT event FROM siddhi.poll('we_one', 100, 0) ORDER BY seq;
SELECT event FROM siddhi.poll('we_batch', 100, 0) ORDER BY seq;
-- an expiry that fails skips only itself: the arrival after it goes on
SELECT event FROM siddhi.poll('we_exp', 100, 0) ORDER BY seq;
SELECT query, events_in, events_out, errors FROM siddhi.queries
 WHERE app = 'we' ORDER BY query;
SELECT siddhi.undeploy('we');

-- A window join's arrival takes the step's error boundary too: the rows
-- its probe made before the failing match have gone out, the failing
-- match and those after it are skipped, and the next arrivals go on.
SELECT siddhi.deploy('wj', $$
  CREATE STREAM wj_l (k TEXT, n INT);
  CREATE STREAM wj_r (k TEXT, s TEXT);
  @info(name = 'j') INSERT INTO wj_out
  SELECT l.k, l.n, CAST(r.s AS INT) AS v
  FROM wj_l l WINDOW LENGTH(5) JOIN wj_r r WINDOW LENGTH(5) ON l.k = r.k;
$$);
SELECT siddhi.subscribe('wj_out');
INSERT INTO wj_r VALUES ('a', '1'), ('a', 'x'), ('a', '3'), ('b', '4');
SELECT siddhi.flush();
INSERT INTO wj_l VALUES ('a', 10), ('b', 20), ('a', 30);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('wj_out', 100, 0) ORDER BY seq;
SELECT query, events_in, events_out, errors FROM siddhi.queries
 WHERE app = 'wj' ORDER BY query;
SELECT siddhi.undeploy('wj');
