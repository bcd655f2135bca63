-- What the tables of an app are, as PostgreSQL sees them: keys and
-- indexes from the definitions, reads of rows other sessions wrote,
-- `for current | expired | all events`, and a batch's writes committed
-- together.

-- @PrimaryKey with two attributes is a composite primary key, @Index one
-- index per attribute; the SQL spellings make the same
SELECT siddhi.deploy('tm_keys', $$
  define stream TmIn (a int, b string, c long, d double);
  @PrimaryKey('a', 'b') @Index('c') @Index('d')
  define table TmKeyed (a int, b string, c long, d double);
  from TmIn insert into TmKeyed;
$$);
SELECT siddhi.deploy('tm_keys_sql', $$
  CREATE STREAM TmIn2 (a INT, b TEXT, c BIGINT);
  CREATE TABLE TmKeyed2 (a INT, b TEXT, c BIGINT, PRIMARY KEY (a, b));
  CREATE INDEX ON TmKeyed2 (c);
  INSERT INTO TmKeyed2 SELECT * FROM TmIn2;
$$);
SELECT c.conrelid::regclass AS tab, c.contype,
       ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, o)
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n
              ORDER BY k.o) AS columns
  FROM pg_constraint c
 WHERE c.conrelid IN ('tmkeyed'::regclass, 'tmkeyed2'::regclass)
 ORDER BY 1;
SELECT i.indrelid::regclass AS tab, i.indisprimary, i.indisunique,
       ARRAY(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(n, o)
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n
              ORDER BY k.o) AS columns
  FROM pg_index i
 WHERE i.indrelid IN ('tmkeyed'::regclass, 'tmkeyed2'::regclass)
 ORDER BY 1, 4;
-- the composite key is enforced: the second (1, 'x') is skipped, counted
INSERT INTO tmin VALUES (1, 'x', 10, 0.5), (1, 'y', 10, 0.5), (1, 'x', 11, 0.5);
SELECT siddhi.flush();
SELECT * FROM tmkeyed ORDER BY a, b;
SELECT errors FROM siddhi.queries WHERE app = 'tm_keys';
-- a join on both key attributes looks the row up through the key
SELECT siddhi.deploy('tm_keys_join', $$
  define stream TmAsk (a int, b string);
  define table TmKeyed (a int, b string, c long, d double);
  from TmAsk join TmKeyed on TmKeyed.a == TmAsk.a and TmKeyed.b == TmAsk.b
  select TmAsk.b as b, TmKeyed.c as c insert into TmFound;
$$);
SELECT siddhi.subscribe('tmfound');
INSERT INTO tmask VALUES (1, 'y'), (2, 'x'), (1, 'x');
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('tmfound', 100, 0) ORDER BY seq;
SELECT index_lookups, scan_lookups FROM siddhi.queries WHERE app = 'tm_keys_join';

-- a table is read as it is when the event comes, including rows that
-- other sessions (here: this one, through plain SQL) wrote and committed
SELECT siddhi.deploy('tm_others', $$
  define stream TmDel (a int, b string);
  define stream TmBump (a int, b string);
  define stream TmCheck (a int, b string);
  define table TmKeyed (a int, b string, c long, d double);
  from TmDel delete TmKeyed on TmKeyed.a == a and TmKeyed.b == b;
  from TmBump update TmKeyed set TmKeyed.c = TmKeyed.c + 1
    on TmKeyed.a == a and TmKeyed.b == b;
  from TmCheck[(TmKeyed.a == a and TmKeyed.b == b) in TmKeyed]
  select a, b insert into TmPresent;
$$);
SELECT siddhi.subscribe('tmpresent');
INSERT INTO tmkeyed VALUES (7, 'sql', 70, 7), (8, 'sql', 80, 8);
INSERT INTO tmbump VALUES (7, 'sql');
INSERT INTO tmdel VALUES (8, 'sql');
INSERT INTO tmcheck VALUES (7, 'sql'), (8, 'sql'), (9, 'sql');
SELECT siddhi.flush();
SELECT * FROM tmkeyed WHERE b = 'sql' ORDER BY a;
INSERT INTO tmkeyed VALUES (9, 'sql', 90, 9);
INSERT INTO tmcheck VALUES (9, 'sql');
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('tmpresent', 100, 0) ORDER BY seq;

