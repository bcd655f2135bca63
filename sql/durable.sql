-- Durable streams and synchronous commit (docs/reference.md "Durability").
-- The crash cases are t/033_durable_kill.pl; here the surface, the staging
-- table's lifecycle and read-your-writes without siddhi.flush().

-- SQL: WITH (durable = .., synchronous_commit = ..) become the stream's options
SELECT siddhi.deploy('dur_sql', $$
  CREATE STREAM dur_in (id bigint, v int) WITH (durable = true);
  CREATE STREAM dur_sync (id bigint, v int)
    WITH (durable = 'on', synchronous_commit = true);
  CREATE STREAM dur_plain (id bigint, v int);
  CREATE TABLE dur_out (id bigint, v int);
  INSERT INTO dur_out SELECT id, v FROM dur_in WHERE v > 0;
  INSERT INTO dur_out SELECT id, v FROM dur_sync WHERE v > 0;
  INSERT INTO dur_out SELECT id, v FROM dur_plain WHERE v > 0;
$$);
SELECT c.relname, f.ftoptions FROM pg_foreign_table f
  JOIN pg_class c ON c.oid = f.ftrelid
 WHERE c.relname LIKE 'dur\_%' ORDER BY 1;

-- SiddhiQL: @durable, @durable('false'), @durable(synchronous.commit = ..)
SELECT siddhi.deploy('dur_ql', $$
  @durable define stream DurA (id long);
  @durable('false') define stream DurB (id long);
  @durable(synchronous.commit = 'true') define stream DurC (id long);
  define table DurQlOut (id long);
  from DurA select id insert into DurQlOut;
  from DurB select id insert into DurQlOut;
  from DurC select id insert into DurQlOut;
$$);
SELECT c.relname, f.ftoptions FROM pg_foreign_table f
  JOIN pg_class c ON c.oid = f.ftrelid
 WHERE c.relname LIKE 'dur%' AND c.relname NOT LIKE 'dur\_%' ORDER BY 1;

-- refused: a value that is not a boolean, an unknown element, a bad option
SELECT siddhi.deploy('dur_bad', $$
  CREATE STREAM bad_in (id bigint) WITH (durable = 'sometimes');
$$);
SELECT siddhi.deploy('dur_bad', $$
  @durable('perhaps') define stream BadIn (id long);
$$);
SELECT siddhi.deploy('dur_bad', $$
  @durable(fsync = 'true') define stream BadIn (id long);
$$);
SELECT siddhi.deploy('dur_bad', $$
  CREATE STREAM bad_in (id bigint) WITH (synchronous_commit = 2);
$$);
ALTER FOREIGN TABLE dur_plain OPTIONS (ADD durable 'maybe');

-- a durable stream's chunks are staged in the inserting transaction only
-- (a chunk goes when it holds 64 kB, the last one at commit)
BEGIN;
INSERT INTO dur_in SELECT g, 1 FROM generate_series(1, 5000) g;
SELECT transactions, pieces > 0 AS staged FROM siddhi.durable_backlog;
ROLLBACK;
SELECT transactions, pieces FROM siddhi.durable_backlog;
BEGIN;
INSERT INTO dur_plain SELECT g, 0 FROM generate_series(1, 5000) g;
SELECT transactions FROM siddhi.durable_backlog;
COMMIT;
-- siddhi.durable_streams: the default of streams without the option
BEGIN;
SET LOCAL siddhi.durable_streams = on;
INSERT INTO dur_plain SELECT g, 0 FROM generate_series(1, 5000) g;
SELECT transactions FROM siddhi.durable_backlog;
COMMIT;
-- and processed: the engine deletes what it fed in the same batch
INSERT INTO dur_in SELECT g, g % 2 FROM generate_series(100, 199) g;
BEGIN;
INSERT INTO dur_in VALUES (200, 1);
SAVEPOINT s;
INSERT INTO dur_in VALUES (201, 1);
ROLLBACK TO s;
INSERT INTO dur_in VALUES (202, 1);
COMMIT;
SELECT siddhi.flush();
SELECT count(*), min(id), max(id) FROM dur_out WHERE id >= 100;
SELECT id FROM dur_out WHERE id >= 200 ORDER BY id;
SELECT transactions, pieces, bytes FROM siddhi.durable_backlog;
-- the engine stops while a transaction is open: the new one reads that
-- transaction back from the staging table (its old chunks may have gone
-- with the old engine), where the savepoint's rollback took only 301
BEGIN;
INSERT INTO dur_in VALUES (300, 1);
SAVEPOINT s;
INSERT INTO dur_in VALUES (301, 1);
ROLLBACK TO s;
INSERT INTO dur_in SELECT g, 1 FROM generate_series(302, 303) g;
SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity
 WHERE backend_type = 'siddhi engine' AND datname = current_database();
