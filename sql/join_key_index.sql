-- A join of two windows probes an index of the other side's window by the
-- join's equality key (src/runtime/join/README.md) instead of scanning
-- every held event.  Each case here ran before the index existed and its
-- output is unchanged: repeated keys come out in window order, NULL keys
-- never match, outer joins still emit unmatched rows, events leaving a
-- window (by length and by time) leave the index, and conditions the
-- index cannot serve (no equality conjunct, a non-deterministic
-- collation) still scan.

-- inner, left outer and full outer joins over length windows: keys
-- repeated, NULL keys, expiry by length; all events out, so expired
-- arrivals probe too
SELECT siddhi.deploy('jki_length', $$
  define stream JkiA (k string, v int);
  define stream JkiB (k string, w int);
  from JkiA#window.length(3) as a join JkiB#window.length(3) as b
    on a.k == b.k
  select a.k as k, a.v as v, b.w as w insert all events into JkiInner;
  from JkiA#window.length(3) as a left outer join JkiB#window.length(3) as b
    on a.k == b.k
  select a.k as ak, a.v as v, b.k as bk, b.w as w insert all events into JkiLeft;
  from JkiA#window.length(3) as a full outer join JkiB#window.length(3) as b
    on b.k == a.k
  select a.k as ak, a.v as v, b.k as bk, b.w as w insert into JkiFull;
  from JkiA#window.length(4) as a join JkiB#window.length(4) as b
    on a.k == b.k and b.w > a.v
  select a.k as k, a.v as v, b.w as w insert into JkiMore;
  from JkiA#window.length(3) as a join JkiB#window.length(3) as b
    on a.v < b.w
  select a.k as ak, a.v as v, b.k as bk, b.w as w insert into JkiLess;
$$);
SELECT siddhi.subscribe(s)
  FROM unnest(ARRAY['jkiinner', 'jkileft', 'jkifull', 'jkimore', 'jkiless']) s;
INSERT INTO jkia VALUES ('x', 1);
INSERT INTO jkib VALUES ('x', 10);
INSERT INTO jkia VALUES ('x', 2);
INSERT INTO jkib VALUES ('x', 1), (NULL, 11);
INSERT INTO jkia VALUES (NULL, 3);
INSERT INTO jkib VALUES ('y', 12);
INSERT INTO jkia VALUES ('y', 4), ('x', 5);
INSERT INTO jkib VALUES ('x', 13);
INSERT INTO jkia VALUES ('x', 6);
INSERT INTO jkib VALUES ('z', 14), ('z', 15), ('z', 16);
INSERT INTO jkia VALUES ('x', 7), ('z', 8);
SELECT siddhi.flush();
SELECT s AS stream, p.expired, p.event
  FROM unnest(ARRAY['jkiinner', 'jkileft', 'jkifull', 'jkimore', 'jkiless'])
       WITH ORDINALITY AS u(s, o),
       LATERAL siddhi.poll(s, 200, 0) p
 ORDER BY o, p.seq;
SELECT siddhi.undeploy('jki_length');

-- time windows in playback: events leave the index as time passes; an
-- int key joins a long key; an aggregation over the join takes rows back
SELECT siddhi.deploy('jki_time', $$
  @app:playback
  define stream JktA (k int, v int);
  define stream JktB (k long, w int);
  from JktA#window.time(1 sec) as a join JktB#window.time(1 sec) as b
    on a.k == b.k
  select a.k as k, a.v as v, b.w as w insert all events into JktAll;
  from JktA#window.time(1 sec) as a join JktB#window.timeLength(1 sec, 2) as b
    on a.k == b.k
  select a.k as k, sum(b.w) as total group by a.k insert into JktSum;
$$);
SELECT siddhi.subscribe('jktall'), siddhi.subscribe('jktsum');
SET siddhi.event_time = 1000;
INSERT INTO jkta VALUES (1, 1);
SET siddhi.event_time = 1100;
INSERT INTO jktb VALUES (1, 10), (2, 20), (1, 11);
SET siddhi.event_time = 1500;
INSERT INTO jkta VALUES (1, 2), (2, 3);
SET siddhi.event_time = 2050;
INSERT INTO jktb VALUES (1, 12);
SET siddhi.event_time = 2200;
INSERT INTO jkta VALUES (1, 4), (2, 5);
RESET siddhi.event_time;
SELECT siddhi.advance_clock(5000);
SELECT siddhi.flush();
SELECT (extract(epoch FROM event_time) * 1000)::bigint AS ms, expired, event
  FROM siddhi.poll('jktall', 100, 0) ORDER BY seq;
SELECT (extract(epoch FROM event_time) * 1000)::bigint AS ms, event
  FROM siddhi.poll('jktsum', 100, 0) ORDER BY seq;
