-- Epochs (issue 15): a query of a partition saves its keys incrementally.
-- Its row (siddhi.query_state) holds a head, and each save appends a part
-- (siddhi.query_state_part) with only the keys whose state for the query
-- changed since its last committed save, and a tombstone for each saved
-- key released (@purge) since; past 4 times what the keys hold, one part
-- with every key replaces them (src/runtime/partition_state.c).  The same
-- app and feed run twice: straight through, and with the engine killed and
-- started again in the middle (each batch saves: siddhi.state_interval =
-- 0).  The outputs, and the order of the keys a stream the partition does
-- not divide visits, must be the same.
ALTER SYSTEM SET siddhi.state_interval = 0;
SELECT pg_reload_conf();
SELECT pg_sleep(0.3);
CREATE TEMP TABLE outs (run text, tab text, n bigint, row jsonb);
CREATE TEMP TABLE feed (step int, stmt text);
-- a part's bytes as the engine wrote them (its first piece: parts here are
-- small), and a little-endian int64 in them
CREATE FUNCTION pg_temp.part(q text, newest int DEFAULT 1) RETURNS bytea
LANGUAGE sql AS $$
  SELECT data FROM siddhi.query_state_part
   WHERE app = 'ps' AND query = q AND piece = 1
   ORDER BY part DESC OFFSET newest - 1 LIMIT 1
$$;
CREATE FUNCTION pg_temp.i64(b bytea, off int) RETURNS bigint LANGUAGE sql AS $$
  SELECT sum(get_byte(b, off + i)::numeric * 256 ^ i)::bigint
    FROM generate_series(0, 7) i
$$;
CREATE FUNCTION pg_temp.i32(b bytea, off int) RETURNS int LANGUAGE sql AS $$
  SELECT sum(get_byte(b, off + i)::numeric * 256 ^ i)::int
    FROM generate_series(0, 3) i
$$;
-- what a part says: its tombstones' keys, and how many key records follow
CREATE FUNCTION pg_temp.tombstones(p bytea) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
  n bigint := pg_temp.i64(p, 0);
  off int := 8;
  len int;
  keys text := '';
BEGIN
  FOR i IN 1 .. n LOOP
    len := pg_temp.i32(p, off);
    keys := keys || ' ' || convert_from(substring(p FROM off + 5 FOR len), 'UTF8');
    off := off + 4 + len + 8;
  END LOOP;
  RETURN format('%s tombstone(s):%s, then %s key(s)', n, keys,
                pg_temp.i64(p, off));
END
$f$;
CREATE FUNCTION pg_temp.parts(q text) RETURNS bigint LANGUAGE sql AS $$
  SELECT count(DISTINCT part) FROM siddhi.query_state_part
   WHERE app = 'ps' AND query = q
$$;

-- 1,000 keys made in a scrambled order (k0, k389, k778, ...), then single
-- keys, a tick (a stream the partition does not divide: every key, in the
-- order they were made), a purge of the one key left idle
INSERT INTO feed VALUES
  (1, 'SET siddhi.event_time = 1000'),
  (2, 'INSERT INTO psin SELECT ''k'' || ((i * 389) % 1000), i FROM generate_series(0, 999) i'),
  (3, 'SELECT siddhi.flush()'),
  (4, 'SET siddhi.event_time = 2000'),
  (5, 'INSERT INTO psin VALUES (''k7'', 5)'),
  (6, 'SELECT siddhi.flush()'),
  (7, 'SET siddhi.event_time = 3000'),
  (8, 'INSERT INTO pstick VALUES (1)'),
  (9, 'SELECT siddhi.flush()'),
  (10, 'SET siddhi.event_time = 5000'),
  (11, 'INSERT INTO psin SELECT ''k'' || i, 1 FROM generate_series(0, 999) i WHERE i <> 500'),
  (12, 'SELECT siddhi.flush()'),
  -- k500, last seen at 1000, idle for more than 10 s: released
  (13, 'SET siddhi.event_time = 12000'),
  (14, 'INSERT INTO psin VALUES (''k1'', 1)'),
  (15, 'SELECT siddhi.flush()'),
  -- (the restart run restarts the engine here)
  (100, 'SET siddhi.event_time = 13000'),
  (101, 'INSERT INTO pstick VALUES (2)'),
  (102, 'SELECT siddhi.flush()'),
  -- k500 again: a new key, made last
  (103, 'SET siddhi.event_time = 13500'),
  (104, 'INSERT INTO psin VALUES (''k500'', 3), (''k7'', 1)'),
  (105, 'SELECT siddhi.flush()'),
  (106, 'SET siddhi.event_time = 14000'),
  (107, 'INSERT INTO pstick VALUES (3)'),
  (108, 'SELECT siddhi.flush()'),
  (200, 'RESET siddhi.event_time');

