-- The dispatch index (issue 16, optimizer): queries whose filter or
-- pattern pins one attribute of their stream to a constant, or whose
-- filter bounds it by a constant (< <= >= >), get a dispatch key, and the
-- stream hands each event only to the queries that want its value and to
-- the queries without a key.  The same feed runs with
-- siddhi.dispatch_index on, then off (every query sees every event, as
-- before): the outputs and the events_in counts must be the same.
-- (each step its own transaction: the app runs once deployed, the
-- events once committed)
CREATE FUNCTION dix_deploy() RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
  PERFORM siddhi.deploy('dix', $$
  @app:playback
  @eventTime('ts') define stream DTicks (ts long, symbol string, price double);
  define table DOut (q string, symbol string, p1 double, p2 double, at long);

  -- keyed filters (the constant on either side)
  @info(name = 'f_a') from DTicks[symbol == 'A']
  select 'f_a' as q, symbol, price as p1, price as p2, ts as at insert into DOut;
  @info(name = 'f_b') from DTicks['B' == symbol and price > 1.0]
  select 'f_b' as q, symbol, price as p1, price as p2, ts as at insert into DOut;
  @info(name = 'f_c') from DTicks[symbol == 'C']
  select 'f_c' as q, symbol, price as p1, price as p2, ts as at insert into DOut;
  -- a range on symbol: in the same index as the equalities and the
  -- keyed patterns (an event earlier than the latest visits it too)
  @info(name = 'f_ge_b') from DTicks[symbol >= 'B']
  select 'f_ge_b' as q, symbol, price as p1, price as p2, ts as at insert into DOut;
  -- keyed on price (a range): the stream's index is on symbol, which
  -- more queries are keyed on, so these count as unkeyed there; no key:
  -- a window, an aggregation
  @info(name = 'f_any') from DTicks[price > 20.0]
  select 'f_any' as q, symbol, price as p1, price as p2, ts as at insert into DOut;
  @info(name = 'f_second') from DTicks[price > 12.0 and symbol == 'A']
  select 'f_second' as q, symbol, price as p1, price as p2, ts as at insert into DOut;
  @info(name = 'f_win') from DTicks[symbol == 'A']#window.length(2)
  select 'f_win' as q, symbol, price as p1, price as p2, ts as at insert expired events into DOut;
  @info(name = 'f_count') from DTicks[symbol == 'B']
  select 'f_count' as q, symbol, price as p1, cast(count(), 'double') as p2, ts as at insert into DOut;

  -- keyed patterns: each state pins symbol, directly or through e1
  @info(name = 'p_a')
  from every e1=DTicks[symbol == 'A'] -> e2=DTicks[symbol == e1.symbol and price >= e1.price] within 2 sec
  select 'p_a' as q, e1.symbol, e1.price as p1, e2.price as p2, e2.ts as at insert into DOut;
  @info(name = 'p_b')
  from every e1=DTicks[symbol == 'B'] -> e2=DTicks[e1.symbol == symbol and price < e1.price] within 1 sec
  select 'p_b' as q, e1.symbol, e1.price as p1, e2.price as p2, e2.ts as at insert into DOut;
  @info(name = 'p_three')
  from every e1=DTicks[symbol == 'A'] -> e2=DTicks[symbol == 'A'] -> e3=DTicks[symbol == e2.symbol and price > e2.price] within 3 sec
  select 'p_three' as q, e1.symbol, e2.price as p1, e3.price as p2, e3.ts as at insert into DOut;
  -- no key: a sequence, an absence, a state not pinned, not equality,
  -- two different constants
  @info(name = 's_a')
  from every e1=DTicks[symbol == 'A'], e2=DTicks[symbol == 'A' and price > e1.price]
  select 's_a' as q, e1.symbol, e1.price as p1, e2.price as p2, e2.ts as at insert into DOut;
  @info(name = 'p_not')
  from every e1=DTicks[symbol == 'B'] -> not DTicks[symbol == 'B' and price > e1.price] for 1 sec
  select 'p_not' as q, e1.symbol, e1.price as p1, e1.price as p2, e1.ts as at insert into DOut;
  @info(name = 'p_free')
  from every e1=DTicks[symbol == 'A'] -> e2=DTicks[price > e1.price] within 2 sec
  select 'p_free' as q, e2.symbol, e1.price as p1, e2.price as p2, e2.ts as at insert into DOut;
  @info(name = 'p_ne')
  from every e1=DTicks[symbol != 'A'] -> e2=DTicks[symbol == e1.symbol] within 1 sec
  select 'p_ne' as q, e1.symbol, e1.price as p1, e2.price as p2, e2.ts as at insert into DOut;
  @info(name = 'p_two')
  from every e1=DTicks[symbol == 'A'] -> e2=DTicks[symbol == 'B'] within 1 sec
  select 'p_two' as q, e2.symbol, e1.price as p1, e2.price as p2, e2.ts as at insert into DOut;
  $$);
