-- The engine reads an event's attributes in one pass where it knows its
-- expressions will (src/common/minslot.c): a plain query's filter (or its
-- projection, without a filter), and what a window query's selector reads
-- of each event the window hands out.  Nulls anywhere, short and long
-- strings before and after numbers (a long string's header is aligned,
-- a short one's is not), and the attributes past those read in the pass
-- must all come out as they went in.
SELECT count(*) FROM siddhi.deploy('er', $$
  CREATE STREAM er_in (s TEXT, x FLOAT8, n BIGINT, t TEXT, i INT, b BOOLEAN);
  -- the filter reads 3 attributes, the projection 6
  @info(name = 'filtered') INSERT INTO er_f
  SELECT t, s, i, b, x, n FROM er_in WHERE n > 2;
  CREATE STREAM er_all (s TEXT, x FLOAT8, n BIGINT, t TEXT, i INT, b BOOLEAN);
  -- no filter: the projection's attributes, all six
  @info(name = 'projected') INSERT INTO er_p
  SELECT b, i, t, n, x, s FROM er_all;
  CREATE STREAM er_win (s TEXT, x FLOAT8, n BIGINT, t TEXT, i INT, b BOOLEAN);
  -- grouped by the fourth, summing the fifth and the second
  @info(name = 'windowed') INSERT INTO er_w
  SELECT t, SUM(i) AS si, SUM(x) AS sx, COUNT(*) AS c
  FROM er_win WINDOW LENGTH(5) GROUP BY t;
$$);
SELECT siddhi.subscribe(s) FROM unnest(ARRAY['er_f', 'er_p', 'er_w']) s;
CREATE TABLE er_rows (s TEXT, x FLOAT8, n BIGINT, t TEXT, i INT, b BOOLEAN);
INSERT INTO er_rows VALUES
  ('a', 1.5, 1, 'x', 10, true),
  (NULL, 2.5, 3, 'yy', NULL, false),
  ('ccc', NULL, 5, NULL, 30, NULL),
  ('d', 4.5, NULL, 'x', 40, true),
  (repeat('L', 200), 5.5, 7, repeat('M', 300), 50, false),
  ('e', 6.5, 9, 'yy', 60, NULL);
INSERT INTO er_in SELECT * FROM er_rows;
INSERT INTO er_all SELECT * FROM er_rows;
INSERT INTO er_win SELECT * FROM er_rows;
SELECT siddhi.flush();
-- the rows with n > 2, every attribute as stored (the long strings by
-- their length and their first and last letters)
SELECT event->>'s' IS NULL AS s_null, length(event->>'s') AS s_len,
       left(event->>'s', 1) || right(event->>'s', 1) AS s_ends,
       event->'x' AS x, event->'n' AS n, length(event->>'t') AS t_len,
       left(event->>'t', 1) AS t_first, event->'i' AS i, event->'b' AS b
  FROM siddhi.poll('er_f', 100, 0) ORDER BY seq;
-- all six rows, in the projection's order (a poll reads them once)
CREATE TEMP TABLE er_p_rows AS
  SELECT seq, event FROM siddhi.poll('er_p', 100, 0);
SELECT event->'b' AS b, event->'i' AS i, length(event->>'t') AS t_len,
       event->'n' AS n, event->'x' AS x, length(event->>'s') AS s_len
  FROM er_p_rows ORDER BY seq;
-- the same as the rows that went in: none differs
SELECT count(*) AS differing FROM (
  SELECT b, i, t, n, x, s FROM er_rows
  EXCEPT
  SELECT (event->>'b')::boolean, (event->>'i')::int, event->>'t',
         (event->>'n')::bigint, (event->>'x')::float8, event->>'s'
    FROM er_p_rows) d;
-- each arrival's group over the last five events: x twice at the fourth,
-- yy twice at the sixth (its null i left out of the sum)
SELECT event->>'t' IS NULL AS t_null, length(event->>'t') AS t_len,
       event->'si' AS si, event->'sx' AS sx, event->'c' AS c
  FROM siddhi.poll('er_w', 100, 0) ORDER BY seq;
SELECT siddhi.undeploy('er');
DROP TABLE er_rows;