-- for current | expired | all events: which events of a length(1)
-- window change the table.  Each event of a, b, c counts 1 for its key:
-- current events count each arrival, expired ones each departure (a, b),
-- all events both
SELECT siddhi.deploy('tm_events', $$
  define stream TmTick (k string);
  define table TmCur (k string, n int);
  define table TmExp (k string, n int);
  define table TmAll (k string, n int);
  from TmTick#window.length(1) select k, 1 as n
    update or insert into TmCur for current events
    set TmCur.n = TmCur.n + n on TmCur.k == k;
  from TmTick#window.length(1) select k, 1 as n
    update or insert into TmExp for expired events
    set TmExp.n = TmExp.n + n on TmExp.k == k;
  from TmTick#window.length(1) select k, 1 as n
    update or insert into TmAll for all events
    set TmAll.n = TmAll.n + n on TmAll.k == k;
$$);
INSERT INTO tmtick VALUES ('a'), ('b'), ('c');
SELECT siddhi.flush();
SELECT 'current' AS events, * FROM tmcur
UNION ALL SELECT 'expired', * FROM tmexp
UNION ALL SELECT 'all', * FROM tmall
ORDER BY 1, 2;
-- update and delete take the same clause: every event of a length(1)
-- window adds 1 to its key's row (a and b arrive and leave: 7, c only
-- arrives: 6); a delete for current events never sees a row at 7
SELECT siddhi.deploy('tm_events2', $$
  define stream TmGo (k string);
  define table TmMarks (k string, n int);
  from TmGo#window.length(1) update TmMarks for all events
    set TmMarks.n = TmMarks.n + 1 on TmMarks.k == k;
  from TmGo#window.length(1) delete TmMarks for current events
    on TmMarks.k == k and TmMarks.n >= 7;
$$);
INSERT INTO tmmarks VALUES ('a', 5), ('b', 5), ('c', 5);
INSERT INTO tmgo VALUES ('a'), ('b'), ('c');
SELECT siddhi.flush();
SELECT * FROM tmmarks ORDER BY k;

-- a batch's table writes commit together: the engine is held inside a
-- batch (a trigger on the table waits for an advisory lock this session
-- holds) after it wrote the batch's first rows, and a reader sees none of
-- them; once it goes on, all of them
SELECT siddhi.deploy('tm_atomic', $$
  define stream TmBatch (id int);
  define table TmWritten (id int);
  from TmBatch update or insert into TmWritten on TmWritten.id == id;
$$);
CREATE FUNCTION tm_hold() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id = 3 THEN
        PERFORM pg_advisory_xact_lock_shared(4242);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER tm_hold BEFORE INSERT ON tmwritten
    FOR EACH ROW EXECUTE FUNCTION tm_hold();
SELECT pg_advisory_lock(4242);
INSERT INTO tmbatch VALUES (1), (2), (3), (4);
SELECT wait_for('SELECT count(*) FROM pg_locks
                  WHERE locktype = ''advisory'' AND objid = 4242 AND NOT granted', 1);
-- rows 1 and 2 are written in the engine's transaction, not committed
SELECT count(*) AS seen_while_held FROM tmwritten;
SELECT pg_advisory_unlock(4242);
SELECT siddhi.flush();
SELECT * FROM tmwritten ORDER BY id;

-- A join's lookup of a @PrimaryKey table walks index entries of rows
-- deleted by an earlier batch: the index scan marks them dead and keeps
-- what it marked in memory of its own until the batch commits.  That
-- memory must live as long as the scan, not as long as one event (it was
-- the query's per-event memory, freed under the scan: a crash at commit,
-- found by AddressSanitizer).
SELECT siddhi.deploy('tm_dead', $$
  define stream DkPut (id int, v int);
  define stream DkGone (id int);
  define stream DkAsk (id int);
  @PrimaryKey('id')
  define table DkKept (id int, v int);
  from DkPut update or insert into DkKept set DkKept.v = v on DkKept.id == id;
  from DkGone delete DkKept on DkKept.id == id;
  from DkAsk as a join DkKept as k on k.id == a.id
  select a.id as id, k.v as v insert into DkFound;
$$);
SELECT siddhi.subscribe('dkfound');
INSERT INTO dkput SELECT i, i * 10 FROM generate_series(1, 200) i;
SELECT siddhi.flush();
INSERT INTO dkgone SELECT i FROM generate_series(1, 200) i WHERE i % 4 <> 0;
SELECT siddhi.flush();
-- each batch of asks (one per transaction) meets the dead entries again
INSERT INTO dkask SELECT i FROM generate_series(1, 200) i;
SELECT siddhi.flush();
INSERT INTO dkask SELECT i FROM generate_series(200, 1, -1) i;
SELECT siddhi.flush();
INSERT INTO dkput VALUES (1, 7);
INSERT INTO dkask VALUES (1), (2), (4);
SELECT siddhi.flush();
SELECT count(*) AS found, sum((event->>'v')::int) AS v_sum,
       count(*) FILTER (WHERE (event->>'id')::int % 4 <> 0) AS of_deleted
  FROM siddhi.poll('dkfound', 1000, 0);

SELECT siddhi.undeploy(name, drop_tables => true)
  FROM siddhi.apps WHERE name LIKE 'tm\_%' ORDER BY name;
DROP FUNCTION tm_hold();
