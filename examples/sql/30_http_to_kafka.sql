-- Roadmap block 2 ("HTTP source with JSON mapping", "Kafka sink with
-- Avro").  What was adapted, and why:
--  * the HTTP polling source (type = 'http', url, interval, auth.*)
--    deploys as written (shown first), but api.example.com is not
--    reachable from the test machine and no API_TOKEN secret is stored:
--    the deploy fails saying so; the pipeline
--    below reads StockTickerAPI as a plain stream fed by INSERT, with the
--    roadmap's columns (timestamp LONG included).  The polling source
--    itself is exercised by t/029_http_poll.pl against a local server;
--  * the query reads StockStream, which the roadmap defines in block 1:
--    defined here as there;
--  * bootstrap.servers = 'localhost:9092' becomes the address of the
--    test's broker (:'kafka'); replace it with yours.
-- The Kafka sink with format = 'avro' runs as written: with no schema.def
-- the avro mapper makes the record schema from the stream's attributes,
-- as Siddhi does (symbol string, price double, volume long).  A second
-- app reads the topic back through a Kafka source with the same mapper.
-- The apps live in a schema of their own, alone on search_path: example
-- 01 has a public.stockstream of other column types.
CREATE EXTENSION IF NOT EXISTS siddhi;
\getenv kafka SIDDHI_KAFKA_BOOTSTRAP
CREATE SCHEMA roadmap2;
SET search_path = roadmap2;

-- as the roadmap writes it: without the API_TOKEN secret the deploy fails,
-- naming it (store it in siddhi.secrets and the app deploys)
SELECT siddhi.deploy('stock_ticker', $$
-- HTTP source with JSON mapping
CREATE SOURCE StockTickerAPI (
    symbol STRING,
    price DOUBLE,
    timestamp LONG
) WITH (
    type = 'http',
    url = 'https://api.example.com/stocks',
    method = 'GET',
    interval = '1000',
    auth.type = 'bearer',
    auth.token = '${API_TOKEN}'
) MAP (type='json');
$$);

SELECT siddhi.deploy('high_volume_kafka', format($app$
-- the HTTP source's stream, fed by INSERT here (see above)
CREATE STREAM StockTickerAPI (
    symbol STRING,
    price DOUBLE,
    timestamp LONG
);
-- block 1's input stream
CREATE STREAM StockStream (
    symbol STRING,
    price DOUBLE,
    volume LONG
);

-- Kafka sink with Avro
INSERT INTO HighVolumeStocks
SELECT symbol, price, volume
FROM StockStream[volume > 1000000]
SINK (
    type = 'kafka',
    bootstrap.servers = '%1$s',
    topic = 'high-volume-alerts',
    format = 'avro'
);
$app$, :'kafka'));
\d stocktickerapi

-- a consumer of the topic: the same schema, read back into a table
SELECT siddhi.deploy('high_volume_reader', format($app$
CREATE STREAM HighVolumeIn (symbol STRING, price DOUBLE, volume LONG)
WITH (connector = 'kafka', topic = 'high-volume-alerts', format = 'avro',
      bootstrap.servers = '%1$s', group.id = 'high-volume-reader',
      'optional.configuration' = 'auto.offset.reset:earliest');
CREATE TABLE HighVolumeLog (symbol TEXT, price DOUBLE PRECISION, volume BIGINT);
INSERT INTO HighVolumeLog SELECT symbol, price, volume FROM HighVolumeIn;
$app$, :'kafka'));

INSERT INTO stocktickerapi VALUES ('AAPL', 189.5, 1735689600000);
INSERT INTO stockstream VALUES ('TSLA', 250, 2500000), ('IBM', 140, 300000),
  ('AMD', 160, 1000001);

-- wait until the reader has the two high-volume trades and the sink has
-- counted their acknowledgements (the reader can see a record on the
-- topic before the producer hears that the broker took it)
DO $$
BEGIN
  FOR i IN 1..1200 LOOP
    EXIT WHEN (SELECT count(*) FROM highvolumelog) >= 2
          AND (SELECT coalesce(sum(sent), 0) FROM siddhi.sinks
               WHERE app = 'high_volume_kafka') >= 2;
    PERFORM pg_sleep(0.1);
  END LOOP;
END
$$;
SELECT * FROM highvolumelog ORDER BY symbol;
-- the records on the topic are plain Avro binary datums (no header): a
-- length and the bytes of symbol, the 8 bytes of price, volume as a
-- varint; so AMD's is 1 + 3 + 8 + 3 bytes and TSLA's 1 + 4 + 8 + 4 (their
-- order on the topic's four partitions varies: sizes sorted)
\! kcat -C -b "$SIDDHI_KAFKA_BOOTSTRAP" -t high-volume-alerts -o beginning -e -q -f '%S bytes\n' | sort -n
SELECT sink, type, sent, failed, dropped FROM siddhi.sinks WHERE app = 'high_volume_kafka';
SELECT siddhi.undeploy('high_volume_reader');
SELECT siddhi.undeploy('high_volume_kafka');
RESET search_path;
