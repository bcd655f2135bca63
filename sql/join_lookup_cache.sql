-- A join with a table through its primary key remembers where each key's
-- row was (siddhi.join_lookup_cache) and checks it on the next lookup.
-- Every way the row can move or go (an update in place or to another
-- place, a delete and a new row of the key, VACUUM FULL, TRUNCATE, pages
-- VACUUM gives back, the engine's own writes in the same batch) must give
-- the row the index would give, and never read past the table's end.

SELECT siddhi.deploy('jlc', $$
  define stream JlcAsk (sym string, n int);
  define stream JlcBump (sym string);
  @PrimaryKey('sym')
  define table JlcPx (sym string, bid double, note string);
  from JlcBump update JlcPx set JlcPx.bid = JlcPx.bid + 1
    on JlcPx.sym == sym;
  @info(name = 'ask')
  from JlcAsk join JlcPx on JlcPx.sym == JlcAsk.sym
  select JlcAsk.n as n, JlcAsk.sym as sym, JlcPx.bid as bid
  insert into JlcGot;
  @info(name = 'ask_outer')
  from JlcAsk left outer join JlcPx on JlcPx.sym == JlcAsk.sym
  select JlcAsk.n as n, JlcAsk.sym as sym, JlcPx.bid as bid
  insert into JlcOuter;
$$);
SELECT siddhi.subscribe('jlcgot');
SELECT siddhi.subscribe('jlcouter');
CREATE FUNCTION pg_temp.jlc_quiet() RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
  -- VACUUM frees what no running transaction may still see: wait until
  -- none other runs (the engine's epochs take short ones)
  FOR i IN 1..400 LOOP
    PERFORM pg_stat_clear_snapshot();
    EXIT WHEN NOT EXISTS (SELECT 1 FROM pg_stat_activity
                           WHERE pid <> pg_backend_pid()
                             AND (backend_xmin IS NOT NULL
                                  OR backend_xid IS NOT NULL));
    PERFORM pg_sleep(0.05);
  END LOOP;
END $f$;

-- the first lookups find the rows through the index, the next ones where
-- they were
INSERT INTO jlcpx VALUES ('a', 1, 'x'), ('b', 2, 'x');
INSERT INTO jlcask VALUES ('a', 1), ('b', 2), ('a', 3), ('zz', 4);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('jlcgot', 100, 0) ORDER BY seq;

-- an update that leaves the key (a HOT update: the cached place is the
-- root of the row's chain)
UPDATE jlcpx SET bid = 10 WHERE sym = 'a';
INSERT INTO jlcask VALUES ('a', 5);
SELECT siddhi.flush();
-- the key moves: b's place holds nothing of b, c's row is where b's was
UPDATE jlcpx SET sym = 'c' WHERE sym = 'b';
INSERT INTO jlcask VALUES ('b', 6), ('c', 7);
SELECT siddhi.flush();
-- deleted, then a new row of the key elsewhere
DELETE FROM jlcpx WHERE sym = 'a';
INSERT INTO jlcask VALUES ('a', 8);
SELECT siddhi.flush();
INSERT INTO jlcpx VALUES ('a', 20, 'y');
INSERT INTO jlcask VALUES ('a', 9);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('jlcgot', 100, 0) ORDER BY seq;

-- new storage: VACUUM FULL, then TRUNCATE
VACUUM FULL jlcpx;
INSERT INTO jlcask VALUES ('a', 10), ('c', 11);
SELECT siddhi.flush();
TRUNCATE jlcpx;
INSERT INTO jlcpx VALUES ('a', 30, 'z');
INSERT INTO jlcask VALUES ('a', 12), ('c', 13);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('jlcgot', 100, 0) ORDER BY seq;

-- the engine's own update and lookups in one batch: each lookup sees
-- what the events before it did
BEGIN;
INSERT INTO jlcask VALUES ('a', 14);
INSERT INTO jlcbump VALUES ('a');
INSERT INTO jlcask VALUES ('a', 15);
INSERT INTO jlcbump VALUES ('a');
INSERT INTO jlcask VALUES ('a', 16);
COMMIT;
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('jlcgot', 100, 0) ORDER BY seq;

-- rows in many pages, looked up (their places remembered), deleted, and
-- the table's trailing pages given back by VACUUM: the remembered places
-- are past its end now
INSERT INTO jlcpx SELECT 'k' || i, i, 'w' FROM generate_series(1, 3000) i;
INSERT INTO jlcask SELECT 'k' || i, i FROM generate_series(2991, 3000) i;
SELECT siddhi.flush();
SELECT count(*) AS found, sum((event->>'bid')::int) AS bids
  FROM siddhi.poll('jlcgot', 100, 0);
SELECT pg_relation_size('jlcpx') > 8192 * 4 AS several_pages;
DELETE FROM jlcpx WHERE sym LIKE 'k%';
SELECT pg_temp.jlc_quiet();
VACUUM jlcpx;
SELECT pg_relation_size('jlcpx') <= 8192 * 2 AS truncated;
INSERT INTO jlcask SELECT 'k' || i, i FROM generate_series(2991, 3000) i;
INSERT INTO jlcask VALUES ('a', 17);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('jlcgot', 100, 0) ORDER BY seq;
-- back, at new places
INSERT INTO jlcpx SELECT 'k' || i, -i, 'w' FROM generate_series(2991, 3000) i;
INSERT INTO jlcask SELECT 'k' || i, i FROM generate_series(2991, 3000) i;
SELECT siddhi.flush();
SELECT count(*) AS found, sum((event->>'bid')::int) AS bids
  FROM siddhi.poll('jlcgot', 100, 0);

-- a place VACUUM freed, where another key's new row now is: not p's
INSERT INTO jlcpx VALUES ('p', 40, 'v');
INSERT INTO jlcask VALUES ('p', 19);
SELECT siddhi.flush();
CREATE TEMP TABLE jlc_place AS SELECT ctid AS place FROM jlcpx WHERE sym = 'p';
DELETE FROM jlcpx WHERE sym = 'p';
SELECT pg_temp.jlc_quiet();
VACUUM jlcpx;
INSERT INTO jlcpx VALUES ('q', 41, 'v');
SELECT ctid = (SELECT place FROM jlc_place) AS same_place
  FROM jlcpx WHERE sym = 'q';
INSERT INTO jlcask VALUES ('p', 20), ('q', 21);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('jlcgot', 100, 0) ORDER BY seq;

-- a null key finds nothing; the outer join saw every arrival once
INSERT INTO jlcask VALUES (NULL, 18);
SELECT siddhi.flush();
SELECT count(*) AS got FROM siddhi.poll('jlcgot', 100, 0);
SELECT count(*) AS arrivals, count(event->>'bid') AS matched
  FROM siddhi.poll('jlcouter', 1000, 0);
SELECT errors FROM siddhi.queries WHERE app = 'jlc' ORDER BY query;
SELECT siddhi.undeploy('jlc');

-- Rows the engine itself writes into the table are noted where they went,
-- so that their keys' first lookups do not descend the index either
-- (pg_stat_user_indexes counts each descent).  The load's batch repeats a
-- key: its rows are written together, rolled back at the duplicate and
-- written one by one, so the places first noted are of rows that never
-- were.  Only the key with no row ('zz') descends.
SELECT count(*) FROM siddhi.deploy('jlcseed', $$
  define stream JsLoad (sym string, bid double);
  define stream JsAsk (sym string, n int);
  @PrimaryKey('sym')
  define table JsPx (sym string, bid double);
  from JsLoad insert into JsPx;
  from JsAsk join JsPx on JsPx.sym == JsAsk.sym
  select JsAsk.n as n, JsPx.bid as bid insert into JsGot;
$$);
SELECT siddhi.subscribe('jsgot');
INSERT INTO jsload VALUES ('s1', 1), ('s2', 2), ('s1', 3), ('s3', 4);
SELECT siddhi.flush();
INSERT INTO jsask VALUES ('s1', 1), ('s2', 2), ('zz', 3), ('s3', 4), ('s1', 5);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('jsgot', 100, 0) ORDER BY seq;
DO $$
BEGIN
  FOR i IN 1 .. 100 LOOP
    PERFORM pg_stat_clear_snapshot();
    EXIT WHEN (SELECT idx_scan FROM pg_stat_user_indexes
                WHERE relname = 'jspx') > 0;
    PERFORM pg_sleep(0.1);
  END LOOP;
END $$;
SELECT idx_scan AS descents FROM pg_stat_user_indexes WHERE relname = 'jspx';
SELECT sym, bid FROM jspx ORDER BY sym;
SELECT errors FROM siddhi.queries WHERE app = 'jlcseed' ORDER BY query;
SELECT siddhi.undeploy('jlcseed', drop_tables => true);

-- A lookup that fails half way (a condition of the user's raises on one
-- row) loses that arrival only, for that query; the pages the lookup's
-- scan holds stay its own until the batch commits, and the next arrivals
-- of the batch, in the same and other pages, find their rows.
CREATE FUNCTION public.jlc_check(b float8) RETURNS bool LANGUAGE plpgsql AS $f$
BEGIN
  IF b = 5 THEN
    RAISE EXCEPTION 'bid five';
  END IF;
  RETURN true;
END $f$;
SELECT count(*) FROM siddhi.deploy('jlcerr', $$
  define stream JeLoad (sym string, bid double);
  define stream JeAsk (sym string, n int);
  @PrimaryKey('sym')
  define table JePx (sym string, bid double);
  from JeLoad insert into JePx;
  from JeAsk join JePx on JePx.sym == JeAsk.sym and jlc_check(JePx.bid)
  select JeAsk.n as n, JePx.bid as bid insert into JeGot;
$$);
SELECT siddhi.subscribe('jegot');
INSERT INTO jeload SELECT 's' || i, i FROM generate_series(1, 300) i;
SELECT siddhi.flush();
INSERT INTO jeask SELECT 's' || (i % 300 + 1), i FROM generate_series(0, 899) i;
SELECT siddhi.flush();
SELECT count(*) AS got, sum((event->>'bid')::int) AS bids
  FROM siddhi.poll('jegot', 10000, 0);
BEGIN;
INSERT INTO jeask VALUES ('s5', 1), ('s6', 2), ('s5', 3), ('s299', 4);
COMMIT;
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('jegot', 100, 0) ORDER BY seq;
SELECT query, errors FROM siddhi.queries WHERE app = 'jlcerr' ORDER BY query;
SELECT siddhi.undeploy('jlcerr', drop_tables => true);
DROP FUNCTION public.jlc_check(float8);