SELECT siddhi.undeploy('jki_time');

-- the SQL dialect, a unidirectional join, and a partitioned join (each
-- key's windows have their own index)
SELECT siddhi.deploy('jki_sql', $$
  CREATE STREAM JksA (k TEXT, v INT);
  CREATE STREAM JksB (k TEXT, w INT);
  INSERT INTO JksInner SELECT a.k, a.v, b.w
    FROM JksA WINDOW length(2) AS a JOIN JksB WINDOW length(2) AS b
      ON a.k = b.k;
  INSERT INTO JksUni SELECT a.k, a.v, b.w
    FROM JksA WINDOW length(2) AS a UNIDIRECTIONAL, JksB WINDOW length(3) AS b
    WHERE b.k = a.k AND b.w <> 0;
$$);
SELECT siddhi.subscribe('jksinner'), siddhi.subscribe('jksuni');
INSERT INTO jksb VALUES ('p', 1), ('q', 2), ('p', 3);
INSERT INTO jksa VALUES ('p', 1), ('q', 2), ('p', 3), (NULL, 4);
INSERT INTO jksb VALUES ('p', 0), ('q', 5);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('jksinner', 100, 0) ORDER BY seq;
SELECT event FROM siddhi.poll('jksuni', 100, 0) ORDER BY seq;
SELECT siddhi.undeploy('jki_sql');

SELECT siddhi.deploy('jki_part', $$
  define stream JkpA (g string, k int, v int);
  define stream JkpB (g string, k int, w int);
  partition with (g of JkpA, g of JkpB)
  begin
    from JkpA#window.length(2) as a join JkpB#window.length(2) as b
      on a.k == b.k
    select a.g as g, a.k as k, a.v as v, b.w as w insert into JkpOut;
  end;
$$);
SELECT siddhi.subscribe('jkpout');
INSERT INTO jkpb VALUES ('g1', 1, 10), ('g2', 1, 20), ('g1', 1, 11);
INSERT INTO jkpa VALUES ('g1', 1, 1), ('g2', 1, 2), ('g2', 2, 3);
INSERT INTO jkpb VALUES ('g1', 1, 12), ('g2', 2, 21);
INSERT INTO jkpa VALUES ('g1', 1, 4), ('g2', 2, 5);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('jkpout', 100, 0) ORDER BY seq;
SELECT siddhi.undeploy('jki_part');

-- a key compared under a non-deterministic collation is not indexed (equal
-- keys may differ in bytes): the join scans, and 'ABC' meets 'abc'
CREATE COLLATION jki_ci (provider = icu, locale = 'und-u-ks-level2',
                         deterministic = false);
SELECT siddhi.deploy('jki_coll', $$
  CREATE STREAM JkcA (k TEXT, v INT);
  CREATE STREAM JkcB (k TEXT, w INT);
  INSERT INTO JkcOut SELECT a.k AS ak, b.k AS bk, b.w
    FROM JkcA WINDOW length(3) AS a JOIN JkcB WINDOW length(3) AS b
      ON a.k = b.k COLLATE jki_ci;
$$);
SELECT siddhi.subscribe('jkcout');
INSERT INTO jkcb VALUES ('abc', 1), ('ABC', 2), ('abd', 3);
INSERT INTO jkca VALUES ('Abc', 1), ('ABD', 2);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('jkcout', 100, 0) ORDER BY seq;
SELECT siddhi.undeploy('jki_coll');
DROP COLLATION jki_ci;

-- EXPLAIN names the attributes the windows are kept hashed by: both
-- windows of an inner join, only the probed one of a unidirectional join,
-- none for a sort window, a non-equality or a non-deterministic collation
SELECT * FROM siddhi.explain_text($$
  define stream JkeA (k string, v int);
  define stream JkeB (k string, w int);
  from JkeA#window.length(3) as a join JkeB#window.time(1 sec) as b
    on a.k == b.k and b.w > a.v
  select a.k as k, b.w as w insert into JkeOut;
$$);
SELECT p FROM siddhi.explain_text($$
  define stream JkeA (k string, v int);
  define stream JkeB (k string, w int);
  from JkeA#window.length(3) as a unidirectional join JkeB#window.length(3) as b
    on a.k == b.k
  select a.k as k, b.w as w insert into JkeOut1;
  from JkeA#window.sort(3, v) as a join JkeB#window.length(3) as b
    on b.k == a.k
  select a.k as k, b.w as w insert into JkeOut2;
  from JkeA#window.length(3) as a join JkeB#window.length(3) as b
    on a.v < b.w
  select a.k as k, b.w as w insert into JkeOut3;
$$) AS e(p) WHERE p LIKE '%Window Key%' OR p LIKE '%Join Condition%'
   OR p LIKE 'Query %';