CREATE FUNCTION pg_temp.run() RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
  PERFORM siddhi.deploy('ps', $$
    @app:playback
    define stream PsIn (k string, v long);
    define stream PsTick (n long);
    define table PsSums (k string, total long, c long);
    define table PsTicks (k string, v long, n long, c long);
    @purge(enable = 'true', interval = '1 sec', idle.period = '10 sec')
    partition with (k of PsIn)
    begin
      @info(name = 'sums')
      from PsIn select k, sum(v) as total, count() as c insert into PsSums;
      @info(name = 'ticks')
      from every e1=PsIn -> e2=PsTick
      select e1.k as k, e1.v as v, e2.n as n, count() as c insert into PsTicks;
    end;
  $$);
END
$f$;
-- what the run wrote, in the order it wrote it
CREATE FUNCTION pg_temp.collect(tag text) RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
  INSERT INTO outs SELECT tag, 'pssums', row_number() OVER (ORDER BY ctid), to_jsonb(o) FROM pssums o;
  INSERT INTO outs SELECT tag, 'psticks', row_number() OVER (ORDER BY ctid), to_jsonb(o) FROM psticks o;
  PERFORM siddhi.undeploy('ps', drop_tables => true);
END
$f$;
-- the engine ends; the next event starts a new one, which restores
CREATE FUNCTION pg_temp.restart() RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
  PERFORM pg_terminate_backend(pid, 10000) FROM pg_stat_activity
    WHERE backend_type = 'siddhi engine' AND datname = current_database();
END
$f$;

-- straight through
SELECT pg_temp.run();
\set ECHO none
\o /dev/null
SELECT stmt FROM feed WHERE step BETWEEN 0 AND 1000 ORDER BY step \gexec
\o
\set ECHO all
SELECT pg_temp.collect('straight');

-- the engine restarted in the middle; what each save wrote on the way
SELECT pg_temp.run();
\set ECHO none
\o /dev/null
SELECT stmt FROM feed WHERE step BETWEEN 1 AND 3 ORDER BY step \gexec
\o
\set ECHO all
-- the first save: every key, in one part; the head is small
SELECT pg_temp.parts('sums') AS parts, pg_temp.tombstones(pg_temp.part('sums')),
       (SELECT octet_length(state) FROM siddhi.query_state
         WHERE app = 'ps' AND query = 'sums') < 100 AS small_head,
       (SELECT bytes FROM siddhi.query_states
         WHERE app = 'ps' AND query = 'sums') > 50000 AS all_keys;
-- one event of one key: a part with that key only
\set ECHO none
\o /dev/null
SELECT stmt FROM feed WHERE step BETWEEN 4 AND 6 ORDER BY step \gexec
\o
\set ECHO all
SELECT pg_temp.parts('sums') AS parts, pg_temp.tombstones(pg_temp.part('sums')),
       octet_length(pg_temp.part('sums')) < 300 AS small;
-- the tick: every key's pattern moved (the other query did not run): a
-- part with every key, which replaced the others
\set ECHO none
\o /dev/null
SELECT stmt FROM feed WHERE step BETWEEN 7 AND 9 ORDER BY step \gexec
\o
\set ECHO all
SELECT pg_temp.parts('sums') AS sums_parts, pg_temp.parts('ticks') AS ticks_parts,
       pg_temp.tombstones(pg_temp.part('ticks'));
\set ECHO none
\o /dev/null
SELECT stmt FROM feed WHERE step BETWEEN 10 AND 12 ORDER BY step \gexec
\o
\set ECHO all
-- the purge: k500's tombstone, and k1's record
\set ECHO none
\o /dev/null
SELECT stmt FROM feed WHERE step BETWEEN 13 AND 15 ORDER BY step \gexec
\o
\set ECHO all
SELECT pg_temp.tombstones(pg_temp.part('sums')) AS sums,
       pg_temp.tombstones(pg_temp.part('ticks')) AS ticks;
SELECT pg_temp.restart();
\set ECHO none
\o /dev/null
SELECT stmt FROM feed WHERE step BETWEEN 100 AND 1000 ORDER BY step \gexec
\o
\set ECHO all
SELECT state FROM siddhi.apps WHERE name = 'ps';
SELECT pg_temp.collect('restart');

