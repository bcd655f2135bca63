-- The rows of an aggregation's new buckets go straight into its tables,
-- a thousand at a time into the heap and then each into the indexes
-- (src/runtime/aggregation/incremental_write.c), unless the table is not
-- one the INSERT would write the same way: a user's trigger on insert, a
-- column of the user's with a default, and the like send them through
-- the INSERT, which fires the trigger and fills the default.  Either way
-- every bucket holds each of its events once.
CREATE TABLE aw_raw AS
  SELECT 'G' || (i % 1500) AS k, (i % 11)::int8 AS v,
         (i / 1500) * 1000::int8 AS ts
    FROM generate_series(0, 5999) i;
SELECT count(*) FROM siddhi.deploy('agg_write', $$
  define stream AwS (k string, v long, ts long);
  @purge(enable = 'false')
  define aggregation AwA from AwS
  select k, sum(v) as s, count() as n
  group by k
  aggregate by ts every sec ... hour;
$$);
CREATE TABLE aw_audit (b bigint, k text);
-- (the engine runs triggers with search_path pinned: names are qualified)
CREATE FUNCTION aw_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO public.aw_audit VALUES (NEW.agg_timestamp, NEW.k);
  RETURN NULL;
END $$;
CREATE TRIGGER aw_audit AFTER INSERT ON awa_hour
  FOR EACH ROW EXECUTE FUNCTION aw_audit();
ALTER TABLE awa_min ADD COLUMN note text DEFAULT 'the user''s';
CREATE FUNCTION aw_differing(times int) RETURNS bigint LANGUAGE sql AS $$
  SELECT count(*) FROM awa a FULL JOIN (
    SELECT g, b, k, sum(v) AS s, count(*) AS n
      FROM (SELECT 'sec' AS g, ts / 1000 * 1000 AS b, k, v FROM aw_raw
            UNION ALL SELECT 'min', ts / 60000 * 60000, k, v FROM aw_raw
            UNION ALL SELECT 'hour', ts / 3600000 * 3600000, k, v FROM aw_raw) e
     GROUP BY 1, 2, 3) r
    ON (a.agg_granularity, a.agg_timestamp, a.k) = (r.g, r.b, r.k)
   WHERE (a.s, a.n) IS DISTINCT FROM (times * r.s, times * r.n)
$$;
-- one batch: 6,000 sec buckets (six calls of a thousand rows), 1,500 of
-- min and of hour
INSERT INTO aws SELECT * FROM aw_raw ORDER BY ts;
SELECT siddhi.flush();
SELECT aw_differing(1) AS differing;
SELECT agg_granularity, count(*) AS buckets, sum(n) AS events
  FROM awa GROUP BY 1 ORDER BY 1;
SELECT count(*) AS audited, count(DISTINCT k) AS groups FROM aw_audit;
SELECT note, count(*) FROM awa_min GROUP BY 1;
-- the same events again: every bucket is in the tables, each row an
-- upsert; the trigger sees no insert
INSERT INTO aws SELECT * FROM aw_raw ORDER BY ts;
SELECT siddhi.flush();
SELECT aw_differing(2) AS differing;
SELECT count(*) AS audited FROM aw_audit;
-- a table kept from an undeployed app's run: the new deploy knows none of
-- its rows, so its first rows are written straight in, meet the unique
-- index, and are upserted instead
SELECT siddhi.undeploy('agg_write');
SELECT count(*) FROM siddhi.deploy('agg_write', $$
  define stream AwS (k string, v long, ts long);
  @purge(enable = 'false')
  define aggregation AwA from AwS
  select k, sum(v) as s, count() as n
  group by k
  aggregate by ts every sec ... hour;
$$);
INSERT INTO aws SELECT * FROM aw_raw ORDER BY ts;
SELECT siddhi.flush();
SELECT aw_differing(3) AS differing;
SELECT siddhi.undeploy('agg_write', drop_tables => true);
DROP TABLE aw_raw, aw_audit;
DROP FUNCTION aw_audit();
DROP FUNCTION aw_differing(int);
