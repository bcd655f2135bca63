-- The avro mapper without schema.def or schema.file (issue 17, roadmap
-- block 2's SINK (.., format = 'avro')): like Siddhi's siddhi-map-avro it
-- makes the record schema from the stream's attributes, one field per
-- attribute in order, of the attribute's plain Avro type.
CREATE TABLE av_all (i int, s smallint, l bigint, f real, d double precision,
                     b boolean, t text, by bytea, j jsonb, n numeric,
                     "timestamp" bigint);
\set ev '{"i": -1, "s": 2, "l": 9000000000, "f": 1.5, "d": 2.25, "b": true, "t": "IBM", "by": "\\\\x0102", "j": {"k": [1]}, "n": 1.50, "timestamp": 1735689600000}'
SELECT siddhi.map_encode('av_all', '@map(type=''avro'')', :'ev') AS made \gset
SELECT :'made';
-- the same bytes as the schema written out as Siddhi generates it
SELECT siddhi.map_encode('av_all', '@map(type=''avro'', schema.def=''{"type": "record", "name": "av_all", "fields": [{"name": "i", "type": "int"}, {"name": "s", "type": "int"}, {"name": "l", "type": "long"}, {"name": "f", "type": "float"}, {"name": "d", "type": "double"}, {"name": "b", "type": "boolean"}, {"name": "t", "type": "string"}, {"name": "by", "type": "bytes"}, {"name": "j", "type": "string"}, {"name": "n", "type": "string"}, {"name": "timestamp", "type": "long"}]}'')', :'ev') = :'made' AS same_bytes;
-- and back (a source's mapper makes the same schema)
SELECT siddhi.map_decode('av_all', '@map(type=''avro'')',
  siddhi.map_encode('av_all', '@map(type=''avro'')', :'ev'));
-- the fields are not nullable, as Siddhi's: a null fails the event
SELECT siddhi.map_encode('av_all', '@map(type=''avro'')', '{"i": 1}');
-- an attribute name Avro does not allow: give the schema
CREATE TABLE av_odd ("two words" int);
SELECT siddhi.map_encode('av_odd', '@map(type=''avro'')', '{}');

-- roadmap block 2's Kafka sink deploys as written (no broker needed to
-- deploy; examples/sql/30_http_to_kafka.sql sends through one)
SELECT siddhi.deploy('av_roadmap', $$
  CREATE STREAM AvStockStream (symbol STRING, price DOUBLE, volume LONG);
  INSERT INTO AvHighVolumeStocks
  SELECT symbol, price, volume
  FROM AvStockStream[volume > 1000000]
  SINK (
      type = 'kafka',
      bootstrap.servers = 'localhost:9092',
      topic = 'high-volume-alerts',
      format = 'avro'
  );
$$);
SELECT siddhi.undeploy('av_roadmap');
-- an app stream whose column Avro cannot name is refused at deploy
SELECT siddhi.deploy('av_bad', $$
  CREATE STREAM AvOdd ("price now" DOUBLE);
  INSERT INTO AvOddOut SELECT "price now" FROM AvOdd
  SINK (type = 'kafka', bootstrap.servers = 'localhost:9092',
        topic = 't', format = 'avro');
$$);