COMMIT;
SELECT siddhi.flush();
SELECT id FROM dur_out WHERE id BETWEEN 300 AND 399 ORDER BY id;
SELECT transactions, pieces, bytes FROM siddhi.durable_backlog;
-- staged pieces are lz4-compressed, each holding as much as fits a row
-- compressed: more than a page of the text that compresses, less of the
-- random bytes that hardly do, and every row fits its page.  Read back
-- from the staging table (the engine stops mid-transaction again), both
-- arrive whole
SELECT count(*) FROM siddhi.deploy('dur_text', $$
  CREATE STREAM dur_txt (id bigint, t bytea) WITH (durable = true);
  CREATE TABLE dur_txt_out (id bigint, t bytea);
  INSERT INTO dur_txt_out SELECT id, t FROM dur_txt;
$$);
CREATE TABLE dur_txt_sent AS
  SELECT g::bigint AS id,
         CASE WHEN g > 200 THEN convert_to(repeat('ab', 300), 'UTF8')
         ELSE (SELECT string_agg(decode(md5(random()::text || g || h), 'hex'),
                                 ''::bytea)
                 FROM generate_series(1, 40) h) END AS t
    FROM generate_series(1, 400) g;
BEGIN;
INSERT INTO dur_txt SELECT * FROM dur_txt_sent;
SELECT max(octet_length(chunk)) > 8000 AS packed,
       bool_and(pg_column_size(chunk) <= 8000) AS each_fits_a_page
  FROM siddhi.stream_staging;
SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity
 WHERE backend_type = 'siddhi engine' AND datname = current_database();
COMMIT;
SELECT siddhi.flush();
SELECT count(*) AS sent, count(o.id) AS arrived,
       count(*) FILTER (WHERE o.t = s.t) AS same
  FROM dur_txt_sent s LEFT JOIN dur_txt_out o USING (id);
SELECT siddhi.undeploy('dur_text', drop_tables => true);
DROP TABLE dur_txt_sent;

-- a statement inserting into a durable stream while a function it calls
-- inserts in a subtransaction of its own: refused
CREATE FUNCTION dur_nested(i bigint) RETURNS int LANGUAGE plpgsql AS $f$
BEGIN
  BEGIN
    INSERT INTO dur_plain VALUES (i, 1);
  EXCEPTION WHEN division_by_zero THEN NULL;
  END;
  RETURN 1;
END $f$;
INSERT INTO dur_in SELECT g, dur_nested(g) FROM generate_series(400, 401) g;
DROP FUNCTION dur_nested(bigint);

-- synchronous commit: what COMMIT returned is in the table, no flush()
CREATE TABLE sync_seen (i int, seen bigint);
SET siddhi.synchronous_commit = on;
-- (\gexec runs each column as a statement of its own: two transactions)
SELECT format('INSERT INTO dur_in VALUES (%s, 1)', 1000 + i),
       format('INSERT INTO sync_seen SELECT %s, count(*) FROM dur_out '
              'WHERE id >= 1000', i)
  FROM generate_series(1, 40) i \gexec
RESET siddhi.synchronous_commit;
SELECT count(*) AS rounds, count(*) FILTER (WHERE seen = i) AS saw_own_rows
  FROM sync_seen;
-- a multi-row transaction, committed explicitly
BEGIN;
INSERT INTO dur_in SELECT g, 1 FROM generate_series(2001, 2500) g;
SET LOCAL siddhi.synchronous_commit = on;
COMMIT;
SELECT count(*) FROM dur_out WHERE id BETWEEN 2001 AND 2500;
-- the stream's own synchronous_commit, the session's setting off
TRUNCATE sync_seen;
SELECT format('INSERT INTO dur_sync VALUES (%s, 1)', 3000 + i),
       format('INSERT INTO sync_seen SELECT %s, count(*) FROM dur_out '
              'WHERE id >= 3000', i)
  FROM generate_series(1, 40) i \gexec
SELECT count(*) AS rounds, count(*) FILTER (WHERE seen = i) AS saw_own_rows
  FROM sync_seen;

-- replace: options follow the new declaration (dropped when not declared)
SELECT siddhi.deploy('dur_sql', $$
  CREATE STREAM dur_in (id bigint, v int);
  CREATE STREAM dur_sync (id bigint, v int) WITH (durable = false);
  CREATE TABLE dur_out (id bigint, v int);
  INSERT INTO dur_out SELECT id, v FROM dur_in WHERE v > 0;
  INSERT INTO dur_out SELECT id, v FROM dur_sync WHERE v > 0;
$$, replace => true);
SELECT c.relname, f.ftoptions FROM pg_foreign_table f
  JOIN pg_class c ON c.oid = f.ftrelid
 WHERE c.relname LIKE 'dur\_%' ORDER BY 1;

-- undeploy: committed events still staged are processed, then nothing stays
BEGIN;
INSERT INTO dura SELECT g FROM generate_series(1, 5000) g;
SELECT siddhi.undeploy('dur_ql');
COMMIT;
SELECT siddhi.flush();
SELECT transactions, pieces FROM siddhi.durable_backlog;
SELECT siddhi.undeploy('dur_sql');
SELECT siddhi.flush();
SELECT transactions, pieces FROM siddhi.durable_backlog;
DROP TABLE sync_seen, dur_out, durqlout;