-- the same rows, in the same order, in the two runs
SELECT r.run, r.tab, count(*) AS rows,
       count(*) FILTER (WHERE s.row IS DISTINCT FROM r.row) AS differ
  FROM outs r LEFT JOIN outs s ON s.run = 'straight' AND s.tab = r.tab AND s.n = r.n
 GROUP BY r.run, r.tab ORDER BY r.run, r.tab;
-- the ticks: the keys in the order they were made (k0, k389, k778, ...),
-- k500 gone at the second tick and made last before the third
SELECT row->>'n' AS tick, count(*) AS rows,
       string_agg(row->>'k', ' ' ORDER BY n) FILTER (WHERE rn <= 4) AS first,
       string_agg(row->>'k', ' ' ORDER BY n) FILTER (WHERE rn > count_n - 3) AS last
  FROM (SELECT *, row_number() OVER w AS rn, count(*) OVER (PARTITION BY row->>'n') AS count_n
          FROM outs WHERE run = 'restart' AND tab = 'psticks'
        WINDOW w AS (PARTITION BY row->>'n' ORDER BY n)) t
 GROUP BY row->>'n' ORDER BY 1;
-- k500 started afresh after its release; k7's count went on
SELECT row->>'k' AS k, row->>'total' AS total, row->>'c' AS c FROM outs
 WHERE run = 'restart' AND tab = 'pssums' AND row->>'k' IN ('k500', 'k7')
 ORDER BY n;

-- compaction: each batch changes 999 keys of 1,000 ('sums'), so the parts
-- grow by almost all of them at every save until they hold more than 4
-- times what one part with every key would: then one part with every key
-- replaces them.  (A batch that changes every key, as the ticks above did
-- for 'ticks', writes a part that replaces the others at once.)
SELECT pg_temp.run();
\set ECHO none
\o /dev/null
SELECT stmt FROM feed WHERE step BETWEEN 1 AND 3 ORDER BY step \gexec
\o
\set ECHO all
CREATE TEMP TABLE compaction (i int, parts bigint, bytes bigint);
\set ECHO none
\o /dev/null
SELECT s FROM generate_series(1, 12) i,
  LATERAL (VALUES (1, 'INSERT INTO psin SELECT ''k'' || j, 1 FROM generate_series(1, 999) j'),
                  (2, 'SELECT siddhi.flush()'),
                  (3, format('INSERT INTO compaction SELECT %s, pg_temp.parts(''sums''), '
                             '(SELECT bytes FROM siddhi.query_states WHERE app = ''ps'' AND query = ''sums'')', i))) x(o, s)
 ORDER BY i, o \gexec
\o
\set ECHO all
-- the parts after each save: they grow, then go back to one; the bytes
-- stay within 4 times those of one part with every key, plus 64 kB, on
-- top of that part
SELECT string_agg(parts::text, ' ' ORDER BY i) AS parts,
       max(bytes) <= 5 * min(bytes) FILTER (WHERE parts = 1) + 65536 AS bounded,
       max(bytes) > 2 * min(bytes) FILTER (WHERE parts = 1) AS grew
  FROM compaction;
-- and what they hold is the keys as they are: after a restart, k0 was
-- seen once before, k1 13 times
SELECT pg_temp.restart();
INSERT INTO psin VALUES ('k0', 0), ('k1', 0);
SELECT siddhi.flush();
SELECT DISTINCT ON (k) k, c FROM pssums WHERE k IN ('k0', 'k1') ORDER BY k, c DESC;
SELECT siddhi.undeploy('ps', drop_tables => true);

-- time for the keys a restart restored: each key with a time window is
-- scheduled by its deadline (src/runtime/partition_schedule.c), so the
-- clock that b's events move expires a's events, though a sees none
SELECT count(*) FROM siddhi.deploy('pt', $$
  @app:playback
  @eventTime('ts')
  define stream PtIn (k string, v int, ts long);
  define table PtGone (k string, s long);
  partition with (k of PtIn)
  begin
    from PtIn#window.time(1 sec) select k, sum(v) as s
    insert expired events into PtGone;
  end;
$$);
INSERT INTO ptin VALUES ('a', 1, 1000), ('b', 2, 1100), ('a', 3, 1200);
SELECT siddhi.flush();
SELECT pg_temp.restart();
INSERT INTO ptin VALUES ('b', 4, 2150);
SELECT siddhi.flush();
SELECT * FROM ptgone ORDER BY k, s;
INSERT INTO ptin VALUES ('b', 5, 2300);
SELECT siddhi.flush();
SELECT * FROM ptgone ORDER BY k, s;
SELECT siddhi.undeploy('pt', drop_tables => true);

ALTER SYSTEM RESET siddhi.state_interval;
SELECT pg_reload_conf();
