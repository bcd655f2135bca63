-- A query's output chunk (the rows one step of it sends to a stream)
-- reaches the stream's readers as Siddhi's junction hands it: each reader
-- takes the whole chunk before the next, as one chunk of its own, so an
-- aggregating reader outputs once per chunk (src/runtime/out_chunk.c).
-- Before, each row went through every reader depth first, one chunk each.

-- two readers of a batch's chunk insert into one stream; the length
-- window after it sees the first reader's rows, then the second's
SELECT siddhi.deploy('chunks1', $$
  define stream CkS (k string, v long);
  define table CkTab (k string, s long);
  define table CkSums (total long, n long);
  from CkS#window.lengthBatch(3) select k, v insert into CkMid;
  from CkMid[v > 1] select k, v * 10 as v insert into CkOut;
  from CkMid select k, v * 100 as v insert into CkOut;
  from CkOut#window.length(2) select k, sum(v) as s insert into CkTab;
  from CkMid select sum(v) as total, count() as n insert into CkSums;
$$);
INSERT INTO cks VALUES ('a', 1), ('b', 2), ('c', 3), ('d', 4), ('e', 5), ('f', 6);
SELECT siddhi.flush();
-- per chunk: the window's sum at the end of each reader's rows
SELECT k, s FROM cktab ORDER BY ctid;
-- one row per chunk, not one per row
SELECT total, n FROM cksums ORDER BY ctid;
SELECT siddhi.undeploy('chunks1');

-- SiddhiQL's / gives null for a zero divisor (as Siddhi's); PostgreSQL's,
-- through a function, still fails: the error this test needs
CREATE OR REPLACE FUNCTION div_or_fail_long(a bigint, b bigint) RETURNS bigint
  LANGUAGE sql IMMUTABLE AS 'SELECT a / b';
-- a row that fails in a reader is skipped for that reader only; the rest
-- of its chunk goes on, and the other reader has the whole chunk
SELECT siddhi.deploy('chunks2', $$
  define stream CeS (v long);
  define table CeDiv (v long, q long);
  define table CeSum (total long);
  from CeS#window.lengthBatch(4) select v insert into CeMid;
  from CeMid select v, div_or_fail_long(12, v - 2) as q insert into CeDiv;
  from CeMid select sum(v) as total insert into CeSum;
$$);
INSERT INTO ces VALUES (1), (2), (3), (4);
SELECT siddhi.flush();
SELECT v, q FROM cediv ORDER BY v;
SELECT total FROM cesum;
SELECT query, errors FROM siddhi.query_metrics WHERE app = 'chunks2' ORDER BY query;
SELECT siddhi.undeploy('chunks2');

-- a chunk of a stream the partition does not divide: every key takes it
-- whole (one sum per key), key after key
SELECT siddhi.deploy('chunks3', $$
  define stream PkS (k string, v long);
  define stream PkT (v long);
  define table PkOut (s long, n long);
  from PkT#window.lengthBatch(2) select v insert into PkMid;
  partition with (k of PkS)
  begin
    from PkS select k, v insert into PkSeen;
    from PkMid select sum(v) as s, count() as n insert into PkOut;
  end;
$$);
INSERT INTO pks VALUES ('a', 1), ('b', 2);
SELECT siddhi.flush();
INSERT INTO pkt VALUES (10), (20), (30), (40);
SELECT siddhi.flush();
SELECT s, n FROM pkout ORDER BY ctid;
SELECT siddhi.undeploy('chunks3');
