-- The same idea in streaming SQL, fed with COPY.
CREATE EXTENSION IF NOT EXISTS siddhi;

SELECT siddhi.deploy('trading_sql', $$
  CREATE STREAM Trades (symbol TEXT, price DOUBLE PRECISION, volume BIGINT);
  CREATE TABLE Big (symbol TEXT, price DOUBLE PRECISION, notional DOUBLE PRECISION);
  INSERT INTO Big SELECT symbol, price, price * volume AS notional FROM Trades WHERE volume > 1000;
$$);

COPY trades FROM STDIN (FORMAT csv);
IBM,75.5,5000
WSO2,5.0,9000
ACME,12.0,400
\.
SELECT siddhi.flush();
SELECT * FROM big ORDER BY symbol;
