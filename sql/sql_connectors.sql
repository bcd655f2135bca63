-- Sources and sinks in streaming SQL (issue 13, "Surface, in both
-- dialects"): each SQL form is parsed into exactly the annotations
-- SiddhiQL's @source / @sink / @map / @OnError make, so the analyzer sees
-- one thing.  Each case prints the SQL form's annotations and compares
-- them with those of its SiddhiQL equivalent.
CREATE EXTENSION IF NOT EXISTS siddhi;
\pset format unaligned
\pset tuples_only on

-- the annotation lines of siddhi.parse() (and the define lines, without
-- their offsets)
CREATE FUNCTION pg_temp.annotations(app text) RETURNS text
LANGUAGE sql AS $f$
    SELECT string_agg(regexp_replace(l, ' @[0-9]+', ''), E'\n' ORDER BY n)
    FROM regexp_split_to_table(siddhi.parse(app), E'\n')
         WITH ORDINALITY AS t(l, n)
    WHERE l ~ '^ +(@|define )'
$f$;
-- the annotation lines only, to compare the two dialects
CREATE FUNCTION pg_temp.same(sql_app text, siddhiql_app text) RETURNS text
LANGUAGE sql AS $f$
    SELECT CASE WHEN a = b THEN 'same as SiddhiQL'
                ELSE E'DIFFERENT\n' || a || E'\n--\n' || b END
    FROM (SELECT string_agg(l, E'\n' ORDER BY n) AS a
          FROM regexp_split_to_table(pg_temp.annotations(sql_app), E'\n')
               WITH ORDINALITY AS t(l, n) WHERE l ~ '^ +@') x,
         (SELECT string_agg(l, E'\n' ORDER BY n) AS b
          FROM regexp_split_to_table(pg_temp.annotations(siddhiql_app), E'\n')
               WITH ORDINALITY AS t(l, n) WHERE l ~ '^ +@') y
$f$;

-- (a) CREATE STREAM .. WITH (connector = ..): a stream with a @source;
-- format is @map, on_error the stream's @OnError, topic is topic.list
-- for Kafka, the rest passes under its own key
SELECT pg_temp.annotations($$
CREATE STREAM Orders (id BIGINT, amount DOUBLE)
WITH (connector = 'kafka', topic = 'orders', format = 'json',
      bootstrap.servers = '127.0.0.1:9092', group.id = 'g1',
      on_error = 'STORE', threading.option = 'single.thread');
$$);
SELECT pg_temp.same($$
CREATE STREAM Orders (id BIGINT, amount DOUBLE)
WITH (connector = 'kafka', topic = 'orders', format = 'json',
      bootstrap.servers = '127.0.0.1:9092', group.id = 'g1',
      on_error = 'STORE', threading.option = 'single.thread');
$$, $$
@source(type = 'kafka', topic.list = 'orders',
        bootstrap.servers = '127.0.0.1:9092', group.id = 'g1',
        threading.option = 'single.thread', @map(type = 'json'))
@OnError(action = 'STORE')
define stream Orders (id long, amount double);
$$);
-- type instead of connector; no format: no @map (the default mapper);
-- topic stays topic for other connectors; keys quoted, as strings, any
-- case; values numbers and booleans, kept as their text
SELECT pg_temp.annotations($$
CREATE STREAM S (a INT) WITH (TYPE = 'mqtt', Topic = 'a/b', "Qos.Level" = 1,
  'clean.session' = TRUE, keep.alive = -60, weight = 2.5);
$$);
SELECT pg_temp.same($$
CREATE STREAM S (a INT) WITH (TYPE = 'mqtt', Topic = 'a/b', "Qos.Level" = 1,
  'clean.session' = TRUE, keep.alive = -60, weight = 2.5);
$$, $$
@source(type = 'mqtt', topic = 'a/b', Qos.Level = '1', clean.session = 'true',
        keep.alive = '-60', weight = '2.5')
define stream S (a int);
$$);
-- event_time stays the stream's WITH option; without a connector a WITH
-- stays what it was
SELECT pg_temp.annotations($$
CREATE STREAM S (a INT, ts BIGINT) WITH (event_time = 'ts', connector = 'kafka', topic = 't');
CREATE STREAM T (a INT, ts BIGINT) WITH (event_time = 'ts');
$$);

-- (b) CREATE SOURCE: a stream with a @source, MAP into @map, ATTRIBUTES
-- into @attributes (keyed or positional)
SELECT pg_temp.annotations($$
CREATE SOURCE Orders (id BIGINT, amount DOUBLE)
WITH (type = 'kafka', topic = 'orders', bootstrap.servers = 'h:9092')
MAP (type = 'json', fail.on.missing.attribute = 'false',
     ATTRIBUTES (id = '$.order.id', amount = '$.amount'));
$$);
SELECT pg_temp.same($$
CREATE SOURCE Orders (id BIGINT, amount DOUBLE)
WITH (type = 'kafka', topic = 'orders', bootstrap.servers = 'h:9092')
MAP (type = 'json', fail.on.missing.attribute = 'false',
     ATTRIBUTES (id = '$.order.id', amount = '$.amount'));
$$, $$
@source(type = 'kafka', topic.list = 'orders', bootstrap.servers = 'h:9092',
        @map(type = 'json', fail.on.missing.attribute = 'false',
             @attributes(id = '$.order.id', amount = '$.amount')))
define stream Orders (id long, amount double);
$$);
SELECT pg_temp.same($$
create source Csv (a TEXT, b INT) with (connector = 'file', file.uri = '/tmp/x.csv')
map (type = 'csv', delimiter = ';', attributes ('0', '1'));
$$, $$
@source(type = 'file', file.uri = '/tmp/x.csv',
        @map(type = 'csv', delimiter = ';', @attributes('0', '1')))
define stream Csv (a string, b int);
$$);
-- a source without MAP, with format, on_error and event_time
SELECT pg_temp.annotations($$
CREATE SOURCE Clicks (url TEXT, ts BIGINT)
WITH (type = 'http', receiver.url = 'http://0.0.0.0:8006/clicks',
      format = 'json', on_error = 'LOG', event_time = 'ts');
$$);

-- (c) CREATE SINK: a stream with a @sink (topic stays topic), MAP's
-- PAYLOAD into @payload
SELECT pg_temp.annotations($$
CREATE SINK Alerts (symbol TEXT, price DOUBLE)
WITH (type = 'kafka', topic = 'alerts', bootstrap.servers = 'h:9092',
      key = '{{symbol}}')
MAP (type = 'json', PAYLOAD '{"sym":"{{symbol}}"}');
$$);
SELECT pg_temp.same($$
CREATE SINK Alerts (symbol TEXT, price DOUBLE)
WITH (type = 'kafka', topic = 'alerts', bootstrap.servers = 'h:9092',
      key = '{{symbol}}')
MAP (type = 'json', PAYLOAD '{"sym":"{{symbol}}"}');
$$, $$
@sink(type = 'kafka', topic = 'alerts', bootstrap.servers = 'h:9092',
      key = '{{symbol}}', @map(type = 'json', @payload('{"sym":"{{symbol}}"}')))
define stream Alerts (symbol string, price double);
$$);
SELECT pg_temp.same($$
CREATE SINK Kv (k TEXT, v INT) WITH (type = 'log', prefix = 'kv')
MAP (type = 'keyvalue', PAYLOAD (key = 'k', value = 'v'));
$$, $$
@sink(type = 'log', prefix = 'kv',
      @map(type = 'keyvalue', @payload(key = 'k', value = 'v')))
define stream Kv (k string, v int);
$$);
-- at the very start of the text, and with a comment inside CREATE SINK
SELECT pg_temp.annotations('CREATE SINK s (a int) WITH (type = ''log'')');
SELECT pg_temp.annotations('CREATE /* a sink */ SINK s (a int) WITH (type = ''log'')');

-- (d) INSERT INTO Out SELECT .. SINK (..): Out gets the @sink; an Out no
-- statement defines is an inferred stream (its columns are the query's)
SELECT pg_temp.annotations($$
CREATE STREAM StockStream (symbol TEXT, price DOUBLE, volume BIGINT);
INSERT INTO HighVolumeStocks
SELECT symbol, price, volume
FROM StockStream[volume > 1000000]
SINK (
    type = 'kafka',
    bootstrap.servers = 'localhost:9092',
    topic = 'high-volume-alerts',
    format = 'avro'
);
$$);
SELECT pg_temp.same($$
CREATE STREAM StockStream (symbol TEXT, price DOUBLE, volume BIGINT);
INSERT INTO HighVolumeStocks
SELECT symbol, price, volume
FROM StockStream[volume > 1000000]
SINK (type = 'kafka', bootstrap.servers = 'localhost:9092',
      topic = 'high-volume-alerts', format = 'avro');
$$, $$
define stream StockStream (symbol string, price double, volume long);
@sink(type = 'kafka', bootstrap.servers = 'localhost:9092',
      topic = 'high-volume-alerts', @map(type = 'avro'))
define stream HighVolumeStocks (symbol string, price double, volume long);
from StockStream[volume > 1000000]
select symbol, price, volume insert into HighVolumeStocks;
$$);
-- a stream the app defines (before the query) gets the @sink on its
-- definition
SELECT pg_temp.same($$
CREATE STREAM S (a INT);
CREATE STREAM Out (a INT, b TEXT);
INSERT INTO Out SELECT a, 'x' AS b FROM S
SINK (type = 'http', publisher.url = 'http://h/p', on_error = 'LOG')
MAP (type = 'json', PAYLOAD '{"a":{{a}}}');
$$, $$
define stream S (a int);
@sink(type = 'http', publisher.url = 'http://h/p',
      @map(type = 'json', @payload('{"a":{{a}}}')))
@OnError(action = 'LOG')
define stream Out (a int, b string);
from S select a, 'x' as b insert into Out;
$$);
-- after WINDOW, GROUP BY, EMIT, PARTITION BY; with MAP; several sinks on
-- one stream, declared before or after the queries; the query's own
-- clauses are unchanged
SELECT siddhi.parse($$
CREATE STREAM P (region TEXT, amount DOUBLE);
INSERT INTO Hourly
SELECT region, avg(amount) AS avg_amount
FROM P WINDOW TUMBLING(1 hour)
GROUP BY region
SINK (type = 'mongodb', collection = 'hourly_metrics', mode = 'upsert');
INSERT INTO Hourly SELECT region, amount AS avg_amount FROM P
EMIT CHANGES SINK (type = 'log') MAP (type = 'text', PAYLOAD 'r={{region}}');
INSERT INTO Keyed SELECT region, amount FROM P PARTITION BY region
SINK (type = 'log', on_error = 'DROP');
CREATE STREAM Keyed (region TEXT, amount DOUBLE) WITH (event_time = 'amount');
$$);
-- sink(..) where an expression goes is a function call, not a clause
SELECT siddhi.parse($$
INSERT INTO o SELECT a FROM s WHERE a > 0 AND sink(a = 1);
$$);

-- errors, each at its position
\set VERBOSITY default
-- a key given twice, or two keys that set the same element
SELECT siddhi.parse($$CREATE STREAM s (a int) WITH (connector = 'kafka', TOPIC = 'a', topic = 'b');$$);
SELECT siddhi.parse($$CREATE STREAM s (a int) WITH (connector = 'kafka', type = 'kafka');$$);
SELECT siddhi.parse($$CREATE STREAM s (a int) WITH (connector = 'kafka', topic = 't', topic.list = 'u');$$);
SELECT siddhi.parse($$CREATE SINK s (a int) WITH (type = 'kafka', on_error = 'LOG', on_error = 'DROP');$$);
SELECT siddhi.parse($$INSERT INTO o SELECT a FROM s SINK (type = 'kafka', topic = 'x', "topic" = 'y');$$);
SELECT siddhi.parse($$CREATE SOURCE s (a int) WITH (type = 'kafka') MAP (type = 'json', ATTRIBUTES (a = '$.a', a = '$.b'));$$);
SELECT siddhi.parse($$CREATE SOURCE s (a int) WITH (type = 'kafka') MAP (type = 'json', type = 'csv');$$);
SELECT siddhi.parse($$CREATE SOURCE s (a int) WITH (type = 'kafka') MAP (type = 'json', ATTRIBUTES (a = '$.a'), ATTRIBUTES ('$.b'));$$);
SELECT siddhi.parse($$CREATE SINK s (a int) WITH (type = 'kafka', format = 'json') MAP (type = 'csv');$$);
-- a stream's error action is given once
SELECT siddhi.parse($$@OnError(action = 'LOG') CREATE STREAM s (a int) WITH (connector = 'kafka', on_error = 'DROP');$$);
SELECT siddhi.parse($$INSERT INTO o SELECT a FROM s SINK (type = 'kafka', on_error = 'LOG') SINK (type = 'log', on_error = 'DROP');$$);
-- a connector needs its type
SELECT siddhi.parse($$CREATE SOURCE s (a int) WITH (topic = 'x');$$);
SELECT siddhi.parse($$CREATE SINK s (a int);$$);
SELECT siddhi.parse($$INSERT INTO o SELECT a FROM s SINK (topic = 'x');$$);
SELECT siddhi.parse($$CREATE STREAM s (a int) WITH (event_time = 'a') MAP (type = 'json');$$);
-- the forms
SELECT siddhi.parse($$CREATE SOURCE s WITH (type = 'kafka') MAP (type = 'json');$$);
SELECT siddhi.parse($$CREATE SOURCE s (a int) WITH (type = 'kafka') MAP type = 'json';$$);
SELECT siddhi.parse($$CREATE SOURCE s (a int) WITH (type = 'kafka') MAP (type = 'json' ATTRIBUTES (a = '$.a'));$$);
SELECT siddhi.parse($$CREATE SOURCE s (a int) WITH (type = 'kafka') MAP (ATTRIBUTES (a = ));$$);
SELECT siddhi.parse($$CREATE SINK s (a int) WITH (type = 'kafka', topic = );$$);
SELECT siddhi.parse($$INSERT INTO o SELECT a FROM s SINK (type 'kafka');$$);
SELECT siddhi.parse($$INSERT INTO o SELECT a FROM s SINK ();$$);
SELECT siddhi.parse($$INSERT INTO o SELECT a FROM s SINK (type = 'kafka'$$);
SELECT siddhi.parse($$INSERT INTO o SELECT a FROM s SINK (type = 'kafka', bootstrap. = 'x');$$);
-- SINK belongs to INSERT INTO a stream
SELECT siddhi.parse($$SELECT a FROM s SINK (type = 'kafka');$$);
SELECT siddhi.parse($$DELETE FROM t USING s SINK (type = 'log') WHERE t.a = s.a;$$);
SELECT siddhi.parse($$CREATE AGGREGATION agg AS SELECT a, sum(b) AS t FROM s GROUP BY a SINK (type = 'log');$$);

-- deploying: the analyzer checks each form's annotations and reports at
-- the position of the annotation the form made
SELECT siddhi.deploy('conn_a', $$CREATE STREAM s (a int) WITH (event_time = 'a', connector = 'kafka');$$);
SELECT siddhi.deploy('conn_b', $$CREATE SOURCE src (a int) WITH (type = 'mqtt');$$);
SELECT siddhi.deploy('conn_c', $$CREATE SINK snk (a int) WITH (type = 'mongodb');$$);
SELECT siddhi.deploy('conn_d', $$CREATE STREAM s (a int);
INSERT INTO o SELECT a FROM s SINK (type = 'mongodb');$$);
-- nothing was deployed
SELECT count(*) FROM siddhi.apps WHERE name LIKE 'conn_%';