END
$f$;
-- a second app reading the stream joins its index half way
CREATE FUNCTION dix2_deploy() RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
  PERFORM siddhi.deploy('dix2', $$
  @app:playback
  @eventTime('ts') define stream DTicks (ts long, symbol string, price double);
  define table D2Out (q string, symbol string, price double, at long);
  @info(name = 'g_c') from DTicks[symbol == 'C']
  select 'g_c' as q, symbol, price, ts as at insert into D2Out;
  @info(name = 'g_low') from DTicks[price < 3.0]
  select 'g_low' as q, symbol, price, ts as at insert into D2Out;
  @info(name = 'g_b')
  from every e1=DTicks[symbol == 'B'] -> e2=DTicks[symbol == e1.symbol] within 1 sec
  select 'g_b' as q, e1.symbol, e2.price as price, e2.ts as at insert into D2Out;
  $$);
END
$f$;
CREATE FUNCTION dix_feed(part int) RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
  -- in order, then an event 4 sec back (to every query; the keyed
  -- patterns first expire what the skipped events at 5000 would have
  -- expired: A at 1000 must not pair with A at 1500), then on
  IF part = 1 THEN
  INSERT INTO dticks VALUES (1000, 'A', 10), (1100, 'B', 5), (1200, 'X', 30),
    (1300, 'A', 9), (1400, 'B', 4), (1500, 'A', 11), (1600, 'C', 1);
  INSERT INTO dticks VALUES (1700, 'B', 3), (1800, 'Y', 25), (2100, 'A', 12),
    (2200, 'B', 6), (2300, 'A', 13), (4000, 'Z', 1), (4100, 'A', 12.5);
  RETURN;
  END IF;
  INSERT INTO dticks VALUES (5000, 'X', 1), (1500, 'A', 14), (1600, 'B', 2),
    (5100, 'A', 15), (5200, 'A', 16), (5300, 'B', 7), (5400, 'B', 6.5),
    (5500, 'Q', 40), (5600, NULL, 3), (5700, 'A', 17), (5800, 'C', 2);
END
$f$;

-- Ranges: a stream per type, each with many filters keyed on v (< <= >=
-- > against three constants, the constant on either side, equalities,
-- a range followed by other conjuncts), filters keyed on w (unkeyed in
-- v's index), and filters without a key (a function of v, an OR, the
-- range as a second conjunct).  Every constant is also an event's value,
-- and one event's v is null.
CREATE FUNCTION dixr_deploy() RETURNS void LANGUAGE plpgsql AS $f$
DECLARE
  app text := $$
  CREATE STREAM RI (seq INT, v INT, w INT);
  CREATE STREAM RL (seq INT, v BIGINT, w INT);
  CREATE STREAM RD (seq INT, v DOUBLE PRECISION, w INT);
  CREATE STREAM RS (seq INT, v TEXT, w INT);
  CREATE TABLE ROut (q TEXT, seq INT);
  $$;
  st record;
  op text;
  c text;
