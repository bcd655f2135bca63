-- A table sink's rows go in with table_multi_insert, 1,000 a call (as COPY
-- does), when the table has no BEFORE ROW trigger: each index still gets
-- every row, each AFTER ROW trigger still fires once per row, and a
-- constraint violation in a batch written that way loses only the failing
-- row (the flush retries the batch row by row).  One batch of 2,500
-- events spans three multi-insert calls.
CREATE TABLE smi_out (id int, v int);
CREATE UNIQUE INDEX smi_out_id ON smi_out (id);
CREATE INDEX smi_out_v ON smi_out (v);
CREATE TABLE smi_audit (id int);
-- (the engine runs triggers with search_path pinned: names are qualified)
CREATE FUNCTION smi_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO public.smi_audit VALUES (NEW.id);
  RETURN NULL;
END $$;
CREATE TRIGGER smi_audit AFTER INSERT ON smi_out
  FOR EACH ROW EXECUTE FUNCTION smi_audit();
SELECT siddhi.deploy('smi', $$
  define stream SmiIn (id int, v int);
  define table smi_out (id int, v int);
  @info(name = 'out') from SmiIn select id, v insert into smi_out;
$$);
SELECT wait_app('smi');

-- one batch: ids 1..2500, and id 1700 a second time (a unique violation
-- in the second multi-insert call of the flush)
BEGIN;
INSERT INTO smiin SELECT i, i % 7 FROM generate_series(1, 1200) i;
INSERT INTO smiin VALUES (1700, -1);
INSERT INTO smiin SELECT i, i % 7 FROM generate_series(1201, 2500) i;
COMMIT;
SELECT siddhi.flush();

-- every id once; the duplicate alone was skipped and counted as an error
SELECT count(*), count(DISTINCT id), min(id), max(id) FROM smi_out;
SELECT v FROM smi_out WHERE id = 1700;
SELECT events_in, events_out, errors FROM siddhi.queries WHERE app = 'smi';
-- the AFTER trigger fired once for each row written
SELECT count(*), count(DISTINCT id) FROM smi_audit;
SELECT count(*) FROM smi_audit a JOIN smi_out o USING (id);
-- the indexes hold every row: read through them only
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM smi_out WHERE v = 3;
SELECT count(*) FROM smi_out WHERE v = 3;
SELECT count(*) FROM smi_out WHERE id BETWEEN 990 AND 1010;
RESET enable_seqscan;
RESET enable_bitmapscan;
SELECT count(*) FROM smi_out WHERE v = 3;

-- a second batch without failure: all 1,500 rows, one trigger call each
INSERT INTO smiin SELECT i, 0 FROM generate_series(2501, 4000) i;
SELECT siddhi.flush();
SELECT count(*) FROM smi_out;
SELECT count(*) FROM smi_audit;

SELECT siddhi.undeploy('smi');
DROP TABLE smi_out, smi_audit;
DROP FUNCTION smi_audit();
