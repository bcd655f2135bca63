-- The roadmap's output routing example (without its Kafka sink, which
-- comes with the connectors): a bracket filter on the stream.
CREATE EXTENSION IF NOT EXISTS siddhi;

SELECT siddhi.deploy('high_volume', $$
  CREATE STREAM StockStream3 (symbol STRING, price DOUBLE, volume LONG);
  CREATE TABLE HighVolumeStocks (symbol TEXT, price DOUBLE PRECISION, volume BIGINT);
  INSERT INTO HighVolumeStocks
  SELECT symbol, price, volume
  FROM StockStream3[volume > 1000000];
$$);

INSERT INTO stockstream3 VALUES ('TSLA', 250, 2500000), ('IBM', 140, 300000),
  ('AMD', 160, 1000001);
SELECT siddhi.flush();
SELECT * FROM highvolumestocks ORDER BY symbol;