BEGIN
  FOR st IN SELECT * FROM (VALUES
      ('RI', ARRAY['3', '5', '7'], '%s + 0'),
      ('RL', ARRAY['CAST(3 AS BIGINT)', 'CAST(5 AS BIGINT)', 'CAST(7 AS BIGINT)'], '%s + 0'),
      ('RD', ARRAY['2.5', '5.0', '7.25'], '%s + 0'),
      ('RS', ARRAY['''c'' COLLATE "C"', '''e'' COLLATE "C"', '''g'' COLLATE "C"'], 'lower(%s)'))
    AS t(s, consts, f) LOOP
    FOREACH c IN ARRAY st.consts LOOP
      FOREACH op IN ARRAY ARRAY['<', '<=', '>', '>=', '='] LOOP
        app := app || format(E'INSERT INTO ROut SELECT %L AS q, seq FROM %s WHERE v %s %s;\n',
                             st.s || ' v ' || op || ' ' || c, st.s, op, c);
      END LOOP;
    END LOOP;
    c := st.consts[2];
    FOREACH op IN ARRAY ARRAY['<', '<=', '>', '>='] LOOP
      app := app || format(E'INSERT INTO ROut SELECT %L AS q, seq FROM %s WHERE %s %s v;\n',
                           st.s || ' ' || c || ' ' || op || ' v', st.s, c, op);
    END LOOP;
    app := app || format($q$
      INSERT INTO ROut SELECT '%1$s v > c and w = 1' AS q, seq FROM %1$s WHERE v > %2$s AND w = 1;
      INSERT INTO ROut SELECT '%1$s v <= c and w = 0' AS q, seq FROM %1$s WHERE v <= %3$s AND w = 0;
      INSERT INTO ROut SELECT '%1$s w = 1' AS q, seq FROM %1$s WHERE w = 1;
      INSERT INTO ROut SELECT '%1$s w > 0' AS q, seq FROM %1$s WHERE w > 0;
      INSERT INTO ROut SELECT '%1$s all' AS q, seq FROM %1$s;
      INSERT INTO ROut SELECT '%1$s f(v) > c' AS q, seq FROM %1$s WHERE %4$s > %2$s;
      INSERT INTO ROut SELECT '%1$s v < c or w = 1' AS q, seq FROM %1$s WHERE v < %2$s OR w = 1;
      INSERT INTO ROut SELECT '%1$s w + 0 = 1 and v >= c' AS q, seq FROM %1$s WHERE w + 0 = 1 AND v >= %2$s;
      $q$, st.s, st.consts[2], st.consts[3], format(st.f, 'v'));
  END LOOP;
  PERFORM siddhi.deploy('dixr', app);
END
$f$;
CREATE FUNCTION dixr_feed() RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
  INSERT INTO ri SELECT i, CASE WHEN i = 10 THEN NULL ELSE i END, i % 2
    FROM generate_series(1, 10) i;
  INSERT INTO rl SELECT i, CASE WHEN i = 10 THEN NULL ELSE i END, i % 2
    FROM generate_series(1, 10) i;
  INSERT INTO rd VALUES (1, 1, 1), (2, 2.5, 0), (3, 2.4999, 1), (4, 2.5001, 0),
    (5, 5, 1), (6, NULL, 1), (7, 7.25, 0), (8, 7.3, 1), (9, 'NaN', 1),
    (10, '-Infinity', 0), (11, 4.9999, 0);
  INSERT INTO rs SELECT i, CASE WHEN i = 10 THEN NULL
                                ELSE chr(ascii('a') + i - 1) END, i % 2
    FROM generate_series(1, 10) i;
  INSERT INTO rs VALUES (11, 'cc', 1), (12, 'C', 0), (13, '', 1);
  -- a second chunk: the readers skipped in the first are credited
  INSERT INTO ri VALUES (11, 5, 1), (12, 7, 0), (13, NULL, 0);
END
$f$;

SELECT dix_deploy();
SELECT dixr_deploy();
SELECT dix_feed(1);
SELECT dixr_feed();
SELECT siddhi.flush();
SELECT dix2_deploy();
SELECT dix_feed(2);
SELECT siddhi.flush();
CREATE TEMP TABLE dix_on AS SELECT * FROM dout;
CREATE TEMP TABLE dixr_on AS SELECT * FROM rout;
CREATE TEMP TABLE dixr_on_in AS
  SELECT query, events_in FROM siddhi.queries WHERE app = 'dixr';
CREATE TEMP TABLE dix2_on AS SELECT * FROM d2out;
CREATE TEMP TABLE dix_on_in AS
  SELECT query, events_in FROM siddhi.queries WHERE app IN ('dix', 'dix2');

-- EXPLAIN: the keys, and the index they share
SELECT line FROM siddhi.explain('dix') AS e(line)
 WHERE line ~ '^Query |Dispatch';
SELECT p->>'Query Name' AS query, k->>'Dispatch Key' AS key,
       k->>'Dispatch Index' AS index
  FROM json_array_elements(
         (SELECT * FROM siddhi.explain('dix', format => 'json'))::json) p,
       LATERAL jsonb_path_query(p::jsonb, 'strict $.**') k
 WHERE jsonb_typeof(k) = 'object' AND k ? 'Dispatch Key';

-- the index at work: RI v > 7's filter saw only the events above 7 (off,
-- below, all 13); its events_in counts all
SELECT n->>'Node Type' AS node, n->>'Events In' AS events_in,
       n->>'Events Out' AS events_out
  FROM siddhi.explain('dixr', 'query13', true, 'json') j,
       jsonb_path_query(j::jsonb, 'strict $[*].Plan.**') n
 WHERE jsonb_typeof(n) = 'object' AND n ? 'Events In';
SELECT events_in FROM siddhi.queries WHERE app = 'dixr' AND query = 'query13';

-- the range keys: each stream's index holds its v queries (w's are
-- unkeyed there); RS's in full
SELECT line FROM siddhi.explain('dixr', 'query84') AS e(line);
SELECT p->>'Query Name' AS query, k->>'Dispatch Key' AS key,
       k->>'Dispatch Index' AS index
  FROM json_array_elements(
         (SELECT * FROM siddhi.explain('dixr', format => 'json'))::json) p,
       LATERAL jsonb_path_query(p::jsonb, 'strict $.**') k
 WHERE jsonb_typeof(k) = 'object' AND k ? 'Dispatch Key'
   AND k->>'Dispatch Index' ~ '^rs\.'
 ORDER BY substr(p->>'Query Name', 6)::int;
SELECT split_part(k->>'Dispatch Index', ',', 1) AS index,
       split_part(k->>'Dispatch Index', ',', 2) AS sharing,
       count(*) AS queries
  FROM json_array_elements(
         (SELECT * FROM siddhi.explain('dixr', format => 'json'))::json) p,
       LATERAL jsonb_path_query(p::jsonb, 'strict $.**') k
 WHERE jsonb_typeof(k) = 'object' AND k ? 'Dispatch Key'
 GROUP BY 1, 2 ORDER BY 1, 2;

-- the SQL dialect: WHERE symbol = 'A' first is a key (not under a
-- nondeterministic collation, nor a function of the attribute), and so
-- is a range first (price > 1); none for a range under a nondeterministic
-- collation, of a function, only after another conjunct, in an OR,
-- across types (bigint > int), or of a type without a btree class (box)
CREATE COLLATION dx_ci (provider = icu, locale = 'und-u-ks-level2',
                        deterministic = false);
SELECT line FROM siddhi.explain_text($$
CREATE STREAM DxSql (symbol TEXT, price DOUBLE PRECISION, n BIGINT, b BOX);
INSERT INTO DxOne SELECT symbol, price FROM DxSql WHERE symbol = 'A' AND price > 1;
INSERT INTO DxTwo SELECT symbol, price FROM DxSql WHERE price > 1 AND symbol = 'A';
INSERT INTO DxThree SELECT symbol, price FROM DxSql WHERE upper(symbol) = 'A';
INSERT INTO DxFour SELECT symbol, price FROM DxSql WHERE symbol = 'A' COLLATE public.dx_ci;
INSERT INTO DxFive SELECT symbol, price FROM DxSql WHERE symbol = 'A' COLLATE "C";
INSERT INTO DxSix SELECT symbol, price FROM DxSql WHERE 2.5 <= price AND symbol = 'A';
INSERT INTO DxSeven SELECT symbol, price FROM DxSql WHERE symbol > 'A' COLLATE public.dx_ci;
INSERT INTO DxEight SELECT symbol, price FROM DxSql WHERE abs(price) > 1.5;
INSERT INTO DxNine SELECT symbol, price FROM DxSql WHERE upper(symbol) = 'A' AND price > 1.5;
INSERT INTO DxTen SELECT symbol, price FROM DxSql WHERE price < 1.5 OR price > 3.5;
INSERT INTO DxEleven SELECT symbol, price FROM DxSql WHERE n > 1;
INSERT INTO DxTwelve SELECT symbol, price FROM DxSql WHERE b < box '((0,0),(1,1))';
INSERT INTO DxThirteen SELECT symbol, price FROM DxSql WHERE price > 1.5 AND n > 1;
$$) AS e(line) WHERE line ~ '^Query |Dispatch';

SELECT siddhi.undeploy('dix2', drop_tables => true);
SELECT siddhi.undeploy('dix', drop_tables => true);
SELECT siddhi.undeploy('dixr', drop_tables => true);
ALTER SYSTEM SET siddhi.dispatch_index = off;
SELECT pg_reload_conf();
SELECT pg_sleep(0.5);
SELECT dix_deploy();
SELECT dixr_deploy();
SELECT dix_feed(1);
SELECT dixr_feed();
SELECT siddhi.flush();
SELECT dix2_deploy();
SELECT dix_feed(2);
SELECT siddhi.flush();
-- off: EXPLAIN says so
SELECT line FROM siddhi.explain('dix', 'f_a') AS e(line) WHERE line ~ 'Dispatch Index';

-- off: RI v > 7's filter sees every event
SELECT n->>'Node Type' AS node, n->>'Events In' AS events_in,
       n->>'Events Out' AS events_out
  FROM siddhi.explain('dixr', 'query13', true, 'json') j,
       jsonb_path_query(j::jsonb, 'strict $[*].Plan.**') n
 WHERE jsonb_typeof(n) = 'object' AND n ? 'Events In';

-- the same outputs, row for row, and the same events offered to each query
SELECT 'only on' AS run, * FROM (SELECT * FROM dix_on EXCEPT ALL SELECT * FROM dout) d
UNION ALL
SELECT 'only off', * FROM (SELECT * FROM dout EXCEPT ALL SELECT * FROM dix_on) d;
SELECT 'only on' AS run, * FROM (SELECT * FROM dix2_on EXCEPT ALL SELECT * FROM d2out) d
UNION ALL
SELECT 'only off', * FROM (SELECT * FROM d2out EXCEPT ALL SELECT * FROM dix2_on) d;
SELECT q.query, q.events_in, o.events_in AS events_in_on
  FROM siddhi.queries q JOIN dix_on_in o USING (query)
 WHERE q.app IN ('dix', 'dix2') AND q.events_in IS DISTINCT FROM o.events_in;
SELECT query ~ '^g_' AS dix2, count(*) AS queries, min(events_in), max(events_in)
  FROM dix_on_in GROUP BY 1 ORDER BY 1;
-- the ranges: the same, and the events each stream had
SELECT 'only on' AS run, * FROM (SELECT * FROM dixr_on EXCEPT ALL SELECT * FROM rout) d
UNION ALL
SELECT 'only off', * FROM (SELECT * FROM rout EXCEPT ALL SELECT * FROM dixr_on) d;
SELECT q.query, q.events_in, o.events_in AS events_in_on
  FROM siddhi.queries q JOIN dixr_on_in o USING (query)
 WHERE q.app = 'dixr' AND q.events_in IS DISTINCT FROM o.events_in;
SELECT count(*) AS queries, min(events_in), max(events_in), sum(events_in)
  FROM dixr_on_in;
SELECT q, string_agg(seq::text, ' ' ORDER BY seq) AS seqs
  FROM rout GROUP BY q ORDER BY q;
-- what they found
SELECT * FROM dout ORDER BY q, at, symbol, p1, p2;
SELECT * FROM d2out ORDER BY q, at, symbol, price;

SELECT siddhi.undeploy('dix2', drop_tables => true);
SELECT siddhi.undeploy('dix', drop_tables => true);
SELECT siddhi.undeploy('dixr', drop_tables => true);
ALTER SYSTEM RESET siddhi.dispatch_index;
SELECT pg_reload_conf();
DROP FUNCTION dix_deploy();
DROP FUNCTION dix2_deploy();
DROP COLLATION dx_ci;
DROP FUNCTION dix_feed(int);
DROP FUNCTION dixr_deploy();
DROP FUNCTION dixr_feed();
