-- The data path in SiddhiQL: deploy, insert, results in a table.
SELECT siddhi.deploy('trading', $$
  define stream StockStream (symbol string, price float, volume long);
  define table BigTrades (symbol string, price float, volume long);
  @info(name = 'big') from StockStream[volume > 1000 and price > 10.0]
  select symbol, price, volume insert into BigTrades;
$$);
SELECT wait_app('trading');
\d stockstream
\d bigtrades

INSERT INTO stockstream VALUES ('IBM', 75.5, 5000), ('WSO2', 5.0, 9000);
INSERT INTO stockstream VALUES ('ORCL', 20.0, 10);
INSERT INTO stockstream VALUES ('MSFT', 300.25, 1001);
SELECT wait_for('SELECT count(*) FROM bigtrades', 2);
SELECT * FROM bigtrades ORDER BY symbol;

-- multi-row INSERT .. SELECT and COPY
INSERT INTO stockstream SELECT 'GEN' || i, i * 10, i * 1000 FROM generate_series(1, 5) i;
COPY stockstream FROM STDIN (FORMAT csv);
CSV1,11.5,2000
CSV2,9.5,2000
CSV3,12.5,999
\.
-- binary COPY too
\getenv abs_builddir PG_ABS_BUILDDIR
\set binfile :abs_builddir '/results/ticks.bin'
COPY (SELECT 'BIN1'::text, 50::real, 5000::bigint) TO :'binfile' (FORMAT binary);
COPY stockstream FROM :'binfile' (FORMAT binary);
SELECT wait_for('SELECT count(*) FROM bigtrades', 8);
SELECT * FROM bigtrades ORDER BY symbol;
SELECT siddhi.flush();
SELECT query, events_in, events_out, errors FROM siddhi.queries WHERE app = 'trading';

-- a stream holds no rows
SELECT * FROM stockstream;
UPDATE stockstream SET price = 1;
DELETE FROM stockstream;

-- chained queries: one query's output stream is another's input
SELECT siddhi.deploy('chain', $$
  @app:name('chain')
  define stream Readings (sensor string, celsius double);
  define table Hot (sensor string, fahrenheit double, label string);
  @info(name = 'convert')
  from Readings select sensor, celsius * 9 / 5 + 32 as fahrenheit insert into Fahrenheit;
  @info(name = 'hot')
  from Fahrenheit[fahrenheit >= 100]
  select sensor, fahrenheit,
         ifThenElse(fahrenheit > 120, 'very hot', 'hot') as label
  insert into Hot;
$$);
SELECT wait_app('chain');
\d fahrenheit
INSERT INTO readings VALUES ('a', 20), ('b', 40), ('c', 55.5), ('d', NULL);
SELECT wait_for('SELECT count(*) FROM hot', 2);
SELECT * FROM hot ORDER BY sensor;

-- Siddhi's functions and literals
SELECT siddhi.deploy('functions', $$
  define stream In1 (s string, i int, l long, f float, d double, b bool);
  define table Out1 (c1 string, c2 long, c3 double, c4 string, c5 bool,
                     c6 bool, c7 int, c8 string, c9 double, c10 bool);
  from In1[b == true or i != 0]
  select coalesce(s, 'none') as c1,
         l + 10L as c2,
         d * 1.5 + f as c3,
         convert(i, 'string') as c4,
         instanceOfString(s) as c5,
         s is null as c6,
         maximum(i, 3, 7) as c7,
         default(s, "dflt") as c8,
         cast(l, 'double') / 4 as c9,
         not b as c10
  insert into Out1;
$$);
SELECT wait_app('functions');
INSERT INTO in1 VALUES ('x', 1, 2, 1.5, 2.5, true), (NULL, 0, 5, 0, 0, false),
    (NULL, 9, 7, 0.5, 1, false);
SELECT wait_for('SELECT count(*) FROM out1', 2);
SELECT * FROM out1 ORDER BY c2;

SELECT name, owner, state, error, dialect FROM siddhi.apps ORDER BY name;

-- time literals, UUID(), the clock and the event's timestamp
SELECT siddhi.deploy('literals', $$
  define stream Lit (n int);
  define table LitOut (n int, ninety long, dur long, uuid_len int,
                       has_ts bool, not_future bool, f float, l long);
  from Lit
  select n, 1 min and 30 sec as ninety, 2 hours as dur,
         length(UUID()) as uuid_len,
         eventTimestamp() > 1700000000000L as has_ts,
         eventTimestamp() <= currentTimeMillis() as not_future,
         1.5f as f, 3000000000L as l
  insert into LitOut;
$$);
INSERT INTO lit VALUES (1);
SELECT siddhi.flush();
SELECT * FROM litout;
